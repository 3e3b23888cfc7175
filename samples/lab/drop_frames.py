#!/usr/bin/env python3
"""samples/lab/drop_frames.py: delete frames from a real Ethernet pcap, as a
capture that lost them would (tcpdump/kernel ring drops), and log each one.

  drop_frames.py IN.pcap OUT.pcap LOG.jsonl --src ADDR [--isolated N]
                 [--burst LEN] [--seed S]

--isolated N: N single TCP data frames sent by ADDR (payload > 0), chosen at
random (seeded) away from the handshake and the last 10 frames.
--burst LEN: one run of LEN consecutive frames (any direction, any kind),
starting at a seeded random data frame of ADDR: a ring overflow loses
everything for a moment.
Each deleted frame is one JSON line: original frame number (1-based),
timestamp, reason (isolated | burst), and for TCP: src, dst, sport, dport,
seq (absolute), payload_len, flags, ip_id. Classic pcap, either byte order,
micro or nano; stdlib only.
"""
import argparse
import json
import random
import socket
import struct
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from relay import parse_tcp  # noqa: E402  (same frame parser as the relay)

MAGICS = {0xA1B2C3D4: 1e-6, 0xA1B23C4D: 1e-9}


def read_pcap(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        for e in ("<", ">"):
            magic = struct.unpack(e + "I", hdr[:4])[0]
            if magic in MAGICS:
                break
        else:
            sys.exit("not a classic pcap")
        recs = []
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                break
            s, frac, incl, orig = struct.unpack(e + "IIII", rh)
            recs.append((rh, f.read(incl), s + frac * MAGICS[magic]))
    return hdr, recs


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input"); p.add_argument("output"); p.add_argument("log")
    p.add_argument("--src", required=True)
    p.add_argument("--isolated", type=int, default=3)
    p.add_argument("--burst", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    hdr, recs = read_pcap(a.input)
    infos = [parse_tcp(data) for _, data, _ in recs]
    data_idx = [i for i, inf in enumerate(infos)
                if inf and inf["src"] == a.src and inf["payload_len"] > 0 and 5 <= i < len(recs) - 10]
    drop = {}
    if a.burst:
        start = rng.choice(data_idx[: len(data_idx) // 2])
        for i in range(start, min(start + a.burst, len(recs))):
            drop[i] = "burst"
    pool = [i for i in data_idx if all(abs(i - j) > 2 for j in drop)]
    for i in sorted(rng.sample(pool, a.isolated)):
        drop[i] = "isolated"
    with open(a.output, "wb") as out, open(a.log, "w") as log:
        out.write(hdr)
        for i, (rh, data, ts) in enumerate(recs):
            if i not in drop:
                out.write(rh); out.write(data)
                continue
            rec = {"frame": i + 1, "ts": round(ts, 9), "reason": drop[i], "frame_len": len(data)}
            inf = infos[i]
            if inf:
                for k in ("src", "dst", "sport", "dport", "seq", "payload_len", "flags", "ip_id"):
                    rec[k] = inf[k]
            log.write(json.dumps(rec, sort_keys=True) + "\n")
    print("%d of %d frames deleted" % (len(drop), len(recs)))


if __name__ == "__main__":
    main()
