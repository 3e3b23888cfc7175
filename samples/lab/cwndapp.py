#!/usr/bin/env python3
"""samples/lab/cwndapp.py: traffic for the congestion-window samples.

Roles:
  fetch-server  accept --conns connections; on each, read one request line
                "GET <n>\\n" and answer with exactly n bytes in ONE send call
                (no header: the response is the n bytes), then wait for the
                client to close. --cc sets TCP_CONGESTION on the accepted
                socket before anything is sent.
  fetch-client  connect, send "GET <n>\\n", read exactly n bytes, close.
                --rcvbuf sets SO_RCVBUF before connect (it caps the window in
                the SYN).
  burst-client  connect (--cc: TCP_CONGESTION before connect), then --bursts
                times: write --burst bytes, wait until every byte is
                acknowledged (SIOCOUTQ == 0: nothing unsent or unacked), sleep
                the next idle gap (--idle, comma-separated seconds, the last one
                repeats). Then shutdown and wait for the peer's EOF.
                The result has, per burst, t_start (first write), t_written
                (send returned), t_acked (queue empty) and the idle after it.

Every role writes --result JSON (wall clock, time.time()) and the servers
write --ready once they listen.
"""
import argparse
import fcntl
import json
import os
import socket
import struct
import termios
import time

SIOCOUTQ = termios.TIOCOUTQ


def write_json(path, obj):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def ep(a):
    return ("[%s]:%d" if ":" in a[0] else "%s:%d") % (a[0], a[1])


def cc_of(s):
    return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()


def outq(s):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), SIOCOUTQ, b"\0" * 4))[0]


def recv_line(s):
    buf = bytearray()
    while not buf.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            return None
        buf += c
    return buf.decode().strip()


def fetch_server(args):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.bind, args.port))
    ls.listen(16)
    with open(args.ready, "w") as f:
        f.write("%d\n" % os.getpid())
    out = []
    for _ in range(args.conns):
        c, peer = ls.accept()
        if args.cc:
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, args.cc.encode())
        t_acc = time.time()
        line = recv_line(c)
        n = int(line.split()[1])
        body = (b"tcplens-iw-" * (n // 11 + 1))[:n]
        t0 = time.time()
        c.sendall(body)
        t1 = time.time()
        while c.recv(65536):       # the client closes when it has everything
            pass
        t2 = time.time()
        out.append({"peer": ep(peer), "local": ep(c.getsockname()), "request": line,
                    "response_bytes": n, "congestion_control": cc_of(c),
                    "mss": c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG),
                    "t_accept": t_acc, "t_send_start": t0, "t_send_returned": t1, "t_peer_closed": t2})
        c.close()
    ls.close()
    write_json(args.result, {"role": "fetch-server", "connections": out})


def fetch_client(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if args.rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    if args.src_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", args.src_port))
    t0 = time.time()
    s.connect((args.connect, args.port))
    t1 = time.time()
    s.sendall(b"GET %d\n" % args.bytes)
    got = 0
    t_first = None
    while got < args.bytes:
        d = s.recv(65536)
        if not d:
            break
        if t_first is None:
            t_first = time.time()
        got += len(d)
    t2 = time.time()
    res = {"role": "fetch-client", "local": ep(s.getsockname()), "peer": ep(s.getpeername()),
           "request_bytes": len(b"GET %d\n" % args.bytes), "response_bytes": got,
           "rcvbuf_set": args.rcvbuf or None,
           "rcvbuf_effective": s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
           "t_connect_start": t0, "t_connected": t1, "t_first_byte": t_first, "t_done": t2,
           "fetch_ms": round((t2 - t1) * 1000, 3)}
    s.close()
    write_json(args.result, res)


def burst_client(args):
    idles = [float(x) for x in args.idle.split(",")]
    fam = socket.AF_INET6 if ":" in args.connect else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    if args.cc:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, args.cc.encode())
    if args.src_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", args.src_port))
    s.connect((args.connect, args.port))
    local, peer = ep(s.getsockname()), ep(s.getpeername())
    data = (b"tcplens-burst-" * (args.burst // 14 + 1))[:args.burst]
    bursts = []
    for i in range(args.bursts):
        t0 = time.time()
        s.sendall(data)
        t1 = time.time()
        while outq(s) > 0:
            time.sleep(0.001)
        t2 = time.time()
        idle = idles[min(i, len(idles) - 1)] if i + 1 < args.bursts else 0.0
        bursts.append({"burst": i + 1, "bytes": len(data), "t_start": t0, "t_written": t1,
                       "t_acked": t2, "idle_after_s": idle})
        if idle:
            time.sleep(idle)
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    res = {"role": "burst-client", "local": local, "peer": peer,
           "congestion_control": cc_of(s), "bursts": bursts,
           "bytes": args.burst * args.bursts, "t_done": time.time()}
    s.close()
    write_json(args.result, res)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="role", required=True)
    sp = sub.add_parser("fetch-server")
    sp.add_argument("--bind", required=True)
    sp.add_argument("--port", type=int, required=True)
    sp.add_argument("--ready", required=True)
    sp.add_argument("--conns", type=int, default=1)
    sp.add_argument("--cc")
    sp.add_argument("--result")
    for role in ("fetch-client", "burst-client"):
        sp = sub.add_parser(role)
        sp.add_argument("--connect", required=True)
        sp.add_argument("--port", type=int, required=True)
        sp.add_argument("--src-port", type=int, default=0)
        sp.add_argument("--result")
        if role == "fetch-client":
            sp.add_argument("--bytes", type=int, required=True)
            sp.add_argument("--rcvbuf", type=int, default=0)
        else:
            sp.add_argument("--cc")
            sp.add_argument("--burst", type=int, default=200000)
            sp.add_argument("--bursts", type=int, default=4)
            sp.add_argument("--idle", default="1.5")
    args = p.parse_args()
    {"fetch-server": fetch_server, "fetch-client": fetch_client,
     "burst-client": burst_client}[args.role](args)


if __name__ == "__main__":
    main()
