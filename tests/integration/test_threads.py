#!/usr/bin/env python3
"""
tests/integration/test_threads.py TCPLENS SAMPLES_DIR [GEN_HOSTILE]

The three ways tcplens reads a capture (capture/readahead.c) must give the
same thing: frame by frame (standard input), in batches on one thread
(--threads 1), read ahead on a second thread (--threads 2), and the default,
which measures the two on the first frames and keeps the faster, switching
between them as it measures (capture_measured_start): the same report
bytes (text and JSON; stdin's "(stdin)" stands for the file's name), the same
stderr, the same exit status. On every sample; on a capture of many batches
(20,000 frames over 2,000 connections); cut in the middle of a frame (the
error after the last good frame), in batches and where one thread passes
large frames straight through; with -c stopping inside a batch; with a BPF
filter; with frames of the largest snapshot length libpcap reads (a few per
batch); on an empty capture; and on 250,000 frames, past every measured
turn of the default.
"""
import atexit
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading

tcplens, samples = sys.argv[1:3]
gen_hostile = sys.argv[3] if len(sys.argv) > 3 else None  # tests/hostile/gen_hostile
# 1: batches on one thread; 2: read ahead; 3, 5: the analysis sharded by flow
# over 2 and 4 threads (analyze/sharded.c).
THREADS = [int(t) for t in os.environ.get("THREADS", "1 2 3 5").split()]
tmp = tempfile.mkdtemp(prefix="tcplens-threads-")
atexit.register(shutil.rmtree, tmp, True)  # ~200 MB of generated captures
passed = failed = 0


