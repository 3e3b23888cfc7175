#!/usr/bin/env python3
"""samples/lab/ss_sampler.py: the kernel's own view of a sender, every ~10 ms.

Run it inside the sender's namespace (ip netns exec NS ss_sampler.py ...). It
runs `ss -tinHO` (iproute2) for the sockets whose local or remote port is
--port, every --interval seconds, until SIGTERM/SIGINT, then writes --out:

  {"tool": "ss -tinHO ...", "clock": "CLOCK_REALTIME", "interval_s": ...,
   "samples_total": N, "polls": P,
   "connections": [{"local": "ip:port", "peer": "ip:port",
                    "columns": ["t", "dt_ms", "state", "cc", "cwnd", ...],
                    "rows": [[...], ...]}]}

`t` is the wall clock (time.time(), CLOCK_REALTIME: the clock tcpdump stamps
packets with) half-way between the start and the end of that ss run; `dt_ms`
is how long the run took (the kernel's snapshot lies in [t - dt/2, t + dt/2]).
Columns are the ss -i fields (cwnd/ssthresh/unacked... in segments, rtt in
ms, rates in bit/s, bytes_* in bytes); null where ss did not print the field
(ssthresh before the first reduction, bbr_* for other algorithms).
--raw FILE keeps every ss line as printed, prefixed with its `t`.
"""
import argparse
import json
import re
import signal
import subprocess
import time

COLUMNS = ["t", "dt_ms", "state", "cc", "cwnd", "ssthresh", "mss", "rtt", "rttvar",
           "minrtt", "rto", "unacked", "retrans", "retrans_total", "lost", "sacked",
           "bytes_sent", "bytes_acked", "bytes_retrans", "delivered", "app_limited",
           "pacing_rate", "delivery_rate", "rwnd_limited_ms", "sndbuf_limited_ms",
           "snd_wnd", "notsent", "lastsnd", "lastack", "advmss", "rcvmss",
           "rcv_space", "rcv_ssthresh", "bytes_received", "segs_out", "segs_in",
           "data_segs_out", "send_rate",
           "bbr_bw", "bbr_mrtt", "bbr_pacing_gain", "bbr_cwnd_gain"]
STATES = {"ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
          "CLOSE-WAIT", "LAST-ACK", "CLOSING", "CLOSED", "LISTEN", "UNCONN"}
CCS = {"reno", "cubic", "bbr", "bbr2", "bbr3", "dctcp", "vegas", "westwood", "htcp", "bic"}
UNIT = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}


def rate(s):
    m = re.match(r"([\d.]+)([KMG]?)bps", s)
    return int(float(m.group(1)) * UNIT[m.group(2)]) if m else None


def num(s):
    try:
        return int(s)
    except ValueError:
        try:
            return float(s)
        except ValueError:
            return s


def parse_line(line):
    tok = line.split()
    if not tok:
        return None
    i = 0
    rec = {}
    if tok[0] in STATES:
        rec["state"] = tok[0]
        i = 1
    # Recv-Q Send-Q Local Peer
    if len(tok) < i + 4:
        return None
    local, peer = tok[i + 2], tok[i + 3]
    i += 4
    while i < len(tok):
        t = tok[i]
        if t in CCS:
            rec["cc"] = t
        elif t in ("send", "pacing_rate", "delivery_rate") and i + 1 < len(tok):
            rec["send_rate" if t == "send" else t] = rate(tok[i + 1])
            i += 1
        elif t == "app_limited":
            rec["app_limited"] = 1
        elif t.startswith("bbr:("):
            for kv in t[5:].rstrip(")").split(","):
                k, _, v = kv.partition(":")
                if k == "bw":
                    rec["bbr_bw"] = rate(v)
                elif k in ("mrtt", "pacing_gain", "cwnd_gain"):
                    rec["bbr_" + k] = num(v)
        elif ":" in t:
            k, _, v = t.partition(":")
            if k == "rtt":
                a, _, b = v.partition("/")
                rec["rtt"], rec["rttvar"] = num(a), num(b) if b else None
            elif k == "retrans":
                a, _, b = v.partition("/")
                rec["retrans"], rec["retrans_total"] = num(a), num(b)
            elif k in ("rwnd_limited", "sndbuf_limited"):
                m = re.match(r"(\d+)ms", v)
                rec[k + "_ms"] = int(m.group(1)) if m else None
            else:
                rec[k] = num(v)
        i += 1
    rec.setdefault("app_limited", 0)
    return local, peer, rec


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True, help="sockets with this local or remote port")
    p.add_argument("--interval", type=float, default=0.010)
    p.add_argument("--out", required=True)
    p.add_argument("--raw", help="every ss line, prefixed by its t")
    p.add_argument("--ready", help="file written once the first poll ran")
    args = p.parse_args()

    filt = "( sport = :%d or dport = :%d )" % (args.port, args.port)
    cmd = ["ss", "-tinHO", filt]
    conns = {}
    polls = 0
    errors, empty, error_msgs = 0, 0, []
    running = [True]

    def stop(*_):
        running[0] = False
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    raw = open(args.raw, "w") if args.raw else None
    nxt = time.monotonic()
    while running[0]:
        t0 = time.time()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        out = proc.stdout
        t1 = time.time()
        polls += 1
        if proc.returncode != 0 or proc.stderr.strip():
            errors += 1
            if len(error_msgs) < 5:
                error_msgs.append("%.6f rc=%d %s" % (t1, proc.returncode, proc.stderr.strip()[:200]))
        if not out.strip():
            empty += 1
        t = round((t0 + t1) / 2, 6)
        for line in out.splitlines():
            if raw:
                raw.write("%.6f %s\n" % (t, line))
            r = parse_line(line)
            if not r:
                continue
            local, peer, rec = r
            rec["t"], rec["dt_ms"] = t, round((t1 - t0) * 1000, 2)
            conns.setdefault((local, peer), []).append([rec.get(c) for c in COLUMNS])
        if polls == 1 and args.ready:
            with open(args.ready, "w") as f:
                f.write("ready\n")
        nxt += args.interval
        delay = nxt - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            nxt = time.monotonic()
    if raw:
        raw.close()
    doc = {"tool": " ".join(cmd[:2]) + " '" + filt + "'", "clock": "CLOCK_REALTIME (time.time())",
           "interval_s": args.interval, "polls": polls, "polls_empty": empty,
           "ss_errors": errors, "ss_error_msgs": error_msgs,
           "samples_total": sum(len(v) for v in conns.values()),
           "connections": [{"local": k[0], "peer": k[1], "columns": COLUMNS, "rows": v}
                           for k, v in conns.items()]}
    with open(args.out, "w") as f:
        # compact: one row per line
        f.write("{\n")
        for k in ("tool", "clock", "interval_s", "polls", "polls_empty", "ss_errors", "ss_error_msgs",
                  "samples_total"):
            f.write(" %s: %s,\n" % (json.dumps(k), json.dumps(doc[k])))
        f.write(' "connections": [\n')
        for ci, c in enumerate(doc["connections"]):
            f.write('  {"local": %s, "peer": %s,\n   "columns": %s,\n   "rows": [\n'
                    % (json.dumps(c["local"]), json.dumps(c["peer"]), json.dumps(c["columns"])))
            f.write(",\n".join("    " + json.dumps(r, separators=(",", ":")) for r in c["rows"]))
            f.write("\n   ]}%s\n" % ("," if ci + 1 < len(doc["connections"]) else ""))
        f.write(" ]\n}\n")


if __name__ == "__main__":
    main()
