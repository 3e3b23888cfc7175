#!/usr/bin/env python3
"""
tests/integration/crosscheck_tshark.py TCPLENS SAMPLE

What tcplens and tshark can both see must agree on SAMPLE:
  - the TCP and UDP conversations (unordered endpoint pairs), and per
    conversation the number of frames (a reassembled IP datagram: one) and
    of wire bytes (a reassembled datagram: all its fragments');
  - per protocol, the number of TCP segments and UDP datagrams whose
    checksum tshark calls bad (tcp/udp.check_checksum on) = tcplens csum_bad
    + csum_offload events of that protocol,
    on frames not cut by the snap length (tshark cannot verify those; tcplens
    still recognises the offload signature in them);
  - the number of IPv4 headers with a bad checksum.
Connections that reuse a 4-tuple are summed on both sides.
"""
import collections
import json
import subprocess
import sys

tcplens, sample = sys.argv[1:3]

fields = ["frame.number", "frame.cap_len", "frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "tcp.checksum.status", "tcp.checksum",
          "udp.srcport", "udp.dstport", "udp.checksum.status", "udp.checksum", "ip.checksum.status",
          "eth.type", "vxlan.vni", "geneve.vni", "frame.protocols"]
cmd = ["tshark", "-n", "-r", sample, "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
       "-o", "ip.check_checksum:TRUE", "-Y", "(tcp || udp) && !icmp && !icmpv6", "-T", "fields",
       "-E", "separator=\t", "-E", "occurrence=l"]
for f in fields:
    cmd += ["-e", f]
# A sample's truth may tell tshark what it cannot guess (a pseudowire's label).
try:
    with open(sample.rsplit(".", 1)[0] + ".truth.json") as tf:
        for da in json.load(tf).get("tshark_decode_as", []):
            cmd += ["-d", da]
except (OSError, ValueError):
    pass
ts = subprocess.run(cmd, capture_output=True, text=True, check=True)

# tshark puts a reassembled IP datagram in the frame that completed it, its
# conversation counting that frame's length; tcplens counts the wire bytes
# of every fragment it was made of, a duplicate (the same offset again) not:
# the receiver drops it. The fragments' frame lengths, summed so:
frag = subprocess.run(["tshark", "-n", "-r", sample, "-T", "fields", "-E", "separator=\t",
                       "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.number",
                       "-e", "frame.len", "-e", "ip.fragment", "-e", "ipv6.fragment",
                       "-e", "ip.frag_offset", "-e", "ipv6.fraghdr.offset"],
                      capture_output=True, text=True, check=True)
frame_len, frame_off, datagram_len = {}, {}, {}
for line in frag.stdout.splitlines():
    num, flen, f4, f6, o4, o6 = (line.split("\t") + [""] * 6)[:6]
    frame_len[num] = int(flen)
    frame_off[num] = o4 + "/" + o6  # every IP header's offset: outer and inner
    parts = [x for x in (f4 + "," + f6).split(",") if x]
    if parts:
        datagram_len[num] = parts
for n, ps in datagram_len.items():
    offs = {}
    for x in ps:
        offs.setdefault(frame_off.get(x), frame_len.get(x, 0))
    datagram_len[n] = sum(offs.values())

