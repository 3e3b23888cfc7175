#!/usr/bin/env python3
"""
tests/fitting/fleet_clickhouse.py TCPLENS CLICKHOUSE_SERVER CLICKHOUSE_CLIENT SOURCE_DIR CASE

Events and flows of many hosts in one real ClickHouse (issue 20), Debian's
clickhouse-server started by PID with its own config, users and data
directory under a temporary folder, listening on 127.0.0.1 only; the
tables made by deploy/clickhouse/schema.sql through clickhouse-client.
CASE:
  hosts    two hosts' captures loaded offline (--host host-a on a sample
           with real corruption and artifacts, host-b on one with offload
           artifacts only); every row equals its event or flow in the
           host's JSON report (columns resolved by the JSON key they are
           named after), the schema has a column of the right type for
           every numeric field of analyze/findings.def, and each query of
           deploy/clickhouse/queries.sql answers what the JSON reports say
           (computed here from them)
  restart  a live tcplens in a network namespace of its own (server and
           traffic inside it, on its loopback) while short connections
           run for 8 s; the server is stopped 2 s in, stays away 3 s while
           flows end, and comes back on the same data directory: the rows
           equal the run's JSON report one for one (events as (frame,
           kind), flows as ids), tcplens says it retried and dropped 0
  spool    the server away for the whole run, a 64 KiB spool: tcplens says
           every row dropped (spool full, then undelivered at the flush
           deadline), exits within the deadline, in the memory of a run
           without --clickhouse
Exit 77, saying why, only when the ClickHouse packages are not installed or
(restart) there is no root or no namespaces.
"""
import collections
import decimal
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

tcplens, ch_server, ch_client, srcdir, case = sys.argv[1:6]
SAMPLES = os.path.join(srcdir, "samples")
SCHEMA = os.path.join(srcdir, "deploy", "clickhouse", "schema.sql")
QUERIES = os.path.join(srcdir, "deploy", "clickhouse", "queries.sql")
FINDINGS_DEF = os.path.join(srcdir, "analyze", "findings.def")
HOSTS = [("host-a", "xen_both.pcap"), ("host-b", "offload_tx.pcap")]
TPORT = 7433


def load_report(path):
    """A JSON report, its numbers exact: ns timestamps do not fit a double."""
    with open(path) as f:
        return json.load(f, parse_float=decimal.Decimal)


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


CONFIG = """<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/server.err.log</errorlog></logger>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{d}/data/</path>
  <tmp_path>{d}/data/tmp/</tmp_path>
  <user_files_path>{d}/data/user_files/</user_files_path>
  <format_schema_path>{d}/data/format_schemas/</format_schema_path>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
</yandex>
"""
USERS = """<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
"""


class ClickHouse:
    """One clickhouse-server of our own, started and stopped by PID."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "clickhouse")
        os.makedirs(os.path.join(self.dir, "data"))
        self.http, self.tcp = free_port(), free_port()
        with open(os.path.join(self.dir, "config.xml"), "w") as f:
            f.write(CONFIG.format(d=self.dir, http=self.http, tcp=self.tcp))
        with open(os.path.join(self.dir, "users.xml"), "w") as f:
            f.write(USERS)
        self.proc = None
        self.url = "http://127.0.0.1:%d/?database=tcplens" % self.http

    def start(self):
        self.proc = subprocess.Popen([ch_server, "--config-file=" + os.path.join(self.dir, "config.xml")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     cwd=self.dir)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/ping" % self.http, timeout=1) as r:
                    if r.read().startswith(b"Ok"):
                        return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        fail("clickhouse-server did not start: %s" % self.log())

    def stop(self):
        """SIGTERM (a restart: queries in flight finish), SIGKILL after 15 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log(self):
        p = os.path.join(self.dir, "server.err.log")
        return open(p).read()[-800:] if os.path.exists(p) else "(no log)"

    def schema(self):
        r = subprocess.run([ch_client, "--host", "127.0.0.1", "--port", str(self.tcp), "--multiquery"],
                           stdin=open(SCHEMA), capture_output=True, text=True)
        if r.returncode != 0:
            fail("clickhouse-client < schema.sql: %s" % r.stderr.strip())

    def query(self, sql):
        """Rows as lists (JSONCompact; 64-bit integers come quoted)."""
        req = urllib.request.Request("http://127.0.0.1:%d/" % self.http,
                                     (sql + " FORMAT JSONCompact").encode())
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return json.load(r)["data"]
        except urllib.error.HTTPError as e:
            fail("query %s: %s" % (sql[:80], e.read().decode()[:400]))

    def rows(self, table, where=""):
        """Every row of table as dicts (JSONEachRow), MATERIALIZED columns aside."""
        req = urllib.request.Request("http://127.0.0.1:%d/" % self.http,
                                     ("SELECT * FROM tcplens.%s %s FORMAT JSONEachRow" %
                                      (table, where)).encode())
        with urllib.request.urlopen(req, timeout=20) as r:
            return [json.loads(line) for line in r.read().decode().splitlines()]


