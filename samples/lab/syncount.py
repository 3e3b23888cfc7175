#!/usr/bin/env python3
"""samples/lab/syncount.py: SYN and SYN-ACK counts per 4-tuple, from a tshark pass.

  syncount.py CAPTURE SERVER_PORT

A simple count, not an analyzer: every frame with SYN set is listed by
tshark; SYNs (no ACK) and SYN-ACKs are counted per client port. Retries =
count - 1. Also gives each SYN's time after the first SYN of its 4-tuple.
Prints JSON: {"per_client_port": {port: {syns, syn_retries, synacks,
synack_retries, syn_times_s}}, "total_syn_retries", "total_synack_retries"}.
"""
import collections
import json
import subprocess
import sys

cap, sport = sys.argv[1], int(sys.argv[2])
out = subprocess.run(
    ["tshark", "-r", cap, "-Y", "tcp.flags.syn==1", "-T", "fields", "-E", "separator=,",
     "-e", "frame.time_epoch", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst",
     "-e", "tcp.dstport", "-e", "tcp.flags.ack"],
    capture_output=True, text=True, check=True).stdout
per = collections.defaultdict(lambda: {"syns": 0, "synacks": 0, "syn_times": [], "synack_times": []})
for line in out.splitlines():
    t, src, sp, dst, dp, ack = line.split(",")
    t, sp, dp = float(t), int(sp), int(dp)
    ack = ack in ("1", "True")
    if not ack and dp == sport:
        e = per[sp]; e["syns"] += 1; e["syn_times"].append(t); e["tuple"] = "%s:%d -> %s:%d" % (src, sp, dst, dp)
    elif ack and sp == sport:
        e = per[dp]; e["synacks"] += 1; e["synack_times"].append(t)
res = {}
for port in sorted(per):
    e = per[port]
    t0 = e["syn_times"][0] if e["syn_times"] else None
    res[str(port)] = {
        "tuple": e.get("tuple"),
        "syns": e["syns"], "syn_retries": max(0, e["syns"] - 1),
        "synacks": e["synacks"], "synack_retries": max(0, e["synacks"] - 1),
        "syn_times_s": [round(x - t0, 3) for x in e["syn_times"]],
        "synack_times_s": [round(x - t0, 3) for x in e["synack_times"]] if t0 else [],
    }
print(json.dumps({"method": "tshark -Y tcp.flags.syn==1, counted per client port; retries = count - 1",
                  "per_client_port": res,
                  "total_syn_retries": sum(v["syn_retries"] for v in res.values()),
                  "total_synack_retries": sum(v["synack_retries"] for v in res.values())},
                 sort_keys=True))
