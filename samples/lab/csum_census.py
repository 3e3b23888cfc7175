#!/usr/bin/env python3
"""samples/lab/csum_census.py: what each TCP frame's checksum field holds.

  csum_census.py FILE.pcap [--list-other]

A cross-check for the truth files (a struct parse, not an analyzer): for every
TCP frame of a classic Ethernet pcap (802.1Q/802.1ad tags, IPv4 or IPv6) it
classifies the checksum field as
  valid           the full one's-complement checksum verifies
  pseudo_sum      the field equals the folded pseudo-header sum (src, dst,
                  protocol 6, TCP length): what the stack leaves for the NIC
                  when tx checksum offload is on (CHECKSUM_PARTIAL)
  pseudo_compl    the field equals the complement of that sum
  other_bad       none of these (real damage, if the frame is whole)
  truncated       the frame was cut by the snap length (only the signature
                  can be checked: pseudo_sum / pseudo_compl still apply)
and prints JSON counts per source address; --list-other adds every
other_bad frame (frame number, src, dst, ports, IPv4 id, absolute seq,
payload length) so it can be matched against relay.py's log. Stdlib only.
"""
import json
import socket
import struct
import sys


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ones_sum(b):
    if len(b) % 2:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def frames(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        for endian in ("<", ">"):
            magic = struct.unpack(endian + "I", hdr[:4])[0]
            if magic in (0xA1B2C3D4, 0xA1B23C4D):
                break
        else:
            sys.exit("not a classic pcap")
        linktype = struct.unpack(endian + "I", hdr[20:24])[0] & 0x0FFFFFFF
        if linktype != 1:
            sys.exit("link type %d is not Ethernet" % linktype)
        n = 0
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                return
            _, _, incl, orig = struct.unpack(endian + "IIII", rh)
            n += 1
            yield n, f.read(incl), orig


def classify(frame, orig):
    if len(frame) < 14:
        return None
    etype = struct.unpack_from("!H", frame, 12)[0]
    off = 14
    while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
        etype = struct.unpack_from("!H", frame, off + 2)[0]
        off += 4
    if etype == 0x0800:
        vihl, _, tot, ip_id, _, _, proto = struct.unpack_from("!BBHHHBB", frame, off)
        if proto != 6:
            return None
        ihl = (vihl & 15) * 4
        sa, da = frame[off + 12:off + 16], frame[off + 16:off + 20]
        fam = socket.AF_INET
        l4 = off + ihl
        tcp_len = tot - ihl
    elif etype == 0x86DD:
        plen, nxt = struct.unpack_from("!HB", frame, off + 4)
        if nxt != 6:
            return None
        sa, da = frame[off + 8:off + 24], frame[off + 24:off + 40]
        fam = socket.AF_INET6
        ip_id = None
        l4 = off + 40
        tcp_len = plen
    else:
        return None
    sport, dport, seq, _, doff = struct.unpack_from("!HHIIH", frame, l4)
    check = struct.unpack_from("!H", frame, l4 + 16)[0]
    pseudo = ones_sum(sa + da) + 6 + tcp_len
    ps = fold(pseudo)
    rec = {"src": socket.inet_ntop(fam, sa), "dst": socket.inet_ntop(fam, da),
           "sport": sport, "dport": dport, "ip_id": ip_id, "seq": seq,
           "payload_len": tcp_len - (doff >> 12) * 4}
    whole = len(frame) >= l4 + tcp_len
    if check == ps:
        kind = "pseudo_sum"
    elif check == (~ps & 0xFFFF):
        kind = "pseudo_compl"
    elif not whole:
        kind = "truncated"
    elif fold(pseudo + ones_sum(frame[l4:l4 + tcp_len])) == 0xFFFF:
        kind = "valid"
    else:
        kind = "other_bad"
    # a frame whose real checksum happens to equal the pseudo sum would be
    # counted as pseudo_sum; say so if it ever happens
    if kind.startswith("pseudo") and whole and \
            fold(pseudo + ones_sum(frame[l4:l4 + tcp_len])) == 0xFFFF:
        kind = "valid_and_pseudo_sum"
    return kind, rec


def main():
    path = sys.argv[1]
    listing = "--list-other" in sys.argv[2:]
    per_src = {}
    other = []
    for n, frame, orig in frames(path):
        r = classify(frame, orig)
        if r is None:
            continue
        kind, rec = r
        c = per_src.setdefault(rec["src"], {"tcp_frames": 0, "valid": 0, "pseudo_sum": 0,
                                            "pseudo_compl": 0, "other_bad": 0, "truncated": 0,
                                            "valid_and_pseudo_sum": 0})
        c["tcp_frames"] += 1
        c[kind] += 1
        if kind == "other_bad":
            rec["frame"] = n
            other.append(rec)
    out = {"method": "csum_census.py: struct parse of each TCP frame's checksum field (a cross-check, not an analyzer)",
           "per_src": per_src}
    if listing:
        out["other_bad_frames"] = other
    json.dump(out, sys.stdout, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
