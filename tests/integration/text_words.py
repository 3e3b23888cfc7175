#!/usr/bin/env python3
"""
tests/integration/text_words.py TCPLENS SAMPLES_DIR

Every sample's text report read as a network engineer reads it (issue 18):
no "time(s)"-style hedged plurals, no singular count with a plural noun
("1 frames", "1 holes") nor a plural count with a singular one ("2 hole"),
no zero count listed as if it said something ("0 UDP flows", "0 TLP",
"cut their window 0 times"), and no chart scaled in "0.0 segments" or a
round of bytes drawn as 0 segments. Each line that breaks a rule is
printed with its sample; the exit status is 1 if any does.
"""
import glob
import os
import re
import subprocess
import sys

tcplens, samples = sys.argv[1:3]
NOUNS = (r"frames?|segments?|holes?|flows?|connections?|stalls?|bytes?|events?|times?|"
         r"retransmissions?|hosts?|packets?|resends?|rounds?|waits?|findings?|servers?|"
         r"datagrams?|fragments?|checksums?|headers?|resets?|retries|retry|SYNs?")
RULES = [
    ("a hedged plural", re.compile(r"\w\(s\)")),
    ("1 with a plural noun", re.compile(r"(?<![\d.,])1 (?:%s)\b" % NOUNS.replace("?", ""))),
    ("a zero count listed", re.compile(
        r"(?<![\d.,x])0 (?:UDP flows|TCP connections|other frames|after RTO|TLP|spurious|"
        r"times?\b|holes|stalls|retransmissions|resends)")),
    ("a chart in 0.0 segments", re.compile(r"0\.0 segments|each # = 0(?:\.0)? ")),
]
# "1 frames" is the only wrong form of a noun whose plural is its s: build it
PLURAL_AFTER_ONE = re.compile(
    r"(?<![\d.,/])1 (frames|segments|holes|flows|connections|stalls|bytes|events|times|"
    r"retransmissions|hosts|packets|resends|rounds|waits|findings|servers|datagrams|"
    r"fragments|checksums|headers|resets|retries|SYNs)\b")
SINGULAR_AFTER_MANY = re.compile(
    r"(?<![\d.,/])(?:[2-9]|[1-9]\d+) (frame|segment|hole|flow|connection|stall|event|time|"
    r"retransmission|host|packet|resend|round|wait|finding|server|datagram|fragment|"
    r"checksum|reset|SYN)\b(?!-)(?! (?:and|resets|retries|number|numbers|of the|per|size|sizes|limit|window|"
    r"ago|header|headers|length|table|id|ids|comment|cut|lost|count|counts|order|rate))")
RULES[1] = ("1 with a plural noun", PLURAL_AFTER_ONE)
RULES.append(("a plural count with a singular noun", SINGULAR_AFTER_MANY))

bad = lines = 0
paths = sorted(glob.glob(os.path.join(samples, "*.pcap")) +
               glob.glob(os.path.join(samples, "*.pcapng")))
for path in paths:
    r = subprocess.run([tcplens, "-r", path, "-q"], capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or "Diagnosis" not in r.stdout and "Capture:" not in r.stdout:
        print(f"FAIL: {os.path.basename(path)}: no text report (exit {r.returncode})")
        bad += 1
        continue
    for line in r.stdout.splitlines():
        lines += 1
        for what, rx in RULES:
            if rx.search(line):
                bad += 1
                print(f"FAIL: {os.path.basename(path)}: {what}: {line.strip()}")
print(f"{len(paths)} text reports, {lines} lines, {bad} breaking a rule")
sys.exit(1 if bad or not paths else 0)
