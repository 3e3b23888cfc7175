#!/usr/bin/env python3
"""tests/integration/check_stalls.py: no stall's cause contradicts its own fields.

usage: check_stalls.py TCPLENS CAPTURE_DIR [CAPTURE_DIR...]

For every capture (pcap, pcapng) in the directories, the JSON report's stall
events are checked against what analyze/stall.h says each cause means:

  delayed_ack, receiver_limited, tlp  data was outstanding: outstanding_bytes > 0
  sender_limited                      nothing outstanding: outstanding_bytes == 0
  rto   a retransmission in the same flow inside the gap or ending it (frame
        .. end_frame): the timer's (cause rto), or one a D-SACK or the ACKs
        later showed needless (cause spurious: the timer fired all the same)
  zero_window  a zero_window event of the flow by the end of the gap
(unknown may have data in flight: a cork-shaped late reply; a tail loss
probe may carry new data, which makes no retransmission event.)
and for every stall: end_frame after frame, duration_ms > 0.

Exit 1 when any stall contradicts its cause (each one listed), 0 otherwise,
with the number of stalls checked per cause.
"""
import collections
import json
import os
import subprocess
import sys

OUTSTANDING = {"delayed_ack", "receiver_limited", "tlp"}
NOTHING_OUTSTANDING = {"sender_limited"}


def events_of(report):
    by_flow = collections.defaultdict(list)
    for e in report.get("events", []):
        if e.get("flow") is not None:
            by_flow[e["flow"]].append(e)
    return by_flow


def contradictions(report):
    by_flow = events_of(report)
    out, checked = [], collections.Counter()
    for e in report.get("events", []):
        if e["kind"] != "stall":
            continue
        cause, frame, end = e.get("cause"), e["frame"], e.get("end_frame")
        outst = e.get("outstanding_bytes", 0)
        checked[cause] += 1
        why = None
        if end is None or end <= frame:
            why = f"end_frame {end} not after frame {frame}"
        elif not e.get("duration_ms", 0) > 0:
            why = f"duration {e.get('duration_ms')} ms"
        elif cause in OUTSTANDING and outst == 0:
            why = "nothing outstanding"
        elif cause in NOTHING_OUTSTANDING and outst != 0:
            why = f"{outst} bytes outstanding"
        elif cause == "rto":
            if not any(x["kind"] == "retransmission" and x.get("cause") in ("rto", "spurious") and
                       frame <= x["frame"] <= end for x in by_flow[e["flow"]]):
                why = f"no timer's retransmission in frames {frame}..{end}"
        elif cause == "zero_window":
            if not any(x["kind"] == "zero_window" and x["frame"] <= end for x in by_flow[e["flow"]]):
                why = f"no zero_window event by frame {end}"
        if why:
            out.append(f"stall at frame {frame} (flow {e['flow']}, {cause}): {why}")
    return out, checked


def main():
    tcplens, dirs = sys.argv[1], sys.argv[2:]
    bad, total, files = [], collections.Counter(), 0
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if not name.endswith((".pcap", ".pcapng")):
                continue
            path = os.path.join(d, name)
            r = subprocess.run([tcplens, "-q", "-r", path, "--format", "json", "--threads", "1"],
                               capture_output=True, timeout=120)
            if not r.stdout:
                continue
            try:
                report = json.loads(r.stdout)
            except ValueError:
                continue
            files += 1
            found, checked = contradictions(report)
            total.update(checked)
            bad += [f"{name}: {x}" for x in found]
    for b in bad:
        print("FAIL " + b)
    print(f"{sum(total.values())} stalls in {files} captures checked "
          f"({', '.join(f'{c} {n}' for c, n in sorted(total.items()))}); {len(bad)} contradict their cause")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
