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
