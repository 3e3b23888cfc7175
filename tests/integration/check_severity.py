#!/usr/bin/env python3
"""tests/integration/check_severity.py TCPLENS SAMPLES_DIR: one severity per
finding in every view.

For every capture in SAMPLES_DIR, tcplens writes the JSON report and the
annotated pcapng (-w). Each event's comment names a severity; the JSON's
diagnosis names one per finding. They must agree:
  - an event of a kind and cause that has a finding of its own (stalls, by
    cause) has that finding's severity;
  - every other event of a kind has its finding's severity, except a
    retransmission: the finding is as bad as most of its resends (spurious
    ones are low, the others medium), so a spurious resend is low and any
    other one medium, and the finding low exactly when most were spurious.
The TUI takes both from the same function the comments do
(finding_severity_of); the text report prints the JSON's findings.
"""
import shutil
import atexit
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "regress"))
import capfile  # noqa: E402

COMMENT = re.compile(r"^tcplens: (\w+).*\((?:flow \d+ \w+, )?(info|low|medium|high)\) - ")


def main():
    tcplens, sdir = sys.argv[1:3]
    tmp = tempfile.mkdtemp(prefix="tcplens_sev_")
    atexit.register(shutil.rmtree, tmp, True)  # the test's files go with it
    fails, checked = [], collections.Counter()
    names = sorted(f for f in os.listdir(sdir) if f.endswith((".pcap", ".pcapng")))
    for name in names:
        out = os.path.join(tmp, "out.pcapng")
        p = subprocess.run([tcplens, "-r", os.path.join(sdir, name), "--format", "json", "-w", out],
                           capture_output=True)
        if p.returncode not in (0, 2) or not p.stdout:
            fails.append(f"{name}: exit {p.returncode}")
            continue
        doc = json.loads(p.stdout)
        by_frame = collections.defaultdict(list)
        for e in doc["events"]:
            by_frame[e["frame"]].append(e)
        finding = {}
        for f in doc["summary"]["findings"]:
            finding[(f["kind"], f.get("cause"))] = f["severity"]
        frames = capfile.read_pcapng(out)
        for i, fr in enumerate(frames):
            num = fr.packet_id or i + 1
            for c in fr.comments:
                m = COMMENT.match(c)
                if not m:
                    fails.append(f"{name}: frame {num}: a comment without a severity: {c[:80]!r}")
                    continue
                kind, sev = m.groups()
                evs = [e for e in by_frame.get(num, []) if e["kind"] == kind]
                if not evs:
                    fails.append(f"{name}: frame {num}: a {kind} comment without its event")
                    continue
                cause = evs[0].get("cause")
                if kind == "retransmission":
                    want = "low" if cause == "spurious" else "medium"
                elif (kind, cause) in finding:
                    want = finding[(kind, cause)]
                else:
                    want = next((s for (k, _), s in finding.items() if k == kind), None)
                if want is None:
                    continue  # no finding of its kind (an unremarkable initial window)
                checked[kind] += 1
                if want != sev:
                    fails.append(f"{name}: frame {num}: {kind} ({cause}) is {sev} in the comment, "
                                 f"{want} in the diagnosis")
        rt = [e for e in doc["events"] if e["kind"] == "retransmission"]
        if rt:
            spurious = sum(e.get("cause") == "spurious" for e in rt)
            want = "low" if 2 * spurious > len(rt) else "medium"
            if finding.get(("retransmission", None)) != want:
                fails.append(f"{name}: retransmission finding {finding.get(('retransmission', None))}, "
                             f"{spurious} of {len(rt)} spurious: {want}")
        os.unlink(out)
    os.rmdir(tmp)
    for f in fails[:40]:
        print("FAIL:", f)
    print(f"severity: {len(names)} captures, {sum(checked.values())} comments checked "
          f"({dict(sorted(checked.items()))}), {len(fails)} disagreements")
    sys.exit(1 if fails or not checked else 0)


if __name__ == "__main__":
    main()
