#!/usr/bin/env python3
"""tests/fitting/metrics_test.py — the Prometheus metrics (report/metrics.c).

  metrics_test.py TCPLENS samples DIR   every DIR/*.pcap[ng]: --metrics-file
                                        and the JSON report of the same run;
                                        the exposition parses strictly
                                        (promtext.py, and promtool when
                                        installed) and its counters equal the
                                        JSON's numbers
  metrics_test.py TCPLENS live          root: tcplens -i lo --metrics
                                        127.0.0.1:PORT (a free port) on a
                                        loopback transfer, scraped with curl
                                        while a silent client holds a
                                        connection; 404/405 answered; the
                                        final --metrics-file equals the live
                                        JSON report. Exit 77 when not root.
"""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promtext  # noqa: E402

WORDS = ("cause", "side", "fate", "limit", "filled_by")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def promtool_check(path):
    tool = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not tool:
        return "promtool not installed"
    with open(path, "rb") as f:
        r = subprocess.run([tool, "check", "metrics"], stdin=f, capture_output=True, text=True)
    # promtool lints too ("counter metrics should have _total suffix"...):
    # any output at all is a failure here.
    if r.returncode != 0 or r.stdout.strip() or r.stderr.strip():
        fail("promtool check metrics %s: %s%s" % (path, r.stdout, r.stderr))
    return "promtool ok"


def compare(m, d, what, fleet):
    """Every metric against the JSON report d of the same run; every series
    carries the fleet labels `fleet` (host, engine, interface when live)."""
    got_fleet = promtext.fleet_labels(m)
    if got_fleet != {frozenset(fleet.items())}:
        fail("%s: fleet labels %s, want %s on every series" % (what, got_fleet, fleet))
    cap = d["capture"]
    pairs = [("tcplens_capture_packets_total", cap["packets"]),
             ("tcplens_capture_bytes_total", cap["bytes"]),
             ("tcplens_tcp_segments_total", cap["tcp_segments"]),
             ("tcplens_malformed_frames_total", cap["malformed"]),
             ("tcplens_flows_total", cap["flows"]),
             ("tcplens_flows_evicted_total", cap["flows_evicted"]),
             ("tcplens_events_not_written_total", cap["events_not_written"])]
    if cap["kernel_drops"] is None:
        if any(k[0] == "tcplens_kernel_drops_total" for k in m):
            fail("%s: kernel drops metric offline" % what)
    else:
        pairs.append(("tcplens_kernel_drops_total", cap["kernel_drops"]))
    for kind, n in d["summary"]["events"].items():
        pairs.append((("tcplens_events_total", {"kind": kind}), n))
    byword, stalls_n, stall_s = {}, {}, {}
    for e in d["events"]:
        word = next((e[w] for w in WORDS if w in e), "none")
        byword[(e["kind"], word)] = byword.get((e["kind"], word), 0) + 1
        if e["kind"] == "stall":
            stalls_n[e["cause"]] = stalls_n.get(e["cause"], 0) + 1
    seen = {tuple(kv for kv in k[1] if kv[0] not in promtext.FLEET)
            for k in m if k[0] == "tcplens_findings_total"}
    for (kind, word), n in byword.items():
        pairs.append((("tcplens_findings_total", {"kind": kind, "cause": word}), n))
        seen.discard(tuple(sorted({"kind": kind, "cause": word}.items())))
    if seen and not cap["events_not_written"]:
        fail("%s: findings in the metrics but not in the JSON events: %s" % (what, seen))
    lost = retrans = 0
    for f in d["flows"]:
        for cause, ms in f.get("stalls", {}).get("by_cause", {}).items():
            stall_s[cause] = stall_s.get(cause, 0.0) + ms / 1000.0
        for side in ("c2s", "s2c"):
            lost += f[side]["capture_lost_bytes"]
            retrans += f[side]["retransmitted_bytes"]
    pairs += [("tcplens_capture_loss_bytes_total", lost),
              ("tcplens_retransmitted_bytes_total", retrans)]
    for cause, n in stalls_n.items():
        pairs.append((("tcplens_stalls_total", {"cause": cause}), n))
    checked = 0
    for key, want in pairs:
        name, labels = key if isinstance(key, tuple) else (key, {})
        got = promtext.get(m, name, **labels)
        if got != want:
            fail("%s: %s%s = %s, JSON says %s" % (what, name, labels or "", got, want))
        checked += 1
    for cause, s in stall_s.items():
        got = promtext.get(m, "tcplens_stalled_seconds_total", cause=cause)
        if abs(got - s) > 1e-5 + 1e-6 * s:
            fail("%s: stalled seconds %s = %s, JSON flows sum to %s" % (what, cause, got, s))
        checked += 1
    if promtext.get(m, "tcplens_flows_open") != 0:
        fail("%s: flows still open at the end" % what)
    return checked


