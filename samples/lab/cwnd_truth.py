#!/usr/bin/env python3
"""samples/lab/cwnd_truth.py: truth pieces for the congestion-window samples,
taken from the kernel's own numbers (ss_sampler.py output) and the scenario.
Nothing here looks at the capture.

  merge-ss OUT ROLE=FILE...     one sidecar (NAME.ss.json) from the samplers'
                                files, rows kept one per line
  iw SERVER_SS --server IP:PORT --client IP:PORT --bytes N --initcwnd K
     [--initrwnd R] [--client-ss FILE]
                                the server's first flight as ss saw it (the
                                last sample after data was sent and before
                                the first data was acknowledged), its limit,
                                checked against the scenario (exit 1 if the
                                kernel did not do what the scenario intends)
  cc SENDER_SS --sender IP:PORT --peer IP:PORT --cc NAME
                                sample counts, cwnd range, every ssthresh
                                change (a reduction: the kernel's ratio
                                new ssthresh / cwnd just before)
  idle SENDER_SS CLIENT_JSON --sender IP:PORT --peer IP:PORT --ssai 0|1
                                per idle gap: cwnd/ssthresh/rto in the gap,
                                cwnd right after the next burst started
"""
import argparse
import json
import math
import sys


def load_conn(path, local=None, peer=None):
    d = json.load(open(path))
    for c in d["connections"]:
        if (local is None or c["local"] == local) and (peer is None or c["peer"] == peer):
            cols = c["columns"]
            return d, [dict(zip(cols, r)) for r in c["rows"]]
    sys.exit("%s: no connection %s -> %s" % (path, local, peer))


def dump_compact(doc, path):
    """JSON with every list of scalars on one line."""
    rows = {}

    def sub(o):
        if isinstance(o, list) and o and all(not isinstance(x, (list, dict)) for x in o):
            k = "@@ROW%d@@" % len(rows)
            rows[k] = json.dumps(o, separators=(",", ":"))
            return k
        if isinstance(o, list):
            return [sub(x) for x in o]
        if isinstance(o, dict):
            return {k: sub(v) for k, v in o.items()}
        return o
    text = json.dumps(sub(doc), indent=1, sort_keys=True)
    for k, v in rows.items():
        text = text.replace('"%s"' % k, v, 1)
    with open(path, "w") as f:
        f.write(text + "\n")


def merge_ss(args):
    doc = {"what": "The kernel's view (ss -tinHO, iproute2 %s) of every socket on the sample's port, "
                   "polled every ~10 ms inside each namespace. t = CLOCK_REALTIME seconds (the clock "
                   "of the capture's timestamps), half-way through the ss run; dt_ms = ss run time. "
                   "cwnd, ssthresh, unacked, retrans, lost, sacked, delivered in segments; mss, "
                   "bytes_*, snd_wnd, rcv_* in bytes; rtt, rttvar, minrtt, rto, lastsnd, lastack in "
                   "ms; rates in bit/s; null = not printed by ss (e.g. ssthresh before the first "
                   "reduction, bbr_* for other algorithms)." % "6.1.0",
           "namespaces": {}}
    for item in args.items:
        role, _, path = item.partition("=")
        doc["namespaces"][role] = json.load(open(path))
    dump_compact(doc, args.out)


def first_flight(rows):
    """Samples after the first data byte left and before any data was acked."""
    data = [r for r in rows if (r.get("bytes_sent") or 0) > 0]
    if not data:
        return None, []
    base = data[0].get("bytes_acked") or 0
    # bytes_acked counts only data; a first sample may already be later than
    # the first ACK if it is > base, so require bytes_acked <= 1 (SYN) too
    flight = [r for r in data if (r.get("bytes_acked") or 0) <= max(base, 1) and (r.get("bytes_acked") or 0) <= 1]
    return data[0], flight


