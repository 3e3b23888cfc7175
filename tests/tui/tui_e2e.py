#!/usr/bin/env python3
"""tests/tui/tui_e2e.py — the TUI end to end.

  tui_e2e.py identical TCPLENS SAMPLES
      --replay (max and paced, --no-tui) gives the offline JSON report byte
      for byte.
  tui_e2e.py tmux TCPLENS SAMPLES WxH
      tcplens in a real terminal (a private tmux server): browse and replay
      the samples, navigate, sort, filter, drill down, help, pause, resize,
      quit; capture-pane asserts what is on screen, and that the terminal is
      restored and the report written after q.
"""
import shutil
import atexit
import os
import subprocess
import sys
import tempfile
import time

FAILS = []


def check(cond, what, screen=None):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)
        if screen is not None:
            print(screen)


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)


def identical(tcplens, samples):
    tmp = tempfile.mkdtemp(prefix="tcplens-tui-")
    atexit.register(shutil.rmtree, tmp, True)  # the test's files go with it
    for name, speed in (("nagle", "max"), ("offload_tx", "max"), ("iw10_50k", "max"),
                        ("nagle", "8")):
        pcap = os.path.join(samples, name + ".pcap")
        a, b = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
        r1 = run([tcplens, "-r", pcap, "--no-tui", "-o", a])
        t0 = time.monotonic()
        r2 = run([tcplens, "-r", pcap, "--replay=" + speed, "--no-tui", "-o", b])
        took = time.monotonic() - t0
        check(r1.returncode == 0 and r2.returncode == 0, f"{name}: exit codes")
        same = open(a, "rb").read() == open(b, "rb").read()
        check(same, f"{name} --replay={speed}: report differs from the offline one")
        if speed == "8":  # nagle lasts 1.42 s: paced at 8x it takes ~0.18 s
            check(took >= 0.15, f"{name} --replay=8 took {took:.3f} s: not paced")
    bad = run([tcplens, "-i", "lo", "--replay", "--no-tui"])
    check(bad.returncode == 2 and b"--replay" in bad.stderr, "--replay without -r refused")
    bad = run([tcplens, "-r", os.path.join(samples, "nagle.pcap"), "--replay=fast"])
    check(bad.returncode == 2, "--replay=fast refused")


class Tmux:
    def __init__(self, w, h):
        self.sock = f"tcplens-tui-{os.getpid()}"
        self.w, self.h = w, h
        self.n = 0

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def keepalive(self):
        # one idle session for the whole test: the server does not exit
        # (and race the next new-session) when a test session is killed
        self.tmux("new-session", "-d", "-s", "keep", "-x", str(self.w), "-y", str(self.h),
                  "sleep", "600")

    def start(self, cmd):
        self.n += 1
        self.name = f"s{self.n}"
        shell = f"{cmd}; echo TCPLENS_EXIT=$?; sleep 60"
        r = self.tmux("new-session", "-d", "-s", self.name, "-x", str(self.w), "-y",
                      str(self.h), "env", "TERM=xterm-256color", "sh", "-c", shell)
        check(r.returncode == 0, f"tmux new-session: {r.stderr}")

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def keys(self, *k):
        self.tmux("send-keys", "-t", self.name, *k)

    def wait_for(self, text, timeout=8.0, absent=False):
        """The screen once text is there (or gone) and the screen has settled:
        tmux draws the terminal's output as it comes, so a capture can catch
        a screen half redrawn (a new title over the old body)."""
        end = time.monotonic() + timeout
        last, seen = None, None
        while time.monotonic() < end:
            s = self.screen()
            if (text in s) != absent:
                now = time.monotonic()
                seen = seen or now
                # settled, or still moving after a second (a replay's
                # counters): take it
                if s == last or now - seen > 1.0:
                    return s
                last = s
            else:
                last, seen = None, None
            time.sleep(0.05)
        s = self.screen()
        check(False, f"{'no longer' if absent else ''} waiting for {text!r}", s)
        return s

    def kill(self):
        self.tmux("kill-session", "-t", self.name)

    def close(self):
        self.tmux("kill-server")


def quit_and_check(t, report=None, want=None):
    t.keys("q")
    s = t.wait_for("TCPLENS_EXIT=0")
    check("tcplens | " not in s, "the TUI is gone after q (terminal restored)", s)
    alt = t.tmux("display", "-p", "-t", t.name, "#{alternate_on}").stdout.strip()
    check(alt == "0", f"alternate screen left after q ({alt})")
    if report and want:
        body = open(report).read() if os.path.exists(report) else ""
        check(want in body, f"the report after q contains {want!r}")
    t.kill()


