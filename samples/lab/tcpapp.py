#!/usr/bin/env python3
"""samples/lab/tcpapp.py: small TCP servers and clients for the lab scenarios.

Every socket option that matters is set here explicitly (TCP_NODELAY,
TCP_CORK, SO_RCVBUF, SO_SNDBUF, listen backlog, source port), so the
scenario a capture shows is the one the truth file states.

Each role writes a JSON result (--result FILE) with what it saw from the
application's side: bytes, hashes, per-exchange timings. Servers write
--ready FILE once they listen, so a script never starts a client early.

Roles:
  bulk-server / bulk-client      one-way bulk transfer
  reqresp-server / reqresp-client request/response (persistent + short conns)
  slow-accept-server / syn-clients   backlog N, accept every K s; M clients at once
  pingpong-server / nagle-client     write-write-read without TCP_NODELAY
  pingpong-server / cork-client      TCP_CORK left on: sub-MSS tails wait
"""
import argparse
import hashlib
import json
import os
import random
import signal
import socket
import struct
import sys
import threading
import time


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def write_json(path, obj):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def touch(path):
    if path:
        with open(path, "w") as f:
            f.write("%d\n" % os.getpid())


def sockname(s):
    a = s.getsockname()
    return [a[0], a[1]]


def peername(s):
    a = s.getpeername()
    return [a[0], a[1]]


def listener(args, backlog):
    fam = family_of(args.bind)
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if getattr(args, "rcvbuf", 0):
        # set on the listener so accepted sockets inherit it (and the
        # window scale in the SYN-ACK matches)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    if getattr(args, "cc", None):
        # accepted sockets inherit an algorithm set on the listener
        ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, args.cc.encode())
    ls.bind((args.bind, args.port))
    ls.listen(backlog)
    return ls


def client_socket(args, src_port=None):
    fam = family_of(args.connect)
    s = socket.socket(fam, socket.SOCK_STREAM)
    if getattr(args, "sndbuf", 0):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, args.sndbuf)
    if getattr(args, "rcvbuf", 0):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    if getattr(args, "nodelay", False):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if getattr(args, "cc", None):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, args.cc.encode())
    if src_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((getattr(args, "src", None) or ("::" if fam == socket.AF_INET6 else "0.0.0.0"), src_port))
    return s


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return bytes(buf)


def recv_line(s):
    buf = bytearray()
    while not buf.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            return None
        buf += c
    return buf.decode().strip()


# ---------------------------------------------------------------- bulk

def bulk_server(args):
    ls = listener(args, 16)
    touch(args.ready)
    results = []
    for _ in range(args.conns):
        c, peer = ls.accept()
        if args.nodelay:
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        h = hashlib.sha256()
        n = 0
        reads = 0
        t0 = time.time()
        if args.initial_pause_ms:
            time.sleep(args.initial_pause_ms / 1000.0)   # a reader that is late to start
        while True:
            d = c.recv(args.read_size)
            if not d:
                break
            h.update(d)
            n += len(d)
            reads += 1
            if args.read_delay_ms:
                time.sleep(args.read_delay_ms / 1000.0)   # a slow reader
        t1 = time.time()
        results.append({"peer": list(peer[:2]), "local": sockname(c), "bytes": n, "reads": reads,
                        "rcvbuf_effective": c.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
                        "sha256": h.hexdigest(), "t_accept": t0, "t_eof": t1})
        c.close()
    ls.close()
    write_json(args.result, {"role": "bulk-server", "connections": results})


def bulk_client(args):
    data = random.Random(args.seed).randbytes(args.bytes)
    s = client_socket(args, args.src_port)
    t0 = time.time()
    s.connect((args.connect, args.port))
    t1 = time.time()
    local, peer = sockname(s), peername(s)
    off = 0
    while off < len(data):
        off += s.send(data[off:off + args.chunk])
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    t2 = time.time()
    cc = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()
    s.close()
    write_json(args.result, {"role": "bulk-client", "local": local, "peer": peer, "congestion_control": cc,
                             "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                             "chunk": args.chunk, "nodelay": args.nodelay,
                             "t_connect_start": t0, "t_connected": t1, "t_done": t2})


# ------------------------------------------------------------ reqresp
# Request: "GET <n>\n"; response: "LEN <n>\n" + n bytes, in one write.

