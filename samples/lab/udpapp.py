#!/usr/bin/env python3
"""samples/lab/udpapp.py: UDP datagrams for the udp sample (mk_udp.sh).

  udpapp.py recv --bind IP --port P --ready FILE --result FILE [--idle S]
      count the datagrams that reach the socket (the kernel drops those
      with a bad checksum before that, counting UdpInCsumErrors) until S
      seconds pass without one
  udpapp.py send --connect IP --port P --src-port SP --count N --mode MODE
      --result FILE [--seed S]
      MODE normal: a plain UDP socket (the kernel fills the checksum, or
                   leaves it to the device when tx checksum offload is on);
           nocheck: SO_NO_CHECK, the checksum field left 0 (IPv4 allows it);
           bad: a raw socket (IPPROTO_UDP: the kernel adds only the IP
                header) with the correct checksum computed here, then one
                payload byte changed after it, as damage on the way would.
      Payloads are 32-1000 bytes from a seeded generator; the result lists
      each datagram's length, the checksum it carries and the correct one.
"""
import argparse
import json
import random
import socket
import struct
import sys
import time

SO_NO_CHECK = 11


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_checksum(src, dst, sport, dport, payload):
    length = 8 + len(payload)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, length)
    c = csum(pseudo + struct.pack("!HHHH", sport, dport, length, 0) + payload)
    return c or 0xFFFF  # a computed 0 goes on the wire as 0xffff (RFC 768)


def recv(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, a.port))
    s.settimeout(a.idle)
    with open(a.ready, "w") as f:
        f.write("ready\n")
    n = 0
    nbytes = 0
    while True:
        try:
            data = s.recv(65535)
        except socket.timeout:
            break
        n += 1
        nbytes += len(data)
    json.dump({"datagrams": n, "bytes": nbytes}, open(a.result, "w"))


def send(a):
    rng = random.Random(a.seed)
    sent = []
    if a.mode == "bad":
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
        s.connect((a.connect, 0))
        src = s.getsockname()[0]
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if a.mode == "nocheck":
            s.setsockopt(socket.SOL_SOCKET, SO_NO_CHECK, 1)
        s.bind(("", a.src_port))
        s.connect((a.connect, a.port))
        src = s.getsockname()[0]
    for i in range(a.count):
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(32, 1001)))
        good = udp_checksum(src, a.connect, a.src_port, a.port, payload)
        if a.mode == "bad":
            k = rng.randrange(len(payload))
            damaged = payload[:k] + bytes([payload[k] ^ 0x40]) + payload[k + 1:]
            hdr = struct.pack("!HHHH", a.src_port, a.port, 8 + len(payload), good)
            s.send(hdr + damaged)
            carried = good
            good = udp_checksum(src, a.connect, a.src_port, a.port, damaged)
        else:
            s.send(payload)
            carried = 0 if a.mode == "nocheck" else good
        sent.append({"len": len(payload), "checksum_sent": carried, "checksum_correct": good})
        time.sleep(0.002)
    json.dump({"mode": a.mode, "src": src, "datagrams": sent}, open(a.result, "w"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("recv")
    r.add_argument("--bind", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--ready", required=True)
    r.add_argument("--result", required=True)
    r.add_argument("--idle", type=float, default=3.0)
    t = sub.add_parser("send")
    t.add_argument("--connect", required=True)
    t.add_argument("--port", type=int, required=True)
    t.add_argument("--src-port", type=int, required=True)
    t.add_argument("--count", type=int, required=True)
    t.add_argument("--mode", choices=("normal", "nocheck", "bad"), required=True)
    t.add_argument("--result", required=True)
    t.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    recv(a) if a.cmd == "recv" else send(a)


if __name__ == "__main__":
    sys.exit(main())