def summary_of(stderr):
    m = re.search(r"tcplens: clickhouse: (\d+) rows sent .*?(\d+) attempts retried, (\d+) rows dropped",
                  stderr)
    if not m:
        fail("tcplens did not say what it sent: %s" % stderr[-600:])
    return tuple(int(x) for x in m.groups())


# ---- the rows against the JSON report ----

def resolve(obj, name):
    """The JSON value a column named after its key path ('_' joined) holds."""
    if name in obj:
        return True, obj[name]
    for k, v in obj.items():
        if v is None and name.startswith(k + "_"):
            return True, None  # initial_window.c2s: null
        if isinstance(v, dict) and name.startswith(k + "_"):
            ok, got = resolve(v, name[len(k) + 1:])
            if ok:
                return ok, got
    return False, None


def same(col, row_v, json_v):
    if isinstance(json_v, str) and json_v.startswith("0x"):
        json_v = int(json_v, 16)
    if isinstance(json_v, bool):
        json_v = int(json_v)
    if isinstance(row_v, str) and isinstance(json_v, int) and row_v.isdigit():
        row_v = int(row_v)  # 64-bit integers come quoted
    if isinstance(json_v, (float, decimal.Decimal)) or isinstance(row_v, float):
        return row_v is not None and json_v is not None and abs(float(row_v) - float(json_v)) < 5e-4
    if json_v is None:
        return row_v is None
    return row_v == json_v


# Columns with no key of that name in the JSON, and how each is checked.
FLOW_OWN = {"host", "source_kind", "source_name", "run", "server_port", "first_ts_ns", "last_ts_ns",
            "stalls_by_cause.cause", "stalls_by_cause.ms"}
EVENT_OWN = {"host", "source_kind", "source_name", "run", "ts_ns", "severity", "cause", "client",
             "server", "server_port", "frame", "flow"}
CAUSE_KEYS = ("cause", "side", "fate", "limit", "filled_by")


def ts_ns(v):
    return int(decimal.Decimal(v) * 10**9)


def check_flow_rows(host, report, rows):
    by_id = {f["id"]: f for f in report["flows"]}
    if sorted(int(r["id"]) for r in rows) != sorted(by_id):
        fail("%s: flow ids in ClickHouse %s, in the JSON %s" % (host, sorted(r["id"] for r in rows),
                                                                sorted(by_id)))
    for r in rows:
        f = by_id[int(r["id"])]
        for col, v in r.items():
            if col in FLOW_OWN:
                continue
            ok, want = resolve(f, col)
            if not ok and f["proto"] == "udp":
                continue  # a TCP column's default
            if not ok:
                fail("flows.%s is named after no key of the JSON flow" % col)
            if not same(col, v, want):
                fail("%s flow %s: flows.%s = %r, the JSON says %r" % (host, f["id"], col, v, want))
        want_stalls = f.get("stalls", {}).get("by_cause", {})
        got = dict(zip(r["stalls_by_cause.cause"], r["stalls_by_cause.ms"]))
        if set(got) != set(want_stalls) or any(abs(got[c] - float(want_stalls[c])) > 5e-4 for c in got):
            fail("%s flow %s: stalls_by_cause %s, the JSON %s" % (host, f["id"], got, want_stalls))
        if (int(r["first_ts_ns"]), int(r["last_ts_ns"])) != (ts_ns(f["first_ts"]), ts_ns(f["last_ts"])):
            fail("%s flow %s: times %s %s, the JSON %s %s" % (host, f["id"], r["first_ts_ns"],
                                                             r["last_ts_ns"], f["first_ts"], f["last_ts"]))
        if int(r["server_port"]) != int(f["server"].rsplit(":", 1)[1]):
            fail("%s flow %s: server_port %s" % (host, f["id"], r["server_port"]))


