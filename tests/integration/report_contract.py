"""
tests/integration/report_contract.py — the JSON report contract of
../shared/design.md (schema 1), as a checker: validate(doc) returns a list of
problems, empty when the report keeps the contract. Used by the golden and
cross-check tests; importable by any script that consumes reports.
"""

KINDS = {
    "csum_offload": {"proto": {"tcp", "udp"}, "found": str, "expected": str,
                     "side": {"tx", "rx", "unknown"}},
    "csum_bad": {"proto": {"tcp", "udp"}, "found": str, "expected": str,
                 "fate": {"dropped", "accepted", "unknown"}},
    "ip_csum_bad": {"found": str, "expected": str},
    # an extension of design.md's list (README, "The JSON report"): a field of 0x0000
    "ip_csum_offload": {"found": str, "expected": str, "side": {"tx", "unknown"}},
    "giant_segment": {"bytes": int, "mss": int, "multiple": (int, float),
                      "cause": {"tso_gso", "gro_lro", "unknown"}},
    "retransmission": {"seq": int, "bytes": int,
                       "cause": {"fast", "rto", "tlp", "spurious", "unknown"}},
    # filled_by "unknown": filled with no resend seen (the original arrived
    # late, or the capture missed the resend) -- an extension of design.md
    "sack_gap": {"seq": int, "bytes": int, "fill_ms": (int, float),
                 "filled_by": {"fast", "rto", "tlp", "never", "unknown", "original"}},
    "capture_loss": {"seq": int, "bytes": int},
    "stall": {"duration_ms": (int, float), "outstanding_bytes": int, "end_frame": int,
              # tlp and unknown: extensions of design.md (README, stall.h)
              "cause": {"delayed_ack", "cork", "sender_limited", "rto", "zero_window",
                        "receiver_limited", "app_idle", "tlp", "unknown"}},
    "initial_window": {"segments": int, "bytes": int, "mss": int,
                       "limit": {"cwnd", "rwnd", "app", "pacing"}},
    "cwnd_reduction": {"before_bytes": int, "after_bytes": int, "ratio": (int, float)},
    "idle_restart": {"idle_ms": (int, float), "before_bytes": int, "after_bytes": int},
    "zero_window": {},
    "syn_retransmit": {"attempt": int, "after_ms": (int, float), "synack": bool},
    "rst": {},
}
SEVERITIES = {"info", "low", "medium", "high"}


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_fields(where, obj, spec, problems):
    for key, want in spec.items():
        if key not in obj:
            problems.append(f"{where}: missing '{key}'")
            continue
        v = obj[key]
        if isinstance(want, set):
            if v not in want:
                problems.append(f"{where}: '{key}' = {v!r} not in {sorted(want)}")
        elif want is int:
            if not isinstance(v, int) or isinstance(v, bool):
                problems.append(f"{where}: '{key}' should be an integer, is {v!r}")
        elif want is bool:
            if not isinstance(v, bool):
                problems.append(f"{where}: '{key}' should be a boolean, is {v!r}")
        elif want is str:
            if not isinstance(v, str):
                problems.append(f"{where}: '{key}' should be a string, is {v!r}")
        elif isinstance(want, tuple):
            if not _num(v):
                problems.append(f"{where}: '{key}' should be a number, is {v!r}")


def validate_event(ev, flow_ids, where="event"):
    problems = []
    _check_fields(where, ev, {"ts": (int, float), "frame": int, "dir": {"c2s", "s2c"},
                              "kind": set(KINDS)}, problems)
    if "flow" not in ev or not (ev["flow"] is None or isinstance(ev["flow"], int)):
        problems.append(f"{where}: 'flow' must be an id or null")
    elif ev["flow"] is not None and flow_ids is not None and ev["flow"] not in flow_ids:
        problems.append(f"{where}: flow {ev['flow']} is not in the flow list")
    if isinstance(ev.get("frame"), int) and ev["frame"] < 1:
        problems.append(f"{where}: frame numbers are 1-based")
    if ev.get("kind") in KINDS:
        _check_fields(f"{where} ({ev['kind']})", ev, KINDS[ev["kind"]], problems)
    return problems