conv = collections.defaultdict(lambda: [0, 0])   # (proto, endpoints) -> frames, bytes
ts_bad = collections.Counter()                   # proto -> bad L4 checksums
ts_bad_ip = 0
cut_frames = set()
for line in ts.stdout.splitlines():
    # The last of each field: inside a tunnel, the inner packet's (tcplens
    # keys the flow by it); a tunnel carrying a non-IP frame (ARP inside
    # VXLAN) is no TCP/UDP conversation for either.
    (num, caplen, flen, s4, d4, s6, d6, tsp, tdp, tstat, tcsum, usp, udp_, ustat, ucsum,
     ipstat, eth_type, vni, gvni, protos) = (line.split("\t") + [""] * 20)[:20]
    if (vni or gvni) and eth_type not in ("0x0800", "0x86dd", "0x00000800", "0x000086dd"):
        continue
    # IPv6 inside IPv4 (6in4) or the reverse: the innermost family's addresses
    layers = protos.split(":")
    last_v4 = max((i for i, p in enumerate(layers) if p == "ip"), default=-1)
    last_v6 = max((i for i, p in enumerate(layers) if p == "ipv6"), default=-1)
    if last_v6 > last_v4:
        s4 = d4 = ""
    elif last_v4 > last_v6:
        s6 = d6 = ""
    proto, sp, dp, stat, csum = (("tcp", tsp, tdp, tstat, tcsum) if tsp else
                                 ("udp", usp, udp_, ustat, ucsum))
    if caplen != flen:
        cut_frames.add(int(num))  # tshark cannot verify a cut segment: compare the rest
    src = s4 or f"[{s6}]"
    dst = d4 or f"[{d6}]"
    key = (proto,) + tuple(sorted((f"{src}:{sp}", f"{dst}:{dp}")))
    conv[key][0] += 1
    conv[key][1] += datagram_len.get(num, int(flen))
    # tshark: 0 bad, 1 good, 2 unverified (value strings differ by version)
    # tshark 4.0 calls a field of 0xffff bad when the sum is zero; it is the
    # valid encoding of a zero checksum (RFC 1624), written by real kernels.
    if stat in ("0", "Bad") and csum.lower() != "0xffff":
        ts_bad[proto] += 1
    if ipstat in ("0", "Bad"):
        ts_bad_ip += 1

rep = subprocess.run([tcplens, "-r", sample, "--format", "json"], capture_output=True,
                     check=True)
doc = json.loads(rep.stdout)
mine = collections.defaultdict(lambda: [0, 0])
dups = doc["capture"].get("duplicates_across_interfaces", 0)
for fl in doc["flows"]:
    key = (fl["proto"],) + tuple(sorted((fl["client"], fl["server"])))
    # tshark counts a packet each time an interface saw it; tcplens once
    mine[key][0] += fl["packets"] + fl.get("duplicates_across_interfaces", 0)
    mine[key][1] += fl["bytes"]
ev = doc["summary"]["events"]
my_bad = collections.Counter(e.get("proto") for e in doc["events"]
                             if e["kind"] in ("csum_bad", "csum_offload")
                             and e["frame"] not in cut_frames)
my_bad_ip = ev.get("ip_csum_bad", 0) + ev.get("ip_csum_offload", 0)

failures = []
if set(conv) != set(mine):
    failures.append(f"conversations differ: only tshark {sorted(set(conv) - set(mine))[:5]}, "
                    f"only tcplens {sorted(set(mine) - set(conv))[:5]}")
for key in sorted(set(conv) & set(mine)):
    if dups:  # the copies' bytes differ by link header: frames only
        conv[key][1] = mine[key][1]
    if conv[key] != mine[key]:
        failures.append(f"{key[0]} <-> {key[1]}: tshark {conv[key][0]} frames {conv[key][1]} B, "
                        f"tcplens {mine[key][0]} frames {mine[key][1]} B")
# tshark judges each copy of a packet seen on two interfaces; tcplens the
# packet once: its checksum counts are not comparable then (check_truth
# proves dumpcap_two.pcapng's from tshark's per-interface counts).
for proto in ("tcp", "udp") if not dups else ():
    if ts_bad[proto] != my_bad[proto]:
        failures.append(f"bad {proto.upper()} checksums: tshark {ts_bad[proto]}, "
                        f"tcplens {my_bad[proto]}")
if ts_bad_ip != my_bad_ip:
    failures.append(f"bad IPv4 header checksums: tshark {ts_bad_ip}, tcplens {my_bad_ip}")
if failures:
    print("FAIL:", sample)
    for f in failures[:20]:
        print("  " + f)
    sys.exit(1)
ntcp = sum(1 for k in conv if k[0] == "tcp")
print(f"ok: {sample}: {ntcp} TCP and {len(conv) - ntcp} UDP conversations, "
      f"{sum(v[0] for v in conv.values())} frames, {ts_bad['tcp']} bad TCP and {ts_bad['udp']} bad UDP "
      f"checksums, {ts_bad_ip} bad IP checksums agree with tshark")