def run(threads, path, *args):
    if threads == 0:  # frame by frame: standard input is never batched
        with open(path, "rb") as f:
            p = subprocess.run([tcplens, "-r", "-", *args], stdin=f,
                               capture_output=True, timeout=120)
        name = path.encode()
        return (p.returncode, p.stdout.replace(b"(stdin)", name),
                p.stderr.replace(b"(stdin)", name))
    t = ["--threads", str(threads)] if threads is not None else []  # None: the default
    p = subprocess.run([tcplens, *t, "-r", path, *args],
                       capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def reference_problem(ref, args, flows, code_wanted):
    """Why the reference run cannot be one to compare with, or None: it must
    succeed and report something (a JSON report with flows when it should
    have some), or every run failing alike would pass."""
    code, out, err = ref
    if code != code_wanted:
        return f"exit {code}: {err[:200]!r}"
    if not out:
        return "no report"
    if "json" in args:
        try:
            doc = json.loads(out)
        except ValueError as e:
            return f"not JSON ({e})"
        if flows and not doc.get("flows"):
            return "no flows in the report"
    return None


def same(name, path, *args, flows=True, code=0):
    global passed, failed
    runs = {"frame by frame": run(0, path, *args)}
    for t in THREADS:
        runs[f"--threads {t}"] = run(t, path, *args)
    runs["the default"] = run(None, path, *args)
    ref = runs["frame by frame"]
    why = reference_problem(ref, args, flows, code)
    if why:
        failed += 1
        print(f"FAIL: {name}: the reference run is no reference: {why}")
        return
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


def pcap(linktype, frames, snaplen=262144, times=None):
    """times: each frame's time in microseconds from the start (default: a
    millisecond apart)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for i, data in enumerate(frames):
        us = times[i] if times else i * 1000
        out.append(struct.pack("<IIII", 1700000000 + us // 1000000, us % 1000000,
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
same("cut mid-frame", cut, "--format", "json", code=2)  # 2: the file is cut
# Frames of ~1 KB: one thread passes them through uncopied after a batch
# (readahead.c, RA_DIRECT_AVG), so this one ends with an error in that mode.
fat = [tcp_frame(c, 4) + b"f" * 100 for c in range(6000)]
fat_body = pcap(1, fat)
same("cut mid-frame, 1 KB frames", write("fatcut.pcap", fat_body[: len(fat_body) * 4 // 5 + 7]),
     "--format", "json", code=2)
same("-c 5000 of 1 KB frames", write("fat.pcap", fat_body), "-c", "5000", "--format", "json")
# Sharded analysis, where the shards' records must interleave: 6,000
# connections closed within 0.6 s, then one frame 5 s later ends them all
# by linger in that one frame (megabytes of records from every shard, handed
# over in several chunks); 12,000 connections left open to the end (their
# ends merged in id order, more than the shards' chunk rings hold); the
# capture's clock jumping back and forth; the same 4-tuple reused.
burst = [tcp_frame(c, k) for c in range(6000) for k in range(10)]
burst_t = [i * 10 for i in range(len(burst))]
burst.append(tcp_frame(9999, 0))
burst_t.append(burst_t[-1] + 5000000)
# (Their checksums are all bad: every flow holds events for a fate, more
# than the held pool's default cap; --max-held keeps them under it.)
same("6,000 flows ending in one frame", write("burst.pcap", pcap(1, burst, times=burst_t)),
     "--format", "json", "--max-held", "200000")
opened = [tcp_frame(c, k) for c in range(12000) for k in range(5)]
same("12,000 flows open at the end", write("open.pcap", pcap(1, opened)), "--format", "json",
     "--max-held", "200000")
same("12,000 flows open at the end, text", os.path.join(tmp, "open.pcap"), "--max-held", "200000")
jumpy = [tcp_frame(c % 300, k) for c in range(900) for k in range(10)]
jumpy_t = [(i * 997) % 4000000 for i in range(len(jumpy))]
same("timestamps jumping back and forth, 4-tuples reused",
     write("jumpy.pcap", pcap(1, jumpy, times=jumpy_t)), "--format", "json")
# The floods of tests/hostile (SYN flood, SACK blocks on every ACK, window
# scales and windows flapping, sequence jumps, overlapping resends) under the
# default caps: their odd corners must merge like the rest.
if gen_hostile:
    for mode in ("synflood", "sackflood", "wscale", "seqjump", "overlap"):
        path = os.path.join(tmp, mode + ".pcap")
        subprocess.run([gen_hostile, mode, path, "--packets", "20000"], check=True,
                       capture_output=True)
        same(f"hostile {mode}, 20,000 frames", path, "--format", "json")
jumbo = [tcp_frame(7, 3) + b"j" * (262144 - len(tcp_frame(7, 3))), tcp_frame(8, 0)]
big = write("jumbo.pcap", pcap(1, jumbo * 40))
same("262,144-byte frames (the largest libpcap reads)", big, "--format", "json")
# The default's measured turns (6 of 36,864 frames) switch between one
# thread and two at batch boundaries, draining what the reader filled.
turns = write("turns.pcap", pcap(1, [tcp_frame(c, k) for c in range(25000) for k in range(10)]))
same("250,000 frames, json", turns, "--format", "json")
same("empty capture", write("empty.pcap", pcap(1, [])), "--format", "json", flows=False)

# Through a pipe (not seekable: tcplens reads the first bytes itself and
# hands them on to libpcap), the same as from the file.
for name in ("reqresp.pcapng", "corrupt.pcap", "cut.pcap"):
    path = os.path.join(samples if name != "cut.pcap" else tmp, name)
    with open(path, "rb") as f:
        data = f.read()
    p = subprocess.run([tcplens, "-r", "-", "--format", "json"], input=data,
                       capture_output=True, timeout=120)
    piped = (p.returncode, p.stdout.replace(b"(stdin)", path.encode()),
             p.stderr.replace(b"(stdin)", path.encode()))
    if piped == run(1, path, "--format", "json"):
        passed += 1
        print(f"ok: {name} through a pipe")
    else:
        failed += 1
        print(f"FAIL: {name} through a pipe differs from the file")

# A FIFO named on the command line (what `-r <(tcpdump -w - ...)` gives):
# read once, through the same peek (opening it a second time to learn the
# timestamp precision stole its first 4 KiB from libpcap).
for name in ("reqresp.pcapng", "corrupt.pcap"):
    path = os.path.join(samples, name)
    fifo = os.path.join(tmp, "fifo-" + name)
    os.mkfifo(fifo)
    with open(path, "rb") as f:
        data = f.read()

    def feed(fifo=fifo, data=data):
        with open(fifo, "wb") as w:
            w.write(data)
    writer = threading.Thread(target=feed)
    writer.start()
    p = subprocess.run([tcplens, "-r", fifo, "--format", "json"], capture_output=True,
                       timeout=120)
    writer.join()
    got = (p.returncode, p.stdout.replace(fifo.encode(), path.encode()),
           p.stderr.replace(fifo.encode(), path.encode()))
    if got == run(1, path, "--format", "json"):
        passed += 1
        print(f"ok: {name} through a FIFO")
    else:
        failed += 1
        print(f"FAIL: {name} through a FIFO differs from the file: {p.stderr[:200]}")

# What else the pipeline writes (pipeline/pipeline.c), the same at every
# thread count: the annotated pcapng (-w, --write-flagged: comments from the
# merged events, flags from the merged flow ends) and the Prometheus file
# (the merged totals). --threads 3+ shard these too; HTML alone stays on one
# analysis thread (its samples are per segment) and says so.
def same_outputs(name, path, outputs, *args):
    global passed, failed
    got = {}
    for t in [1] + [t for t in THREADS if t >= 3]:
        files = [os.path.join(tmp, f"out-{t}.{ext}") for ext in outputs]
        argv = list(args)
        for ext, f in zip(outputs, files):
            argv += {"pcapng": ["-w", f], "prom": ["--metrics-file", f]}[ext]
        rc, out, err = run(t, path, *argv)
        blobs = []
        for f in files:
            with open(f, "rb") as fh:
                blobs.append(fh.read())
        got[t] = (rc, out, blobs)
    rc, out, blobs = got[1]
    if rc != 0 or (not out and "-o" not in args) or any(len(b) < 1000 for b in blobs):
        failed += 1
        print(f"FAIL: {name}: the --threads 1 run is no reference (exit {rc}, "
              f"{[len(b) for b in blobs]} bytes)")
        return
    differ = [t for t, v in got.items() if v != got[1]]
    if differ:
        failed += 1
        print(f"FAIL: {name}: --threads 1 and {differ} differ")
    else:
        passed += 1
        print(f"ok: {name} ({', '.join(f'{len(b)} bytes' for b in blobs)})")


for cap in ("many.pcap", "burst.pcap", "open.pcap"):
    path = os.path.join(tmp, cap)
    same_outputs(f"{cap} -w and --metrics-file", path, ("pcapng", "prom"), "--format", "json",
                 "--max-held", "200000")
    same_outputs(f"{cap} -w --write-flagged", path, ("pcapng",), "--write-flagged",
                 "-o", "/dev/null", "--max-held", "200000")
# The HTML page samples every segment: the shards record the samples'
# observations, the merge replays them in one analyzer's order.
for cap in ("many.pcap", "burst.pcap", "open.pcap"):
    path = os.path.join(tmp, cap)
    ref = run(1, path, "--format", "html", "--max-held", "200000")
    for t in [t for t in THREADS if t >= 2]:
        rc, out, err = run(t, path, "--format", "html", "--max-held", "200000")
        if ref[0] == 0 and rc == 0 and len(out) > 10000 and out == ref[1] and not err:
            passed += 1
            print(f"ok: {cap} --threads {t} --format html: the page of --threads 1 "
                  f"({len(out)} bytes)")
        else:
            failed += 1
            print(f"FAIL: {cap} --threads {t} --format html: exit {rc}, "
                  f"{'same' if out == ref[1] else 'differs'}: {err[:200]}")

# A subscriber in front of the report (-w's recorder) leaves the segment
# observer to the HTML writer: the page and the pcapng are what each alone gives.
for t in (1, 3):
    path = os.path.join(tmp, "many.pcap")
    ref = run(1, path, "--format", "html", "--max-held", "200000")[1]
    pc = os.path.join(tmp, "with_html.pcapng")
    rc, out, err = run(t, path, "--format", "html", "--max-held", "200000", "-w", pc)
    rc2, _, _ = run(t, path, "--format", "json", "--max-held", "200000", "-w", pc + ".ref")
    same_pc = rc2 == 0 and open(pc, "rb").read() == open(pc + ".ref", "rb").read()
    if rc == 0 and out == ref and same_pc:
        passed += 1
        print(f"ok: --threads {t} --format html -w: the same page and the same pcapng")
    else:
        failed += 1
        print(f"FAIL: --threads {t} --format html -w: exit {rc}, page "
              f"{'same' if out == ref else 'differs'}, pcapng {'same' if same_pc else 'differs'}")

# A cap reached: the shards split it, so the report may differ, and says so.
for cap in (["--max-flows", "300"], ["--max-held", "100"]):
    for t in [t for t in THREADS if t >= 3]:
        rc, out, err = run(t, os.path.join(tmp, "open.pcap"), "--format", "json", *cap)
        if rc == 0 and b"a cap (--max-flows, --max-held, --max-rounds) was reached" in err:
            passed += 1
            print(f"ok: --threads {t} {' '.join(cap)}: the note on stderr")
        else:
            failed += 1
            print(f"FAIL: --threads {t} {' '.join(cap)}: exit {rc}, no note: {err[:200]}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
