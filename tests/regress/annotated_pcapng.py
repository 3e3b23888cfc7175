#!/usr/bin/env python3
"""
tests/regress/annotated_pcapng.py TCPLENS SAMPLE

-w OUT.pcapng on SAMPLE: tshark reads OUT without complaint; OUT holds every
frame of SAMPLE with the same bytes, lengths, link type and nanosecond
timestamps; each finding of the JSON report is a comment on its own frame
(tshark's frame.comment and our own pcapng reader agree), and no frame has a
comment without an event. Then with a BPF filter and --write-flagged: fewer
frames, each carrying its original frame number (epb_packetid), the comments
still on the right frames. And -w over the input is refused.
"""
import shutil
import atexit
import collections
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capfile  # noqa: E402

tcplens, sample = sys.argv[1:3]
tmp = tempfile.mkdtemp(prefix="tcplens_w_")
atexit.register(shutil.rmtree, tmp, True)  # the test's files go with it
out = os.path.join(tmp, "out.pcapng")
rep = os.path.join(tmp, "report.json")
fails = []


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def tshark_fields(path, *fields, filt=None):
    args = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=\x1f"]
    if filt:
        args += ["-Y", filt]
    for f in fields:
        args += ["-e", f]
    r = run(args)
    noise = [l for l in r.stderr.splitlines() if l.strip() and "Running as user" not in l]
    if r.returncode != 0 or noise:
        fails.append("tshark complains about %s: rc %d %s" % (path, r.returncode, noise[:3]))
    return [l.split("\t") for l in r.stdout.splitlines()]


r = run([tcplens, "-q", "-r", sample, "--format", "json", "-o", rep, "-w", out])
if r.returncode not in (0,):
    print("FAIL: tcplens exited %d: %s" % (r.returncode, r.stderr))
    sys.exit(1)
events = json.load(open(rep))["events"]
by_frame = collections.Counter(e["frame"] for e in events)

src = capfile.read_any(sample)
got = capfile.read_pcapng(out)
if len(src) != len(got):
    fails.append("frames: %d in, %d out" % (len(src), len(got)))
for i, (a, b) in enumerate(zip(src, got), 1):
    if (a.ts_ns, a.caplen, a.wirelen, a.data, a.linktype) != (b.ts_ns, b.caplen, b.wirelen, b.data, b.linktype):
        fails.append("frame %d differs: ts %d/%d len %d/%d wire %d/%d lt %d/%d bytes %s" % (
            i, a.ts_ns, b.ts_ns, a.caplen, b.caplen, a.wirelen, b.wirelen, a.linktype, b.linktype,
            "same" if a.data == b.data else "differ"))
        if len(fails) > 5:
            break
    if len(b.comments) != by_frame.get(i, 0):
        fails.append("frame %d: %d comments, %d events" % (i, len(b.comments), by_frame.get(i, 0)))
    if b.packet_id is not None:
        fails.append("frame %d: epb_packetid without renumbering" % i)

kinds = collections.defaultdict(list)
for e in events:
    kinds[e["frame"]].append(e["kind"])
seen = 0
for num, comment in tshark_fields(out, "frame.number", "frame.comment", filt="frame.comment"):
    n = int(num)
    texts = comment.split("\x1f")
    seen += len(texts)
    want = sorted(kinds.get(n, []))
    have = sorted(t.split()[1] for t in texts)
    if want != have:
        fails.append("tshark frame %d: comments %s, events %s" % (n, have, want))
if seen != len(events):
    fails.append("tshark shows %d comments for %d events" % (seen, len(events)))
t_src = tshark_fields(sample, "frame.time_epoch", "frame.len", "frame.cap_len")
t_out = tshark_fields(out, "frame.time_epoch", "frame.len", "frame.cap_len")
if t_src != t_out:
    fails.append("tshark: timestamps or lengths differ between input and output")

# Only the flagged flows, TCP only: original numbers kept in epb_packetid.
r = run([tcplens, "-q", "-r", sample, "--format", "json", "-o", rep, "-w", out, "--write-flagged", "tcp"])
flagged = []
if r.returncode == 2 and "filtering not implemented" in r.stderr:
    pass  # libpcap compiles no filter for this link type (NFLOG): a clear refusal
elif r.returncode != 0:
    fails.append("--write-flagged: exit %d %s" % (r.returncode, r.stderr))
else:
    doc = json.load(open(rep))
    flagged = capfile.read_pcapng(out)
    ev_frames = collections.Counter(e["frame"] for e in doc["events"])
    flows_with = sum(1 for f in doc["flows"] if f["events"] + f["events_dropped"])
    for f in flagged:
        if f.packet_id is None or not (1 <= f.packet_id <= len(src)):
            fails.append("--write-flagged: frame without its original number")
            break
        a = src[f.packet_id - 1]
        if (a.ts_ns, a.data) != (f.ts_ns, f.data):
            fails.append("--write-flagged: frame %d is not the original's" % f.packet_id)
            break
        if len(f.comments) != ev_frames.get(f.packet_id, 0):
            fails.append("--write-flagged: frame %d has %d comments for %d events" % (
                f.packet_id, len(f.comments), ev_frames.get(f.packet_id, 0)))
    commented = {f.packet_id for f in flagged if f.comments}
    if set(ev_frames) - commented:
        fails.append("--write-flagged: events on frames not written: %s" % sorted(set(ev_frames) - commented)[:5])
    if not flows_with and flagged:
        fails.append("--write-flagged: %d frames written without any flagged flow" % len(flagged))
    tshark_fields(out, "frame.number")

# Never over the input.
copy = os.path.join(tmp, "in.pcap")
with open(copy, "wb") as fh:
    fh.write(open(sample, "rb").read())
r = run([tcplens, "-q", "-r", copy, "-w", copy])
if r.returncode != 2 or "capture being read" not in r.stderr or open(copy, "rb").read() != open(sample, "rb").read():
    fails.append("-w over the input was not refused cleanly: %d %s" % (r.returncode, r.stderr))

if fails:
    print("FAIL: " + sample + "\n  " + "\n  ".join(fails[:20]))
    sys.exit(1)
print("ok: %s: %d frames, %d comments, %d frames with --write-flagged" % (
    os.path.basename(sample), len(got), len(events), len(flagged)))
