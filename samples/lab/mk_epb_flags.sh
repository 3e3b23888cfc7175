#!/bin/bash
# mk_epb_flags.sh: the direction in a pcapng file's epb_flags. Windows
# captures (Npcap) and tcplens's own annotated output say which way each
# packet went in option 2 of its Enhanced Packet Block; no capture tool on
# this Linux machine writes it for Ethernet. So it is made offline from the
# two real cooked captures that carry the direction in their SLL/SLL2 packet
# type: each frame becomes an Ethernet frame (the MACs from the cooked
# header: a frame marked sent has the capturing host's as source, one marked
# received the peer's) in a pcapng Enhanced Packet Block whose epb_flags
# says inbound (1) or outbound (2), the timestamps and bytes above the link
# layer unchanged.
#   sll.pcap    (on the sender, marked sent)     -> epb_out.pcapng
#   sll_rx.pcap (on the receiver, marked received) -> epb_in.pcapng
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${LAB_OUT:-$here/..}
for pair in "sll epb_out" "sll_rx epb_in"; do
    set -- $pair
    python3 - "$here/../$1.pcap" "$out/$2.pcapng" "$out/$2.truth.json" "$1" "$2" <<'PY'
import collections, json, struct, sys
src, dst, truthf, sname, name = sys.argv[1:6]
data = open(src, "rb").read()
magic, _, _, _, _, snap, lt = struct.unpack_from("<IHHiIII", data, 0)
assert magic == 0xA1B2C3D4 and lt in (113, 276), "a microsecond SLL/SLL2 pcap"
frames, off = [], 24
while off + 16 <= len(data):
    sec, usec, incl, orig = struct.unpack_from("<IIII", data, off)
    frames.append((sec, usec, orig, data[off + 16:off + 16 + incl]))
    off += 16 + incl
def cooked(fr):
    if lt == 113:
        ptype, _, alen = struct.unpack_from("!HHH", fr, 0)
        return ptype, fr[6:6 + min(alen, 6)], struct.unpack_from("!H", fr, 14)[0], fr[16:]
    proto, _, _, _, ptype, alen = struct.unpack_from("!HHIHBB", fr, 0)
    return ptype, fr[12:12 + min(alen, 6)], proto, fr[20:]
# the capturing host's MAC: the source of frames marked sent (4); the peer's:
# of those marked received (0)
macs = collections.defaultdict(collections.Counter)
for *_, fr in frames:
    p, a, _, _ = cooked(fr)
    macs[p][a] += 1
mine = macs[4].most_common(1)[0][0] if macs[4] else b"\x02\0\0\0\0\x01"
peer = macs[0].most_common(1)[0][0] if macs[0] else b"\x02\0\0\0\0\x02"
def opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\0" * (-len(val) % 4)
def block(btype, body):
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
            opt(4, b"tcplens samples/lab/mk_epb_flags.sh") + opt(0, b""))
idb = block(1, struct.pack("<HHI", 1, 0, 65535) + opt(9, b"\x06") + opt(0, b""))
out, dirs = [shb, idb], collections.Counter()
for sec, usec, orig, fr in frames:
    p, a, proto, rest = cooked(fr)
    flag = 2 if p == 4 else 1 if p in (0, 1, 2, 3) else 0
    dirs[{1: "in", 2: "out", 0: "unknown"}[flag]] += 1
    s, d = (a, peer) if p == 4 else (a, mine)
    eth = d.ljust(6, b"\0") + s.ljust(6, b"\0") + struct.pack("!H", proto) + rest
    ts = sec * 1000000 + usec
    hdr = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(eth), orig - len(fr) + len(eth))
    body = hdr + eth + b"\0" * (-len(eth) % 4) + opt(2, struct.pack("<I", flag)) + opt(0, b"")
    out.append(block(6, body))
open(dst, "wb").write(b"".join(out))
st = json.load(open(src[:-5] + ".truth.json"))
json.dump({
    "sample": name, "file": name + ".pcapng", "format": "pcapng", "linktype": "EN10MB",
    "derived": "samples/%s.pcap rewritten offline by samples/lab/mk_epb_flags.sh" % sname,
    "regenerate": "samples/lab/mk_epb_flags.sh",
    "scenario": "samples/%s.pcap (%s) as an Ethernet pcapng: each frame's SLL packet type "
                "became its epb_flags direction; MACs from the cooked header; payloads and "
                "timestamps unchanged." % (sname, st.get("scenario", "")[:200]),
    "source": {"sample": sname, "capture_point": st.get("capture_point"), "linktype": st.get("linktype")},
    "truth": {"frames": len(frames), "epb_flags_direction": dict(dirs)},
    "expect": {"note": "the same findings as %s.pcap: its direction comes from epb_flags now, "
                       "as it came from the SLL packet type there" % sname},
}, open(truthf, "w"), indent=1, sort_keys=True)
print("%s: %d frames, directions %s" % (name, len(frames), dict(dirs)))
PY
done
