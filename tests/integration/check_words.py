#!/usr/bin/env python3
"""tests/integration/check_words.py: every finding's words agree with its fields.

usage: check_words.py TCPLENS SAMPLES_DIR

For every capture in SAMPLES_DIR, tcplens writes the JSON report and the text
report. Then:

  1. Each diagnosis finding (summary.findings) counts what the events say:
     `count` equals the number of events of its kind (and cause, for stalls;
     of its host, for checksum findings), and the explanation's numbers are
     those counts: the count itself, for stalls the total and per-stall
     milliseconds, for retransmissions the number per cause, for SACK holes
     the number per filled_by. An explanation never says "nothing
     outstanding" of stalls that had bytes outstanding.
  2. Each evidence line of the text report ("frame N  flow F dir  ...") is an
     event of the JSON report with that frame, flow, direction and kind, and
     every field the line shows (seq, bytes, cause, fate, side, fill time,
     duration, outstanding bytes, segments, MSS, ...) equals the event's.
  3. Evidence lines are in frame order within each kind.

The JSON report is the reference: the words must say what it says.
"""
import collections
import json
import os
import re
import subprocess
import sys

failures = []
checked = collections.Counter()


def fail(sample, what):
    failures.append(f"{sample}: {what}")


def run(tcplens, path, fmt):
    r = subprocess.run([tcplens, "-r", path, "--format", fmt], capture_output=True, timeout=120)
    if r.returncode not in (0, 1):     # 1 = findings above the threshold, still a report
        raise RuntimeError(f"{path}: tcplens --format {fmt} exit {r.returncode}: {r.stderr[:300]}")
    return r.stdout.decode()


def host_of(doc, ev):
    fl = next(f for f in doc["flows"] if f["id"] == ev["flow"])
    ep = fl["client"] if ev["dir"] == "c2s" else fl["server"]
    return ep.rsplit(":", 1)[0].strip("[]")


def ints(text):
    return [int(x) for x in re.findall(r"(?<![\w.])(\d+)(?![\w.])", text)]


def check_findings(name, doc):
    evs = doc["events"]
    by_kind = collections.defaultdict(list)
    for e in evs:
        by_kind[e["kind"]].append(e)
    for f in doc["summary"]["findings"]:
        kind, cause, count, text = f["kind"], f.get("cause"), f["count"], f["explanation"]
        checked["findings"] += 1
        mine = by_kind[kind]
        if kind == "stall":
            mine = [e for e in mine if e["cause"] == cause]
        elif kind in ("csum_offload", "csum_bad", "giant_segment") and f.get("host"):
            if f["host"] != "other hosts":
                mine = [e for e in mine if host_of(doc, e) == f["host"]]
        if kind == "csum_offload" and f.get("host") is None:
            pass
        # events can be capped per flow; the summary's counts stay exact
        capped = doc["summary"].get("limits", {}).get("events_not_written", 0)
        if not capped and len(mine) != count:
            fail(name, f"finding {kind}/{cause}: count {count}, {len(mine)} events")
        if count not in ints(text):
            fail(name, f"finding {kind}/{cause}: count {count} not in its words: {text[:120]!r}")
        if kind == "stall" and mine:
            total = sum(e["duration_ms"] for e in mine)
            m = re.match(r"(\d+) stalls? \((\d+) ms in all, ~(\d+) ms each\)", text)
            if not m:
                fail(name, f"stall/{cause}: no 'N stalls (T ms in all, ~E ms each)': {text[:100]!r}")
            else:
                n, t, each = map(int, m.groups())
                if abs(t - total) > 1 or abs(each - total / len(mine)) > 1:
                    fail(name, f"stall/{cause}: words say {t} ms, ~{each} each; events sum "
                               f"{total:.1f} ms over {len(mine)}")
            out = sum(e["outstanding_bytes"] > 0 for e in mine)
            if out and re.search(r"nothing (was )?outstanding", text):
                fail(name, f"stall/{cause}: says nothing outstanding, {out} events carry bytes")
        if kind == "retransmission":
            cc = collections.Counter(e["cause"] for e in mine)
            for word, c in (("fast retransmit", "fast"), ("timeout (RTO)", "rto"),
                            ("tail loss probes", "tlp"), ("spurious", "spurious"),
                            ("undetermined", "unknown")):
                m = re.search(r"(\d+) [^,.;]*?" + re.escape(word), text)
                got = int(m.group(1)) if m else 0
                if got != cc.get(c, 0):
                    fail(name, f"retransmission: words say {got} {c}, events {cc.get(c, 0)}")
        if kind == "sack_gap":
            cc = collections.Counter(e["filled_by"] for e in mine)
            for word, c in (("by fast retransmit", "fast"), ("by a timeout", "rto"),
                            ("by a tail loss probe", "tlp"), ("by the original", "original"),
                            ("later, without a resend", "unknown"), ("never", "never")):
                m = re.search(r"(\d+) " + re.escape(word), text)
                got = int(m.group(1)) if m else 0
                if got != cc.get(c, 0):
                    fail(name, f"sack_gap: words say {got} filled {c}, events {cc.get(c, 0)}")


