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
  refuse   tables ClickHouse refuses, offline, one server: a missing events
           table (said at start with schema.sql's advice; the flows all
           sent), an events table refusing every row (all rejected and
           counted, the flows all sent), a poison column refusing the
           csum_bad rows only (the other rows sent), a password from
           TCPLENS_CLICKHOUSE_PASSWORD (delivered) and one in the URL
           (never printed)
Exit 77, saying why, only when the ClickHouse packages are not installed or
(restart) there is no root or no namespaces; with TCPLENS_REQUIRE_FLEET=1
(CI) that is a failure instead.
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
PASSWORD = "s3cret-Pw-for-tl"
RUN_TIMEOUT = 30  # one tcplens run; ctest's TIMEOUT is 90


def load_report(path):
    """A JSON report, its numbers exact: ns timestamps do not fit a double."""
    with open(path) as f:
        return json.load(f, parse_float=decimal.Decimal)


def skip(why):
    if os.environ.get("TCPLENS_REQUIRE_FLEET") == "1":
        print("FAIL: TCPLENS_REQUIRE_FLEET=1 and this test would skip: " + why)
        sys.exit(1)
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
    <profile>default</profile><quota>default</quota></default>
    <tl><password>{pw}</password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></tl></users>
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
            f.write(USERS.replace("{pw}", PASSWORD))
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

    def schema(self, db="tcplens", edit=None):
        """schema.sql into database db, each (old, new) of edit replaced first."""
        sql = open(SCHEMA).read().replace("tcplens.", db + ".").replace("DATABASE IF NOT EXISTS tcplens",
                                                                       "DATABASE IF NOT EXISTS " + db)
        for old, new in edit or ():
            if old not in sql:
                fail("schema.sql has no %r" % old)
            sql = sql.replace(old, new)
        r = subprocess.run([ch_client, "--host", "127.0.0.1", "--port", str(self.tcp), "--multiquery"],
                           input=sql, capture_output=True, text=True, timeout=RUN_TIMEOUT)
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

    def rows(self, table, where="", db="tcplens"):
        """Every row of table as dicts (JSONEachRow), MATERIALIZED columns aside."""
        req = urllib.request.Request("http://127.0.0.1:%d/" % self.http,
                                     ("SELECT * FROM %s.%s %s FORMAT JSONEachRow" %
                                      (db, table, where)).encode())
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
            "stalls_by_cause.cause", "stalls_by_cause.ms", "tunnel"}
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
        # the tunnel: named exactly when the JSON flow has an encap
        if (r["tunnel"] != "") != ("encap" in f):
            fail("%s flow %s: tunnel %r, the JSON's encap %s" % (host, f["id"], r["tunnel"],
                                                                 f.get("encap")))
        if "encap" in f and f["encap"]["kind"] not in r["tunnel"]:
            fail("%s flow %s: tunnel %r names no %s" % (host, f["id"], r["tunnel"], f["encap"]["kind"]))


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
                            "--clickhouse", ch.url, "-o", js], capture_output=True, text=True,
                           timeout=RUN_TIMEOUT)
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
    # The sharded analysis and the HTML report with the rows: the rows are
    # the JSON report's all the same.
    page = os.path.join(tmp, "threads.html")
    r = subprocess.run([tcplens, "-r", os.path.join(SAMPLES, HOSTS[0][1]), "--host", "host-t3",
                        "--threads", "3", "--format", "html", "-o", page, "--clickhouse", ch.url],
                       capture_output=True, text=True, timeout=RUN_TIMEOUT)
    if r.returncode != 0 or not os.path.getsize(page):
        fail("--threads 3 --format html --clickhouse: exit %d: %s" % (r.returncode, r.stderr))
    d = reports[HOSTS[0][0]]
    sent, _, dropped = summary_of(r.stderr)
    if (sent, dropped) != (len(d["events"]) + len(d["flows"]), 0):
        fail("--threads 3 --format html: %d sent, %d dropped" % (sent, dropped))
    check_event_rows("host-t3", d, ch.rows("events", "WHERE host = 'host-t3'"))
    check_flow_rows("host-t3", d, ch.rows("flows", "WHERE host = 'host-t3'"))
    # Two VXLAN tenants with one inner 5-tuple: two flows whose rows differ by
    # their tunnel, as the JSON's flows differ by their encap.
    tj = os.path.join(tmp, "tenants.json")
    r = subprocess.run([tcplens, "-r", os.path.join(SAMPLES, "vxlan_tenants.pcap"), "--host", "host-vx",
                        "-o", tj, "--clickhouse", ch.url], capture_output=True, text=True,
                       timeout=RUN_TIMEOUT)
    if r.returncode != 0:
        fail("vxlan_tenants: exit %d: %s" % (r.returncode, r.stderr))
    tjs = load_report(tj)
    vrows = ch.rows("flows", "WHERE host = 'host-vx'")
    check_flow_rows("host-vx", tjs, vrows)
    check_event_rows("host-vx", tjs, ch.rows("events", "WHERE host = 'host-vx'"))
    same5 = collections.Counter((x["client"], x["server"]) for x in vrows)
    twins = [k for k, n in same5.items() if n > 1]
    names = {(x["client"], x["server"]): set() for x in vrows}
    for x in vrows:
        names[(x["client"], x["server"])].add(x["tunnel"])
    if not twins or any(len(names[k]) != same5[k] for k in twins):
        fail("vxlan_tenants: flows sharing an inner 5-tuple are not told apart: %s" %
             [(x["client"], x["server"], x["tunnel"]) for x in vrows])
    print("vxlan_tenants: %s" % sorted((x["client"], x["server"], x["tunnel"]) for x in vrows))
    nev = sum(len(d["events"]) for d in reports.values())
    nfl = sum(len(d["flows"]) for d in reports.values())
    print("PASS: %d events and %d flows of two hosts, column for column as their JSON reports "
          "(and --threads 3 --format html's rows as the JSON's); %d findings.def fields in the "
          "schema; 4 queries answer what the reports say" % (nev, nfl, nfields))


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
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    n, end = 0, time.monotonic() + seconds
    while time.monotonic() < end and not stop.is_set():
        cl = socket.create_connection(("127.0.0.1", TPORT), timeout=5)
        cl.sendall(b"q" * 100)
        while cl.recv(65536):
            pass
        cl.close()
        n += 1
        time.sleep(0.04)
    stop.set()
    t.join(5)
    srv.close()
    return n


