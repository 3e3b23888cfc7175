#!/usr/bin/env python3
"""
tests/integration/corpus_tshark.py TCPLENS CORPUS_DIR [--table FILE] [--files N] [--no-tshark]

tcplens on captures nobody here made (tcpdump's test suite: real traffic, and
many files damaged on purpose), file by file, against tshark:
  - tcplens neither crashes nor hangs; it exits 0, or 2 with a message that
    names the file;
  - every JSON report keeps the contract (report_contract.py): no event
    field outside the vocabulary, a csum_bad fate included;
  - frames: tcplens's capture.packets == the frames tshark reads;
  - TCP connections: tcplens's TCP flows == tshark's distinct tcp.stream,
    outside tunnels and ICMP quotes (frames with a second IP layer, or TCP
    inside GRE/UDP/ICMP, which issue 16 decodes), except the files listed
    in KNOWN with the reason;
  - bad TCP/UDP checksums (tshark's checksum status, frames not cut by the
    snap length, outside tunnels) == csum_bad + csum_offload events, and bad
    IPv4 header checksums == ip_csum_bad + ip_csum_offload, with the same exceptions.
Retransmissions, spurious retransmissions and zero windows are compared and
tabulated (--table), not asserted: the two tools define them differently
(docs/detectors.md says how).

--no-tshark: only the first two (crashes, hangs, the contract), for the
sanitizer build, where tshark's share would be the same and slow.

Exit 77 (skipped) when CORPUS_DIR is missing: the corpus lives outside the
repository (../shared/corpus/tcpdump).
"""
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_contract  # noqa: E402

# file -> (what differs, why): each checked by hand against tshark -V.
KNOWN = {
    # tcplens is right
    "bigtcp-ipv6.pcap": "a BIG TCP GSO giant (IPv6 payload length 0, 80 kB): tshark 4.0 calls it "
                        "malformed and dissects no TCP; tcplens decodes the segment (RFC 2675 "
                        "sizing), one connection, its checksum the offload seed",
    "bigtcp-ipv6-geneve-ipv4.pcap": "a BIG TCP GSO giant (IPv6 payload length 0) inside a tunnel: tshark 4.0 cannot sum the giant and leaves the outer UDP checksum unverified; tcplens finds the pseudo-header seed a sender's checksum offload leaves (csum_offload, harmless)",
    "bigtcp-ipv6-geneve-ipv6.pcap": "a BIG TCP GSO giant (IPv6 payload length 0) inside a tunnel: tshark 4.0 cannot sum the giant and leaves the outer UDP checksum unverified; tcplens finds the pseudo-header seed a sender's checksum offload leaves (csum_offload, harmless)",
    "bigtcp-ipv6-vxlan-ipv4.pcap": "a BIG TCP GSO giant (IPv6 payload length 0) inside a tunnel: tshark 4.0 cannot sum the giant and leaves the outer UDP checksum unverified; tcplens finds the pseudo-header seed a sender's checksum offload leaves (csum_offload, harmless)",
    "bigtcp-ipv6-vxlan-ipv6.pcap": "a BIG TCP GSO giant (IPv6 payload length 0) inside a tunnel: tshark 4.0 cannot sum the giant and leaves the outer UDP checksum unverified; tcplens finds the pseudo-header seed a sender's checksum offload leaves (csum_offload, harmless)",
    # both defensible
    "kday4.pcap": "frame 10's IPv4 total length (820) runs past the 66-byte frame: tcplens "
                  "calls the frame malformed and sums nothing; tshark sums the bytes there are "
                  "and calls the TCP checksum bad",
    "kday7.pcap": "the same frame as kday4.pcap",
    "bgp-bgp_capabilities_print-oobr-1.pcap": "a lone first fragment (MF set) whose IPv4 header checksum is wrong: tshark does not reassemble it and dissects its TCP header; tcplens, like the receiver's kernel, drops a fragment with a bad header checksum (ip_csum_bad) and never sees the segment",
    "bgp-bgp_capabilities_print-oobr-2.pcap": "a lone first fragment (MF set) whose IPv4 header checksum is wrong: tshark does not reassemble it and dissects its TCP header; tcplens, like the receiver's kernel, drops a fragment with a bad header checksum (ip_csum_bad) and never sees the segment",
    "bgp_pmsi_tunnel-oobr.pcap": "a lone first fragment (MF set) whose IPv4 header checksum is wrong: tshark does not reassemble it and dissects its TCP header; tcplens, like the receiver's kernel, drops a fragment with a bad header checksum (ip_csum_bad) and never sees the segment",
    "rpki-rtr-oobr.pcap": "its one frame's IPv4 total length (62) runs past the frame (50 bytes "
                          "of IP): tcplens calls it malformed (no connection); tshark dissects "
                          "the TCP header anyway",
    "smb_print_trans-oobr2.pcap": "the file header's snap length (195) is below the record's "
                                  "length (221): libpcap, which tcplens reads with, cuts the "
                                  "record to 195 bytes and the UDP checksum cannot be summed; "
                                  "tshark's reader keeps all 221",
    "sflow_expanded.pcap": "a TCP header sampled inside an sFlow datagram: one sampled packet, "
                           "not a connection; tshark counts a stream, tcplens does not decode sFlow",
    # tcplens does not decode it yet (issue 16)
    "icmp-rfc8335-missing-bytes.pcap": "IPv4 behind a MACsec (802.1AE) header: tcplens does not "
                                       "decode MACsec, tshark checks the IPv4 header inside",
}