def samples(tcplens, sdir):
    files = sorted(glob.glob(os.path.join(sdir, "*.pcap")) + glob.glob(os.path.join(sdir, "*.pcapng")))
    if not files:
        fail("no samples in " + sdir)
    note = ""
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            prom, js = os.path.join(tmp, "t.prom"), os.path.join(tmp, "r.json")
            r = subprocess.run([tcplens, "-q", "-r", path, "--metrics-file", prom, "-o", js],
                               capture_output=True, text=True)
            if r.returncode != 0:
                fail("%s: exit %d: %s" % (path, r.returncode, r.stderr))
            text = open(prom).read()
            try:
                m = promtext.parse(text)
            except ValueError as e:
                fail("%s: %s" % (path, e))
            n = compare(m, json.load(open(js)), os.path.basename(path),
                        {"host": socket.gethostname(), "engine": "file"})
            note = promtool_check(prom)
            if [f for f in os.listdir(tmp) if ".tmp." in f]:
                fail("temporary metrics file left behind")
            print("ok %s: %d numbers equal" % (os.path.basename(path), n))
    print("all %d samples; %s" % (len(files), note))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def transfer(port, stop):
    """Small writes to a loopback server until stop is set."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)

    def serve():
        c, _ = srv.accept()
        while c.recv(65536):
            pass
        c.close()
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    cl = socket.create_connection(("127.0.0.1", port))
    while not stop.is_set():
        cl.send(b"x" * 100)
        time.sleep(0.002)
    cl.close()
    t.join(5)
    srv.close()


def curl(url):
    return subprocess.run(["curl", "-s", "-m", "5", "-o", "-", "-w", "\n%{http_code}", url],
                          capture_output=True, text=True)


def live(tcplens):
    if os.geteuid() != 0:
        print("SKIP: -i lo needs root (CAP_NET_RAW)")
        sys.exit(77)
    if not shutil.which("curl"):
        fail("curl not installed (scripts/deps.sh test)")
    mport, tport = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        prom, js = os.path.join(tmp, "live.prom"), os.path.join(tmp, "live.json")
        p = subprocess.Popen([tcplens, "-i", "lo", "--no-tui", "--metrics", "127.0.0.1:%d" % mport,
                              "--metrics-file", prom, "--metrics-interval", "0.5", "-o", js,
                              "--metrics-host", 'probe "one"',
                              "tcp port %d" % tport], stderr=subprocess.PIPE, text=True)
        try:
            line = p.stderr.readline()
            if "capturing on" not in line:
                fail("tcplens did not start: %s%s" % (line, p.stderr.read()))
            stop = threading.Event()
            t = threading.Thread(target=transfer, args=(tport, stop), daemon=True)
            t.start()
            time.sleep(1.0)
            silent = socket.create_connection(("127.0.0.1", mport))  # never sends
            t0 = time.monotonic()
            r = curl("http://127.0.0.1:%d/metrics" % mport)
            took = time.monotonic() - t0
            body, code = r.stdout.rsplit("\n", 1)
            if code != "200":
                fail("scrape: HTTP %s %s" % (code, r.stderr))
            if took > 2:
                fail("scrape took %.1f s (a silent client held it?)" % took)
            scraped = os.path.join(tmp, "scrape.prom")
            open(scraped, "w").write(body)
            m = promtext.parse(body)
            note = promtool_check(scraped)
            if promtext.get(m, "tcplens_capture_packets_total") <= 0:
                fail("scrape: no packets counted")
            if promtext.get(m, "tcplens_flows_open") < 1:
                fail("scrape: the open transfer is not counted")
            if not any(k[0] == "tcplens_kernel_drops_total" for k in m):
                fail("scrape: no kernel drops counter live")
            print("scrape ok in %.3f s, %d series; %s" % (took, len(m), note))
            print("\n".join(l for l in body.splitlines()
                            if l.startswith(("tcplens_capture", "tcplens_flows", "tcplens_kernel"))))
            for path, want in (("/", "404"), ("/metricsx", "404")):
                code = curl("http://127.0.0.1:%d%s" % (mport, path)).stdout.rsplit("\n", 1)[1]
                if code != want:
                    fail("GET %s: HTTP %s, want %s" % (path, code, want))
            r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                                "http://127.0.0.1:%d/metrics" % mport], capture_output=True, text=True)
            if r.stdout != "405":
                fail("POST /metrics: HTTP %s, want 405" % r.stdout)
            time.sleep(0.8)
            if not os.path.exists(prom):
                fail("--metrics-file not written while live")
            promtext.parse(open(prom).read())
            stop.set()
            t.join(10)
            silent.close()
            time.sleep(0.3)
            p.send_signal(signal.SIGTERM)
            p.wait(30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        if p.returncode != 0:
            fail("tcplens exit %d: %s" % (p.returncode, p.stderr.read()))
        m = promtext.parse(open(prom).read())
        n = compare(m, json.load(open(js)), "live",
                    {"host": "probe \"one\"", "interface": "lo", "engine": "tpacket3"})
        print("final --metrics-file equals the live JSON report (%d numbers)" % n)


def main():
    if len(sys.argv) < 3:
        fail(__doc__)
    if sys.argv[2] == "samples":
        samples(sys.argv[1], sys.argv[3])
    else:
        live(sys.argv[1])
    print("PASS")


if __name__ == "__main__":
    main()
