#!/usr/bin/env python3
"""
tests/regress/baseline_replay.py TCPLENS SAMPLES_DIR

Regression replay end to end, on copies of real samples edited by script:
  - an unedited copy against its saved report: exit 0;
  - later frames delayed by 300 ms (a stall): exit 1, the stall named;
  - a data frame duplicated (a retransmission): exit 1, named;
  - a report of another schema, a missing or cut report: exit 2, clear message;
  - tcplens diff (text and JSON), --tolerance loosening a regression away;
  - tcplens check on a corpus directory: --update writes the reports, check
    passes, then an edited capture makes it exit 1 naming the capture.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capfile  # noqa: E402

tcplens, samples = sys.argv[1:3]
expected = os.path.join(samples, "expected")
tmp = tempfile.mkdtemp(prefix="tcplens_bl_")
fails = []


def run(*args):
    return subprocess.run([tcplens, *args], capture_output=True, text=True)


def edit(src, dst, delay_from=None, dup=None):
    frames = capfile.read_any(src)
    out = []
    for i, f in enumerate(frames, 1):
        ts = f.ts_ns + (300_000_000 if delay_from and i >= delay_from else 0)
        out.append((ts, f.wirelen, f.data))
        if dup == i:
            out.append((ts + 1000, f.wirelen, f.data))
    capfile.write_pcap(dst, out, frames[0].linktype)
    return len(frames)


def expect(what, r, code, *words):
    text = r.stdout + r.stderr
    if r.returncode != code:
        fails.append("%s: exit %d, wanted %d\n%s" % (what, r.returncode, code, text[-1500:]))
        return
    for w in words:
        if w not in text:
            fails.append("%s: output lacks %r\n%s" % (what, w, text[-1500:]))


bulk = os.path.join(samples, "bulk.pcap")
bulk_json = os.path.join(expected, "bulk.json")
n = len(capfile.read_any(bulk))

same = os.path.join(tmp, "same.pcap")
edit(bulk, same)
expect("unedited", run("-r", same, "--baseline", bulk_json), 0, "OK: no regression")

delayed = os.path.join(tmp, "delayed.pcap")
edit(bulk, delayed, delay_from=n // 3)
r = run("-r", delayed, "--baseline", bulk_json)
expect("delayed 300 ms", r, 1, "REGRESSED", "stall")
r = run("-r", delayed, "--baseline", bulk_json, "--format", "json")
try:
    doc = json.loads(r.stdout)
    first = doc["differences"][0]
    if doc["verdict"] != "regressed" or not first["regression"] or "stall" not in first["what"]:
        fails.append("delayed, JSON: worst difference is not the stall: %s" % first)
except (ValueError, KeyError, IndexError) as e:
    fails.append("delayed, JSON output unusable (%s): %s" % (e, r.stdout[:500]))
expect("delayed, loosened", run("-r", delayed, "--baseline", bulk_json, "--tolerance", "stall_ms=off",
                                "--tolerance", "events=off"), 0, "OK")

duped = os.path.join(tmp, "dup.pcap")
edit(bulk, duped, dup=n // 2)
expect("duplicated frame", run("-r", duped, "--baseline", bulk_json), 1, "REGRESSED", "retransmission")

# The new report can be kept with -o while comparing.
keep = os.path.join(tmp, "new.json")
expect("-o keeps the report", run("-r", duped, "--baseline", bulk_json, "-o", keep), 1)
expect("diff of the kept report", run("diff", bulk_json, keep), 1, "retransmission")
expect("diff, same report", run("diff", bulk_json, bulk_json), 0)

other = os.path.join(tmp, "schema2.json")
with open(bulk_json) as fh:
    text = fh.read().replace('"schema":1', '"schema":2', 1)
with open(other, "w") as fh:
    fh.write(text)
expect("other schema", run("-r", same, "--baseline", other), 2, "schema 2", "schema 1", other)
cut = os.path.join(tmp, "cut.json")
with open(cut, "w") as fh:
    fh.write(text.replace('"schema":2', '"schema":1', 1)[: len(text) // 2])
expect("cut report", run("diff", cut, bulk_json), 2, "cut short")
expect("missing report", run("-r", same, "--baseline", os.path.join(tmp, "none.json")), 2, "cannot read")
expect("bad tolerance", run("-r", same, "--baseline", bulk_json, "--tolerance", "nope=1"), 2, "--tolerance")

# A corpus directory: reports beside the captures.
corpus = os.path.join(tmp, "corpus")
os.mkdir(corpus)
for name in ("bulk.pcap", "nagle.pcap", "reqresp.pcapng"):
    shutil.copy(os.path.join(samples, name), corpus)
expect("check without reports", run("check", corpus), 2, "no saved report")
expect("check --update", run("check", corpus, "--update"), 0, "3 reports written")
for name in ("bulk", "nagle", "reqresp"):
    if not os.path.exists(os.path.join(corpus, name + ".json")):
        fails.append("check --update did not write %s.json" % name)
expect("check", run("check", corpus), 0, "3 ok, 0 regressed, 0 errors")
shutil.copy(delayed, os.path.join(corpus, "bulk.pcap"))
expect("check after an edit", run("check", corpus), 1, "bulk.pcap", "REGRESSED", "1 regressed")
r = run("check", corpus, "--format", "json")
try:
    doc = json.loads(r.stdout)
    res = {os.path.basename(c["capture"]): c["result"] for c in doc["captures"]}
    if res != {"bulk.pcap": "regressed", "nagle.pcap": "ok", "reqresp.pcapng": "ok"}:
        fails.append("check --format json: %s" % res)
except (ValueError, KeyError) as e:
    fails.append("check --format json unusable (%s): %s" % (e, r.stdout[:500]))

if fails:
    print("FAIL:\n  " + "\n  ".join(fails))
    sys.exit(1)
shutil.rmtree(tmp)
print("ok: baseline exit codes, diff, check on a corpus")
