#!/usr/bin/env python3
"""
tests/hostile/measure.py TCPLENS GEN_HOSTILE [SCALE]

The memory figures of bench/RESULTS.md: every hostile case of hostile.py at
SCALE times its CI size (default 1), through tcplens with the case's caps and
with the defaults (no option); a markdown table of peak RSS, wall time and
what the caps cut. Captures go to a temporary directory, one at a time.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile  # noqa: E402


def main():
    tcplens, tool = sys.argv[1:3]
    scale = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    hostile.TOOL = tool
    print("| case | frames | caps | peak RSS MiB | wall s | flows | evicted | held_overflow "
          "| rounds_pool_full | events_not_written |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for case, (mode, frames, caps, _, _) in hostile.CASES.items():
        frames = max(2000, int(frames * scale))
        caps = caps(frames) if callable(caps) else caps
        with tempfile.TemporaryDirectory(prefix="tcplens-measure-") as tmp:
            pcap, rep = os.path.join(tmp, "h.pcap"), os.path.join(tmp, "r.json")
            n = hostile.gen(tool, mode, pcap, frames)
            for label, opts in (" ".join(caps), caps), ("defaults", []):
                rc, rss, dt = hostile.run([tcplens, "-q", "-r", pcap, "--format", "json",
                                           "-o", rep] + opts)
                if rc != 0:
                    print(f"| {case} | {n} | {label} | exit {rc} | | | | | | |")
                    continue
                c = hostile.capture_object(rep)
                os.unlink(rep)
                print(f"| {case} | {n} | {label} | {rss / 2**20:.1f} | {dt:.2f} | {c['flows']} "
                      f"| {c['flows_evicted']} | {c['held_overflow']} | {c['rounds_pool_full']} "
                      f"| {c['events_not_written']} |", flush=True)


if __name__ == "__main__":
    main()