# What an evidence line shows of each kind: regex groups -> (field, type).
EVIDENCE = {
    "csum_offload": (r"(\w+) checksum (0x[0-9a-f]{4}), correct (0x[0-9a-f]{4}), side (\w+)$",
                     ["proto", "found", "expected", "side"]),
    "csum_bad": (r"(\w+) checksum (0x[0-9a-f]{4}), correct (0x[0-9a-f]{4}), fate (\w+)"
                 r"(?:, resent after ([\d.]+) ms)?$",
                 ["proto", "found", "expected", "fate", "resent_after_ms~1"]),
    "ip_csum_bad": (r"IPv4 header checksum (0x[0-9a-f]{4}), correct (0x[0-9a-f]{4})$",
                    ["found", "expected"]),
    "ip_csum_offload": (r"IPv4 header checksum (0x[0-9a-f]{4}), correct (0x[0-9a-f]{4}), side (\w+)$",
                        ["found", "expected", "side"]),
    "giant_segment": (r"(\d+) bytes?, MSS (\d+) \(([\d.]+) x MSS\), cause (\w+)$",
                      ["bytes", "mss", "multiple~1", "cause"]),
    "retransmission": (r"seq (\d+), (\d+) bytes?, cause (\w+)$", ["seq", "bytes", "cause"]),
    "capture_loss": (r"seq (\d+), (\d+) bytes? never captured$", ["seq", "bytes"]),
    "sack_gap": (r"seq (\d+), (\d+) bytes?, open ([\d.]+) ms, filled by (\w+)$",
                 ["seq", "bytes", "fill_ms~1", "filled_by"]),
    "stall": (r"([\d.]+) ms, cause (\w+), (\d+) bytes? outstanding, until frame (\d+)$",
              ["duration_ms~1", "cause", "outstanding_bytes", "end_frame"]),
    "initial_window": (r"(\d+) segments?, (\d+) bytes? \(MSS (\d+)\), limited by (\w+)$",
                       ["segments", "bytes", "mss", "limit"]),
    "cwnd_reduction": (r"(\d+) -> (\d+) bytes \(x([\d.]+)\)$",
                       ["before_bytes", "after_bytes", "ratio~2"]),
    "idle_restart": (r"idle ([\d.]+) ms, window (\d+) -> (\d+) bytes$",
                     ["idle_ms~1", "before_bytes", "after_bytes"]),
    "syn_retransmit": (r"retry (\d+), ([\d.]+) ms after the previous, (SYN-ACK|SYN)$",
                       ["attempt", "after_ms~1", "synack"]),
    "zero_window": (r"window 0 advertised$", []),
    "rst": (r"reset$", []),
}
# Every count is followed by its noun in the right number ("1 byte", "2 bytes").
PLURAL = re.compile(r"(?<![\w.])(\d+) (byte|segment)(s?)\b")


def same(field, want, got):
    if "~" in field:
        digits = int(field.split("~")[1])
        return abs(float(got) - float(want)) <= 0.51 * 10 ** -digits
    if isinstance(want, bool):
        return want == (got == "SYN-ACK")
    if isinstance(want, int):
        return int(got) == want
    return str(want) == got


def check_evidence(name, doc, text):
    events = collections.defaultdict(list)
    for e in doc["events"]:
        events[(e["kind"], e["frame"], e["flow"], e["dir"])].append(e)
    if "\nEvidence" not in text:
        return
    body = text.split("\nEvidence", 1)[1].split("\n\n", 1)[0]
    kind, last_frame = None, -1
    for line in body.splitlines()[1:]:
        m = re.match(r"  (\w+) \((\d+)\):$", line)
        if m:
            kind, last_frame = m.group(1), -1
            continue
        m = re.match(r"    frame (\d+)\s+flow (\d+) (c2s|s2c)\s+(.*)$", line)
        if not m or kind is None:
            continue
        frame, flow, d, brief = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        checked["evidence lines"] += 1
        if frame < last_frame:
            fail(name, f"evidence {kind}: frame {frame} after frame {last_frame}")
        last_frame = frame
        cands = events.get((kind, frame, flow, d), [])
        if not cands:
            fail(name, f"evidence {kind} frame {frame} flow {flow} {d}: no such JSON event")
            continue
        pat, fields = EVIDENCE[kind]
        mm = re.match(pat, brief)
        if not mm:
            fail(name, f"evidence {kind} frame {frame}: unexpected words {brief!r}")
            continue
        for num, noun, s_ in PLURAL.findall(brief):
            if (num == "1") != (s_ == ""):
                fail(name, f"evidence {kind} frame {frame}: '{num} {noun}{s_}' in {brief!r}")

        def shows(e, fld, g):
            key = fld.split("~")[0]
            if g is None:       # an optional field the line leaves out: so does the JSON
                return key not in e
            return key in e and same(fld, e[key], g)
        if not any(all(shows(e, fld, g) for fld, g in zip(fields, mm.groups())) for e in cands):
            fail(name, f"evidence {kind} frame {frame}: {brief!r} is not the JSON event "
                       f"{json.dumps(cands[0])[:200]}")


def main():
    tcplens, sdir = sys.argv[1], sys.argv[2]
    names = sorted(f for f in os.listdir(sdir) if f.endswith((".pcap", ".pcapng")))
    for f in names:
        path = os.path.join(sdir, f)
        doc = json.loads(run(tcplens, path, "json"))
        text = run(tcplens, path, "text")
        check_findings(f, doc)
        check_evidence(f, doc, text)
        checked["captures"] += 1
    for line in failures:
        print("FAIL:", line)
    print(f"{checked['captures']} captures, {checked['findings']} findings, "
          f"{checked['evidence lines']} evidence lines: {len(failures)} disagreements")
    return 1 if failures or not checked["evidence lines"] else 0


if __name__ == "__main__":
    sys.exit(main())