def validate_flow(fl, where="flow"):
    problems = []
    _check_fields(where, fl, {"id": int, "proto": {"tcp", "udp"}, "client": str,
                              "server": str, "packets": int, "bytes": int}, problems)
    # "encap" (an extension of design.md, README): the tunnel a flow rides in
    enc = fl.get("encap")
    if enc is not None:
        ids = {"vxlan": "vni", "geneve": "vni", "gtpu": "teid", "gre": "key", "erspan": "session",
               "ipip": None}
        _check_fields(f"{where} encap", enc, {"kind": set(ids) | {"tunnel"}}, problems)
        if enc.get("kind") in ids:
            if ids[enc["kind"]]:
                _check_fields(f"{where} encap", enc, {ids[enc["kind"]]: int}, problems)
            if not (isinstance(enc.get("outer"), list) and len(enc["outer"]) == 2
                    and all(isinstance(a, str) for a in enc["outer"])):
                problems.append(f"{where} encap: outer must be the two tunnel endpoints")
        if enc.get("kind") in ("vxlan", "geneve", "gtpu"):
            oc = enc.get("outer_udp_checksums")
            if not isinstance(oc, dict) or not all(isinstance(oc.get(k), int) for k in ("lco", "seed", "bad")):
                problems.append(f"{where} encap: outer_udp_checksums must count lco, seed, bad")
    if fl.get("proto") != "tcp":
        return problems
    for key in ("mss", "initial_window", "cwnd_rounds"):
        if not isinstance(fl.get(key), dict) or set(fl[key]) < {"c2s", "s2c"}:
            problems.append(f"{where}: '{key}' must be an object with c2s and s2c")
    rtt = fl.get("rtt_ms")
    if not isinstance(rtt, dict) or not {"min", "p50", "max"} <= set(rtt):
        problems.append(f"{where}: rtt_ms must have min, p50, max")
    elif rtt["min"] is not None and not (rtt["min"] <= rtt["p50"] <= rtt["max"]):
        problems.append(f"{where}: rtt_ms not ordered: {rtt}")
    _check_fields(where, fl, {"retransmissions": int,
                              "cc_guess": {"reno", "cubic", "bbr", "unknown"}}, problems)
    st = fl.get("stalls")
    if not isinstance(st, dict) or not {"count", "total_ms", "by_cause"} <= set(st):
        problems.append(f"{where}: stalls must have count, total_ms, by_cause")
    for d in ("c2s", "s2c"):
        iw = (fl.get("initial_window") or {}).get(d)
        if iw is not None:
            _check_fields(f"{where} initial_window.{d}", iw,
                          {"segments": int, "bytes": int,
                           "limit": {"cwnd", "rwnd", "app", "pacing"}}, problems)
        for i, rnd in enumerate((fl.get("cwnd_rounds") or {}).get(d) or []):
            _check_fields(f"{where} cwnd_rounds.{d}[{i}]", rnd,
                          # "pacing" (BBR paces below its cwnd): an extension of design.md
                          {"t": (int, float), "flight_bytes": int, "flight_segments": int,
                           "limit": {"cwnd", "rwnd", "app", "pacing"},
                           "phase": {"slow_start", "congestion_avoidance", "recovery", "app"}},
                          problems)
    return problems


def validate(doc):
    """Problems with a whole schema-1 report document (empty list = valid)."""
    problems = []
    if not isinstance(doc, dict):
        return ["report is not a JSON object"]
    _check_fields("report", doc, {"tcplens": str, "schema": int}, problems)
    if doc.get("schema") != 1:
        problems.append(f"report: schema {doc.get('schema')!r}, expected 1")
    src = doc.get("source")
    if not isinstance(src, dict) or not {"kind", "name", "linktype"} <= set(src):
        problems.append("report: source must have kind, name, linktype")
    cap = doc.get("capture")
    if not isinstance(cap, dict):
        problems.append("report: capture missing")
    else:
        _check_fields("capture", cap, {"packets": int, "bytes": int, "tcp_segments": int},
                      problems)
        for k in ("first_ts", "last_ts", "kernel_drops"):
            if k not in cap:
                problems.append(f"capture: missing '{k}'")
    flows = doc.get("flows")
    ids = set()
    if not isinstance(flows, list):
        problems.append("report: flows must be a list")
        flows = []
    for fl in flows:
        problems += validate_flow(fl, f"flow {fl.get('id')}")
        ids.add(fl.get("id"))
    if len(ids) != len(flows):
        problems.append("report: flow ids are not unique")
    events = doc.get("events")
    if not isinstance(events, list):
        problems.append("report: events must be a list")
        events = []
    for i, ev in enumerate(events):
        problems += validate_event(ev, ids, f"event {i} (frame {ev.get('frame')})")
    summ = doc.get("summary")
    if not isinstance(summ, dict) or not isinstance(summ.get("events"), dict) \
            or not isinstance(summ.get("findings"), list):
        problems.append("report: summary must have events (object) and findings (list)")
    else:
        counted = {}
        for ev in events:
            counted[ev.get("kind")] = counted.get(ev.get("kind"), 0) + 1
        dropped = cap.get("events_not_written", 0) if isinstance(cap, dict) else 0
        for kind, n in summ["events"].items():
            if kind not in KINDS:
                problems.append(f"summary.events: unknown kind {kind}")
            elif not dropped and n != counted.get(kind, 0):
                problems.append(f"summary.events: {kind} = {n} but {counted.get(kind, 0)} events listed")
        for i, f in enumerate(summ["findings"]):
            _check_fields(f"summary.findings[{i}]", f,
                          {"kind": set(KINDS), "count": int, "severity": SEVERITIES,
                           "explanation": str, "remedy": str}, problems)
    return problems