def case_restart_inside(tmp, ch):
    ch.start()
    ch.schema()
    js = os.path.join(tmp, "live.json")
    p = subprocess.Popen([tcplens, "-i", "lo", "--no-tui", "--host", "live-host", "--clickhouse", ch.url,
                          "-o", js, "tcp port %d" % TPORT], stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    stop = threading.Event()
    try:
        restart_under(tmp, ch, p, js, stop)
    finally:
        stop.set()  # the traffic thread (a daemon) ends at its next connection
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def restart_under(tmp, ch, p, js, stop):
    line = p.stderr.readline()
    if "capturing on" not in line:
        fail("tcplens did not start: %s" % line)
    result = {}
    gen = threading.Thread(target=lambda: result.setdefault("n", traffic(8, stop)), daemon=True)
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
    gen.join(20)
    time.sleep(1.5)  # closed flows linger 1 s of capture time, then end
    p.send_signal(signal.SIGTERM)
    try:
        err = p.communicate(timeout=15)[1]
    except subprocess.TimeoutExpired:
        fail("tcplens did not end within 15 s of SIGTERM")
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
        try:
            r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                                tcplens, ch_server, ch_client, srcdir, "restart-inside", tmp],
                               timeout=60)
        except subprocess.TimeoutExpired:
            fail("the restart case did not end within 60 s")
        sys.exit(r.returncode)
    finally:
        # Whatever is left in the namespace (tcplens, the server) goes first.
        pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
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
    url = "http://127.0.0.1:%d/?database=tcplens" % free_port()  # nothing listens
    # The reference: --clickhouse too (libcurl is loaded for it alone: tens of
    # shared libraries, more under ASan), the same spool, a capture of 30 rows.
    rc0, _, rss0, _ = run_measured([tcplens, "-r", os.path.join(SAMPLES, "nagle.pcap"), "-q",
                                    "--clickhouse", url, "--clickhouse-spool", "0.0625",
                                    "--clickhouse-flush-timeout", "1", "-o", os.devnull])
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
        fail("peak RSS %d KiB with a 64 KiB spool and 350 rows, %d KiB with 30" % (rss, rss0))
    print("PASS: server away: %d of %d rows dropped (%s events, %s flows for a full spool), %d "
          "attempts retried, exit after %.1f s, peak RSS %d KiB (%d for 30 rows)" %
          (dropped, want, m.group(1), m.group(2), retried, wall, rss, rss0))


# ---- tables ClickHouse refuses ----

def run_into(url, sample, tmp, name, env=None, flush="1"):
    """tcplens -r sample into url: its stderr, JSON report and metrics (dict)."""
    js, prom = os.path.join(tmp, name + ".json"), os.path.join(tmp, name + ".prom")
    r = subprocess.run([tcplens, "-r", os.path.join(SAMPLES, sample), "--host", name, "--clickhouse", url,
                        "--clickhouse-flush-timeout", flush, "-o", js, "--metrics-file", prom],
                       capture_output=True, text=True, timeout=RUN_TIMEOUT,
                       env=dict(os.environ, **(env or {})))
    if r.returncode != 0:
        fail("%s: tcplens exit %d: %s" % (name, r.returncode, r.stderr))
    metrics = {}
    for line in open(prom):
        m = re.match(r'(tcplens_clickhouse_rows_\w+_total)\{.*table="(\w+)"\} (\d+)', line)
        if m:
            metrics[(m.group(1)[len("tcplens_clickhouse_rows_"):-len("_total")], m.group(2))] = int(m.group(3))
    return r.stderr, load_report(js), metrics