FIELDS = ["frame.number", "frame.protocols", "frame.cap_len", "frame.len", "tcp.stream",
          "tcp.checksum.status", "tcp.checksum", "udp.checksum.status", "udp.checksum",
          "ip.checksum.status", "tcp.analysis.retransmission",
          "tcp.analysis.spurious_retransmission", "tcp.analysis.fast_retransmission",
          "tcp.analysis.zero_window", "ip.fragment.count", "ipv6.fragment.count"]


def tunneled(protocols):
    """True when the frame's TCP/UDP header is not the transport of its first
    IP header (a tunnel, IP in IP, or a header quoted by an ICMP error)."""
    layers = [p for p in protocols.split(":") if not p.startswith("ipv6.")]
    ips = [i for i, p in enumerate(layers) if p in ("ip", "ipv6")]
    l4 = [i for i, p in enumerate(layers) if p in ("tcp", "udp")]
    return bool(ips and l4) and (len(ips) > 1 or l4[0] != ips[0] + 1)


def tshark_view(path):
    cmd = ["tshark", "-n", "-r", path, "-o", "tcp.check_checksum:TRUE",
           "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
           "-o", "tcp.analyze_sequence_numbers:TRUE", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=120)
    v = {"frames": 0, "streams": set(), "skip": set(), "bad_tcp": 0, "bad_udp": 0, "bad_ip": 0,
         "retrans": 0, "spurious": 0, "zero_window": 0, "tunneled_tcp": 0, "datagrams": 0,
         "rc": p.returncode}
    for line in p.stdout.splitlines():
        c = (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
        (num, protos, caplen, flen, stream, tstat, tcsum, ustat, ucsum, ipstat, rtx, spur, fast,
         zw, frags4, frags6) = c
        if not num:
            continue
        v["frames"] += 1
        v["datagrams"] += bool(frags4 or frags6)  # the frame that completed one
        inner = tunneled(protos)
        cut = caplen != flen
        if inner or cut:  # not compared: tcplens sees no inner header, tshark cannot verify
            v["skip"].add(int(num))
        if ipstat in ("0", "Bad"):  # the first (outer) IPv4 header: tcplens checks it too
            v["bad_ip"] += 1
        if inner:
            layers = protos.split(":")
            # a header an ICMP error quotes is no connection; one inside a
            # tunnel is (tcplens decodes the tunnels: issue 16)
            if "icmp" in layers or "icmpv6" in layers:
                v["tunneled_tcp"] += "tcp" in layers
            elif stream:
                v["streams"].add(stream)
            continue
        if stream:
            v["streams"].add(stream)
        # 0xffff where the sum is zero is a valid encoding (RFC 1624) that
        # tshark 4.0 calls bad; crosscheck_tshark.py says the same.
        if not cut and tstat in ("0", "Bad") and tcsum.lower() != "0xffff":
            v["bad_tcp"] += 1
        if not cut and ustat in ("0", "Bad") and ucsum.lower() != "0xffff":
            v["bad_udp"] += 1
        v["retrans"] += bool(rtx)
        v["spurious"] += bool(spur)
        v["zero_window"] += bool(zw)
    return v


def tcplens_view(tcplens, path):
    try:
        p = subprocess.run([tcplens, "-r", path, "--format", "json"], capture_output=True,
                           timeout=60)
    except subprocess.TimeoutExpired:
        return {"problem": "hung (no report within 60 s)"}
    err = p.stderr.decode(errors="replace")
    if p.returncode < 0 or p.returncode not in (0, 2):
        return {"problem": f"exit {p.returncode}: {err[-300:]}"}
    if p.returncode == 2:
        if not err.startswith("tcplens: ") or os.path.basename(path) not in err:
            return {"problem": f"exit 2 without naming the file: {err[:200]!r}"}
        if not p.stdout:
            return {"refused": err.splitlines()[0] if err else ""}
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        return {"problem": f"report is not JSON ({e})"}
    problems = report_contract.validate(doc)
    if problems:
        return {"problem": "contract: " + "; ".join(problems[:3])}
    ev = doc["events"]
    return {
        "events": ev,
        "frames": doc["capture"]["packets"],
        "streams": sum(1 for f in doc["flows"] if f["proto"] == "tcp"),
        "retrans": sum(1 for e in ev if e["kind"] == "retransmission"),
        "spurious": sum(1 for e in ev if e["kind"] == "retransmission"
                        and e.get("cause") == "spurious"),
        "zero_window": sum(1 for e in ev if e["kind"] == "zero_window"),
        "events_not_written": doc["capture"].get("events_not_written", 0),
        "datagrams": doc["capture"].get("ip_reassembly", {}).get("datagrams", 0),
    }


def compare(tcplens, path, no_tshark=False):
    name = os.path.basename(path)
    mine = tcplens_view(tcplens, path)
    if "problem" in mine:
        return name, [mine["problem"]], None, mine
    if no_tshark:
        return name, [], None, mine
    theirs = tshark_view(path)
    if "refused" in mine:
        return name, [], theirs, mine
    skip = theirs["skip"]
    for k, kinds, proto in (("bad_tcp", ("csum_bad", "csum_offload"), "tcp"),
                            ("bad_udp", ("csum_bad", "csum_offload"), "udp"),
                            ("bad_ip", ("ip_csum_bad", "ip_csum_offload"), None)):
        mine[k] = sum(1 for e in mine["events"] if e["kind"] in kinds
                      and (proto is None or e["frame"] not in skip) and (proto is None or e.get("proto") == proto))
    diffs = []
    if mine["frames"] != theirs["frames"]:
        diffs.append(f"frames: tshark {theirs['frames']}, tcplens {mine['frames']}")
    if not theirs["tunneled_tcp"] and mine["streams"] != len(theirs["streams"]):
        diffs.append(f"TCP connections: tshark {len(theirs['streams'])}, "
                     f"tcplens {mine['streams']}")
    if mine["datagrams"] != theirs["datagrams"]:
        diffs.append(f"IP datagrams reassembled: tshark {theirs['datagrams']}, "
                     f"tcplens {mine['datagrams']}")
    if not mine["events_not_written"]:
        for k, what in (("bad_tcp", "bad TCP checksums"), ("bad_udp", "bad UDP checksums"),
                        ("bad_ip", "bad IPv4 header checksums")):
            if mine[k] != theirs[k]:
                diffs.append(f"{what}: tshark {theirs[k]}, tcplens {mine[k]}")
    return name, diffs, theirs, mine


def main():
    args = sys.argv[1:]
    table = None
    limit = None
    if "--table" in args:
        i = args.index("--table")
        table = args[i + 1]
        del args[i:i + 2]
    no_tshark = "--no-tshark" in args
    if no_tshark:
        args.remove("--no-tshark")
    if "--files" in args:
        i = args.index("--files")
        limit = int(args[i + 1])
        del args[i:i + 2]
    tcplens, corpus = args
    if not os.path.isdir(corpus):
        print(f"skip: no corpus at {corpus}")
        sys.exit(77)
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus)
                   if re.search(r"\.(pcap|pcapng|cap)$", f))[:limit]
    failures, explained = [], []
    agree = refused = 0
    rows = []
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for name, diffs, theirs, mine in pool.map(lambda p: compare(tcplens, p, no_tshark), files):
            if "refused" in mine:
                refused += 1
                continue
            if theirs:
                rows.append((name, theirs, mine))
            if not diffs:
                agree += 1
            elif name in KNOWN and not diffs[0].startswith(("exit", "hung", "contract", "report")):
                explained.append(f"{name}: {'; '.join(diffs)} -- {KNOWN[name]}")
            else:
                failures.append(f"{name}: {'; '.join(diffs)}")
    for e in explained:
        print("explained:", e)
    if table:
        with open(table, "w") as out:
            out.write("file\tframes\tts_streams\ttl_streams\tts_retrans\ttl_retrans"
                      "\tts_spurious\ttl_spurious\tts_zero_window\ttl_zero_window\n")
            for name, t, m in rows:
                out.write(f"{name}\t{t['frames']}\t{len(t['streams'])}\t{m.get('streams')}"
                          f"\t{t['retrans']}\t{m.get('retrans')}\t{t['spurious']}"
                          f"\t{m.get('spurious')}\t{t['zero_window']}\t{m.get('zero_window')}\n")
    stale = [] if no_tshark else sorted(set(KNOWN) - {e.split(":")[0] for e in explained})
    for s in stale:
        failures.append(f"{s}: listed in KNOWN but now agrees (or is gone): drop it")
    print(f"corpus: {len(files)} files, {agree} "
          f"{'read without a fault' if no_tshark else 'agree with tshark'}, "
          f"{len(explained)} explained, "
          f"{refused} refused with a message (link types tcplens does not read), "
          f"{len(failures)} failures")
    if failures:
        for f in failures:
            print("FAIL:", f)
        sys.exit(1)


if __name__ == "__main__":
    main()
