#!/usr/bin/env python3
"""
tests/integration/test_threads.py TCPLENS SAMPLES_DIR

The three ways tcplens reads a capture (capture/readahead.c) must give the
same thing: frame by frame (standard input), in batches on one thread
(--threads 1) and read ahead on a second thread (--threads 2): the same report
bytes (text and JSON; stdin's "(stdin)" stands for the file's name), the same
stderr, the same exit status. On every sample; on a capture of many batches
(20,000 frames over 2,000 connections); cut in the middle of a frame (the
error after the last good frame), in batches and where one thread passes
large frames straight through; with -c stopping inside a batch; with a BPF
filter; with frames of the largest snapshot length libpcap reads (a few per
batch); and on an empty capture.
"""
import glob
import os
import struct
import subprocess
import sys
import tempfile

tcplens, samples = sys.argv[1:3]
tmp = tempfile.mkdtemp(prefix="tcplens-threads-")
passed = failed = 0


def run(threads, path, *args):
    if threads == 0:  # frame by frame: standard input is never batched
        with open(path, "rb") as f:
            p = subprocess.run([tcplens, "-r", "-", *args], stdin=f,
                               capture_output=True, timeout=120)
        name = path.encode()
        return (p.returncode, p.stdout.replace(b"(stdin)", name),
                p.stderr.replace(b"(stdin)", name))
    p = subprocess.run([tcplens, "--threads", str(threads), "-r", path, *args],
                       capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def same(name, path, *args):
    global passed, failed
    runs = {"frame by frame": run(0, path, *args), "--threads 1": run(1, path, *args),
            "--threads 2": run(2, path, *args)}
    ref = runs["frame by frame"]
    differ = [k for k, v in runs.items() if v != ref]
    if not differ:
        passed += 1
        print(f"ok: {name} ({len(ref[1])} bytes, exit {ref[0]})")
        return
    failed += 1
    for k in differ:
        what = [w for w, a, b in zip(("exit status", "stdout", "stderr"), ref, runs[k]) if a != b]
        print(f"FAIL: {name}: frame by frame and {k} differ in {', '.join(what)}")
        if ref[2] != runs[k][2]:
            print("  stderr, frame by frame:", ref[2][:300])
            print(f"  stderr, {k}:", runs[k][2][:300])


def pcap(linktype, frames, snaplen=262144):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for i, data in enumerate(frames):
        out.append(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000,
                               len(data), len(data)))
        out.append(data)
    return b"".join(out)


def write(name, data):
    p = os.path.join(tmp, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def tcp_frame(conn, k):
    """Frame k of a small request/response connection (Ethernet, IPv4)."""
    flags = [0x02, 0x12, 0x10, 0x18, 0x18, 0x11, 0x11, 0x10, 0x10, 0x10][k]
    c2s = k in (0, 2, 3, 5, 8)
    payload = b"q" * 40 if k == 3 else b"r" * 900 if k == 4 else b""
    cli = bytes([10, 1, conn >> 8 & 255, conn & 255])
    srv = bytes([10, 0, 0, 1])
    src, dst = (cli, srv) if c2s else (srv, cli)
    sport, dport = (40000 + conn % 20000, 80) if c2s else (80, 40000 + conn % 20000)
    seq = 1000 + (1 if k > 0 else 0) + (40 if k > 3 else 0) if c2s else 5000 + (1 if k > 1 else 0) + (900 if k > 4 else 0)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 1 if k else 0, 5 << 4, flags, 65535, 0, 0)
    ip_len = 20 + len(tcp) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, conn & 0xFFFF, 0, 64, 6, 0, src, dst)
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp + payload


for path in sorted(glob.glob(os.path.join(samples, "*.pcap")) +
                   glob.glob(os.path.join(samples, "*.pcapng"))):
    name = os.path.basename(path)
    same(f"{name} json", path, "--format", "json")
    same(f"{name} text", path)

many = write("many.pcap", pcap(1, [tcp_frame(c, k) for c in range(2000) for k in range(10)]))
same("20,000 frames, json", many, "--format", "json")
same("20,000 frames, text", many)
same("-c 1234 (inside a batch)", many, "-c", "1234", "--format", "json")
same("BPF 'tcp port 80 and host 10.1.3.7'", many, "--format", "json", "tcp port 80 and host 10.1.3.7")
with open(many, "rb") as f:
    body = f.read()
cut = write("cut.pcap", body[: len(body) * 2 // 3 + 5])
same("cut mid-frame", cut, "--format", "json")
# Frames of ~1 KB: one thread passes them through uncopied after a batch
# (readahead.c, RA_DIRECT_AVG), so this one ends with an error in that mode.
fat = [tcp_frame(c, 4) + b"f" * 100 for c in range(6000)]
fat_body = pcap(1, fat)
same("cut mid-frame, 1 KB frames", write("fatcut.pcap", fat_body[: len(fat_body) * 4 // 5 + 7]),
     "--format", "json")
same("-c 5000 of 1 KB frames", write("fat.pcap", fat_body), "-c", "5000", "--format", "json")
jumbo = [tcp_frame(7, 3) + b"j" * (262144 - len(tcp_frame(7, 3))), tcp_frame(8, 0)]
big = write("jumbo.pcap", pcap(1, jumbo * 40))
same("262,144-byte frames (the largest libpcap reads)", big, "--format", "json")
same("empty capture", write("empty.pcap", pcap(1, [])), "--format", "json")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