def rejected_of(stderr):
    m = re.search(r"(\d+) rows rejected by ClickHouse \((\d+) events, (\d+) flows", stderr)
    return (int(m.group(2)), int(m.group(3))) if m else (0, 0)


def case_refuse(tmp, ch):
    ch.start()
    ch.schema()
    base = "http://127.0.0.1:%d/?database=" % ch.http
    sample = HOSTS[0][1]  # xen_both: csum_bad rows with resent_after_ms, and others
    # 1. No events table: said at start (what to do), the flows all sent.
    ch.schema("noevents")
    urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/" % ch.http,
                                                  b"DROP TABLE noevents.events"), timeout=20).read()
    err, d, met = run_into(base + "noevents", sample, tmp, "noevents")
    sent, _, dropped = summary_of(err)
    if "schema.sql" not in err or "Code: 60" not in err:
        fail("a missing events table, not said with the schema.sql advice: %s" % err)
    if len(ch.rows("flows", db="noevents")) != len(d["flows"]) or sent != len(d["flows"]) or \
            dropped != len(d["events"]):
        fail("no events table: want the %d flows sent and the %d events dropped: %s" %
             (len(d["flows"]), len(d["events"]), err))
    # 2. An events table refusing every row (dir is an Enum without c2s or
    #    s2c): each row rejected and counted, the flows all sent.
    ch.schema("badevents", [("    dir String,", "    dir Enum8('none' = 1),")])
    err, d, met = run_into(base + "badevents", sample, tmp, "badevents")
    sent, _, dropped = summary_of(err)
    nflows = len(ch.rows("flows", db="badevents"))
    if nflows != len(d["flows"]) or rejected_of(err) != (len(d["events"]), 0) or dropped or \
            sent != len(d["flows"]):
        fail("an events table refusing every row: %d flows stored of %d, %s rejected, %d dropped: %s"
             % (nflows, len(d["flows"]), rejected_of(err), dropped, err))
    if (met.get(("rejected", "events")), met.get(("rejected", "flows"))) != (len(d["events"]), 0):
        fail("tcplens_clickhouse_rows_rejected_total says %s" % met)
    if err.count("refuses rows of table events") != 1:
        fail("want the refused rows said once: %s" % err)
    # 3. A poison column: resent_after_ms as a String refuses the csum_bad
    #    rows that carry it (ClickHouse names the row); the others go in.
    ch.schema("poison", [("    resent_after_ms Nullable(Float64),", "    resent_after_ms Nullable(String),")])
    err, d, met = run_into(base + "poison", sample, tmp, "poison")
    poison = [e for e in d["events"] if "resent_after_ms" in e]
    good = [e for e in d["events"] if "resent_after_ms" not in e]
    got = ch.rows("events", db="poison")
    if not poison or rejected_of(err) != (len(poison), 0) or \
            collections.Counter(event_key(r) for r in got) != collections.Counter(event_key(e) for e in good):
        fail("poison rows: %d of %d events stored, %s rejected (want %d): %s" %
             (len(got), len(d["events"]), rejected_of(err), len(poison), err))
    # 4. The password: from TCPLENS_CLICKHOUSE_PASSWORD (delivered), and in
    #    the URL, wrong (refused, never printed).
    err, d, _ = run_into(base + "tcplens&user=tl", sample, tmp, "pw-env", {"TCPLENS_CLICKHOUSE_PASSWORD": PASSWORD})
    if summary_of(err)[0] != len(d["events"]) + len(d["flows"]) or PASSWORD in err:
        fail("TCPLENS_CLICKHOUSE_PASSWORD: %s" % err)
    err, d, _ = run_into("http://tl:Wr0ng-pw@127.0.0.1:%d/?database=tcplens&password=Wr0ng-pw2" % ch.http,
                         sample, tmp, "pw-url", flush="0.5")
    if "Wr0ng-pw" in err or "Code: 193" not in err or "password" not in err:
        fail("a wrong password in the URL: want it refused and never printed: %s" % err)
    print("PASS: no events table: said at start, the %d flows sent; every events row refused: all %d "
          "rejected and counted, the flows sent; %d poison rows rejected, the %d others stored; "
          "the password from the environment delivers, one in the URL is never printed" %
          (len(d["flows"]), len(d["events"]), len(poison), len(good)))


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
        elif case == "refuse":
            case_refuse(tmp, ch)
        elif case == "spool":
            case_spool(tmp)
        else:
            fail("unknown case %s" % case)
    finally:
        ch.stop()
        shutil.rmtree(tmp, ignore_errors=True)


main()