def iw(args):
    _, rows = load_conn(args.server_ss, args.server, args.client)
    first, flight = first_flight(rows)
    out = {"initcwnd_route": args.initcwnd, "initrwnd_route_client": args.initrwnd,
           "response_bytes": args.bytes, "server_samples": len(rows)}
    if not flight:
        sys.exit("no ss sample of the server between its first data and the first ACK")
    s = flight[-1]
    mss = s["mss"]
    keep = ["t", "dt_ms", "state", "cc", "cwnd", "ssthresh", "mss", "advmss", "rtt", "rto",
            "unacked", "bytes_sent", "bytes_acked", "snd_wnd", "notsent", "lastsnd", "app_limited",
            "pacing_rate", "data_segs_out"]
    out["ss_server_first_flight"] = {k: s.get(k) for k in keep}
    out["ss_server_first_flight_samples"] = len(flight)
    before = [r for r in rows if (r.get("bytes_sent") or 0) == 0 and r.get("state") == "ESTAB"]
    if before:
        out["ss_server_before_data"] = {k: before[-1].get(k) for k in keep}
    if args.client_ss:
        _, crows = load_conn(args.client_ss, args.client, args.server)
        ck = ["t", "state", "mss", "advmss", "rcvmss", "rcv_space", "rcv_ssthresh", "bytes_received"]
        est = [r for r in crows if r.get("state") == "ESTAB"] or crows
        out["ss_client_first_estab"] = {k: est[0].get(k) for k in ck}
        out["client_samples"] = len(crows)
    segs = s["unacked"]
    sent = s["bytes_sent"]
    cwnd = s["cwnd"]
    wnd = s.get("snd_wnd")
    if sent >= args.bytes and segs < cwnd:
        limit = "app"
    elif wnd is not None and wnd < cwnd * mss and sent + mss > wnd:
        limit = "rwnd"
    elif segs >= cwnd:
        limit = "cwnd"
    else:
        limit = "unknown"
    # what the scenario intends
    want_cwnd = args.initcwnd
    want_app = math.ceil(args.bytes / mss)
    want_rwnd = (args.initrwnd * (s.get("advmss") or 1460)) // mss if args.initrwnd else None
    cands = [("cwnd", want_cwnd), ("app", want_app)] + ([("rwnd", want_rwnd)] if want_rwnd else [])
    want_limit, want_segs = min(cands, key=lambda x: x[1])
    out["scenario_expects"] = {"segments": want_segs, "limit": want_limit,
                               "rule": "min(initcwnd %d, client window %s, ceil(%d / mss %d) = %d)" %
                                       (want_cwnd, "%s x advmss -> %s segs" % (args.initrwnd, want_rwnd)
                                        if want_rwnd else "large", args.bytes, mss, want_app)}
    expect = {"initial_window": {
        "segments": segs, "bytes": sent, "limit": limit, "cwnd": cwnd, "mss": mss,
        "snd_wnd": wnd,
        "source": "the server's ss sample at t=%.6f (unacked = segments in flight, bytes_sent, cwnd, "
                  "snd_wnd = the client's advertised window as the server holds it)" % s["t"]}}
    if args.expect_out:
        with open(args.expect_out, "w") as f:
            json.dump(expect, f, indent=1, sort_keys=True)
    if (limit, segs) != (want_limit, want_segs):
        print(json.dumps(out, indent=1), file=sys.stderr)
        sys.exit("kernel first flight %d segs (%s) != scenario %d segs (%s)" % (segs, limit, want_segs, want_limit))
    print(json.dumps(out, indent=1, sort_keys=True))


def reductions(rows, cc=None):
    """Every change of the kernel's ssthresh between two samples. kind:
    reduction (new ssthresh < 0.9 x cwnd before: a loss response, ratio ~beta),
    slow_start_exit (ssthresh set at about cwnd without a cut: CUBIC HyStart,
    see kernel TcpExtTCPHystart*), bbr_startup_exit (BBR sets ssthresh to its
    BDP estimate when Startup ends; it never uses it as a loss response)."""
    ev = []
    prev = None
    for r in rows:
        if prev is not None and r.get("ssthresh") != prev.get("ssthresh") and r.get("ssthresh") is not None:
            cb = prev.get("cwnd")
            ev.append({"t": r["t"], "t_prev_sample": prev["t"], "cwnd_before": cb,
                       "ssthresh_before": prev.get("ssthresh"), "ssthresh_after": r["ssthresh"],
                       "cwnd_after": r.get("cwnd"),
                       "ratio_ssthresh_to_cwnd_before": round(r["ssthresh"] / cb, 3) if cb else None,
                       "retrans_total": r.get("retrans_total"), "lost": r.get("lost")})
            e = ev[-1]
            if cc == "bbr":
                e["kind"] = "bbr_startup_exit"
            elif cb and r["ssthresh"] >= 0.9 * cb:
                e["kind"] = "slow_start_exit"
            else:
                e["kind"] = "reduction"
        prev = r
    return ev


