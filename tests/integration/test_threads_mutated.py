#!/usr/bin/env python3
"""
tests/integration/test_threads_mutated.py TCPLENS SAMPLES_DIR [COUNT] [SEED]

The sharded analysis (--threads 3+, analyze/sharded.c) against one analyzer
(--threads 1) on COUNT (default 300) captures made from the samples by a
seeded random mix of what reorders a merge: timestamps swapped, jumped back
and forth or made equal over a run of frames, frames duplicated or dropped,
bytes flipped, a late gap that makes every lingering flow end at once. Same
stdout, stderr and exit status, unless the run says a cap was split (then
it may differ, by design). Deterministic: the seed fixes every capture.
(Run by hand with COUNT 20000 on this project's samples: no difference.)
"""
import shutil
import atexit
import glob
import os
import random
import struct
import subprocess
import sys
import tempfile

tcplens, samples = sys.argv[1:3]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 300
rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
files = [f for f in sorted(glob.glob(os.path.join(samples, "*.pcap")))
         if open(f, "rb").read(4) == b"\xd4\xc3\xb2\xa1"]  # classic little-endian µs pcap


def frames(data):
    out, off = [], 24
    while off + 16 <= len(data):
        ts, us, cl, wl = struct.unpack_from("<IIII", data, off)
        if off + 16 + cl > len(data):
            break
        out.append([ts, us, wl, data[off + 16:off + 16 + cl]])
        off += 16 + cl
    return data[:24], out


def build(hdr, fr):
    return hdr + b"".join(struct.pack("<IIII", t & 0xFFFFFFFF, u, len(d), max(w, len(d))) + d
                          for t, u, w, d in fr)


def mutate(fr):
    for _ in range(rnd.randint(1, 6)):
        if not fr:
            return
        i = rnd.randrange(len(fr))
        op = rnd.randrange(7)
        if op == 0:    # two frames swap times
            j = min(len(fr) - 1, i + rnd.randint(1, 50))
            fr[i][0:2], fr[j][0:2] = fr[j][0:2], fr[i][0:2]
        elif op == 1:  # one frame's clock jumps
            fr[i][0] += rnd.choice([-5, -1, 1, 3, 100])
        elif op == 2:  # a run of frames seen twice
            k = rnd.randint(1, 20)
            fr[i:i] = [list(x) for x in fr[i:i + k]]
        elif op == 3:  # a run of frames missed
            del fr[i:i + rnd.randint(1, 30)]
        elif op == 4:  # a flipped bit
            d = bytearray(fr[i][3])
            if d:
                d[rnd.randrange(len(d))] ^= 1 << rnd.randrange(8)
                fr[i][3] = bytes(d)
        elif op == 5:  # a run of frames at one time
            for j in range(i, min(len(fr), i + 40)):
                fr[j][0:2] = fr[i][0:2]
        else:          # a gap: every lingering flow ends at one frame
            for j in range(i, len(fr)):
                fr[j][0] += 2


tmp = tempfile.mkdtemp(prefix="tcplens-mutated-")
atexit.register(shutil.rmtree, tmp, True)  # the test's files go with it
path = os.path.join(tmp, "m.pcap")
passed = failed = capped = 0
for n in range(count):
    src = rnd.choice(files)
    hdr, fr = frames(open(src, "rb").read())
    mutate(fr)
    with open(path, "wb") as f:
        f.write(build(hdr, fr))
    threads = rnd.choice([3, 4, 5])
    args = ["-r", path, "--format", "json"]
    one = subprocess.run([tcplens, "--threads", "1", *args], capture_output=True, timeout=120)
    many = subprocess.run([tcplens, "--threads", str(threads), *args], capture_output=True,
                          timeout=120)
    if b"a cap (--max-flows" in many.stderr:
        capped += 1
        continue
    if (one.returncode, one.stdout, one.stderr) == (many.returncode, many.stdout, many.stderr):
        passed += 1
        continue
    failed += 1
    keep = os.path.join(tmp, f"differs-{n}.pcap")
    os.rename(path, keep)
    print(f"FAIL: capture {n} (from {os.path.basename(src)}): --threads {threads} differs "
          f"from --threads 1; kept as {keep}")
print(f"{passed} passed, {failed} failed ({capped} reached a cap: not compared)")
# Most cases must be compared: a run of caps would otherwise pass unseen.
if passed < count // 2:
    print(f"FAIL: only {passed} of {count} cases compared")
sys.exit(1 if failed or passed < count // 2 else 0)
