#!/usr/bin/env python3
"""samples/lab/wrap_tunnel.py KIND IN.pcap OUT.pcap: every IP frame of a real
Ethernet capture, carried in a tunnel as a tap, mirror or overlay delivers
it. The kernel here has no gre, gretap, ip6gre, ipip, sit, ip6tnl, geneve or
GTP devices, so the outer headers are built from the inner frames: each
frame's payload and timestamp are kept, the outer endpoints are 198.51.100.1
(the side of the first TCP segment's sender) and .2 (2001:db8:100::1/::2
over IPv6), swapped for the other direction as a tunnel does, and every
outer checksum is the correct one.

KIND, and what goes inside:
  gre       GRE with key 7 and sequence numbers (RFC 2890), the IP packet
  gretap    GRE, protocol 0x6558 (transparent Ethernet bridging), key 7, the frame
  erspan1   GRE 0x88BE without sequence number: ERSPAN type I, the frame
  erspan2   GRE 0x88BE with sequence number, ERSPAN type II header (session 33), the frame
  erspan3   GRE 0x22EB, ERSPAN type III header (session 33, hardware id 5), the frame
  geneve    UDP 6081, Geneve VNI 42 with one 8-byte option (RFC 8926), protocol 0x6558, the frame
  gtpu      UDP 2152, GTPv1-U G-PDU, TEID 0x1234, the IP packet
  ipip      IPv4 protocol 4 (4in4)      sit    IPv4 protocol 41 (6in4)
  ip4in6    IPv6 next header 4 (4in6)   ip6in6 IPv6 next header 41 (6in6)
Link-level encapsulations (the frame's own MACs kept where it has some):
  mpls      two MPLS labels (100, 200), the IP packet
  mpls_pw   one label, a pseudowire control word, the Ethernet frame
  pppoe     PPPoE session 0x1234, PPP protocol IPv4/IPv6, the IP packet
  pbb       802.1ah I-TAG (I-SID 0x10203), backbone MACs, the frame
  vntag     VN-Tag, then the IP ethertype    etag  802.1BR E-Tag, then it
  llcsnap   an 802.3 length, LLC AA AA 03 with SNAP OUI 0, the ethertype
  ppp       link type PPP (9): FF 03 and the PPP protocol
  chdlc     link type Cisco HDLC (104): 0F 00 and the ethertype
  wlan      link type 802.11 with radiotap (127): an 8-byte radiotap header,
            a QoS data frame (to the AP one way, from it the other), LLC/SNAP
Frames that are not IP (ARP) are carried as they are by the kinds that
carry frames and left out by the others (their numbers change then).
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


A4, B4 = bytes([198, 51, 100, 1]), bytes([198, 51, 100, 2])
A6 = bytes.fromhex("20010db8010000000000000000000001")
B6 = bytes.fromhex("20010db8010000000000000000000002")


def ipv4(proto, src, dst, payload, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, 64,
                    proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(nh, src, dst, payload):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) + src + dst + payload


def udp(src, dst, sport, dport, payload, v6):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ph = src + dst + (struct.pack("!I", len(u)) + b"\0\0\0\x11" if v6 else struct.pack("!BBH", 0, 17, len(u)))
    c = csum(ph + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def gre(proto, payload, key=None, seq=None):
    flags = (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0)
    h = struct.pack("!HH", flags, proto)
    if key is not None:
        h += struct.pack("!I", key)
    if seq is not None:
        h += struct.pack("!I", seq)
    return h + payload


LINK_KINDS = ("mpls", "mpls_pw", "pppoe", "pbb", "vntag", "etag", "llcsnap", "ppp", "chdlc", "wlan")


def main():
    kind, src, dst = sys.argv[1:4]
    data = open(src, "rb").read()
    magic, vmaj, vmin, tz, sig, snap, lt = struct.unpack_from("<IHHiIII", data, 0)
    assert magic in (0xA1B2C3D4, 0xA1B23C4D) and lt == 1, "a little-endian Ethernet pcap"
    out_lt = {"ppp": 9, "chdlc": 104, "wlan": 127}.get(kind, 1)
    out = [struct.pack("<IHHiIII", magic, vmaj, vmin, tz, sig, 262144, out_lt)]
    off, n, first_src = 24, 0, None
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from("<IIII", data, off)
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        et = struct.unpack_from("!H", fr, 12)[0]
        ip = fr[14:]
        is_ip = et in (0x0800, 0x86DD)
        if is_ip:
            isrc = ip[12:16] if et == 0x0800 else ip[8:24]
            proto = ip[9] if et == 0x0800 else ip[6]
            if first_src is None and proto == 6:  # the first TCP sender's side is A
                first_src = isrc
            fwd = isrc == first_src
        else:
            fwd = True
        oa, ob = (A4, B4) if fwd else (B4, A4)
        o6a, o6b = (A6, B6) if fwd else (B6, A6)
        if kind == "gre":
            if not is_ip:
                continue
            pkt = ipv4(47, oa, ob, gre(et, ip, key=7, seq=n), n)
        elif kind == "gretap":
            pkt = ipv4(47, oa, ob, gre(0x6558, fr, key=7), n)
        elif kind == "erspan1":
            pkt = ipv4(47, oa, ob, gre(0x88BE, fr), n)
        elif kind == "erspan2":
            hdr = struct.pack("!HHI", 0x1000 | 0, (0 << 13) | 33, 0)  # ver 1, vlan 0; cos/en/t 0, session 33; index
            pkt = ipv4(47, oa, ob, gre(0x88BE, hdr + fr, seq=n), n)
        elif kind == "erspan3":
            hdr = struct.pack("!HHIHH", 0x2000, 33, n * 1000, 0, (5 << 4))  # ver 2; session 33; ts; sgt; hw id 5
            pkt = ipv4(47, oa, ob, gre(0x22EB, hdr + fr, seq=n), n)
        elif kind == "geneve":
            opt = struct.pack("!HBB", 0x0101, 0x01, 1) + b"\xaa\xbb\xcc\xdd"  # class, type, length 1 word
            hdr = struct.pack("!BBHI", (0 << 6) | (len(opt) // 4), 0, 0x6558, 42 << 8) + opt
            pkt = ipv4(17, oa, ob, udp(oa, ob, 40000 + (n % 1000), 6081, hdr + fr, False), n)
        elif kind == "gtpu":
            if not is_ip:
                continue
            hdr = struct.pack("!BBHI", 0x30, 0xFF, len(ip), 0x1234)
            pkt = ipv4(17, oa, ob, udp(oa, ob, 2152, 2152, hdr + ip, False), n)
        elif kind in ("ipip", "sit"):
            if not is_ip or (kind == "ipip") != (et == 0x0800):
                continue
            pkt = ipv4(4 if et == 0x0800 else 41, oa, ob, ip, n)
        elif kind in ("ip4in6", "ip6in6"):
            if not is_ip or (kind == "ip4in6") != (et == 0x0800):
                continue
            pkt = ipv6(4 if et == 0x0800 else 41, o6a, o6b, ip)
        elif kind in LINK_KINDS:
            if not is_ip and kind in ("mpls", "pppoe", "ppp", "chdlc", "wlan"):
                continue
            macs, ethertype = fr[:12], struct.pack("!H", et)
            if kind == "mpls":
                frame = macs + b"\x88\x47" + struct.pack("!II", (100 << 12) | 64, (200 << 12) | 0x100 | 64) + ip
            elif kind == "mpls_pw":
                frame = bytes.fromhex("02bb0000000202bb00000001") + b"\x88\x47" + \
                    struct.pack("!I", (300 << 12) | 0x100 | 64) + b"\0\0\0\0" + fr
            elif kind == "pppoe":
                proto = 0x0021 if et == 0x0800 else 0x0057
                frame = macs + b"\x88\x64" + struct.pack("!BBHHH", 0x11, 0, 0x1234, len(ip) + 2, proto) + ip
            elif kind == "pbb":
                frame = bytes.fromhex("02bb0000000202bb00000001") + b"\x88\xe7" + \
                    struct.pack("!I", 0x10203) + fr
            elif kind == "vntag":
                frame = macs + b"\x89\x26" + b"\x80\x01\x00\x02" + ethertype + ip
            elif kind == "etag":
                frame = macs + b"\x89\x3f" + b"\x00\x00\x10\x01\x00\x00" + ethertype + ip
            elif kind == "llcsnap":
                body = b"\xaa\xaa\x03\x00\x00\x00" + ethertype + ip
                frame = macs + struct.pack("!H", len(body)) + body
            elif kind == "wlan":
                # radiotap v0, 8 bytes, no fields; 802.11 QoS data (subtype 8):
                # ToDS from the first sender's side, FromDS back
                fc = b"\x88" + (b"\x01" if fwd else b"\x02")
                ap, sta = bytes.fromhex("02cc00000001"), fr[6:12] if fwd else fr[0:6]
                a1, a2, a3 = (ap, sta, fr[0:6]) if fwd else (fr[0:6], ap, fr[6:12])
                hdr = fc + b"\0\0" + a1 + a2 + a3 + struct.pack("<H", (n & 0xfff) << 4) + b"\0\0"
                frame = b"\x00\x00\x08\x00\x00\x00\x00\x00" + hdr + \
                    b"\xaa\xaa\x03\x00\x00\x00" + ethertype + ip
            elif kind == "ppp":
                frame = b"\xff\x03" + struct.pack("!H", 0x0021 if et == 0x0800 else 0x0057) + ip
            else:
                frame = b"\x0f\x00" + ethertype + ip
            out.append(struct.pack("<IIII", sec, frac, len(frame), len(frame) + (orig - incl)) + frame)
            continue
        else:
            sys.exit("unknown kind " + kind)
        v6 = kind in ("ip4in6", "ip6in6")
        frame = (bytes.fromhex("02aa0000000202aa00000001") if fwd else bytes.fromhex("02aa0000000102aa00000002")) \
            + struct.pack("!H", 0x86DD if v6 else 0x0800) + pkt
        out.append(struct.pack("<IIII", sec, frac, len(frame), len(frame) + (orig - incl)) + frame)
    open(dst, "wb").write(b"".join(out))


main()