def tmux_tests(tcplens, samples, size):
    w, h = (int(x) for x in size.split("x"))
    t = Tmux(w, h)
    tmp = tempfile.mkdtemp(prefix="tcplens-tui-")
    atexit.register(shutil.rmtree, tmp, True)  # the test's files go with it
    nagle = os.path.join(samples, "nagle.pcap")
    t.keepalive()
    try:
        # Browse the Nagle sample: the stall cause on the main screen.
        out = os.path.join(tmp, "nagle.txt")
        t.start(f"{tcplens} --tui -r {nagle} -o {out}")
        s = t.wait_for("END OF CAPTURE")
        check("stall (delayed_ack)" in s, "nagle: finding stall (delayed_ack)", s)
        check("delayed_ack" in s.split("stalled (cause)")[-1], "nagle: flow row cause", s)
        lines = s.rstrip("\n").split("\n")
        check(len(lines) == h and "q quit" in lines[-1], "key bar on the last line", s)
        # findings -> its flows -> a flow's detail -> help -> back
        t.keys("Tab", "Enter")
        s = t.wait_for("Flows behind stall (delayed_ack): 1 flow")
        t.keys("Enter")
        s = t.wait_for("Timeline:")
        check("delayed_ack 29x" in s and "Flight per round, c2s client" in s and "phase   aa" in s,
              "nagle: detail with stalls and the round plot", s)
        t.keys("j", "j", "k")
        t.keys("?")
        s = t.wait_for("Help: keys")
        check("s, F6" in s and "q, F10" in s, "help lists the keys", s)
        t.keys("Escape")
        t.wait_for("Timeline:")
        t.keys("Escape")
        t.wait_for("Flows behind")
        t.keys("BSpace")
        s = t.wait_for("Findings (")
        # The finding screen (i, findings focused): the whole explanation and
        # remedy, wrapped to the terminal, the words of the JSON report.
        rep = subprocess.run([tcplens, "-r", nagle, "--format", "json"], capture_output=True,
                             text=True).stdout
        import json
        want = [f for f in json.loads(rep)["summary"]["findings"]
                if f["kind"] == "stall" and f.get("cause") == "delayed_ack"][0]
        t.keys("i")
        s = t.wait_for("Finding: stall (delayed_ack), medium, 29 times")
        text = []
        for _ in range(6):  # page down until the last line shows
            text += s.rstrip("\n").split("\n")[3:-1]
            if "Esc goes back." in s:
                break
            t.keys("NPage")
            time.sleep(0.3)
            s = t.screen()
        words = " ".join(" ".join(text).split())
        rem = " ".join(want["remedy"].split())
        expl = " ".join(want["explanation"].split())
        check(rem in words, f"the finding screen shows the whole remedy at {size}", s)
        check(expl in words, f"the finding screen shows the whole explanation at {size}", s)
        check(all(len(x) <= w for x in s.split("\n")), "no line wider than the terminal", s)
        t.keys("Enter")
        t.wait_for("Flows behind stall (delayed_ack): 1 flow")
        t.keys("Escape")
        t.wait_for("What to do")
        t.keys("Escape")
        s = t.wait_for("Findings (")
        # sort and filter
        t.keys("s")
        s = t.wait_for("sort client")
        t.keys("s", "s")
        s = t.wait_for("sort state")
        t.keys("/")
        t.wait_for("Filter: _")
        t.keys("-l", "10.99.13.2:5013")
        t.keys("Enter")
        s = t.wait_for('filter "10.99.13.2:5013": 1')
        t.keys("/", "BSpace", "BSpace", "BSpace", "BSpace", "9", "Enter")
        s = t.wait_for("No flow matches the filter.")
        t.keys("Escape")
        t.wait_for("No flow matches", absent=True)
        # resize
        t.tmux("resize-window", "-t", t.name, "-x", str(w + 20), "-y", str(h + 6))
        # The old screen still says "q quit" until the TUI has handled the
        # resize: wait for the footer on the new last line, not just the text.
        end = time.monotonic() + 8.0
        while True:
            s = t.screen()
            lines = s.rstrip("\n").split("\n")
            if len(lines) == h + 6 and "q quit" in lines[-1]:
                break
            if time.monotonic() > end:
                check(False, "redrawn at the new size", s)
            time.sleep(0.05)
        quit_and_check(t, out, "delayed_ack")

        # The timeline filter: on loopback every segment is an offload
        # artifact; they are hidden by default so the stalls show, f cycles.
        lo = os.path.join(samples, "nagle_lo.pcap")
        t.start(f"{tcplens} --tui -r {lo} -o {os.path.join(tmp, 'lo.txt')}")
        t.wait_for("END OF CAPTURE")
        t.keys("Enter")
        s = t.wait_for("Timeline:")
        check("no offload artifacts" in s and "hidden (f)" in s,
              "nagle_lo: artifacts hidden from the timeline by default", s)
        body = s.split("Timeline:")[1].split("Flight per round")[0]
        check("stall" in body and "csum_offload" not in body, "nagle_lo: the stalls show", s)
        t.keys("f")
        s = t.wait_for("all kinds")
        t.keys("f")
        s = t.wait_for("csum_offload only")
        quit_and_check(t)

        # --tui with stdout redirected draws on /dev/tty, as htop does, and
        # the report goes to stdout (the file) at the end, as without it.
        red = os.path.join(tmp, "redirected.txt")
        t.start(f"{tcplens} --tui -r {nagle} > {red}")
        s = t.wait_for("END OF CAPTURE")
        check("stall (delayed_ack)" in s, "--tui > file: the TUI on the terminal", s)
        quit_and_check(t)
        body = open(red).read() if os.path.exists(red) else ""
        check("Diagnosis" in body and "delayed_ack" in body and "\x1b[" not in body,
              "--tui > file: the text report in the file, no terminal codes in it")

        # A capture cut short: the read error is said once the terminal is
        # given back (a line written under the TUI would be drawn over), and
        # the report of the frames before it still goes to stdout.
        cut = os.path.join(tmp, "cut.pcap")
        with open(os.path.join(samples, "bulk.pcap"), "rb") as f:
            open(cut, "wb").write(f.read(300000))
        red = os.path.join(tmp, "cut.txt")
        t.start(f"{tcplens} --tui -r {cut} > {red}")
        s = t.wait_for("END OF CAPTURE")
        t.keys("q")
        s = t.wait_for("TCPLENS_EXIT=2")
        joined = s.replace("\n", "")  # the terminal wraps the long line
        check("truncated dump file" in joined and "the report covers the frames before it" in joined,
              "a read error under the TUI: said on the terminal after q", s)
        t.kill()
        body = open(red).read() if os.path.exists(red) else ""
        check("Diagnosis" in body or "Connections" in body,
              "a read error under the TUI: the report of the frames before it on stdout")

        # Replay at high speed: the TUI opens by itself (stdout a terminal);
        # the offload verdict on screen; the report equals the offline one.
        off = os.path.join(samples, "offload_tx.pcap")
        rj = os.path.join(tmp, "off_replay.json")
        t.start(f"{tcplens} -r {off} --replay=max -o {rj}")
        s = t.wait_for("END OF CAPTURE")
        check("csum_offload (tx)" in s, "offload_tx: the tx artifact verdict", s)
        quit_and_check(t)
        oj = os.path.join(tmp, "off.json")
        run([tcplens, "-r", off, "-o", oj])
        check(open(rj, "rb").read() == open(oj, "rb").read(),
              "offload_tx: replay through the TUI gives the offline report")

        # The IW of 10 in the detail (and the column on wide terminals).
        iw = os.path.join(samples, "iw10_50k.pcap")
        t.start(f"{tcplens} -r {iw} --replay=1000")
        s = t.wait_for("END OF CAPTURE")
        t.keys("s")  # sort client, then through to iw
        for _ in range(9):
            t.keys("s")
        s = t.wait_for("sort iw")
        if w >= 100:
            check(" iwv " in s or "iwv" in s, "iw column sorted", s)
        t.keys("Enter")
        s = t.wait_for("Timeline:")
        check("IW 10 seg" in s, "iw10: the initial window of 10", s)
        t.keys("q")
        s = t.wait_for("TCPLENS_EXIT=0")
        check("Diagnosis" in s or "Evidence" in s or "initial" in s,
              "the text report is printed to the terminal after q", s)
        t.kill()

        # Pause stops the replay clock (nagle lasts 1.42 s at 1x).
        t.start(f"{tcplens} -r {nagle} --replay=0.5 -o {os.path.join(tmp, 'p.txt')}")
        s = t.wait_for("replay x0.5 ")
        check("%" in s.split("\n")[0], "replay: the progress in the header", s)
        t.keys("+")
        t.wait_for("replay x1 ")  # + doubles the speed
        t.keys("p")
        t.wait_for("PAUSED")
        time.sleep(2.0)
        s = t.screen()
        check("END OF CAPTURE" not in s and "PAUSED" in s, "paused replay does not advance", s)
        t.keys("p")
        t.wait_for("END OF CAPTURE", timeout=6)
        quit_and_check(t)
    finally:
        t.close()


def main():
    if sys.argv[1] == "identical":
        identical(sys.argv[2], sys.argv[3])
    else:
        tmux_tests(sys.argv[2], sys.argv[3], sys.argv[4])
    if FAILS:
        print(f"{len(FAILS)} failure(s)")
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
