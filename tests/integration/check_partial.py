#!/usr/bin/env python3
"""
tests/integration/check_partial.py TCPLENS SAMPLES_DIR

Partial captures, as users bring them: one that starts mid-connection (the
first third of the frames gone, the handshake with them) and one that holds
a single direction (asymmetric routing, a one-way tap). Each is cut from a
lab sample here, so the truth is the full capture's own report: a partial
one must not invent what the full one does not show.

  - no initial_window from a capture without the handshake or without the
    peer's ACKs (a later flight, or the whole transfer, is no first flight);
  - no capture_loss (an ACK for bytes before the capture began is not loss);
  - every stall it reports is in the full capture's report with the same
    cause, and a one-direction capture reports none (waiting for the peer
    and idling look the same without the peer);
  - every frame counted.
"""
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

tcplens, sdir = sys.argv[1:3]
SAMPLES = ["bulk", "loss_sender", "loss_receiver", "corrupt", "rto", "reqresp", "cc_cubic",
           "ipv6", "nagle", "cork_reply_rtt20_v6"]
work = os.environ.get("TMPDIR", "/tmp")


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    head, off, out = data[:24], 24, []
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        out.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    return head, out


def src_addr(rec, tcp_only=False):
    """The IP source of an Ethernet frame (after the 16-byte record header);
    with tcp_only, None unless it carries TCP."""
    eth = rec[16:]
    et = struct.unpack(">H", eth[12:14])[0]
    if et == 0x0800 and (not tcp_only or eth[23] == 6):
        return eth[26:30]
    if et == 0x86DD and (not tcp_only or eth[20] == 6):
        return eth[22:38]
    return None


def write(path, head, recs):
    with open(path, "wb") as f:
        f.write(head)
        for r in recs:
            f.write(r)


def report(path):
    p = subprocess.run([tcplens, "-r", path, "--format", "json"], capture_output=True,
                       check=True)
    return json.loads(p.stdout)



for s in SAMPLES:
    path = os.path.join(sdir, s + ".pcap")
    if not os.path.exists(path):
        continue
    full = report(path)
    stalls = {(e["frame"], e["dir"]): e["cause"] for e in full["events"] if e["kind"] == "stall"}
    head, recs = frames(path)
    client = next((src_addr(r, True) for r in recs if src_addr(r, True)), None)
    cuts = {"mid": recs[len(recs) // 3:]}
    for side, keep in (("client_only", True), ("server_only", False)):
        cuts[side] = [r for r in recs if src_addr(r) is not None and (src_addr(r) == client) == keep]
    skip = len(recs) // 3
    for cut, part in cuts.items():
        out = os.path.join(work, f"tcplens_partial_{os.getpid()}_{s}_{cut}.pcap")
        write(out, head, part)
        d = report(out)
        os.unlink(out)
        kinds = [e["kind"] for e in d["events"]]
        name = f"{s} {cut} ({len(part)} of {len(recs)} frames)"
        check(f"{name}: every frame counted", d["capture"]["packets"] == len(part),
              d["capture"]["packets"])
        check(f"{name}: no initial window", "initial_window" not in kinds,
              [e for e in d["events"] if e["kind"] == "initial_window"][:2])
        check(f"{name}: no capture loss", "capture_loss" not in kinds,
              [e for e in d["events"] if e["kind"] == "capture_loss"][:2])
        st = [e for e in d["events"] if e["kind"] == "stall"]
        if cut == "mid":
            # frame numbers shift by the frames cut away
            wrong = [e for e in st if stalls.get((e["frame"] + skip, e["dir"])) != e["cause"]]
            check(f"{name}: every stall is the full capture's, same cause", not wrong, wrong[:3])
        else:
            check(f"{name}: no stalls without the peer", not st, st[:3])

finish()
