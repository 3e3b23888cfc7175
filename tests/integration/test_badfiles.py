#!/usr/bin/env python3
"""
tests/integration/test_badfiles.py TCPLENS SAMPLE.pcap

Bad input gets a clear one-line message naming the file (and the frame), exit
status 2, and never a crash; a damaged frame inside a good file is reported
and skipped while the rest is analyzed.
"""
import shutil
import atexit
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

tcplens, good = sys.argv[1:3]
tmp = tempfile.mkdtemp(prefix="tcplens-bad-")
atexit.register(shutil.rmtree, tmp, True)  # the test's files go with it


def run(path, *args):
    return subprocess.run([tcplens, "-r", path, *args], capture_output=True, timeout=60)



def write(name, data):
    p = os.path.join(tmp, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def pcap(linktype, frames, snap=65535):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snap, linktype)
    for i, fr in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr
    return out


def one_line_error(r, path, *words):
    err = r.stderr.decode(errors="replace").strip()
    return (r.returncode == 2 and len(err.splitlines()) == 1 and path in err
            and all(w in err for w in words)), f"exit {r.returncode}, stderr {err!r}"


good_bytes = open(good, "rb").read()

p = write("empty.pcap", b"")
check("empty file", *one_line_error(run(p), p))

p = write("garbage.pcap", bytes(range(256)) * 8)
check("garbage file", *one_line_error(run(p), p))

check("missing file", *one_line_error(run(os.path.join(tmp, "nope.pcap")), "nope.pcap"))

# Unknown link type: USER0 (147) with one frame.
p = write("user0.pcap", pcap(147, [b"\x00" * 60]))
check("unknown link type", *one_line_error(run(p), p, "link type", "147"))

# Truncated mid-record: cut the good file inside its 10th record.
off = 24
for _ in range(9):
    incl = struct.unpack_from("<I", good_bytes, off + 8)[0]
    off += 16 + incl
p = write("truncated.pcap", good_bytes[:off + 16 + 10])
r = run(p, "--format", "json")
ok, detail = one_line_error(r, p, "frame 10")
check("truncated mid-record: message names file and frame", ok, detail)
try:
    doc = json.loads(r.stdout)
    check("truncated mid-record: the frames before the cut are analyzed",
          doc["capture"]["packets"] == 9, doc["capture"])
except ValueError as e:
    check("truncated mid-record: a complete report is still written", False, str(e))

# A damaged frame in a good file: IPv4 header length 8 bytes in frame 3.
frames = []
off = 24
while off + 16 <= len(good_bytes):
    incl = struct.unpack_from("<I", good_bytes, off + 8)[0]
    frames.append(bytearray(good_bytes[off + 16: off + 16 + incl]))
    off += 16 + incl
frames = frames[:20]
tcp_frames = [i for i, f in enumerate(frames) if f[12:14] == b"\x08\x00" and f[23] == 6]
frames[tcp_frames[2]][14] = 0x42  # version 4, IHL 2
damaged_no = tcp_frames[2] + 1
p = write("damaged.pcap", pcap(1, [bytes(f) for f in frames]))
r = run(p, "--format", "json")
err = r.stderr.decode()
check("damaged frame: exit 0 and stderr names the frame",
      r.returncode == 0 and f"frame {damaged_no}:" in err and p in err, f"exit {r.returncode}, {err!r}")
doc = json.loads(r.stdout)
check("damaged frame: counted as malformed, the rest analyzed",
      doc["capture"]["malformed"] == 1 and doc["capture"]["tcp_segments"] == len(tcp_frames) - 1, doc["capture"])

# Every prefix of the first 4 KiB of the good file: no crash, exit 0 or 2.
crashes = []
for cut in list(range(0, 200)) + list(range(200, min(4096, len(good_bytes)), 97)):
    p = write("prefix.pcap", good_bytes[:cut])
    r = run(p)
    if r.returncode not in (0, 2):
        crashes.append((cut, r.returncode))
check("every prefix: no crash", not crashes, crashes[:5])

# caplen > wire length in a record header.
fr = bytes(frames[0])
bad = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) + \
    struct.pack("<IIII", 1700000000, 0, len(fr), len(fr) - 10) + fr
p = write("caplen.pcap", bad)
r = run(p)
check("caplen > wire length: no crash", r.returncode in (0, 2), r.returncode)

# Usage errors
r = subprocess.run([tcplens], capture_output=True)
check("no arguments: usage error", r.returncode == 2 and b"-r FILE" in r.stderr, r.stderr)
r = subprocess.run([tcplens, good], capture_output=True)
check("a capture named without -r: the error says to use -r",
      r.returncode == 2 and f"read it with -r {good}".encode() in r.stderr, r.stderr)
r = subprocess.run([tcplens, "-r", good, "--format", "xml"], capture_output=True)
check("bad --format", r.returncode == 2 and b"text, json, jsonl or html" in r.stderr, r.stderr)
r = subprocess.run([tcplens, "-r", good, "tcp", "port", "notaport"], capture_output=True)
check("bad filter", r.returncode == 2 and b"filter" in r.stderr, r.stderr)
r = subprocess.run([tcplens, "-r", good, "-o", good], capture_output=True)
check("refuses to overwrite its input", r.returncode == 2 and len(open(good, "rb").read()) ==
      len(good_bytes), r.stderr)

finish()
