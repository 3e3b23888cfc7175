#!/usr/bin/env python3
"""tests/live/xfer.py — the traffic of the live-capture tests: one TCP
transfer of deterministic bytes between two namespaces.

  xfer.py recv PORT [--once]           listen; for each connection print
                                       "<bytes> <sha256>" on stdout (each
                                       connection read on a thread of its
                                       own, so senders may overlap)
  xfer.py send ADDR PORT BYTES [--rate MBYTES_PER_S] [--chunk N] [--mss N]
                                       connect, send BYTES (paced by the
                                       kernel: SO_MAX_PACING_RATE; segments
                                       of at most --mss bytes), print
                                       "<bytes> <sha256>", and on stderr the
                                       seconds from connect to the peer's FIN
Both ends print the digest of what they sent or received, so a test can
check that nothing on the path changed a byte.
"""
import hashlib
import socket
import sys
import threading
import time

SO_MAX_PACING_RATE = getattr(socket, "SO_MAX_PACING_RATE", 47)


def pattern(n):
    # deterministic, not compressible to a few repeated bytes
    block = hashlib.sha256(b"tcplens").digest() * 2048  # 64 KiB
    out = bytearray()
    while len(out) < n:
        out += block
    return bytes(out[:n])


PRINT = threading.Lock()


def drain(c):
    h = hashlib.sha256()
    total = 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        h.update(b)
        total += len(b)
    c.close()
    with PRINT:
        print(total, h.hexdigest(), flush=True)


def recv(port, once):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(64)
    print("listening", flush=True)
    while True:
        c, _ = srv.accept()
        t = threading.Thread(target=drain, args=(c,), daemon=True)
        t.start()
        if once:
            t.join()
            return


def send(addr, port, nbytes, rate, chunk, mss):
    data = pattern(nbytes)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if mss:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
    if rate:
        s.setsockopt(socket.SOL_SOCKET, SO_MAX_PACING_RATE, int(rate * 1e6))
    s.connect((addr, port))
    t0 = time.monotonic()
    for off in range(0, nbytes, chunk):
        s.sendall(data[off:off + chunk])
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # wait for the receiver's FIN: every byte arrived
    took = time.monotonic() - t0
    s.close()
    print("%.6f" % took, file=sys.stderr)
    print(nbytes, hashlib.sha256(data).hexdigest(), flush=True)


def main(a):
    if a[0] == "recv":
        recv(int(a[1]), "--once" in a)
    elif a[0] == "send":
        rate = float(a[a.index("--rate") + 1]) if "--rate" in a else 0
        chunk = int(a[a.index("--chunk") + 1]) if "--chunk" in a else 65536
        mss = int(a[a.index("--mss") + 1]) if "--mss" in a else 0
        send(a[1], int(a[2]), int(a[3]), rate, chunk, mss)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
