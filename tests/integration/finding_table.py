#!/usr/bin/env python3
"""
tests/integration/finding_table.py DUMP MANPAGE — findings.def is the one
vocabulary (issue 17): the kinds, fields and cause words it lists (DUMP,
finding_table_dump, prints them) are the ones the contract checker
(report_contract.py) validates and the man page's FINDINGS section
documents. A kind, a field or a word added to one and not the others fails.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_contract  # noqa: E402

PY_TYPE = {"hex16": str, "u32": int, "u64": int, "bool": bool}


def man_blocks(path):
    """kind -> the text of its .TP entry in FINDINGS, roff escapes undone."""
    text = open(path).read()
    sec = text.split("\n.SH FINDINGS\n", 1)[1].split("\n.SH ", 1)[0]
    blocks = {}
    for entry in sec.split("\n.TP\n")[1:]:
        head, _, body = entry.partition("\n")
        kind = head.removeprefix(".B ").strip()
        body = re.sub(r"^\.[A-Z]+ ?", "", body, flags=re.M).replace("\\-", "-")
        blocks[kind] = " ".join(body.split())
    return blocks


def top_level_fields(body):
    """The keys after "Fields:", parentheses left out, up to the sentence's end."""
    if "Fields:" not in body:
        return []
    rest = body.split("Fields:", 1)[1]
    flat, depth = "", 0
    for ch in rest:
        depth += ch == "("
        if depth == 0:
            flat += ch
        depth -= ch == ")" and depth > 0
    return [k.strip() for k in flat.split(".", 1)[0].split(",") if k.strip()]


def main():
    table = json.loads(subprocess.run([sys.argv[1]], check=True, capture_output=True,
                                      text=True).stdout)
    man = man_blocks(sys.argv[2])
    problems = []
    for src, kinds in (("report_contract.py", set(report_contract.KINDS)), ("man page", set(man))):
        for k in sorted(set(table) - kinds):
            problems.append(f"{k}: in findings.def, not in the {src}")
        for k in sorted(kinds - set(table)):
            problems.append(f"{k}: in the {src}, not in findings.def")
    for kind, t in table.items():
        fields = [f for f in t["fields"] if f["type"] != "label"]
        always = [f["key"] for f in fields if f["when"] == ""]
        spec = report_contract.KINDS.get(kind, {})
        if set(spec) != set(always):
            problems.append(f"{kind}: report_contract.py checks {sorted(spec)}, "
                            f"findings.def always writes {sorted(always)}")
        for f in fields:
            want = spec.get(f["key"])
            if want is None:
                continue
            if f["type"] in ("cause", "proto"):
                words = set(t["words"]) if f["type"] == "cause" else {"tcp", "udp"}
                if not isinstance(want, set) or not words <= want:
                    problems.append(f"{kind}.{f['key']}: findings.def's words {sorted(words)} "
                                    f"are not all allowed by report_contract.py ({want})")
            elif f["type"] in ("dbl1", "dbl2"):
                if want != (int, float):
                    problems.append(f"{kind}.{f['key']}: a number, the contract says {want}")
            elif PY_TYPE[f["type"]] is not want:
                problems.append(f"{kind}.{f['key']}: {f['type']}, the contract says {want}")
        if kind in man:
            listed = top_level_fields(man[kind])
            keys = [f["key"] for f in fields]
            if listed != keys:
                problems.append(f"{kind}: the man page lists fields {listed}, "
                                f"findings.def has {keys} (in JSON order)")
            said = set(re.findall(r"[a-z_]+", man[kind]))
            for w in t["words"]:
                if w not in said:
                    problems.append(f"{kind}: cause word '{w}' is not in the man page")
    for p in problems:
        print("FAIL", p)
    print(f"{len(table)} kinds, {sum(len(t['fields']) for t in table.values())} fields: "
          f"{len(problems)} disagreements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
