#!/usr/bin/env python3
"""tests/live/live_test.py — live capture on real traffic between two network
namespaces joined by a veth pair (created here, named tcplens-live-<pid>-a/-b,
deleted on every exit path; traffic never leaves them).

  live_test.py TCPLENS CASE

  tpacket3 | pcap   the engine captures a transfer on the sender's veth next
                    to tcpdump; its report equals the offline report of the
                    tcpdump file (same flows, frame counts, events), no drops
  offload_hint      tpacket3 on the sender (tx checksumming on) with the
                    pseudo-header signature rule off: every artifact is still
                    csum_offload, from the kernel's TP_STATUS_CSUMNOTREADY
                    alone (offline, the same rule-less analysis says csum_bad)
  nfqueue           tcplens on NFQUEUE (iptables --queue-bypass) in the
                    receiver's namespace, as -Z nobody: bytes identical end to
                    end (sha256), report equals tcpdump's; killed, traffic
                    still flows; killed in the middle of a transfer, that
                    transfer completes with identical bytes
  drops             a tiny tpacket3 ring (2 x 4 KiB) under an unpaced burst
                    reports kernel drops > 0
  cli               missing capabilities named, --duration and -c stop,
                    SIGTERM writes the report
  tui               the TUI in tmux at 80x24 on a live transfer: the flow on
                    screen, q restores the terminal and writes the report
  fanout            --threads 2: two tpacket3 rings in a PACKET_FANOUT group
                    under 16 concurrent transfers; the merged report equals
                    the offline report of tcpdump's file, flow by flow

Exit 77 (ctest SKIP) with a message when not root or namespaces are refused.
"""
import shutil
import atexit
import decimal
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
XFER = os.path.join(HERE, "xfer.py")
PY = sys.executable
PORT = 5001
ADDR_A, ADDR_B = "10.77.0.1", "10.77.0.2"
SKIP = 77