def serve_reqresp(c, nodelay, log, lock):
    if nodelay:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    peer = peername(c)
    served = 0
    reset = False
    while True:
        try:
            line = recv_line(c)
        except ConnectionResetError:     # the client aborted (SO_LINGER 0)
            reset = True
            break
        if line is None:
            break
        n = int(line.split()[1])
        pat = b"%d:" % served
        body = pat * (n // len(pat) + 1)
        c.sendall(b"LEN %d\n" % n + body[:n])
        served += 1
    c.close()
    with lock:
        log.append({"peer": peer, "exchanges": served, "reset_by_peer": reset})


def reqresp_server(args):
    ls = listener(args, 16)
    touch(args.ready)
    log, lock, threads = [], threading.Lock(), []
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    ls.settimeout(0.2)
    while not stop.is_set():
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        c.settimeout(None)
        t = threading.Thread(target=serve_reqresp, args=(c, args.nodelay, log, lock))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    write_json(args.result, {"role": "reqresp-server", "connections": log})


def one_exchange(s, n):
    t0 = time.time()
    s.sendall(b"GET %d\n" % n)
    hdr = recv_line(s)
    got = int(hdr.split()[1])
    recv_exact(s, got)
    t1 = time.time()
    return {"request_bytes": len(b"GET %d\n" % n), "response_bytes": got + len(hdr) + 1,
            "body_bytes": got, "t_start": t0, "t_end": t1, "ms": round((t1 - t0) * 1000, 3)}


def reqresp_client(args):
    rng = random.Random(args.seed)
    conns = []
    # the persistent connection
    s = client_socket(args, args.src_port)
    s.connect((args.connect, args.port))
    local, peer = sockname(s), peername(s)
    ex = []
    for i in range(args.exchanges):
        ex.append(one_exchange(s, rng.randint(args.min, args.max)))
        think = rng.uniform(args.think_min_ms, args.think_max_ms)
        ex[-1]["think_ms_after"] = round(think, 3)
        time.sleep(think / 1000.0)
    conns.append({"local": local, "peer": peer, "kind": "persistent", "exchanges": ex})
    s.close()
    # a few short connections: one exchange each
    for k in range(args.short_conns):
        time.sleep(args.think_max_ms / 1000.0)
        s = client_socket(args, args.src_port + 1 + k if args.src_port else None)
        s.connect((args.connect, args.port))
        e = one_exchange(s, rng.randint(args.min, args.max))
        conns.append({"local": sockname(s), "peer": peername(s), "kind": "short", "exchanges": [e]})
        s.close()
    write_json(args.result, {"role": "reqresp-client", "nodelay": args.nodelay, "connections": conns})


# ------------------------------------------------ slow accept / SYN retries

def slow_accept_server(args):
    ls = listener(args, args.backlog)
    touch(args.ready)
    accepted = []
    for i in range(args.expect):
        c, peer = ls.accept()
        t = time.time()
        line = recv_line(c)
        c.sendall(b"WELCOME %d\n" % i)
        c.close()
        accepted.append({"peer": list(peer[:2]), "t_accept": t, "request": line})
        if i + 1 < args.expect:
            time.sleep(args.accept_interval)
    ls.close()
    write_json(args.result, {"role": "slow-accept-server", "backlog": args.backlog,
                             "accept_interval_s": args.accept_interval, "accepted": accepted})


def syn_clients(args):
    barrier = threading.Barrier(args.n)
    out = [None] * args.n

    def run(i):
        port = args.src_port + i
        s = client_socket(args, port)
        s.settimeout(args.timeout)
        barrier.wait()
        t0 = time.time()
        r = {"src_port": port}
        try:
            s.connect((args.connect, args.port))
            t1 = time.time()
            s.sendall(b"HELLO %d\n" % i)
            r["reply"] = recv_line(s)
            r.update(t_connect_start=t0, t_connected=t1, connect_ms=round((t1 - t0) * 1000, 3),
                     t_done=time.time(), ok=True)
        except OSError as e:
            r.update(t_connect_start=t0, ok=False, error=str(e))
        s.close()
        out[i] = r

    ts = [threading.Thread(target=run, args=(i,)) for i in range(args.n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    write_json(args.result, {"role": "syn-clients", "clients": out})


# ------------------------------------------------------ nagle / cork
# Server: reads a request of known size, answers with --resp bytes.

def pingpong_server(args):
    ls = listener(args, 16)
    touch(args.ready)
    c, peer = ls.accept()
    if args.nodelay:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rounds = 0
    try:
        while True:
            recv_exact(c, args.req)
            c.sendall(b"R" * args.resp)
            rounds += 1
    except EOFError:
        pass
    c.close()
    write_json(args.result, {"role": "pingpong-server", "rounds": rounds, "peer": list(peer[:2]),
                             "nodelay": args.nodelay, "req": args.req, "resp": args.resp})


def nagle_client(args):
    s = client_socket(args, args.src_port)   # no TCP_NODELAY unless --nodelay
    s.connect((args.connect, args.port))
    local, peer = sockname(s), peername(s)
    rounds = []
    for i in range(args.rounds):
        t0 = time.time()
        s.send(b"h" * args.piece1)           # first small write: goes out at once
        if args.piece2:
            s.send(b"b" * args.piece2)       # second small write: Nagle holds it
        recv_exact(s, args.resp)
        t1 = time.time()
        rounds.append({"t_start": t0, "t_end": t1, "ms": round((t1 - t0) * 1000, 3)})
        time.sleep(args.gap_ms / 1000.0)
    s.close()
    write_json(args.result, {"role": args.role, "nodelay": args.nodelay, "local": local, "peer": peer,
                             "piece1": args.piece1, "piece2": args.piece2, "resp": args.resp,
                             "rounds": rounds})


def cork_client(args):
    s = client_socket(args, args.src_port)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)   # and never uncorked
    s.connect((args.connect, args.port))
    mss = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
    local, peer = sockname(s), peername(s)
    rounds = []
    for i in range(args.rounds):
        t0 = time.time()
        s.sendall(b"c" * args.req)
        recv_exact(s, args.resp)
        t1 = time.time()
        rounds.append({"t_start": t0, "t_end": t1, "ms": round((t1 - t0) * 1000, 3)})
        time.sleep(args.gap_ms / 1000.0)
    s.close()
    write_json(args.result, {"role": "cork-client", "local": local, "peer": peer, "req": args.req,
                             "resp": args.resp, "mss": mss, "tail_bytes": args.req % mss if mss else None,
                             "rounds": rounds})


# ------------------------------------------------------------ resets
# Three connections that end in a RST, each for a different reason:
#  1. SYN to a port nobody listens on -> RST,ACK from the server host
#  2. server closes a socket with unread data -> RST from the server
#  3. client sets SO_LINGER {on, 0} and closes -> RST from the client

def rst_server(args):
    ls = listener(args, 16)
    touch(args.ready)
    out = []
    # case 2: read nothing, close with the client's request unread
    c, peer = ls.accept()
    time.sleep(0.2)                       # let the client's bytes arrive
    c.close()
    out.append({"case": "close_with_unread_data", "peer": list(peer[:2])})
    # case 3: normal exchange; the client aborts
    c, peer = ls.accept()
    recv_exact(c, 100)
    c.sendall(b"x" * 100)
    try:
        while c.recv(4096):
            pass
    except ConnectionResetError:
        out.append({"case": "client_abort", "peer": list(peer[:2]), "saw": "ECONNRESET"})
    else:
        out.append({"case": "client_abort", "peer": list(peer[:2]), "saw": "EOF"})
    c.close()
    ls.close()
    write_json(args.result, {"role": "rst-server", "cases": out})


def rst_client(args):
    out = []
    # case 1: closed port
    s = client_socket(args, args.src_port)
    try:
        s.connect((args.connect, args.closed_port))
        out.append({"case": "closed_port", "src_port": args.src_port, "result": "connected?!"})
    except ConnectionRefusedError:
        out.append({"case": "closed_port", "src_port": args.src_port, "dst_port": args.closed_port,
                    "result": "ECONNREFUSED"})
    s.close()
    time.sleep(0.1)
    # case 2: the server closes without reading our 500 bytes
    s = client_socket(args, args.src_port + 1)
    s.connect((args.connect, args.port))
    s.sendall(b"u" * 500)
    try:
        d = s.recv(4096)
        res = "EOF" if not d else "data"
    except ConnectionResetError:
        res = "ECONNRESET"
    out.append({"case": "close_with_unread_data", "src_port": args.src_port + 1, "result": res})
    s.close()
    time.sleep(0.1)
    # case 3: exchange, then abortive close
    s = client_socket(args, args.src_port + 2)
    s.connect((args.connect, args.port))
    s.sendall(b"q" * 100)
    recv_exact(s, 100)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    out.append({"case": "client_abort", "src_port": args.src_port + 2, "result": "SO_LINGER 0 close"})
    write_json(args.result, {"role": "rst-client", "cases": out})


def reuse_client(args):
    """--conns connections from the same source port, one exchange each, each
    closed with a FIN (the client then holds TIME_WAIT: reusing the 4-tuple
    needs net.ipv4.tcp_tw_reuse=1 and a second between timestamps) or a RST
    (SO_LINGER 0: nothing is left of the 4-tuple)."""
    out = []
    for i in range(args.conns):
        if i:
            time.sleep(args.gap_ms / 1000.0)
        s = client_socket(args, args.src_port)
        t0 = time.time()
        s.connect((args.connect, args.port))
        ex = one_exchange(s, args.resp)
        if args.close == "rst":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        out.append({"n": i + 1, "src_port": args.src_port, "connect_t": t0, "close": args.close,
                    "exchange": ex})
    write_json(args.result, {"role": "reuse-client", "src_port": args.src_port,
                             "connections": out})


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="role", required=True)

    def common(sp, server):
        if server:
            sp.add_argument("--bind", required=True)
            sp.add_argument("--ready")
        else:
            sp.add_argument("--connect", required=True)
            sp.add_argument("--src-port", type=int, default=0, help="fixed client port (0: ephemeral)")
            sp.add_argument("--src", help="source address to bind with --src-port")
        sp.add_argument("--port", type=int, required=True)
        sp.add_argument("--result")
        sp.add_argument("--nodelay", action="store_true", help="set TCP_NODELAY")
        sp.add_argument("--rcvbuf", type=int, default=0, help="SO_RCVBUF (0: kernel default)")
        sp.add_argument("--sndbuf", type=int, default=0, help="SO_SNDBUF (0: kernel default)")

    sp = sub.add_parser("bulk-server"); common(sp, True)
    sp.add_argument("--conns", type=int, default=1)
    sp.add_argument("--read-size", type=int, default=65536, help="bytes per recv()")
    sp.add_argument("--read-delay-ms", type=float, default=0, help="sleep after each recv()")
    sp.add_argument("--initial-pause-ms", type=float, default=0, help="sleep before the first recv()")
    sp = sub.add_parser("bulk-client"); common(sp, False)
    sp.add_argument("--bytes", type=int, default=500000)
    sp.add_argument("--chunk", type=int, default=16384)
    sp.add_argument("--seed", type=int, default=1)
    sp.add_argument("--cc", help="TCP_CONGESTION for the socket (e.g. cubic, reno)")

    sp = sub.add_parser("reqresp-server"); common(sp, True)
    sp.add_argument("--cc", help="TCP_CONGESTION for the listener (its connections inherit it)")
    sp = sub.add_parser("reqresp-client"); common(sp, False)
    sp.add_argument("--exchanges", type=int, default=50)
    sp.add_argument("--short-conns", type=int, default=3)
    sp.add_argument("--min", type=int, default=1000)
    sp.add_argument("--max", type=int, default=20000)
    sp.add_argument("--think-min-ms", type=float, default=5)
    sp.add_argument("--think-max-ms", type=float, default=20)
    sp.add_argument("--seed", type=int, default=2)

    sp = sub.add_parser("slow-accept-server"); common(sp, True)
    sp.add_argument("--backlog", type=int, default=1)
    sp.add_argument("--accept-interval", type=float, default=1.5)
    sp.add_argument("--expect", type=int, default=8)
    sp = sub.add_parser("syn-clients"); common(sp, False)
    sp.add_argument("--n", type=int, default=8)
    sp.add_argument("--timeout", type=float, default=60)

    sp = sub.add_parser("pingpong-server"); common(sp, True)
    sp.add_argument("--req", type=int, required=True)
    sp.add_argument("--resp", type=int, default=500)
    for role in ("nagle-client", "pingpong-client"):
        # pingpong-client: the same loop, for scenarios that are not about
        # Nagle (use --nodelay and --piece2 0 for one write per request)
        sp = sub.add_parser(role); common(sp, False)
        sp.add_argument("--rounds", type=int, default=30)
        sp.add_argument("--piece1", type=int, default=100)
        sp.add_argument("--piece2", type=int, default=200)
        sp.add_argument("--resp", type=int, default=500)
        sp.add_argument("--gap-ms", type=float, default=5)
    sp = sub.add_parser("cork-client"); common(sp, False)
    sp.add_argument("--rounds", type=int, default=10)
    sp.add_argument("--req", type=int, default=5000)
    sp.add_argument("--resp", type=int, default=100)
    sp.add_argument("--gap-ms", type=float, default=5)

    sp = sub.add_parser("reuse-client"); common(sp, False)
    sp.add_argument("--conns", type=int, default=3)
    sp.add_argument("--close", choices=("fin", "rst"), default="fin")
    sp.add_argument("--gap-ms", type=float, default=1100)
    sp.add_argument("--resp", type=int, default=2000)

    sp = sub.add_parser("rst-server"); common(sp, True)
    sp = sub.add_parser("rst-client"); common(sp, False)
    sp.add_argument("--closed-port", type=int, required=True)

    args = p.parse_args()
    fn = {"rst-server": rst_server, "rst-client": rst_client, "reuse-client": reuse_client,"bulk-server": bulk_server, "bulk-client": bulk_client,
          "reqresp-server": reqresp_server, "reqresp-client": reqresp_client,
          "slow-accept-server": slow_accept_server, "syn-clients": syn_clients,
          "pingpong-server": pingpong_server, "nagle-client": nagle_client,
          "pingpong-client": nagle_client,
          "cork-client": cork_client}[args.role]
    fn(args)


if __name__ == "__main__":
    main()
