#!/usr/bin/env python3
"""
tests/hostile/hostile.py TCPLENS GEN_HOSTILE CASE [--sanitized]

One hostile capture (tests/hostile/gen_hostile.c) through tcplens, in a
temporary directory (captures are never kept):

  1. tcplens -r HOSTILE.pcap --format json with the case's caps exits 0 and
     the JSON report counts what the caps cut (flows_evicted, held_overflow,
     rounds_pool_full...);
  2. its peak RSS (gen_hostile --rss: wait4 from a small parent) stays under
     the bound the caps give:
     the RSS of tcplens on a tiny capture, plus 2 KiB per --max-flows (a
     struct flow is 1,160 bytes, its index slots at most 32; the flows seen
     when fewer), 72 bytes per --max-held, 18 per --max-rounds (blocks of 4
     rounds of 16 bytes and 8 of count and link), plus 16 MiB for the report writer
     and slack;
  3. its packets per second (best of 3 runs, text report to /dev/null) are at
     least half those of a normal capture of the same number of frames
     generated here: crr (short connections one after another), or for the
     SYN flood, flows (as many connections open at once as --max-flows).

Sizes: CASES below (CI, the whole suite well under 90 s on 2 cores), times
HOSTILE_SCALE (default 1; 0.1 with --sanitized, where RSS and speed mean
nothing: ASan's shadow memory and quarantine, so those checks are skipped).
HOSTILE_SCALE=5 gives the larger manual run (bench/RESULTS.md).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

# case: (hostile mode, frames, caps (or a function of the frames), normal
# mode, checks on the report)
CASES = {
    "synflood": ("synflood", 1000000, lambda n: ["--max-flows", str(n // 10)], "flows",
                 lambda c, n: c["flows"] >= n * 0.99 and
                 c["flows_evicted"] == c["flows"] - c["max_flows"]),
    "sackflood": ("sackflood", 1000000, ["--max-held", "256", "--max-held-per-flow", "16"], "crr",
                  lambda c, n: c["held_overflow"] > 0 and c["max_held"] == 256),
    "wscale": ("wscale", 500000, ["--max-flows", "500"], "crr",
               lambda c, n: c["flows_evicted"] > 0),
    "seqjump": ("seqjump", 500000, ["--max-rounds", "1000"], "crr",
                lambda c, n: c["rounds_pool_full"] > 0 and c["capture_lost"] > 0),
    "overlap": ("overlap", 300000, ["--max-events", "1000", "--max-held-per-flow", "2"], "crr",
                lambda c, n: c["events_not_written"] > 0 and c["held_overflow"] > 0),
}
MAX_RATIO = float(os.environ.get("HOSTILE_MAX_RATIO", "2.0"))
# The SACK flood's frames carry 1000 bytes of data where crr's carry a few
# dozen, and reading and summing them is a fifth of its time (perf: read
# copies, fread, the checksum): it gets a quarter more. Measured at the stop
# that added fragment reassembly: the flood at 2.79-2.83 M frames per CPU
# second before and after, crr 5.38 M before and 5.79 M after (code layout),
# so the ratio went from 1.90-1.93 to 2.05-2.07 with no change in the flood.
# Then pcap files came to be read from a mapping: the flood 2.83 -> 3.20 M
# frames per CPU second, crr 5.67 -> 7.57 M, as the read no longer costs
# per frame and the flood's sums over 1000 bytes a frame stay what they
# were: 2.00 -> 2.37 with the flood faster. The mapping gave way to
# read() blocks parsed in place (capture/pcap_reader.h); on the PVM guest
# that measured it, the flood 3.19 M, crr 6.12 M: 1.92.
MAX_RATIO_OF = {"sackflood": float(os.environ.get("HOSTILE_MAX_RATIO", "2.6"))}
FLOW_BYTES, HELD_BYTES, ROUND_BYTES, SLACK = 2048, 72, 18, 16 << 20
DEFAULTS = {"--max-flows": 1000000, "--max-held": 8192, "--max-rounds": 1 << 23}


TOOL = None  # gen_hostile


def run(cmd):
    """Run cmd through gen_hostile --rss; (exit status, peak RSS bytes, seconds)."""
    t0 = time.monotonic()
    p = subprocess.run([TOOL, "--rss"] + cmd, capture_output=True, text=True)
    dt = time.monotonic() - t0
    status, kib = (int(x) for x in p.stdout.split()[-2:])
    if status != 0:
        sys.stdout.write(p.stderr[-2000:])
    return status, kib * 1024, dt


def capture_object(path):
    """The report's "capture" object, read from the end of the file (a SYN
    flood's report holds a million flows: too big to load whole)."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - (4 << 20)))
        tail = f.read().decode()
    i = tail.rindex('"capture":')
    cap, _ = json.JSONDecoder().raw_decode(tail, i + len('"capture":'))
    j = tail.index('"events":{', tail.index('"summary":', i))
    events, _ = json.JSONDecoder().raw_decode(tail, j + len('"events":'))
    cap["capture_lost"] = events["capture_loss"]
    return cap


