#!/usr/bin/env python3
"""samples/lab/relay.py: user-space Ethernet relay between two TAP devices.

The relay creates two TAP devices in the root namespace (IFF_TAP|IFF_NO_PI on
/dev/net/tun), moves each into its namespace (`ip link set TAP netns NS`; the
file descriptor stays attached) and forwards frames both ways:

    namespace A: tapA  <->  relay  <->  tapB :namespace B

On the way it can (per direction, seeded RNG):
  - delay every frame by a fixed one-way delay (--delay-ms),
  - drop a random fraction of TCP data frames (--loss),
  - corrupt a random fraction of TCP data frames (--corrupt): one byte inside
    the TCP payload is XORed with a nonzero value, headers untouched, so the
    TCP checksum no longer matches and the receiver drops the segment,
  - drop or corrupt the Nth data frame of a direction (--drop-nth, --corrupt-nth),
  - drop the Nth SYN (or SYN-ACK) of a direction (--drop-syn), whatever --dirs,
  - reorder: hold the Nth data frame of a direction --reorder-ms longer than
    the frames around it (--delay-nth), so frames sent after it overtake it,
  - model a bottleneck: serialize at --rate-kbit with a --queue-frames tail-drop
    queue (all frames of the direction),
  - hold the acknowledgements of a loss (--hold-acks-ms): after a --drop-nth
    drop of the frame at seq S, the first frame of the reverse direction that
    acknowledges up to S and SACKs above it (the ACK that shows the hole)
    starts a hold: every reverse frame arriving in the next --hold-acks-ms
    leaves when the hold ends, in order. The sender hears nothing for that
    long, so its timers resend (RACK-TLP's probe, then the RTO) before the
    SACK that shows the hole reaches it.

"Data frame" = IPv4/IPv6 TCP with payload > 0 and no SYN/FIN/RST, unless
--damage-any (any TCP segment). Only directions in --dirs are damaged.

Every frame it drops or corrupts is written to --log as one JSON line:
  {"t": wall clock, "dir": "a2b", "n": frame number in that direction (1-based,
   all frames), "data_n": data-frame number, "action": "drop"|"corrupt"|
   "queue_drop"|"delay", "reason": "random"|"nth"|"queue", "ip_version", "ip_id"
   (IPv4), "src", "dst", "sport", "dport", "seq", "ack", "flags",
   "payload_len", "frame_len", and for corrupt: "offset" (in the TCP payload),
   "old", "new" (byte values), for delay: "extra_ms", and for hold (logged
   once, for the frame that starts it): "hold_ms", "until" (wall clock)}
With --drop-syn, every SYN it forwards is logged too (action "syn"), so the
log holds each handshake's SYNs and SYN-ACKs, lost or not.
That log is the ground truth of the damage. At exit (SIGTERM/SIGINT) it writes
--summary: frames/bytes/data frames forwarded and damaged per direction.

It writes --ready once both TAPs are in their namespaces.
"""
import argparse
import collections
import fcntl
import heapq
import itertools
import json
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI) + b"\0" * 22
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    os.set_blocking(fd, False)
    return fd


