#!/usr/bin/env python3
"""samples/lab/add_vlan.py: insert VLAN tags into every frame of an Ethernet pcap.

  add_vlan.py IN.pcap OUT.pcap [--tag TPID:VID[:PCP]]...

Tags are given outermost first and inserted after the two MAC addresses, in
front of the original EtherType. Default: one 802.1Q tag 0x8100:100.
QinQ: --tag 0x88a8:200 --tag 0x8100:100.

Classic pcap only (either byte order, micro- or nanosecond magic), link type
1 (Ethernet). Record headers keep their timestamps; incl_len and orig_len grow
by 4 bytes a tag (a frame cut by the snap length stays cut at the same place
plus the tags), and the file's snaplen grows likewise. IP and TCP checksums do
not cover the Ethernet header, so they stay as they were. Stdlib only.
"""
import argparse
import struct
import sys

MAGICS = {0xA1B2C3D4: "micro", 0xA1B23C4D: "nano"}


def parse_tag(s):
    parts = s.split(":")
    tpid = int(parts[0], 0)
    vid = int(parts[1], 0)
    pcp = int(parts[2], 0) if len(parts) > 2 else 0
    if not (0 <= vid < 4096 and 0 <= pcp < 8 and 0 < tpid < 65536):
        raise argparse.ArgumentTypeError("bad tag %r" % s)
    return struct.pack("!HH", tpid, (pcp << 13) | vid)


def rewrite(src, dst, tags):
    hdr = src.read(24)
    if len(hdr) < 24:
        sys.exit("short pcap header")
    for endian in ("<", ">"):
        magic = struct.unpack(endian + "I", hdr[:4])[0]
        if magic in MAGICS:
            break
    else:
        sys.exit("not a classic pcap file (pcapng is not supported)")
    magic, vmaj, vmin, thiszone, sigfigs, snaplen, linktype = struct.unpack(endian + "IHHiIII", hdr)
    if linktype & 0x0FFFFFFF != 1:
        sys.exit("link type %d is not Ethernet" % linktype)
    add = b"".join(tags)
    dst.write(struct.pack(endian + "IHHiIII", magic, vmaj, vmin, thiszone, sigfigs,
                          snaplen + len(add), linktype))
    n = 0
    while True:
        rh = src.read(16)
        if not rh:
            break
        if len(rh) < 16:
            sys.exit("truncated record header at record %d" % (n + 1))
        ts_sec, ts_frac, incl, orig = struct.unpack(endian + "IIII", rh)
        data = src.read(incl)
        if len(data) < incl:
            sys.exit("truncated record %d" % (n + 1))
        if incl >= 12:
            data = data[:12] + add + data[12:]
            incl += len(add)
            orig += len(add)
        dst.write(struct.pack(endian + "IIII", ts_sec, ts_frac, incl, orig))
        dst.write(data)
        n += 1
    return n


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--tag", action="append", type=parse_tag,
                   help="TPID:VID[:PCP], outermost first (default 0x8100:100)")
    a = p.parse_args()
    tags = a.tag or [parse_tag("0x8100:100")]
    with open(a.input, "rb") as src, open(a.output, "wb") as dst:
        n = rewrite(src, dst, tags)
    print("%d frames tagged" % n)


if __name__ == "__main__":
    main()
