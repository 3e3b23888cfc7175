#!/usr/bin/env python3
"""
tests/integration/check_golden.py TCPLENS SAMPLE EXPECTED.json

The JSON report of SAMPLE must equal EXPECTED byte for byte (which also
proves determinism across runs), and keep the design.md contract. With
UPDATE_EXPECTED=1 in the environment it rewrites EXPECTED instead
(scripts/update_expected.sh does that for every sample).
"""
import difflib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_contract import validate  # noqa: E402

tcplens, sample, expected = sys.argv[1:4]
# Run from the repository root so the report names the sample as samples/X.
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rel = os.path.relpath(os.path.abspath(sample), root)
out = subprocess.run([tcplens, "-r", rel, "--format", "json"], cwd=root,
                     capture_output=True, check=False)
if out.returncode != 0:
    print(f"FAIL: tcplens exited {out.returncode}: {out.stderr.decode()}")
    sys.exit(1)
doc = json.loads(out.stdout)
problems = validate(doc)
if problems:
    print("FAIL: report breaks the contract:\n  " + "\n  ".join(problems[:30]))
    sys.exit(1)
if os.environ.get("UPDATE_EXPECTED") == "1":
    with open(expected, "wb") as f:
        f.write(out.stdout)
    print(f"updated {expected}")
    sys.exit(0)
if not os.path.exists(expected):
    print(f"FAIL: no expected report {expected}; run scripts/update_expected.sh and review it")
    sys.exit(1)
want = open(expected, "rb").read()
if want != out.stdout:
    diff = difflib.unified_diff(want.decode().splitlines(), out.stdout.decode().splitlines(),
                                "expected", "actual", lineterm="", n=1)
    print("FAIL: report differs from", expected)
    for i, line in enumerate(diff):
        if i > 60:
            print("...")
            break
        print(line)
    sys.exit(1)
# A second run must give the same bytes: the report depends only on packets.
again = subprocess.run([tcplens, "-r", rel, "--format", "json"], cwd=root,
                       capture_output=True, check=False)
if again.stdout != out.stdout:
    print("FAIL: two runs gave different reports")
    sys.exit(1)
print(f"ok: {rel}: {len(doc['flows'])} flows, {len(doc['events'])} events, contract kept")