def event_key(e):
    return (int(e["frame"]), e["kind"], int(e.get("flow") or 0))


def check_event_rows(host, report, rows):
    flows = {f["id"]: f for f in report["flows"]}
    want = collections.Counter(event_key(e) for e in report["events"])
    got = collections.Counter(event_key(r) for r in rows)
    if want != got:
        fail("%s: events differ: only in ClickHouse %s, only in the JSON %s" %
             (host, list((got - want).items())[:5], list((want - got).items())[:5]))
    index = {}
    for e in report["events"]:
        index.setdefault(event_key(e), []).append(e)
    for r in rows:
        cands = index[event_key(r)]
        errors = []
        for e in cands:  # one frame may carry two events of a kind: any may match
            bad = []
            for c, v in r.items():
                if c in EVENT_OWN:
                    continue
                ok, want = resolve(e, c)
                if (ok and not same(c, v, want)) or (not ok and v not in (None, "")):
                    bad.append(c)
            cause = next((e[k] for k in CAUSE_KEYS if k in e), "")
            if r["cause"] != cause:
                bad.append("cause")
            if ts_ns(e["ts"]) != int(r["ts_ns"]):
                bad.append("ts_ns")
            f = flows.get(e["flow"])
            if f and (r["client"], r["server"]) != (f["client"], f["server"]):
                bad.append("client/server")
            if not bad:
                break
            errors.append(bad)
        else:
            fail("%s: event %s differs from the JSON in %s" % (host, event_key(r), errors))


def check_schema_covers_findings(ch):
    """Every numeric FIELD of findings.def has an events column of its type."""
    types = {"HEX16": "UInt16", "U32": "UInt32", "U64": "UInt64", "DBL1": "Float64",
             "DBL2": "Float64", "BOOL": "UInt8"}
    cols = {name: t for name, t, *_ in ch.query("DESCRIBE TABLE tcplens.events")}
    n = 0
    for kind, key, ftype in re.findall(r'^FIELD\((\w+), "(\w*)", (\w+),', open(FINDINGS_DEF).read(), re.M):
        if ftype in types:
            n += 1
            if cols.get(key) != "Nullable(%s)" % types[ftype]:
                fail("findings.def %s.%s is %s: schema.sql's events.%s is %s, want Nullable(%s)" %
                     (kind, key, ftype, key, cols.get(key), types[ftype]))
    return n


def check_cluster_columns():
    """cluster.sql's local tables have schema.sql's columns (it is not run here)."""
    def columns(path, suffix):
        text = open(path).read()
        return {t: re.search(r"CREATE TABLE IF NOT EXISTS tcplens\.%s%s\b[^\n]*\n\((.*?)\n\)\nENGINE" %
                             (t, suffix), text, re.S).group(1) for t in ("events", "flows")}
    cluster = os.path.join(srcdir, "deploy", "clickhouse", "cluster.sql")
    one = columns(SCHEMA, "")
    dist = {t: c.replace(" MATERIALIZED ", " ALIAS ") for t, c in one.items()}
    if one != columns(cluster, "_local") or dist != columns(cluster, ""):
        fail("deploy/clickhouse/cluster.sql's columns differ from schema.sql's")


# ---- the queries against the JSON reports ----

