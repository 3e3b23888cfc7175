#!/usr/bin/env python3
"""samples/lab/frag_capture.py IN.pcap OUT.pcap LOG.json [options]: every IP
datagram of a real Ethernet capture that is longer than the fragment size,
cut into IPv4 or IPv6 fragments as a router (IPv4) or the sending host (IPv6)
cuts it, so a correct report of OUT is IN's: the same flows, the same events
at the same times (frame numbers aside), each datagram analyzed once whole.

The kernel here fragments only what its MTU forces (mk_vxlan_frag.sh uses
that); this script varies what a kernel does not: the fragment size, the
order the fragments arrive in, a first fragment of 8 bytes that cuts the TCP
header in two (RFC 1858), and duplicated fragments.

Options:
  --size N       data bytes per fragment (a multiple of 8; default 512)
  --order O      in (default), reverse, or shuffle (a fixed seed)
  --tiny-first   the first fragment carries 8 bytes (every datagram with
                 more than 8 bytes after its IP header is cut)
  --dup-every K  every Kth fragmented datagram sends its first fragment twice
Timestamps: the fragment that makes a datagram whole keeps the frame's time,
the ones before it come 1 us apart before it (never before the previous
frame), so the datagram completes when the original frame arrived.
LOG.json is the script's own account: frames in and out, datagrams cut,
fragments written, duplicates, and the extra bytes the fragments' headers
put on the wire (the flows' bytes grow by exactly that). A duplicate that
arrives after its datagram is whole starts a datagram that never completes
(duplicates_after_whole).
"""
import json
import random
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def pieces(data_len, size, tiny_first):
    """[(offset, length)] covering data_len, each but the last a multiple of 8."""
    out, off = [], 0
    if tiny_first and data_len > 8:
        out.append((0, 8))
        off = 8
    while off < data_len:
        n = min(size, data_len - off)
        out.append((off, n))
        off += n
    return out


def frag_v4(ip, size, tiny_first, ident):
    hl = (ip[0] & 15) * 4
    tot = struct.unpack_from("!H", ip, 2)[0]
    data = ip[hl:tot]
    flags = struct.unpack_from("!H", ip, 6)[0]
    if flags & 0x3FFF:  # already a fragment: left alone
        return None
    ps = pieces(len(data), size, tiny_first)
    if len(ps) < 2:
        return None
    out = []
    for off, n in ps:
        more = off + n < len(data)
        h = bytearray(ip[:hl])
        # DF cleared: only a datagram without it is cut on the way
        struct.pack_into("!HHH", h, 2, hl + n, ident, (0x2000 if more else 0) | off // 8)
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack("!H", csum(bytes(h)))
        out.append(bytes(h) + data[off:off + n])
    return out


def frag_v6(ip, size, tiny_first, ident):
    nh = ip[6]
    if nh in (0, 43, 44, 60):  # extension headers: this script cuts only plain datagrams
        return None
    plen = struct.unpack_from("!H", ip, 4)[0]
    data = ip[40:40 + plen]
    ps = pieces(len(data), size, tiny_first)
    if len(ps) < 2:
        return None
    out = []
    for off, n in ps:
        more = off + n < len(data)
        h = bytearray(ip[:40])
        h[6] = 44
        struct.pack_into("!H", h, 4, 8 + n)
        fh = struct.pack("!BBHI", nh, 0, off | (1 if more else 0), ident)
        out.append(bytes(h) + fh + data[off:off + n])
    return out


def main():
    args = sys.argv[1:]
    src, dst, logp = args[:3]
    opts = args[3:]
    size, order, tiny, dup_every = 512, "in", False, 0
    i = 0
    while i < len(opts):
        o = opts[i]
        if o == "--size":
            size = int(opts[i + 1]); i += 2
        elif o == "--order":
            order = opts[i + 1]; i += 2
        elif o == "--tiny-first":
            tiny = True; i += 1
        elif o == "--dup-every":
            dup_every = int(opts[i + 1]); i += 2
        else:
            sys.exit(f"frag_capture.py: unknown option {o}")
    assert size % 8 == 0 and size >= 8, "--size: a multiple of 8"
    rng = random.Random(1858)
    data = open(src, "rb").read()
    magic, vmaj, vmin, tz, sig, snap, lt = struct.unpack_from("<IHHiIII", data, 0)
    assert magic in (0xA1B2C3D4, 0xA1B23C4D) and lt == 1, "a little-endian Ethernet pcap"
    unit = 1 if magic == 0xA1B2C3D4 else 1000  # microseconds or nanoseconds per us
    per_s = 1000000 * unit
    out = [struct.pack("<IHHiIII", magic, vmaj, vmin, tz, sig, 262144, lt)]
    log = {"frames_in": 0, "frames_out": 0, "datagrams_cut": 0, "datagrams_cut_tcp": 0,
           "fragments": 0, "duplicates": 0, "duplicates_after_whole": 0, "extra_wire_bytes_tcp_udp": 0,
           "options": {"size": size, "order": order, "tiny_first": tiny, "dup_every": dup_every}}
    off, prev, ident = 24, 0, 0x1000
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from("<IIII", data, off)
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        log["frames_in"] += 1
        t = sec * per_s + frac
        et = struct.unpack_from("!H", fr, 12)[0] if len(fr) >= 14 else 0
        frags = None
        if incl == orig and et == 0x0800:
            frags = frag_v4(fr[14:], size, tiny, ident)
        elif incl == orig and et == 0x86DD:
            frags = frag_v6(fr[14:], size, tiny, ident)
        if not frags:
            out.append(struct.pack("<IIII", sec, frac, incl, orig) + fr)
            log["frames_out"] += 1
            prev = t
            continue
        ident = (ident + 1) & 0xFFFF or 1
        log["datagrams_cut"] += 1
        l4 = fr[14 + 9] if et == 0x0800 else fr[14 + 6]
        tcp_udp = l4 in (6, 17)
        log["datagrams_cut_tcp"] += l4 == 6
        seq = list(frags)
        if order == "reverse":
            seq.reverse()
        elif order == "shuffle":
            rng.shuffle(seq)
        dup_at = -1
        if dup_every and log["datagrams_cut"] % dup_every == 0:
            k = seq.index(frags[0])
            dup_at = k + 1
            seq.insert(dup_at, frags[0])
            log["duplicates"] += 1
            # after the fragment that made the datagram whole: a receiver
            # starts a new datagram with it, which never completes
            log["duplicates_after_whole"] += k == len(frags) - 1
        wire = 0
        # the fragment that makes the datagram whole arrives at t
        whole_at = max(j for j in range(len(seq)) if j != dup_at)
        for j, f in enumerate(seq):
            ft = max(prev, t - max(whole_at - j, 0) * unit)
            frame = fr[:14] + f
            out.append(struct.pack("<IIII", ft // per_s, ft % per_s, len(frame), len(frame)) + frame)
            wire += len(frame)
            prev = ft
        if tcp_udp:  # the duplicate is dropped, so its bytes are not the flow's
            dup = len(fr[:14] + frags[0]) if len(seq) > len(frags) else 0
            log["extra_wire_bytes_tcp_udp"] += wire - dup - len(fr)
        log["fragments"] += len(seq)
        log["frames_out"] += len(seq)
    open(dst, "wb").write(b"".join(out))
    json.dump(log, open(logp, "w"), indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