# findings that do not depend on when a packet was seen, only on the packets
TIMELESS = ("csum_offload", "csum_bad", "ip_csum_bad", "giant_segment", "retransmission",
            "zero_window", "syn_retransmit", "rst")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(*cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        fail("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r


class Lab:
    """Two namespaces A (sender, 10.77.0.1) and B (receiver, 10.77.0.2)."""

    def __init__(self):
        self.ns_a = "tcplens-live-%d-a" % os.getpid()
        self.ns_b = "tcplens-live-%d-b" % os.getpid()
        self.procs = []
        self.made = []
        self.tmp = tempfile.mkdtemp(prefix="tcplens-live-")
        atexit.register(shutil.rmtree, self.tmp, True)  # the test's files go with it
        os.chmod(self.tmp, 0o777)  # -Z nobody writes its report here

    def __enter__(self):
        if os.geteuid() != 0:
            print("SKIP: live capture tests need root (namespaces, veth, raw sockets)")
            sys.exit(SKIP)
        for ns in (self.ns_a, self.ns_b):
            r = run("ip", "netns", "add", ns, check=False)
            if r.returncode != 0:
                self.close()
                print("SKIP: network namespaces are not available here: " + r.stderr.strip())
                sys.exit(SKIP)
            self.made.append(ns)
        run("ip", "link", "add", "eth0", "netns", self.ns_a, "type", "veth", "peer", "name", "eth0",
            "netns", self.ns_b)
        for ns, addr in ((self.ns_a, ADDR_A), (self.ns_b, ADDR_B)):
            self.sh(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
            self.sh(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "addr", "add", addr + "/24", "dev", "eth0")
            run("ip", "-n", ns, "link", "set", "eth0", "up")
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for ns in self.made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.made = []
        subprocess.run(["rm", "-rf", self.tmp])

    def sh(self, ns, *cmd, check=True):
        return run("ip", "netns", "exec", ns, *cmd, check=check)

    def bg(self, ns, *cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
        p = subprocess.Popen(("ip", "netns", "exec", ns) + cmd, stdout=stdout, stderr=stderr,
                             text=True)
        self.procs.append(p)
        return p

    def path(self, name):
        return os.path.join(self.tmp, name)

    def receiver(self):
        r = self.bg(self.ns_b, PY, XFER, "recv", str(PORT))
        if r.stdout.readline().strip() != "listening":
            fail("receiver did not start")
        return r

    def send(self, nbytes, rate=None, timeout=30):
        cmd = [PY, XFER, "send", ADDR_B, str(PORT), str(nbytes)]
        if rate:
            cmd += ["--rate", str(rate)]
        r = run("ip", "netns", "exec", self.ns_a, *cmd, timeout=timeout)
        return r.stdout.split()

    def tcpdump(self, ns, pcap, bpf):
        p = self.bg(ns, "tcpdump", "-i", "eth0", "-s", "0", "-B", "16384", "--immediate-mode", "-U",
                    "--time-stamp-precision", "nano", "-w", pcap, bpf)
        line = p.stderr.readline()
        if "listening" not in line:
            fail("tcpdump did not start: " + line)
        return p


def wait_ready(p):
    """tcplens says "capturing on ..." on stderr once the capture is open."""
    line = p.stderr.readline()
    if "capturing on" not in line:
        p.wait(5)
        fail("tcplens did not start: %s%s" % (line, p.stderr.read()))


def wait_until(cond, what, secs=10):
    end = time.time() + secs
    while time.time() < end:
        if cond():
            return
        time.sleep(0.05)
    fail("timed out waiting for " + what)


def stop(p, what, sig=signal.SIGINT, timeout=15):
    p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        fail(what + " did not stop on " + signal.Signals(sig).name)
    return p.returncode, out, err


def stop_both(tl, td):
    """tcplens (which must exit 0), then tcpdump, once the last frames are
    in: their stderr."""
    time.sleep(0.3)
    rc, _, err = stop(tl, "tcplens")
    if rc != 0:
        fail("tcplens exit %d: %s" % (rc, err))
    _, _, tderr = stop(td, "tcpdump")
    return err, tderr


def tcpdump_drops(err):
    m = re.search(r"(\d+) packets? dropped by kernel", err)
    if not m:
        fail("tcpdump said nothing about drops: " + err)
    return int(m.group(1))


def offline(tcplens, pcap, bpf, *extra):
    r = run(tcplens, "-r", pcap, "--format", "json", *extra, bpf)
    return json.loads(r.stdout)


def summary(doc, timeless_only=False, with_frames=True, link_hdr=0):
    """What must agree between a live report and the offline one (link_hdr:
    bytes of link header per frame to discount, 14 for Ethernet against the
    raw IP of NFQUEUE)."""
    cap = doc["capture"]
    flows = sorted((f["client"], f["server"], f["packets"], f["bytes"] - link_hdr * f["packets"],
                    f["retransmissions"], f["mss"]["c2s"], f["mss"]["s2c"]) for f in doc["flows"])
    kinds = {k: v for k, v in doc["summary"]["events"].items()
             if v and (not timeless_only or k in TIMELESS)}
    out = {"packets": cap["packets"], "bytes": cap["bytes"] - link_hdr * cap["packets"],
           "tcp_segments": cap["tcp_segments"],
           "flows": flows, "events_by_kind": kinds}
    if with_frames:
        out["events"] = sorted((e["frame"], e["flow"], e["dir"], e["kind"]) for e in doc["events"]
                               if not timeless_only or e["kind"] in TIMELESS)
    return out


def same(live, off, link_hdr=0, **kw):
    a, b = summary(live, **kw), summary(off, link_hdr=link_hdr, **kw)
    if a != b:
        for k in a:
            if a[k] != b.get(k):
                x, y = a[k], b.get(k)
                if isinstance(x, list) and isinstance(y, list):  # from the first difference
                    i = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q),
                             min(len(x), len(y)))
                    print("%s differ from item %d of %d/%d:" % (k, i, len(x), len(y)))
                    x, y = x[i:], y[i:]
                print("live    %s: %s" % (k, str(x)[:800]))
                print("offline %s: %s" % (k, str(y)[:800]))
        fail("live report differs from the offline analysis of tcpdump's capture")
    if not a["packets"]:
        fail("nothing captured")


def status_of(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)


def case_engine(tcplens, engine):
    bpf = "tcp port %d" % PORT
    with Lab() as lab:
        rx = lab.receiver()
        td = lab.tcpdump(lab.ns_a, lab.path("td.pcap"), bpf)
        live_json = lab.path("live.json")
        tl = lab.bg(lab.ns_a, tcplens, "-i", "eth0", "--engine", engine, "-Z", "nobody",
                    "--format", "json", "-o", live_json, bpf)
        wait_ready(tl)
        time.sleep(0.2)
        st = status_of(tl.pid)
        if st["Uid"].split()[0] == "0" or int(st["CapEff"].strip(), 16) != 0:
            fail("-Z nobody: still uid %s, capabilities %s" % (st["Uid"], st["CapEff"]))
        sent = lab.send(3000000, rate=40)
        got = rx.stdout.readline().split()
        if sent != got:
            fail("receiver got %s, sender sent %s" % (got, sent))
        err, tderr = stop_both(tl, td)
        live = json.load(open(live_json))
        off = offline(tcplens, lab.path("td.pcap"), bpf)
        if live["source"]["kind"] != engine:
            fail("source kind %s" % live["source"]["kind"])
        if live["capture"]["kernel_drops"] != 0 or tcpdump_drops(tderr) != 0:
            fail("drops: tcplens %s, tcpdump %d" % (live["capture"]["kernel_drops"],
                                                    tcpdump_drops(tderr)))
        if "interface" not in live["source"] or live["source"]["interface"]["driver"] != "veth":
            fail("the interface's driver is not in the report's source")
        same(live, off)
        s = summary(live)
        print("ok: %s: %d frames, %d flows, events %s, equal to tcpdump's, 0 drops" %
              (engine, s["packets"], len(s["flows"]), s["events_by_kind"]))


def case_offload_hint(tcplens):
    bpf = "tcp port %d" % PORT
    with Lab() as lab:
        feat = lab.sh(lab.ns_a, "ethtool", "-k", "eth0").stdout
        if not re.search(r"^tx-checksumming: on", feat, re.M):
            fail("tx checksumming is not on on the sender's veth")
        rx = lab.receiver()
        td = lab.tcpdump(lab.ns_a, lab.path("td.pcap"), bpf)
        live_json = lab.path("live.json")
        tl = lab.bg(lab.ns_a, tcplens, "-i", "eth0", "--test-no-offload-signature",
                    "--format", "json", "-o", live_json, bpf)
        wait_ready(tl)
        lab.send(1000000, rate=40)
        rx.stdout.readline()
        time.sleep(0.3)
        stop(tl, "tcplens")
        stop(td, "tcpdump")
        live = json.load(open(live_json))
        ev = live["summary"]["events"]
        if ev.get("csum_bad", 0) != 0 or ev.get("csum_offload", 0) == 0:
            fail("live, signature rule off: csum_offload %s, csum_bad %s" %
                 (ev.get("csum_offload"), ev.get("csum_bad")))
        sides = {e.get("side") for e in live["events"] if e["kind"] == "csum_offload"}
        off = offline(tcplens, lab.path("td.pcap"), bpf, "--test-no-offload-signature")
        oev = off["summary"]["events"]
        if oev.get("csum_bad", 0) == 0:
            fail("offline without the signature rule should call them csum_bad")
        off2 = offline(tcplens, lab.path("td.pcap"), bpf)
        if off2["summary"]["events"].get("csum_offload") != ev["csum_offload"]:
            fail("offline with the rule: %s csum_offload, live from hints: %s" %
                 (off2["summary"]["events"].get("csum_offload"), ev["csum_offload"]))
        print("ok: %d csum_offload from TP_STATUS_CSUMNOTREADY alone (sides %s); offline "
              "without the signature rule: %d csum_bad" %
              (ev["csum_offload"], sorted(s for s in sides if s), oev["csum_bad"]))


def iptables():
    # iptables-nft puts -j NFQUEUE through nft_compat (xt target), which this
    # kernel has even without nft's queue expression; legacy as a fallback.
    for cmd in ("iptables", "iptables-legacy"):
        if subprocess.run(["which", cmd], capture_output=True).returncode == 0:
            yield cmd


def nfq_rules(lab, q, action):
    for cmd in iptables():
        ok = True
        for chain, side in (("INPUT", "--dport"), ("OUTPUT", "--sport")):
            r = lab.sh(lab.ns_b, cmd, action, chain, "-p", "tcp", side, str(PORT), "-j", "NFQUEUE",
                       "--queue-num", str(q), "--queue-bypass", check=False)
            ok = ok and r.returncode == 0
        if ok:
            return cmd
    fail("cannot add the NFQUEUE rules (iptables -j NFQUEUE --queue-bypass)")


def nfq_bound(lab, q):
    r = lab.sh(lab.ns_b, "cat", "/proc/net/netfilter/nfnetlink_queue", check=False)
    return any(line.split()[0] == str(q) for line in r.stdout.splitlines() if line.strip())


def case_nfqueue(tcplens):
    q = 7
    bpf = "tcp port %d" % PORT
    with Lab() as lab:
        if lab.sh(lab.ns_b, "modprobe", "-q", "nfnetlink_queue", check=False).returncode not in (0, 1):
            pass
        rx = lab.receiver()
        ipt = nfq_rules(lab, q, "-A")
        td = lab.tcpdump(lab.ns_b, lab.path("td.pcap"), bpf)
        live_json = lab.path("live.json")
        tl = lab.bg(lab.ns_b, tcplens, "--nfqueue", str(q), "-Z", "nobody", "--format", "json",
                    "-o", live_json)
        wait_ready(tl)
        time.sleep(0.2)
        st = status_of(tl.pid)
        if st["Uid"].split()[0] == "0" or int(st["CapEff"].strip(), 16) != 1 << 12:
            fail("-Z nobody with nfqueue keeps only CAP_NET_ADMIN: uid %s, caps %s" %
                 (st["Uid"], st["CapEff"]))
        sent = lab.send(3000000, rate=40)
        got = rx.stdout.readline().split()
        if sent != got:
            fail("through the queue, bytes changed: sent %s, received %s" % (sent, got))
        err, tderr = stop_both(tl, td)
        live = json.load(open(live_json))
        off = offline(tcplens, lab.path("td.pcap"), bpf)
        if live["capture"]["kernel_drops"] != 0 or tcpdump_drops(tderr) != 0:
            fail("drops: tcplens %s, tcpdump %d" % (live["capture"]["kernel_drops"],
                                                    tcpdump_drops(tderr)))
        # Hooks and tcpdump see the packets in slightly different orders and
        # times: compare counts, not frame numbers or timing findings.
        same(live, off, link_hdr=14, timeless_only=True, with_frames=False)
        # Killed outright: with --queue-bypass the rule lets traffic through.
        tl2 = lab.bg(lab.ns_b, tcplens, "--nfqueue", str(q), "--format", "json", "-o",
                     lab.path("live2.json"))
        wait_ready(tl2)
        tl2.kill()
        tl2.wait()
        wait_until(lambda: not nfq_bound(lab, q), "the queue to be released")
        if ipt and "NFQUEUE" not in lab.sh(lab.ns_b, ipt, "-S").stdout:
            fail("the NFQUEUE rules are gone")
        sent = lab.send(1000000, timeout=20)
        got = rx.stdout.readline().split()
        if sent != got:
            fail("after tcplens was killed: sent %s, received %s" % (sent, got))
        # Killed in the middle of a transfer: the connection survives (fail
        # open, then bypass) and the bytes arrive unchanged.
        tl3 = lab.bg(lab.ns_b, tcplens, "--nfqueue", str(q), "--format", "json", "-o",
                     lab.path("live3.json"))
        wait_ready(tl3)
        tx = lab.bg(lab.ns_a, PY, XFER, "send", ADDR_B, str(PORT), "3000000", "--rate", "4")
        time.sleep(0.25)
        if tx.poll() is not None:
            fail("the transfer ended before tcplens could be killed in its middle")
        tl3.kill()
        tl3.wait()
        out, err = tx.communicate(timeout=30)
        got = rx.stdout.readline().split()
        if tx.returncode != 0 or out.split() != got:
            fail("killed mid-transfer: sender exit %d %s, sent %s, received %s" %
                 (tx.returncode, err.strip(), out.split(), got))
        s = summary(live, timeless_only=True, with_frames=False)
        print("ok: nfqueue (%s): %d frames, sha256 equal end to end, report equals tcpdump's; "
              "after kill -9 the transfer still completed (bypass), and a transfer during "
              "which it was killed completed with identical bytes" % (ipt, s["packets"]))


def case_drops(tcplens):
    with Lab() as lab:
        lab.sh(lab.ns_a, "ethtool", "-K", "eth0", "tso", "off", "gso", "off")
        rx = lab.receiver()
        live_json = lab.path("live.json")
        tl = lab.bg(lab.ns_a, tcplens, "-i", "eth0", "--ring-block", "4", "--ring-blocks", "2",
                    "--format", "json", "-o", live_json, "tcp")
        wait_ready(tl)
        lab.send(20000000)
        rx.stdout.readline()
        time.sleep(0.2)
        rc, _, err = stop(tl, "tcplens")
        live = json.load(open(live_json))
        drops = live["capture"]["kernel_drops"]
        if rc != 0 or not drops:
            fail("tiny ring under a burst: exit %d, kernel_drops %s (%s)" % (rc, drops, err))
        # the text report says so too
        txt = run(tcplens, "-h").stdout
        if "--ring-blocks" not in txt:
            fail("--help does not describe the ring")
        print("ok: 2 x 4 KiB ring: %d frames analyzed, %d dropped by the kernel, reported" %
              (live["capture"]["packets"], drops))


def case_cli(tcplens):
    with Lab() as lab:
        # the missing capability is named
        for args, cap in ((["-i", "lo"], "CAP_NET_RAW"), (["-i", "lo", "--engine", "pcap"], "CAP_NET_RAW"),
                          (["--nfqueue", "9"], "CAP_NET_ADMIN")):
            r = lab.sh(lab.ns_a, "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                       "--inh-caps=-all", "--bounding-set=-all", tcplens, *args, check=False)
            if r.returncode != 2 or cap not in r.stderr:
                fail("%s unprivileged: exit %d, %r (wanted %s named)" %
                     (" ".join(args), r.returncode, r.stderr, cap))
        # --duration stops a quiet capture, with a complete report
        t0 = time.time()
        r = lab.sh(lab.ns_a, tcplens, "-i", "eth0", "--duration", "0.5", "--format", "json")
        took = time.time() - t0
        doc = json.loads(r.stdout)
        if not (0.4 < took < 5) or doc["capture"]["packets"] != 0 or doc["capture"]["kernel_drops"] != 0:
            fail("--duration 0.5 took %.2f s, capture %s" % (took, doc["capture"]))
        # -c COUNT stops after COUNT frames; jsonl streams and ends
        rx = lab.receiver()
        tl = lab.bg(lab.ns_a, tcplens, "-i", "eth0", "-c", "5", "--format", "jsonl", "tcp")
        wait_ready(tl)
        lab.send(200000)
        rx.stdout.readline()
        out, err = tl.communicate(timeout=10)
        lines = [json.loads(x) for x in out.splitlines()]
        if tl.returncode != 0 or lines[0]["type"] != "start" or lines[-1]["type"] != "end" \
                or lines[-1]["capture"]["packets"] != 5:
            fail("-c 5: exit %d, %s" % (tl.returncode, out[-400:]))
        # SIGTERM ends with the text report
        tl = lab.bg(lab.ns_a, tcplens, "-i", "eth0", "--engine", "pcap")
        wait_ready(tl)
        rc, out, err = stop(tl, "tcplens", signal.SIGTERM)
        if rc != 0 or "Interface: eth0, driver veth" not in out:
            fail("SIGTERM: exit %d, report %r %r" % (rc, out[:300], err))
        print("ok: capabilities named, --duration, -c with jsonl, SIGTERM report")


def case_tui(tcplens):
    """The TUI on a live transfer in a real terminal (tmux, 80x24): the flow
    and the engine are on screen while traffic flows; q ends it, restores the
    terminal and writes the report."""
    if subprocess.run(["which", "tmux"], capture_output=True).returncode != 0:
        print("SKIP: tmux not installed")
        sys.exit(SKIP)
    with Lab() as lab:
        name = "tcplens-live-tui-%d" % os.getpid()
        report = lab.path("tui.json")
        cmd = ("ip netns exec %s %s -i eth0 --tui -o %s tcp; echo TCPLENS_EXIT=$?; sleep 30"
               % (lab.ns_a, tcplens, report))
        tm = lambda *a: subprocess.run(("tmux",) + a, capture_output=True, text=True)
        tm("kill-session", "-t", name)
        r = tm("new-session", "-d", "-s", name, "-x", "80", "-y", "24", "sh", "-c", cmd)
        if r.returncode != 0:
            fail("tmux new-session: " + r.stderr)
        try:
            pane = lambda: tm("capture-pane", "-p", "-t", name).stdout
            wait_until(lambda: "eth0" in pane(), "the TUI header naming eth0")
            rx = lab.receiver()
            lab.send(1000000, rate=2)
            rx.stdout.readline()
            wait_until(lambda: ADDR_A in pane() and ADDR_B in pane(), "the live flow on screen")
            screen = pane()
            if "tpacket3" not in screen:
                fail("engine not in the header:\n" + screen)
            tm("send-keys", "-t", name, "q")
            wait_until(lambda: "TCPLENS_EXIT=0" in pane(), "exit 0 after q")
            alt = tm("display", "-p", "-t", name, "#{alternate_on}").stdout.strip()
            if alt != "0":
                fail("alternate screen left on after q")
            doc = json.load(open(report))
            flows = [f for f in doc["flows"] if f["server"] == "%s:%d" % (ADDR_B, PORT)]
            if not flows or flows[0]["bytes"] < 1000000 or doc["capture"]["kernel_drops"] != 0:
                fail("report after q: %s" % doc["capture"])
        finally:
            tm("kill-session", "-t", name)
        print("ok: live TUI at 80x24 shows the flow while it runs; q restores the terminal and "
              "writes the report (%d frames)" % doc["capture"]["packets"])


def case_fanout(tcplens):
    """-i eth0 --threads 2: two tpacket3 rings in one PACKET_FANOUT group,
    next to tcpdump, under 16 concurrent transfers with a 1000-byte MSS. What
    must hold, from the senders and the kernel alone: every transfer arrives
    intact (the receiver's digests); both rings carry traffic (the kernel's
    flow hash spreads 16 connections: all on one ring 1 time in 32,768);
    neither tcplens nor tcpdump drops; and the merged report equals the
    offline report of tcpdump's file: frames, flows, byte counts, and each
    flow's events in order, their times within 50 us (below)."""
    bpf = "tcp port %d" % PORT
    flows, nbytes = 16, 300000
    with Lab() as lab:
        rx = lab.receiver()
        td = lab.tcpdump(lab.ns_a, lab.path("td.pcap"), bpf)
        live_json = lab.path("live.json")
        tl = lab.bg(lab.ns_a, tcplens, "-i", "eth0", "--threads", "2", "-Z", "nobody",
                    "--format", "json", "-o", live_json, bpf)
        wait_ready(tl)
        cmd = [PY, XFER, "send", ADDR_B, str(PORT), str(nbytes), "--rate", "4", "--mss", "1000"]
        senders = [lab.bg(lab.ns_a, *cmd) for _ in range(flows)]
        sent = sorted(tuple(p.communicate(timeout=30)[0].split()) for p in senders)
        got = sorted(tuple(rx.stdout.readline().split()) for _ in range(flows))
        if sent != got or len(sent) != flows:
            fail("receiver got %s, senders sent %s" % (got, sent))
        err, tderr = stop_both(tl, td)
        # tcpdump writes frames in the order the kernel queued them to its
        # socket, which is not quite the order it stamped them (a CPU stamps
        # a frame, then queues it; another may queue a later one first);
        # tcplens merges its rings in time order: compare with tcpdump's
        # file put in time order by Wireshark's reordercap.
        # (It writes no frame when the file is in order already.)
        sorted_pcap = lab.path("sorted.pcap")
        ro = run("reordercap", "-n", lab.path("td.pcap"), sorted_pcap).stdout
        moved = re.search(r"(\d+) frames, (\d+) out of order", ro)
        if not moved:
            fail("reordercap said: " + ro)
        if moved.group(2) == "0":
            sorted_pcap = lab.path("td.pcap")
        live = json.load(open(live_json))
        off = offline(tcplens, sorted_pcap, bpf)
        cap = live["capture"]
        rings = cap.get("rings") or []
        if len(rings) != 2:
            fail("capture.rings: %s" % rings)
        if any(r["packets"] == 0 for r in rings):
            fail("a ring carried nothing (16 connections, one hash): %s" % rings)
        if sum(r["packets"] for r in rings) != cap["packets"]:
            fail("the rings' frames %s do not add up to %d" % (rings, cap["packets"]))
        if cap["kernel_drops"] != 0 or any(r["kernel_drops"] for r in rings) or \
                tcpdump_drops(tderr) != 0:
            fail("drops: tcplens %s, tcpdump %d" % (rings, tcpdump_drops(tderr)))
        late = re.search(r"(\d+) frames reached the fanout merge after a later one", err)
        late = int(late.group(1)) if late else 0
        same(live, off, with_frames=False)
        # Event by event, flow by flow, not by frame number: two packet
        # sockets may stamp one frame a few microseconds apart (each takes
        # the time itself when the skb carries none: tpacket_get_timestamp),
        # so a frame sent and another received within them, by two
        # connections, can be in either order. Times as written: ns (a float
        # would round them to 0.2 us).
        def per_flow(text):
            doc = json.loads(text, parse_float=decimal.Decimal)
            ends = {f["id"]: (f["client"], f["server"]) for f in doc["flows"]}
            out = {}
            for e in sorted(doc["events"], key=lambda e: (e["frame"], e["kind"])):
                out.setdefault(ends[e["flow"]], []).append(
                    (e["dir"], e["kind"], e.get("cause"), e["ts"]))
            return out
        live_ev = per_flow(open(live_json).read())
        off_ev = per_flow(run(tcplens, "-r", sorted_pcap, "--format", "json", bpf).stdout)
        strip = lambda d: {k: [e[:3] for e in v] for k, v in d.items()}
        if strip(live_ev) != strip(off_ev) or not live_ev:
            for k in sorted(set(live_ev) | set(off_ev)):
                a, b = live_ev.get(k, []), off_ev.get(k, [])
                if strip({0: a}) != strip({0: b}):
                    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x[:3] != y[:3]),
                             min(len(a), len(b)))
                    print("flow %s, from event %d:\n live    %s\n offline %s" %
                          (k, i, a[i:i + 4], b[i:i + 4]))
            fail("events differ from tcpdump's, flow by flow")
        pairs = [(a, b) for k in live_ev for a, b in zip(live_ev[k], off_ev[k])]
        skew = max(abs(a[3] - b[3]) for a, b in pairs)
        if skew > decimal.Decimal("0.00005"):
            fail("event times differ from tcpdump's by up to %s s" % skew)
        if len([f for f in live["flows"] if f["server"] == "%s:%d" % (ADDR_B, PORT)]) != flows:
            fail("not %d flows to the receiver" % flows)
        s = summary(live)
        print("ok: fanout, 2 rings (%s frames): %d frames, %d flows, events %s, equal to "
              "tcpdump's flow by flow (times within %s s of tcpdump's; %s of its frames out of "
              "time order), 0 drops, %d merged late" %
              ("/".join(str(r["packets"]) for r in rings), s["packets"], len(s["flows"]),
               s["events_by_kind"], skew, moved.group(2), late))


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    tcplens, case = os.path.abspath(argv[1]), argv[2]
    if case in ("tpacket3", "pcap"):
        case_engine(tcplens, case)
    elif case == "offload_hint":
        case_offload_hint(tcplens)
    elif case == "nfqueue":
        case_nfqueue(tcplens)
    elif case == "drops":
        case_drops(tcplens)
    elif case == "cli":
        case_cli(tcplens)
    elif case == "tui":
        case_tui(tcplens)
    elif case == "fanout":
        case_fanout(tcplens)
    else:
        sys.exit("unknown case " + case)


if __name__ == "__main__":
    main(sys.argv)