def named_queries():
    sql = open(QUERIES).read()
    return {m.group(1): m.group(2) for m in re.finditer(r"^-- query: (\w+)\n(.*?);\s*$", sql, re.M | re.S)}


def want_corruption(reports):
    out = []
    for host, d in reports.items():
        k = collections.Counter(e["kind"] for e in d["events"])
        corrupt = k["csum_bad"] + k["ip_csum_bad"]
        art = k["csum_offload"] + k["ip_csum_offload"]
        dropped = sum(1 for e in d["events"] if e["kind"] == "csum_bad" and e.get("fate") == "dropped")
        if corrupt or art:
            out.append([host, corrupt, dropped, art, "real corruption" if corrupt else "artifacts only"])
    return sorted(out, key=lambda r: (-r[1], r[0]))


def want_stalls(reports):
    acc = {}
    for host, d in reports.items():
        for f in d["flows"]:
            port = int(f["server"].rsplit(":", 1)[1])
            for cause, ms in f.get("stalls", {}).get("by_cause", {}).items():
                a = acc.setdefault((port, cause), [0.0, 0, set()])
                a[0] += float(ms)
                a[1] += 1
                a[2].add(host)
    rows = sorted(([p, c, round(a[0], 3), a[1], len(a[2])] for (p, c), a in acc.items()),
                  key=lambda r: (r[0], -r[2], r[1]))
    out, per = [], collections.Counter()
    for r in rows:
        per[r[0]] += 1
        if per[r[0]] <= 3:
            out.append(r)
    return out


def want_iw(reports):
    acc = {}
    for host, d in reports.items():
        for f in d["flows"]:
            iw = (f.get("initial_window") or {}).get("s2c")
            if iw:
                acc.setdefault((host, f["server"]), []).append(iw)
    return [[h, s, len(v), min(i["segments"] for i in v), max(i["segments"] for i in v),
             max(i["bytes"] for i in v), sorted({i["limit"] for i in v})]
            for (h, s), v in sorted(acc.items())]


def want_rate(reports):
    acc = collections.Counter()
    for host, d in reports.items():
        for f in d["flows"]:
            if f["proto"] == "tcp" and f["client_from_syn"]:
                sec = int(f["first_ts"])
                acc[(host, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec)))] += 1
    return [[h, s, n] for (h, s), n in sorted(acc.items())]


def normalize(rows):
    out = []
    for r in rows:
        out.append([sorted(v) if isinstance(v, list) else int(v) if isinstance(v, str) and v.isdigit()
                    else round(float(v), 3) if isinstance(v, (float, decimal.Decimal)) else v
                    for v in r])
    return out


def case_hosts(tmp, ch):
    ch.start()
    ch.schema()
    reports = {}
    for host, sample in HOSTS:
        js = os.path.join(tmp, host + ".json")
        r = subprocess.run([tcplens, "-r", os.path.join(SAMPLES, sample), "--host", host,
                            "--clickhouse", ch.url, "-o", js], capture_output=True, text=True)
        if r.returncode != 0:
            fail("%s: tcplens exit %d: %s" % (host, r.returncode, r.stderr))
        reports[host] = load_report(js)
        sent, retried, dropped = summary_of(r.stderr)
        want = len(reports[host]["events"]) + len(reports[host]["flows"])
        if (sent, dropped) != (want, 0):
            fail("%s: tcplens says %s sent, %s dropped; the report has %d rows" %
                 (host, sent, dropped, want))
    for host, d in reports.items():
        check_event_rows(host, d, ch.rows("events", "WHERE host = '%s'" % host))
        check_flow_rows(host, d, ch.rows("flows", "WHERE host = '%s'" % host))
    runs = ch.query("SELECT host, uniqExact(run) FROM (SELECT host, run FROM tcplens.events UNION ALL "
                    "SELECT host, run FROM tcplens.flows) GROUP BY host ORDER BY host")
    if [[h, int(n)] for h, n in runs] != [[h, 1] for h, _ in HOSTS]:
        fail("want one run id per host's run, events and flows alike: %s" % runs)
    nfields = check_schema_covers_findings(ch)
    check_cluster_columns()
    wants = {"corruption_by_host": want_corruption, "stall_causes_by_port": want_stalls,
             "initial_window_by_server": want_iw, "new_connections_per_second": want_rate}
    queries = named_queries()
    if set(queries) != set(wants):
        fail("queries.sql has %s, the test knows %s" % (sorted(queries), sorted(wants)))
    for name, q in queries.items():
        got, want = normalize(ch.query(q)), normalize(wants[name](reports))
        if got != want:
            fail("%s: ClickHouse answers %s, the JSON reports say %s" % (name, got, want))
        print("%s: %s" % (name, json.dumps(got)))
    if not any(r[4] == "real corruption" for r in want_corruption(reports)) or \
            not any(r[4] == "artifacts only" for r in want_corruption(reports)):
        fail("want one host with real corruption and one with artifacts only")
    nev = sum(len(d["events"]) for d in reports.values())
    nfl = sum(len(d["flows"]) for d in reports.values())
    print("PASS: %d events and %d flows of two hosts, column for column as their JSON reports; "
          "%d findings.def fields in the schema; 4 queries answer what the reports say" %
          (nev, nfl, nfields))


