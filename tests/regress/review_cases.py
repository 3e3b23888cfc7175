#!/usr/bin/env python3
"""tests/regress/review_cases.py TCPLENS CASES_DIR

Hand-built captures (cases/gen_review_cases.py) of three rules a review
found wrong, each with what a correct report says:
  backoff_rto.pcap           a fast retransmit, then a timeout, then the
                             backed-off timeout 600 ms later, all of one
                             segment: causes fast, rto, rto (the last was
                             called fast: an earlier timeout in the episode
                             made every later resend "fast")
  idle_after_probe.pcap      a burst's tail repaired by a probe, then 2.9 s
                             of idle before the next burst: sender_limited
                             (was unknown: the resend was remembered for ever)
  bad_resend_then_idle.pcap  a resend with a bad checksum, then the server
                             idles 3 s and sends: sender_limited (was unknown:
                             the resend's flag leaked to the next segment)
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from checks import check, finish  # noqa: E402

tcplens, cases = sys.argv[1:3]


def events(name, kind):
    out = subprocess.run([tcplens, "-r", os.path.join(cases, name), "--format", "json"],
                         capture_output=True, check=True)
    return [e for e in json.loads(out.stdout)["events"] if e["kind"] == kind]


rt = [e["cause"] for e in events("backoff_rto.pcap", "retransmission")]
check("backoff_rto: fast, then the timeout, then the backed-off timeout", rt == ["fast", "rto", "rto"], rt)
for name in ("idle_after_probe.pcap", "bad_resend_then_idle.pcap"):
    long = [e["cause"] for e in events(name, "stall") if e["duration_ms"] > 2000]
    check(f"{name}: the long idle of a side with nothing outstanding is sender_limited",
          long == ["sender_limited"], long)
finish()