def cc(args):
    d, rows = load_conn(args.sender_ss, args.sender, args.peer)
    est = [r for r in rows if r.get("state") == "ESTAB"]
    ccs = sorted({r.get("cc") for r in rows if r.get("cc")})
    cw = [r["cwnd"] for r in est if r.get("cwnd") is not None]
    dts = sorted(b["t"] - a["t"] for a, b in zip(rows, rows[1:]))
    out = {"samples": len(rows), "samples_estab": len(est), "polls": d["polls"],
           "t_first": rows[0]["t"], "t_last": rows[-1]["t"],
           "sample_interval_ms": {"median": round(dts[len(dts) // 2] * 1000, 2) if dts else None,
                                  "max": round(dts[-1] * 1000, 2) if dts else None},
           "sampling_gaps_over_20ms": sum(1 for x in dts if x > 0.020),
           "ss_run_ms_max": max(r["dt_ms"] for r in rows),
           "cc_seen": ccs, "cc_set": args.cc,
           "cwnd_min": min(cw), "cwnd_max": max(cw), "mss": est[-1].get("mss") if est else None,
           "ssthresh_changes": reductions(rows, args.cc),
           "last": {k: rows[-1].get(k) for k in ("t", "state", "cwnd", "ssthresh", "retrans_total",
                                                   "bytes_sent", "bytes_acked", "bytes_retrans",
                                                   "delivered", "minrtt", "rtt")}}
    red = [e for e in out["ssthresh_changes"] if e["kind"] == "reduction"]
    out["reductions_seen_by_ss"] = len(red)
    if red:
        rs = sorted(e["ratio_ssthresh_to_cwnd_before"] for e in red)
        out["reduction_ratio_median"] = rs[len(rs) // 2]
    if dts and dts[-1] > 0.1:
        sys.exit("ss sampling gap of %.0f ms (> 100 ms): run again" % (dts[-1] * 1000))
    if ccs != [args.cc]:
        sys.exit("ss saw congestion control %s, wanted %s" % (ccs, args.cc))
    print(json.dumps(out, indent=1, sort_keys=True))


def idle(args):
    d, rows = load_conn(args.sender_ss, args.sender, args.peer)
    cl = json.load(open(args.client_json))
    if "bursts" in cl:
        bursts = cl["bursts"]
    else:
        # reqresp-client: each response is a burst of the server's, sent
        # when the request arrived and fully received at t_end (acknowledged
        # at the server half an RTT later: the gap samples come after it)
        ex = next(c for c in cl["connections"] if c["kind"] == "persistent")["exchanges"]
        bursts = [{"t_start": e["t_start"], "t_acked": e["t_end"]} for e in ex]
    gaps = []
    keep = ["t", "cwnd", "ssthresh", "rto", "rtt", "unacked", "bytes_sent", "lastsnd"]
    for i, b in enumerate(bursts[:-1]):
        nxt = bursts[i + 1]
        in_gap = [r for r in rows if b["t_acked"] <= r["t"] < nxt["t_start"]]
        after = [r for r in rows if r["t"] >= nxt["t_start"]
                 and (r.get("bytes_sent") or 0) > (in_gap[-1]["bytes_sent"] if in_gap else 0)]
        g = {"gap": i + 1, "idle_s_app": round(nxt["t_start"] - b["t_acked"], 4),
             "samples_in_gap": len(in_gap)}
        if in_gap:
            g["ss_in_gap_last"] = {k: in_gap[-1].get(k) for k in keep}
            rto = in_gap[-1].get("rto")
            # idle as the kernel counts it: from the last send (lastsnd ms ago
            # at that sample) to the next burst's first send
            g["idle_s_since_last_send"] = round(nxt["t_start"] - (in_gap[-1]["t"] - (in_gap[-1].get("lastsnd") or 0) / 1000.0), 4)
            g["rtos_elapsed"] = round(g["idle_s_since_last_send"] * 1000 / rto, 2) if rto else None
        if after:
            g["ss_first_after_restart"] = {k: after[0].get(k) for k in keep}
            g["ss_first_after_restart"]["t_since_burst_start_ms"] = round((after[0]["t"] - nxt["t_start"]) * 1000, 2)
        if in_gap and after:
            c0, c1 = in_gap[-1]["cwnd"], after[0]["cwnd"]
            g["cwnd_before_idle"], g["cwnd_after_idle"] = c0, c1
            g["cwnd_ratio"] = round(c1 / c0, 3)
        gaps.append(g)
    dts = [b["t"] - a["t"] for a, b in zip(rows, rows[1:])]
    out = {"tcp_slow_start_after_idle": args.ssai, "samples": len(rows), "polls": d["polls"],
           "sample_interval_ms_max": round(max(dts) * 1000, 2) if dts else None,
           "sampling_gaps_over_20ms": sum(1 for x in dts if x > 0.020),
           "cc_seen": sorted({r.get("cc") for r in rows if r.get("cc")}),
           "gaps": gaps}
    bad = [g["gap"] for g in gaps if "cwnd_after_idle" not in g]
    if bad:
        print(json.dumps(out, indent=1), file=sys.stderr)
        sys.exit("no ss sample in or right after idle gap(s) %s: run again" % bad)
    print(json.dumps(out, indent=1, sort_keys=True))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("merge-ss")
    sp.add_argument("out")
    sp.add_argument("items", nargs="+")
    sp = sub.add_parser("iw")
    sp.add_argument("server_ss")
    sp.add_argument("--server", required=True)
    sp.add_argument("--client", required=True)
    sp.add_argument("--bytes", type=int, required=True)
    sp.add_argument("--initcwnd", type=int, required=True)
    sp.add_argument("--initrwnd", type=int)
    sp.add_argument("--client-ss")
    sp.add_argument("--expect-out", help="write the expect object here")
    sp = sub.add_parser("cc")
    sp.add_argument("sender_ss")
    sp.add_argument("--sender", required=True)
    sp.add_argument("--peer", required=True)
    sp.add_argument("--cc", required=True)
    sp = sub.add_parser("idle")
    sp.add_argument("sender_ss")
    sp.add_argument("client_json")
    sp.add_argument("--sender", required=True)
    sp.add_argument("--peer", required=True)
    sp.add_argument("--ssai", type=int, required=True)
    args = p.parse_args()
    {"merge-ss": merge_ss, "iw": iw, "cc": cc, "idle": idle}[args.cmd](args)


if __name__ == "__main__":
    main()