# ---- restart under capture (inside a namespace of its own) ----

def traffic(seconds, stop):
    """Short connections on this namespace's loopback: a request, a reply, close."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", TPORT))
    srv.listen(64)

    def serve():
        while not stop.is_set():
            srv.settimeout(0.5)
            try:
                c, _ = srv.accept()
            except socket.timeout:
                continue
            c.settimeout(5)
            got = b""
            while len(got) < 100:
                got += c.recv(100 - len(got))
            c.sendall(b"r" * 3000)
            c.close()
    t = threading.Thread(target=serve)
    t.start()
    n, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        cl = socket.create_connection(("127.0.0.1", TPORT))
        cl.sendall(b"q" * 100)
        while cl.recv(65536):
            pass
        cl.close()
        n += 1
        time.sleep(0.04)
    stop.set()
    t.join()
    srv.close()
    return n


def case_restart_inside(tmp, ch):
    ch.start()
    ch.schema()
    js = os.path.join(tmp, "live.json")
    p = subprocess.Popen([tcplens, "-i", "lo", "--no-tui", "--host", "live-host", "--clickhouse", ch.url,
                          "-o", js, "tcp port %d" % TPORT], stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    if "capturing on" not in line:
        fail("tcplens did not start: %s" % line)
    stop = threading.Event()
    result = {}
    gen = threading.Thread(target=lambda: result.setdefault("n", traffic(8, stop)))
    gen.start()
    time.sleep(2)
    before = ch.query("SELECT count() FROM tcplens.events")[0][0]
    t0 = time.monotonic()
    ch.stop()
    down = time.monotonic()
    print("server stopped in %.1f s" % (down - t0))
    time.sleep(3)
    ch.start()
    print("server away %.1f s (stopped with %s events stored)" % (time.monotonic() - down, before))
    gen.join()
    time.sleep(1.5)  # closed flows linger 1 s of capture time, then end
    p.send_signal(signal.SIGTERM)
    try:
        err = p.communicate(timeout=20)[1]
    except subprocess.TimeoutExpired:
        p.kill()
        fail("tcplens did not end within 20 s of SIGTERM")
    if p.returncode != 0:
        fail("tcplens exit %d: %s" % (p.returncode, err))
    sent, retried, dropped = summary_of(err)
    print(err.strip())
    d = load_report(js)
    check_event_rows("live-host", d, ch.rows("events"))
    flows = ch.rows("flows")
    if sorted(int(r["id"]) for r in flows) != sorted(f["id"] for f in d["flows"]):
        fail("flow ids in ClickHouse differ from the JSON report's")
    check_flow_rows("live-host", d, flows)
    want = len(d["events"]) + len(d["flows"])
    if dropped or sent != want or not retried:
        fail("tcplens says %d sent, %d retried, %d dropped; the report has %d rows (want all sent, "
             "some retried)" % (sent, retried, dropped, want))
    print("PASS: %d connections; %d events and %d flows in ClickHouse, one for one as the JSON "
          "report, across a server restart: %d rows sent, %d attempts retried, %d dropped" %
          (result["n"], len(d["events"]), len(d["flows"]), sent, retried, dropped))


def case_restart(tmp):
    if os.geteuid() != 0:
        skip("the live capture's network namespace needs root")
    ns = "tlch%d" % (os.getpid() % 100000)
    if subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode != 0:
        skip("cannot create a network namespace here")
    try:
        subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"], check=True)
        r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                            tcplens, ch_server, ch_client, srcdir, "restart-inside", tmp], timeout=90)
        sys.exit(r.returncode)
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def run_measured(cmd):
    """Exit status, stderr, peak RSS (KiB) and wall seconds of one run."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, err, ru.ru_maxrss, time.monotonic() - t0


