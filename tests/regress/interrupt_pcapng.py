#!/usr/bin/env python3
"""
tests/regress/interrupt_pcapng.py TCPLENS SAMPLE

A SIGINT during -w must leave a pcapng of whole blocks: a large capture is
made by repeating SAMPLE's frames, tcplens -w is interrupted once the second
pass has begun writing, and the output is read block by block (no torn last
block; every frame read equals its input frame). tcplens says it was
interrupted and exits 2 (or, on a fast machine, finished first: exit 0).
"""
import shutil
import atexit
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capfile  # noqa: E402

tcplens, sample = sys.argv[1:3]
tmp = tempfile.mkdtemp(prefix="tcplens_int_")
atexit.register(shutil.rmtree, tmp, True)  # the test's files go with it
big, out = os.path.join(tmp, "big.pcap"), os.path.join(tmp, "out.pcapng")
src = capfile.read_any(sample)
frames, span, t0 = [], src[-1].ts_ns - src[0].ts_ns + 10**9, 0
for rep in range(60):
    frames += [(f.ts_ns + rep * span, f.wirelen, f.data) for f in src]
capfile.write_pcap(big, frames, src[0].linktype)

p = subprocess.Popen([tcplens, "-q", "-r", big, "-w", out, "-o", os.devnull],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
deadline = time.time() + 60
while p.poll() is None and time.time() < deadline:
    if os.path.exists(out) and os.path.getsize(out) > 0:
        p.send_signal(signal.SIGINT)
        break
    time.sleep(0.001)
_, err = p.communicate(timeout=120)
try:
    got = capfile.read_pcapng(out)
except ValueError as e:
    print("FAIL: torn pcapng after SIGINT: %s" % e)
    sys.exit(1)
for i, f in enumerate(got):
    if (f.ts_ns, f.data) != (frames[i][0], frames[i][2]):
        print("FAIL: frame %d differs from the input" % (i + 1))
        sys.exit(1)
if p.returncode == 2 and "interrupted" in err:
    print("ok: interrupted after %d of %d frames, whole blocks" % (len(got), len(frames)))
elif p.returncode == 0 and len(got) == len(frames):
    print("ok: finished before the signal (%d frames)" % len(got))
else:
    print("FAIL: exit %d, %d of %d frames: %s" % (p.returncode, len(got), len(frames), err))
    sys.exit(1)