def gen(tool, mode, path, frames):
    out = subprocess.run([tool, mode, path, "--packets", str(frames)], check=True,
                         capture_output=True, text=True)
    return int(out.stdout)


def cpu_seconds(cmd):
    """CPU time (user + system) of cmd and its children: less at the mercy
    of a busy machine's scheduler than wall time. From getrusage, in
    microseconds: os.times() counts clock ticks (10 ms), 5% of a 0.2 s run,
    enough to move a ratio across its limit. None when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    rc, _, _ = run(cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc != 0:
        return None
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def best_pps_pair(tcplens, a, na, b, nb, caps):
    """Frames per CPU second of captures a and b, best of 5 runs each, the
    runs interleaved (a b a b ...) so a slow spell of the machine hits both.
    One thread: the question is whether hostile input makes the analysis
    slower per frame, and the read-ahead thread (--threads 2) helps some
    traffic shapes more than others, which would blur the comparison."""
    best = [None, None]
    for _ in range(5):
        for k, pcap in enumerate((a, b)):
            t = cpu_seconds([tcplens, "--threads", "1", "-q", "-r", pcap, "-o", "/dev/null"] + caps)
            if t is None:
                return None, None
            t = max(t, 1e-3)
            best[k] = t if best[k] is None else min(best[k], t)
    return na / best[0], nb / best[1]


def rss_bound(base, caps, flows):
    """The pools at their caps (the flow pool: at most the flows seen)."""
    v = dict(DEFAULTS)
    for i in range(0, len(caps), 2):
        v[caps[i]] = int(caps[i + 1])
    return base + min(v["--max-flows"], flows) * FLOW_BYTES + v["--max-held"] * HELD_BYTES + \
        v["--max-rounds"] * ROUND_BYTES + SLACK


def main():
    global TOOL
    tcplens, tool, case = sys.argv[1:4]
    TOOL = tool
    sanitized = "--sanitized" in sys.argv[4:]
    scale = float(os.environ.get("HOSTILE_SCALE", "0.1" if sanitized else "1"))
    mode, frames, caps, normal, check = CASES[case]
    frames = max(2000, int(frames * scale))
    caps = caps(frames) if callable(caps) else caps
    fail = []
    with tempfile.TemporaryDirectory(prefix="tcplens-hostile-") as tmp:
        pcap, rep = os.path.join(tmp, mode + ".pcap"), os.path.join(tmp, "r.json")
        n = gen(tool, mode, pcap, frames)
        rc, rss, dt = run([tcplens, "-q", "-r", pcap, "--format", "json", "-o", rep] + caps)
        if rc != 0:
            print(f"FAIL: tcplens exited {rc} on {mode} ({n} frames)")
            return 1
        c = capture_object(rep)
        os.unlink(rep)
        keys = ("packets", "flows", "flows_evicted", "events_not_written", "held_overflow",
                "rounds_not_listed", "rounds_pool_full")
        print(f"{case}: {n} frames, {dt:.2f} s, peak RSS {rss / 2**20:.1f} MiB, caps {caps}: " +
              ", ".join(f"{k} {c[k]}" for k in keys))
        if c["packets"] != n:
            fail.append(f"report counts {c['packets']} packets, the capture has {n}")
        if not check(c, n):
            fail.append(f"the report does not count what the caps cut: {c}")
        if not sanitized:
            tiny = os.path.join(tmp, "tiny.pcap")
            gen(tool, "crr", tiny, 100)
            _, base, _ = run([tcplens, "-q", "-r", tiny, "--format", "json", "-o", "/dev/null"])
            bound = rss_bound(base, caps, c["flows"])
            print(f"  RSS bound {bound / 2**20:.1f} MiB (tiny capture {base / 2**20:.1f} MiB + caps)")
            if rss > bound:
                fail.append(f"peak RSS {rss} over the bound {bound}")
            npcap = os.path.join(tmp, normal + ".pcap")
            nn = gen(tool, normal, npcap, frames)
            hostile, ref = best_pps_pair(tcplens, pcap, n, npcap, nn, caps)
            limit = MAX_RATIO_OF.get(case, MAX_RATIO)
            if hostile is not None and ref is not None and hostile * limit < ref:
                # Over the limit once: measure again before failing. A slow
                # spell of a shared machine passes; a real slowdown stays.
                print(f"  {ref / hostile:.2f}x slower on the first five rounds: five more")
                h2, r2 = best_pps_pair(tcplens, pcap, n, npcap, nn, caps)
                if h2 is None or r2 is None:
                    hostile = ref = None
                else:
                    hostile, ref = max(hostile, h2), max(ref, r2)
            if hostile is None or ref is None:
                fail.append("tcplens failed during the timing runs")
            else:
                print(f"  throughput {hostile:,.0f} frames per CPU second, normal ({normal}) "
                      f"{ref:,.0f}: {ref / hostile:.2f}x slower (limit {limit}x)")
                if hostile * limit < ref:
                    fail.append(f"{ref / hostile:.2f}x slower than normal {normal} traffic")
    for m in fail:
        print("FAIL: " + m)
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
