#!/usr/bin/env python3
"""tests/fitting/manpage_test.py — man/tcplens.1 and `tcplens --help` cannot
drift apart.

  manpage_test.py TCPLENS MANPAGE VERSION

- every long option (--word) and short option (-x) that --help names is in
  the man page, and every one the man page names is in --help (lines about
  iptables/nft rules, whose options are not ours, are left out of both);
- every long option either names is accepted by the binary (not "unknown
  option"), and an unknown one is refused, so the parse is real;
- groff -man -ww renders the page without a warning, and so does man -l
  when man-db is installed;
- tcplens --version prints "tcplens VERSION", the page's .TH says the same.
"""
import atexit
import os
import re
import shutil
import subprocess
import sys

FOREIGN = re.compile(r"iptables|nft ")
LONG = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")
SHORT = re.compile(r"(?<![\w-])-([a-zA-Z])(?=[\s,\]\[/)|]|$)")
# options of the diff and check commands (their own parser, cli/regress.c)
COMMAND_OPTS = {"update", "reports", "verbose"}


def tcpdump_habits(tcplens):
    """Typed as tcpdump users type (issue 18): options after the filter give
    the report options before it give; -n and -vv are taken; -v lists every
    damaged frame (25 here), without it 20 and a count; -B is for live
    capture and does not go with --ring-blocks."""
    import struct
    import tempfile
    d = tempfile.mkdtemp(prefix="tcplens-habits-")
    atexit.register(shutil.rmtree, d, True)  # the test's files go with it
    cap = os.path.join(d, "cut.pcap")
    with open(cap, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        # 25 Ethernet frames whose IPv4 header is cut after 8 bytes
        frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + b"\x45\x00\x00\x28\x00\x01\x00\x00"
        for i in range(25):
            f.write(struct.pack("<IIII", 1700000000, i, len(frame), len(frame)))
            f.write(frame)

    def run(*args):
        return subprocess.run([tcplens, *args], capture_output=True, text=True, timeout=30)
    before = run("-o", os.path.join(d, "a.json"), "-r", cap, "ip")
    after = run("-r", cap, "ip", "-o", os.path.join(d, "b.json"))
    with open(os.path.join(d, "a.json")) as fa, open(os.path.join(d, "b.json")) as fb:
        a, b = fa.read(), fb.read()
    if before.returncode or after.returncode or a != b or '"filter":"ip"' not in a:
        fail("options after the BPF expression: %r %r" % (before.stderr, after.stderr))
    quiet = run("-r", cap, "-o", os.devnull)
    loud = run("-n", "-vv", "-r", cap, "-o", os.devnull)
    listed = lambda r: r.stderr.count("(skipped)")
    if quiet.returncode or listed(quiet) != 20 or "5 more damaged frames not listed (-v lists them)" \
            not in quiet.stderr:
        fail("without -v: 20 damaged frames and a count: %r" % quiet.stderr[-300:])
    if loud.returncode or listed(loud) != 25 or "not listed" in loud.stderr:
        fail("-n -vv: every damaged frame: %r" % loud.stderr[-300:])
    for args, want in ((["-r", cap, "-B", "4096"], "-B are for live capture"),
                       (["-i", "lo", "-B", "4096", "--ring-blocks", "8"], "-B and --ring-blocks"),
                       (["-i", "lo", "-B", "7"], "-B wants a buffer")):
        r = run(*args)
        if r.returncode != 2 or want not in r.stderr:
            fail("%s: %r" % (" ".join(args), r.stderr))


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def options(text):
    longs, shorts = set(), set()
    for line in text.splitlines():
        if FOREIGN.search(line):
            continue
        longs.update(LONG.findall(line))
        shorts.update(SHORT.findall(line))
    return longs, shorts


def man_text(src):
    """The page's words: comments dropped, escapes for '-' and fonts undone."""
    out = []
    for line in src.splitlines():
        if line.startswith('.\\"'):
            continue
        line = line.replace("\\-", "-").replace("\\e", "\\")
        line = re.sub(r"\\f[BIRP]|\\f\(..|\\\(..|\\~|\\&", " ", line)
        line = re.sub(r"^\.[A-Z]+ ?", "", line)
        out.append(line.replace('"', " "))
    return "\n".join(out)


def main():
    tcplens, page, version = sys.argv[1:4]
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")
    helptext = subprocess.run([tcplens, "--help"], capture_output=True, text=True, check=True).stdout
    src = open(page).read()
    hl, hs = options(helptext)
    ml, ms = options(man_text(src))
    problems = []
    for name, a, b in (("--help", hl, ml), ("the man page", ml, hl)):
        other = "the man page" if name == "--help" else "--help"
        for o in sorted(a - b):
            problems.append("--%s is in %s, not in %s" % (o, name, other))
    for name, a, b in (("--help", hs, ms), ("the man page", ms, hs)):
        other = "the man page" if name == "--help" else "--help"
        for o in sorted(a - b):
            problems.append("-%s is in %s, not in %s" % (o, name, other))
    if problems:
        fail("\n  ".join(["help and man page differ:"] + problems))
    # the options exist: getopt would say "unknown option" otherwise
    for o in sorted(hl - COMMAND_OPTS):
        r = subprocess.run([tcplens, "--" + o], capture_output=True, text=True, timeout=10)
        if "unknown option '--" in r.stderr:  # (a missing argument says "-")
            fail("--%s is documented but the binary does not know it: %s" % (o, r.stderr))
    for cmd, o, arg in (("check", "update", []), ("check", "reports", ["x"]),
                        ("check", "verbose", [])):
        r = subprocess.run([tcplens, cmd, "--" + o] + arg, capture_output=True, text=True,
                           timeout=10)
        if "'--%s'" % o in r.stderr:
            fail("tcplens %s --%s: %s" % (cmd, o, r.stderr))
    r = subprocess.run([tcplens, "--no-such-option"], capture_output=True, text=True)
    if r.returncode != 2 or "unknown option" not in r.stderr:
        fail("an unknown option is not refused: %r" % r.stderr)
    # what getopt refuses is said so (issue 18): the missing file, an -o
    # extension tcplens does not write
    r = subprocess.run([tcplens, "-r"], capture_output=True, text=True)
    if r.returncode != 2 or "-r needs an argument: the capture file" not in r.stderr:
        fail("-r without a file: %r" % r.stderr)
    r = subprocess.run([tcplens, "-r", "-", "-o", "r.xml"], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    if r.returncode != 2 or "no '.xml' report" not in r.stderr or ".jsonl" not in r.stderr:
        fail("-o r.xml is not refused with the known extensions: %r" % r.stderr)
    tcpdump_habits(tcplens)
    print("help and man page name the same %d long and %d short options" % (len(hl), len(hs)))

    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page], capture_output=True,
                       text=True, env=env)
    if r.returncode != 0 or r.stderr.strip():
        fail("groff warns: %s" % r.stderr)
    if shutil.which("man"):
        r = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True, env=env)
        if r.returncode != 0 or r.stderr.strip():
            fail("man -l warns: %s" % r.stderr)
        for section in ("SYNOPSIS", "OPTIONS", "REPORT FORMATS", "FINDINGS", "EXIT STATUS",
                        "EXAMPLES", "FILES", "SEE ALSO"):
            if not re.search(r"^%s$" % section, r.stdout, re.M):
                fail("man -l: no %s section" % section)
        print("man -l renders %d lines, no warning" % r.stdout.count("\n"))

    r = subprocess.run([tcplens, "--version"], capture_output=True, text=True)
    if r.returncode != 0 or r.stdout != "tcplens %s\n" % version:
        fail("--version printed %r (exit %d), want 'tcplens %s'" % (r.stdout, r.returncode, version))
    r2 = subprocess.run([tcplens, "-V"], capture_output=True, text=True)
    if r2.stdout != r.stdout:
        fail("-V and --version differ")
    th = re.search(r'^\.TH TCPLENS 1 "[^"]*" "tcplens ([^"]+)"', src, re.M)
    if not th or th.group(1) != version:
        fail("the page's .TH names another version than %s" % version)
    print("PASS")


if __name__ == "__main__":
    main()
