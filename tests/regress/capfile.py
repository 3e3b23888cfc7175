"""
tests/regress/capfile.py — minimal, independent readers of pcap and pcapng
files for the regression tests: frames with their nanosecond timestamps,
lengths, bytes, link type, and (pcapng) comments, epb_flags, epb_packetid.
Strict about block structure: a torn or inconsistent block raises.
"""
import struct


class Frame:
    __slots__ = ("ts_ns", "caplen", "wirelen", "data", "linktype", "comments", "flags", "packet_id")

    def __init__(self, ts_ns, caplen, wirelen, data, linktype):
        self.ts_ns, self.caplen, self.wirelen, self.data, self.linktype = ts_ns, caplen, wirelen, data, linktype
        self.comments, self.flags, self.packet_id = [], None, None


def read_pcap(path):
    b = open(path, "rb").read()
    magic = struct.unpack("<I", b[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    else:
        e = ">"
        magic = struct.unpack(">I", b[:4])[0]
    nano = magic == 0xA1B23C4D
    linktype = struct.unpack(e + "I", b[20:24])[0] & 0x0FFFFFFF
    off, out = 24, []
    while off + 16 <= len(b):
        sec, frac, cap, wire = struct.unpack(e + "IIII", b[off:off + 16])
        data = b[off + 16:off + 16 + cap]
        if len(data) != cap:
            raise ValueError("pcap record cut at %d" % off)
        out.append(Frame(sec * 10**9 + (frac if nano else frac * 1000), cap, wire, data, linktype))
        off += 16 + cap
    return out


def _options(body, e):
    off = 0
    while off + 4 <= len(body):
        code, ln = struct.unpack(e + "HH", body[off:off + 4])
        if code == 0:
            return
        yield code, body[off + 4:off + 4 + ln]
        off += 4 + ((ln + 3) & ~3)


def read_pcapng(path):
    b = open(path, "rb").read()
    off, e, ifaces, out = 0, "<", [], []
    while off < len(b):
        if off + 12 > len(b):
            raise ValueError("torn block header at %d" % off)
        btype = struct.unpack("<I", b[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = b[off + 8:off + 12]
            e = "<" if struct.unpack("<I", bom)[0] == 0x1A2B3C4D else ">"
            ifaces = []
        btype, blen = struct.unpack(e + "II", b[off:off + 8])
        if blen % 4 or blen < 12 or off + blen > len(b):
            raise ValueError("torn or bad block at %d (length %d, file %d)" % (off, blen, len(b)))
        if struct.unpack(e + "I", b[off + blen - 4:off + blen])[0] != blen:
            raise ValueError("trailing length differs at %d" % off)
        body = b[off + 8:off + blen - 4]
        if btype == 1:
            lt = struct.unpack(e + "H", body[0:2])[0]
            resol = 6
            for code, val in _options(body[8:], e):
                if code == 9:
                    resol = val[0]
            ifaces.append((lt, resol))
        elif btype == 6:
            ifc, hi, lo, cap, wire = struct.unpack(e + "IIIII", body[:20])
            lt, resol = ifaces[ifc]
            units = (hi << 32) | lo
            ts = units * 10**(9 - resol) if resol <= 9 else units // 10**(resol - 9)
            f = Frame(ts, cap, wire, body[20:20 + cap], lt)
            for code, val in _options(body[20 + ((cap + 3) & ~3):], e):
                if code == 1:
                    f.comments.append(val.decode("utf-8"))
                elif code == 2:
                    f.flags = struct.unpack(e + "I", val)[0]
                elif code == 5:
                    f.packet_id = struct.unpack(e + "Q", val)[0]
            out.append(f)
        off += blen
    return out


def read_any(path):
    with open(path, "rb") as fh:
        head = fh.read(4)
    return read_pcapng(path) if head == b"\x0a\x0d\x0d\x0a" else read_pcap(path)


def write_pcap(path, frames, linktype, nano=True):
    """Write frames (ts_ns, wirelen, data) as a pcap: for edited copies."""
    with open(path, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for ts, wire, data in frames:
            frac = ts % 10**9 if nano else (ts % 10**9) // 1000
            fh.write(struct.pack("<IIII", ts // 10**9, frac, len(data), wire))
            fh.write(data)