def case_spool(tmp):
    sample = os.path.join(SAMPLES, "xen_both.pcap")
    js = os.path.join(tmp, "spool.json")
    rc0, _, rss0, _ = run_measured([tcplens, "-r", sample, "-q", "-o", js])
    url = "http://127.0.0.1:%d/?database=tcplens" % free_port()  # nothing listens
    prom = os.path.join(tmp, "spool.prom")
    rc, err, rss, wall = run_measured([tcplens, "-r", sample, "--clickhouse", url, "--clickhouse-spool",
                                       "0.0625", "--clickhouse-flush-timeout", "2", "-o", js,
                                       "--metrics-file", prom])
    if rc0 or rc:
        fail("tcplens exit %d / %d: %s" % (rc0, rc, err))
    d = load_report(js)
    sent, retried, dropped = summary_of(err)
    want = len(d["events"]) + len(d["flows"])
    m = re.search(r"spool full: (\d+) events, (\d+) flows", err)
    if sent or dropped != want or not m or not int(m.group(1)):
        fail("server away, 64 KiB spool: tcplens says %d sent, %d dropped (want all %d, some "
             "for a full spool): %s" % (sent, dropped, want, err))
    metric = sum(int(line.split()[-1]) for line in open(prom)
                 if line.startswith("tcplens_clickhouse_rows_dropped_total{"))
    if metric != dropped:
        fail("tcplens_clickhouse_rows_dropped_total says %d, stderr %d" % (metric, dropped))
    if "cannot insert" not in err or "tcplens: " not in err:
        fail("no warning about the failed inserts: %s" % err)
    if wall > 2 + 3:
        fail("tcplens took %.1f s to exit with a 2 s flush timeout" % wall)
    if rss - rss0 > 8 * 1024:
        fail("peak RSS %d KiB with a 64 KiB spool, %d KiB without --clickhouse" % (rss, rss0))
    print("PASS: server away: %d of %d rows dropped (%s events, %s flows for a full spool), %d "
          "attempts retried, exit after %.1f s, peak RSS %d KiB (%d without --clickhouse)" %
          (dropped, want, m.group(1), m.group(2), retried, wall, rss, rss0))


def main():
    for what, path in (("clickhouse-server", ch_server), ("clickhouse-client", ch_client)):
        if case != "spool" and not (path and os.access(path, os.X_OK)):
            skip("no %s (%s): scripts/deps.sh test installs Debian's" % (what, path or "not found"))
    if case == "restart":
        tmp = tempfile.mkdtemp(prefix="tcplens-ch-")
        try:
            case_restart(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if case == "restart-inside":
        ch = ClickHouse(sys.argv[6])
        try:
            case_restart_inside(sys.argv[6], ch)
        finally:
            ch.stop()
        return
    tmp = tempfile.mkdtemp(prefix="tcplens-ch-")
    ch = ClickHouse(tmp)
    try:
        if case == "hosts":
            case_hosts(tmp, ch)
        elif case == "spool":
            case_spool(tmp)
        else:
            fail("unknown case %s" % case)
    finally:
        ch.stop()
        shutil.rmtree(tmp, ignore_errors=True)


main()