def parse_tcp(frame):
    """Return a dict describing a TCP frame (offsets included), or None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack_from("!H", frame, 12)[0]
    off = 14
    while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
        etype = struct.unpack_from("!H", frame, off + 2)[0]
        off += 4
    if etype == 0x0800:
        if len(frame) < off + 20:
            return None
        vihl, _, tot_len, ip_id, _, _, proto = struct.unpack_from("!BBHHHBB", frame, off)
        ihl = (vihl & 0x0F) * 4
        if proto != 6:
            return None
        src = socket.inet_ntop(socket.AF_INET, frame[off + 12:off + 16])
        dst = socket.inet_ntop(socket.AF_INET, frame[off + 16:off + 20])
        ip_end = off + tot_len
        l4 = off + ihl
        info = {"ip_version": 4, "ip_id": ip_id}
    elif etype == 0x86DD:
        if len(frame) < off + 40:
            return None
        plen, nxt = struct.unpack_from("!HB", frame, off + 4)
        if nxt != 6:        # extension headers are not expected in the lab
            return None
        src = socket.inet_ntop(socket.AF_INET6, frame[off + 8:off + 24])
        dst = socket.inet_ntop(socket.AF_INET6, frame[off + 24:off + 40])
        l4 = off + 40
        ip_end = l4 + plen
        info = {"ip_version": 6, "ip_id": None}
    else:
        return None
    if len(frame) < l4 + 20 or ip_end > len(frame):
        return None
    sport, dport, seq, ack, doff_flags = struct.unpack_from("!HHIIH", frame, l4)
    thl = (doff_flags >> 12) * 4
    flags = doff_flags & 0x1FF
    pay = l4 + thl
    info.update(src=src, dst=dst, sport=sport, dport=dport, seq=seq, ack=ack,
                flags=flags_str(flags), syn_fin_rst=bool(flags & 0x07),
                sack=sack_blocks(frame, l4 + 20, min(pay, len(frame))),
                payload_off=pay, payload_len=max(0, ip_end - pay), frame_len=len(frame))
    return info


def sack_blocks(frame, i, end):
    """The SACK blocks (RFC 2018, kind 5) among the TCP options in frame[i:end]."""
    out = []
    while i < end:
        kind = frame[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= end or frame[i + 1] < 2:
            break
        olen = frame[i + 1]
        if kind == 5:
            for j in range(i + 2, min(i + olen, end) - 7, 8):
                out.append(struct.unpack_from("!II", frame, j))
        i += olen
    return out


def flags_str(f):
    names = "FSRPAUECN"    # FIN SYN RST PSH ACK URG ECE CWR NS (bit order)
    return "".join(n for i, n in enumerate(names) if f & (1 << i))


class Direction:
    def __init__(self, name, src_fd, dst_fd, args, rng):
        self.name, self.src, self.dst, self.args, self.rng = name, src_fd, dst_fd, args, rng
        self.damage = name in args.dirs.split(",")
        self.pending = []                       # heap of (release_time, order, frame)
        self.order = itertools.count()          # FIFO among equal release times
        self.link_busy_until = 0.0
        self.in_service = collections.deque()   # serialization end times (queue occupancy)
        self.n = 0
        self.data_n = 0
        self.drop_nth = set(nth_list(args.drop_nth, name))
        self.corrupt_nth = set(nth_list(args.corrupt_nth, name))
        self.delay_nth = set(nth_list(args.delay_nth, name))
        self.drop_syn = set(nth_list(args.drop_syn, name))
        self.syn_n = 0
        self.hold_arm = set()      # seqs dropped in the other direction, holes to wait for
        self.hold_until = 0.0      # monotonic end of the current hold
        self.stats = collections.Counter()


def nth_list(spec, name):
    out = []
    for part in (spec or "").split(","):
        if not part:
            continue
        d, _, n = part.partition(":")
        if d == name:
            out.append(int(n))
    return out


class Relay:
    def __init__(self, args):
        self.args = args
        self.log = open(args.log, "w") if args.log else None
        self.fa = open_tap(args.tap_a)
        self.fb = open_tap(args.tap_b)
        for tap, ns in ((args.tap_a, args.netns_a), (args.tap_b, args.netns_b)):
            if ns:
                subprocess.run(["ip", "link", "set", tap, "netns", ns], check=True)
        # one RNG per direction: the decisions of one direction do not depend
        # on how many frames the other one carried
        self.dirs = {
            self.fa: Direction("a2b", self.fa, self.fb, args, random.Random("%d-a2b" % args.seed)),
            self.fb: Direction("b2a", self.fb, self.fa, args, random.Random("%d-b2a" % args.seed)),
        }
        self.running = True

    def record(self, d, action, reason, info, extra=None):
        d.stats[action] += 1
        if not self.log:
            return
        rec = {"t": round(time.time(), 6), "dir": d.name, "n": d.n, "data_n": d.data_n,
               "action": action, "reason": reason}
        if info:
            for k in ("ip_version", "ip_id", "src", "dst", "sport", "dport", "seq", "ack",
                      "flags", "payload_len", "frame_len"):
                rec[k] = info[k]
        else:
            rec["frame_len"] = extra.pop("frame_len") if extra else None
        if extra:
            rec.update(extra)
        self.log.write(json.dumps(rec, sort_keys=True) + "\n")
        self.log.flush()

    def reverse(self, d):
        return next(x for x in self.dirs.values() if x is not d)

    def handle(self, d, frame, now):
        a = self.args
        d.n += 1
        d.stats["frames_in"] += 1
        d.stats["bytes_in"] += len(frame)
        info = parse_tcp(frame)
        if info is not None and "S" in info["flags"]:
            d.syn_n += 1
            if d.syn_n in d.drop_syn:
                self.record(d, "drop", "syn", info, {"syn_n": d.syn_n})
                return
            if a.drop_syn:      # the handshake's whole story: every SYN, kept or not
                self.record(d, "syn", "seen", info, {"syn_n": d.syn_n})
        is_data = info is not None and info["payload_len"] > 0 and not info["syn_fin_rst"]
        if is_data:
            d.data_n += 1
            d.stats["data_frames_in"] += 1
        eligible = d.damage and info is not None and (is_data or a.damage_any)
        if eligible:
            # always draw both numbers so the sequence of decisions depends
            # only on the sequence of eligible frames
            r_loss, r_corr = d.rng.random(), d.rng.random()
            if is_data and d.data_n in d.drop_nth:
                self.record(d, "drop", "nth", info)
                if a.hold_acks_ms:
                    self.reverse(d).hold_arm.add(info["seq"])
                return
            if r_loss < a.loss:
                self.record(d, "drop", "random", info)
                return
            want_corrupt = (is_data and d.data_n in d.corrupt_nth) or r_corr < a.corrupt
            if want_corrupt and info["payload_len"] > 0:
                pos = d.rng.randrange(info["payload_len"])
                x = d.rng.randrange(1, 256)
                buf = bytearray(frame)
                i = info["payload_off"] + pos
                old = buf[i]
                buf[i] ^= x
                frame = bytes(buf)
                reason = "nth" if d.data_n in d.corrupt_nth else "random"
                self.record(d, "corrupt", reason, info, {"offset": pos, "old": old, "new": buf[i]})
        # bottleneck: serialization at a.rate_kbit with a bounded queue
        depart = now
        if a.rate_kbit:
            while d.in_service and d.in_service[0] <= now:
                d.in_service.popleft()
            if len(d.in_service) >= a.queue_frames:
                self.record(d, "queue_drop", "queue", info, None if info else {"frame_len": len(frame)})
                return
            start = max(now, d.link_busy_until)
            depart = start + len(frame) * 8 / (a.rate_kbit * 1000.0)
            d.link_busy_until = depart
            d.in_service.append(depart)
        release = depart + a.delay_ms / 1000.0
        if info is not None and info["ack"] in d.hold_arm and info["sack"] and \
                any(((l - info["ack"]) & 0xFFFFFFFF) < 0x80000000 for l, _ in info["sack"]):
            d.hold_arm.discard(info["ack"])
            d.hold_until = now + a.hold_acks_ms / 1000.0
            self.record(d, "hold", "hole", info,
                        {"hold_ms": a.hold_acks_ms,
                         "until": round(time.time() + a.hold_acks_ms / 1000.0, 6)})
        if now < d.hold_until:
            release = max(release, d.hold_until + a.delay_ms / 1000.0)
        if eligible and is_data and d.data_n in d.delay_nth:
            release += a.reorder_ms / 1000.0
            self.record(d, "delay", "nth", info, {"extra_ms": a.reorder_ms})
        heapq.heappush(d.pending, (release, next(d.order), frame))

    def flush(self, now):
        for d in self.dirs.values():
            while d.pending and d.pending[0][0] <= now:
                _, _, frame = heapq.heappop(d.pending)
                try:
                    os.write(d.dst, frame)
                    d.stats["frames_out"] += 1
                except OSError as e:    # device gone or down: count, go on
                    d.stats["write_errors"] += 1
                    sys.stderr.write("relay: write %s: %s\n" % (d.name, e))

    def run(self):
        if self.args.ready:
            with open(self.args.ready, "w") as f:
                f.write("%d\n" % os.getpid())
        fds = [self.fa, self.fb]
        while self.running:
            now = time.monotonic()
            heads = [d.pending[0][0] for d in self.dirs.values() if d.pending]
            timeout = 0.2 if not heads else max(0.0, min(min(heads) - now, 0.2))
            try:
                r, _, _ = select.select(fds, [], [], timeout)
            except InterruptedError:
                continue
            now = time.monotonic()
            for fd in r:
                d = self.dirs[fd]
                for _ in range(64):
                    try:
                        frame = os.read(fd, 65536)
                    except BlockingIOError:
                        break
                    except OSError as e:
                        sys.stderr.write("relay: read %s: %s\n" % (d.name, e))
                        break
                    if not frame:
                        break
                    self.handle(d, frame, now)
            self.flush(time.monotonic())

    def summary(self):
        out = {"params": {k: v for k, v in vars(self.args).items()
                          if k not in ("log", "summary", "ready")}}
        for d in self.dirs.values():
            s = dict(d.stats)
            for k in ("frames_in", "bytes_in", "data_frames_in", "frames_out", "drop",
                      "corrupt", "queue_drop", "delay", "hold"):
                s.setdefault(k, 0)
            s["still_queued_at_exit"] = len(d.pending)
            out[d.name] = s
        return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tap-a", required=True)
    p.add_argument("--tap-b", required=True)
    p.add_argument("--netns-a")
    p.add_argument("--netns-b")
    p.add_argument("--delay-ms", type=float, default=0.0, help="one-way delay, each direction")
    p.add_argument("--loss", type=float, default=0.0, help="drop probability per data frame")
    p.add_argument("--corrupt", type=float, default=0.0, help="corruption probability per data frame")
    p.add_argument("--drop-nth", default="", help="e.g. a2b:5,a2b:40 (data-frame numbers)")
    p.add_argument("--corrupt-nth", default="", help="e.g. a2b:7")
    p.add_argument("--drop-syn", default="", help="e.g. a2b:1,b2a:2 (SYN-flagged frames of that direction)")
    p.add_argument("--delay-nth", default="", help="e.g. a2b:40 (data-frame numbers held --reorder-ms longer)")
    p.add_argument("--reorder-ms", type=float, default=0.0, help="extra delay of each --delay-nth frame")
    p.add_argument("--hold-acks-ms", type=float, default=0.0,
                   help="after a --drop-nth drop, hold the reverse direction this long from the ACK that shows the hole")
    p.add_argument("--dirs", default="a2b,b2a", help="directions to damage")
    p.add_argument("--damage-any", action="store_true", help="also SYN/FIN/RST and pure ACKs")
    p.add_argument("--rate-kbit", type=float, default=0.0, help="bottleneck rate (0: none)")
    p.add_argument("--queue-frames", type=int, default=100, help="bottleneck queue, frames")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log", help="JSON lines: every frame dropped or corrupted")
    p.add_argument("--summary", help="JSON summary written at exit")
    p.add_argument("--ready", help="file written when both TAPs are in place")
    args = p.parse_args()

    relay = Relay(args)

    def stop(*_):
        relay.running = False
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    relay.run()
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(relay.summary(), f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
