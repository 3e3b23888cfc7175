#!/usr/bin/env python3
"""
tests/integration/check_truth.py TCPLENS SAMPLES_DIR

Every detector against ground truth that does not come from an analyzer: the
relay's log of the frames it corrupted or dropped, the frames deleted from a
capture, the kernel's own counters, the lab script's parameters, and simple
tshark display-filter counts where the truth file says so (samples/lab/).
One check per sample and claim; the report's numbers must equal the truth.
"""
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

tcplens, sdir = sys.argv[1:3]


def report(name):
    path = os.path.join(sdir, name)
    out = subprocess.run([tcplens, "-r", path, "--format", "json"], capture_output=True,
                         check=True)
    return json.loads(out.stdout)


def truth(name):
    with open(os.path.join(sdir, name + ".truth.json")) as f:
        return json.load(f)



def kinds(doc, kind, key=None):
    evs = [e for e in doc["events"] if e["kind"] == kind]
    return collections.Counter(e.get(key) for e in evs) if key else evs


def abs_seq(doc, ev):
    fl = next(f for f in doc["flows"] if f["id"] == ev["flow"])
    return (fl[ev["dir"]]["seq_base"] + ev["seq"]) % (1 << 32)


def relay_frames(t, action):
    return [r for r in t["relay"]["log"] if r["action"] == action and r["dir"] == "a2b"]


# --- checksums ---------------------------------------------------------------
d, t = report("corrupt.pcap"), truth("corrupt")
bad = kinds(d, "csum_bad")
corrupted = relay_frames(t, "corrupt")
check("corrupt: every corrupted frame is csum_bad, no other",
      len(bad) == len(corrupted) and len(corrupted) > 0, f"{len(bad)} vs {len(corrupted)}")
check("corrupt: each with fate dropped", all(e["fate"] == "dropped" for e in bad),
      collections.Counter(e["fate"] for e in bad))
check("corrupt: no offload artifact claimed", not kinds(d, "csum_offload"))

for name in ("offload_tx", "sll", "sll2", "sll_rx", "snaplen", "tso", "tso_off", "tso_sll",
             "tso_v6_reqresp"):
    d, t = report(name + ".pcap"), truth(name)
    off = kinds(d, "csum_offload")
    want = t["tshark_counts"]["tcp_frames_a2b"]
    check(f"{name}: every frame A sent is a tx offload artifact ({want})",
          len(off) == want and all(e["side"] == "tx" for e in off) and not kinds(d, "csum_bad"),
          f"{len(off)} artifacts, sides {collections.Counter(e['side'] for e in off)}")

# The direction in pcapng epb_flags (mk_epb_flags.sh: the cooked captures
# rewritten as Ethernet pcapng, each frame's SLL packet type now its
# epb_flags direction): the report is the cooked capture's, event for event
# and word for word, so the direction came through.
for src, name in (("sll", "epb_out"), ("sll_rx", "epb_in")):
    a, b, t = report(src + ".pcap"), report(name + ".pcapng"), truth(name)
    check(f"{name}: {t['truth']['epb_flags_direction']} directions from epb_flags give "
          f"{src}.pcap's events and findings",
          a["events"] == b["events"] and a["events"]
          and [f["explanation"] for f in a["summary"]["findings"]] ==
          [f["explanation"] for f in b["summary"]["findings"]],
          [f["explanation"][:100] for f in b["summary"]["findings"]])

# Where the capture ran, in words: SLL's packet types say it (sll: on the
# sender, frames marked outgoing; sll_rx: on the receiver of the veth, marked
# received), offload_tx (plain Ethernet) only lets it be inferred.
for name, words in (("sll", "marks these frames sent"), ("sll_rx", "marks them received"),
                    ("offload_tx", "its peers' checksums are right")):
    if not os.path.exists(os.path.join(sdir, name + ".pcap")):
        continue
    d = report(name + ".pcap")
    fs = [f for f in d["summary"]["findings"] if f["kind"] == "csum_offload"]
    check(f"{name}: the offload finding says where the capture ran ({words!r})",
          len(fs) == 1 and words in fs[0]["explanation"] and fs[0]["cause"] == "tx",
          [f["explanation"][:160] for f in fs])

for name in ("bulk", "offload_tx_off", "ipv6", "vlan", "qinq", "reqresp"):
    d = report(name + (".pcapng" if name == "reqresp" else ".pcap"))
    check(f"{name}: no checksum finding", not kinds(d, "csum_bad") and not kinds(d, "csum_offload")
          and not kinds(d, "ip_csum_bad"), d["summary"]["events"])

for name in ("offload_tx_ipv6", "offload_tx_vlan", "corrupt_ipv6"):
    if not os.path.exists(os.path.join(sdir, name + ".pcap")):
        continue
    d, t = report(name + ".pcap"), truth(name)
    e = t["expect"]
    off, bad = kinds(d, "csum_offload"), kinds(d, "csum_bad")
    check(f"{name}: {e.get('csum_offload', 0)} tx artifacts, {e.get('csum_bad', 0)} corrupt",
          len(off) == e.get("csum_offload", 0) and all(x["side"] == "tx" for x in off)
          and len(bad) == e.get("csum_bad", 0) and all(x["fate"] == "dropped" for x in bad),
          (len(off), len(bad)))

if os.path.exists(os.path.join(sdir, "xen_both.pcap")):
    # The Xen story: the capturing host's own segments are harmless artifacts,
    # segments arriving to it were corrupted on the way, never the other way.
    d, t = report("xen_both.pcap"), truth("xen_both")
    hosts = {h["host"]: h for h in d["summary"]["checksums_by_sender"]}
    corrupted = [r for r in t["relay"]["log"] if r["action"] == "corrupt"]
    src_bad = {r["src"] for r in corrupted}
    bad = kinds(d, "csum_bad")
    check("xen_both: every relay-corrupted frame is csum_bad, dropped",
          len(bad) == len(corrupted) and all(e["fate"] == "dropped" for e in bad),
          (len(bad), len(corrupted)))
    off = kinds(d, "csum_offload")
    check("xen_both: the capturing host's artifacts, all tx",
          len(off) == t["expect"]["csum_offload"] and all(e["side"] == "tx" for e in off), len(off))
    check("xen_both: per sender, artifacts and corruption never mixed",
          all(hosts[h]["csum_bad"] == len(bad) and hosts[h]["csum_offload"]["tx"] == 0
              for h in src_bad)
          and sum(h["csum_offload"]["tx"] for h in hosts.values()) == len(off),
          hosts)

# IPv4 header checksum offload on the capturing host (mk_ip_csum_offload.sh:
# real captures on that host, its header sums set to 0 offline): a bulk
# sender with TCP offload too, a receiver's ACKs, a request/response client
# through the relay at RTT 80. Every edited frame is an artifact of that
# host, none is damage, and the diagnosis names the host.
for name in ("ip_csum_offload_tx", "ip_csum_offload_acks", "ip_csum_offload_reqresp"):
    d, t = report(name + ".pcap"), truth(name)
    got = kinds(d, "ip_csum_offload")
    want = t["expect"]["ip_csum_offload_frames"]
    check(f"{name}: the {len(want)} edited frames are ip_csum_offload, side tx, no ip_csum_bad",
          sorted(e["frame"] for e in got) == want and all(e["side"] == "tx" for e in got)
          and not kinds(d, "ip_csum_bad"), (len(got), kinds(d, "ip_csum_offload", "side")))
    fd = [f for f in d["summary"]["findings"] if f["kind"] == "ip_csum_offload"]
    check(f"{name}: the finding says {t['capturing_host']} sent them, severity info",
          len(fd) == 1 and f"sent by {t['capturing_host']} " in fd[0]["explanation"]
          and fd[0]["severity"] == "info", [f["explanation"][:120] for f in fd])

if os.path.exists(os.path.join(sdir, "ip_csum_bad.pcap")):
    d, t = report("ip_csum_bad.pcap"), truth("ip_csum_bad")
    got = sorted(e["frame"] for e in kinds(d, "ip_csum_bad"))
    check("ip_csum_bad: exactly the frames whose TTL was changed, TCP checksums untouched",
          got == t["expect"]["ip_csum_bad_frames"] and not kinds(d, "csum_bad")
          and not kinds(d, "csum_offload"), got)

# UDP (samples/udp.pcap): what the sender's own list says it put on the wire,
# B's kernel counters for what it dropped.
d, t = report("udp.pcap"), truth("udp")
uf = [f for f in d["flows"] if f["proto"] == "udp"]
off = kinds(d, "csum_offload")
sent_off = t["sent"]["offload"]["datagrams"]
check("udp: one UDP flow, no TCP", len(uf) == 1 and len(d["flows"]) == 1, len(d["flows"]))
check("udp: every phase-1 datagram (tx offload on) is csum_offload, side tx, proto udp",
      len(off) == t["phases"]["offload"] == len(sent_off)
      and all(e["side"] == "tx" and e["proto"] == "udp" for e in off), len(off))
check("udp: each artifact's expected checksum is the one the sender computed",
      [int(e["expected"], 16) for e in off] == [x["checksum_correct"] for x in sent_off],
      [e["expected"] for e in off][:3])
bad = kinds(d, "csum_bad")
sent_bad = t["sent"]["bad"]["datagrams"]
check("udp: every damaged datagram is csum_bad (proto udp, fate unknown), no other",
      len(bad) == t["phases"]["bad"] == t["kernel"]["B"].get("UdpInCsumErrors")
      and all(e["proto"] == "udp" and e["fate"] == "unknown" for e in bad),
      (len(bad), t["kernel"]["B"].get("UdpInCsumErrors"), collections.Counter(e["fate"] for e in bad)))
check("udp: found = the checksum sent, expected = the damaged bytes' checksum",
      [(int(e["found"], 16), int(e["expected"], 16)) for e in bad]
      == [(x["checksum_sent"], x["checksum_correct"]) for x in sent_bad],
      [(e["found"], e["expected"]) for e in bad])
check("udp: phase 2's checksums good, phase 3's (none) not counted as bad",
      uf and uf[0]["c2s"]["csum_ok"] == t["phases"]["valid"] and uf[0]["c2s"]["csum_bad"] == len(bad),
      uf and uf[0]["c2s"])
check("udp: B received phases 1-3",
      t["received"]["datagrams"] == t["phases"]["offload"] + t["phases"]["valid"] + t["phases"]["nocheck"],
      t["received"])

# --- giant segments ----------------------------------------------------------
# Bulk IPv4 over veth (Ethernet and SLL2 captures) and request/response IPv6
# (A serves 100 KB responses): the giants are A's frames above the MSS.
def over_mss(t):
    tc = t["tshark_counts"]
    return tc.get("tcp_payload_over_mss_a2b", tc["tcp_payload_over_1448_a2b"])


def a_dir(t):
    return "s2c" if t.get("program") == "reqresp" else "c2s"


for name, cause in (("tso", "tso_gso"), ("gro", "gro_lro"), ("tso_sll", "tso_gso"),
                    ("gro_sll", "gro_lro"), ("tso_v6_reqresp", "tso_gso"),
                    ("gro_v6_reqresp", "gro_lro")):
    d, t = report(name + ".pcap"), truth(name)
    g = kinds(d, "giant_segment")
    want = over_mss(t)
    check(f"{name}: {want} giant segments, cause {cause}, all from A",
          len(g) == want and all(e["cause"] == cause and e["dir"] == a_dir(t) for e in g),
          kinds(d, "giant_segment", "cause"))
for name in ("gro", "gro_sll", "gro_v6_reqresp"):
    d, t = report(name + ".pcap"), truth(name)
    check(f"{name}: the merged giants are the rx artifacts",
          kinds(d, "csum_offload", "side") == {"rx": over_mss(t)},
          kinds(d, "csum_offload", "side"))
for name in ("tso_off", "offload_tx", "bulk"):
    check(f"{name}: no giant segments", not kinds(report(name + ".pcap"), "giant_segment"))

# --- loss, retransmissions, SACK gaps, capture loss --------------------------
t = truth("loss")
dropped = sorted(r["seq"] for r in relay_frames(t, "drop"))
for name in ("loss_sender", "loss_receiver"):
    d = report(name + ".pcap")
    rt = sorted(abs_seq(d, e) for e in kinds(d, "retransmission"))
    check(f"{name}: retransmissions are exactly the relay's drops ({len(dropped)})",
          rt == dropped, f"tcplens {rt} relay {dropped}")
    gaps = kinds(d, "sack_gap")
    check(f"{name}: a SACK gap for each drop, filled by a resend",
          sorted(abs_seq(d, e) for e in gaps) == dropped
          and all(e["filled_by"] in ("fast", "rto", "tlp") for e in gaps),
          [(abs_seq(d, e), e["filled_by"]) for e in gaps])
    check(f"{name}: no capture loss", not kinds(d, "capture_loss"))

# Reordering (mk_reorder.sh): the relay held some frames a few ms; nothing was
# lost. What the sender resent (its kernel's count, one D-SACK each) was
# spurious; the holes were filled by the late originals. Bulk RTT 20 IPv4,
# bulk RTT 80 IPv6, request/response RTT 2 IPv4; both ends of each run.
for name in sorted(f[:-len(".truth.json")] for f in os.listdir(sdir)
                   if f.startswith("reorder_") and f.endswith(".truth.json")):
    t = truth(name)
    ks = t["kernel"]["sender"]
    held = sorted(r["seq"] for r in t["relay"]["log"] if r["action"] == "delay")
    ddir = "c2s" if t["data_direction"] == "a2b" else "s2c"
    for side in ("sender", "receiver"):
        d = report(f"{name}_{side}.pcap")
        rt = kinds(d, "retransmission")
        check(f"{name}_{side}: {ks.get('TcpRetransSegs', 0)} retransmissions, as the sender's kernel "
              f"counted, all spurious ({ks.get('TcpExtTCPDSACKRecvSegs', 0)} D-SACKed), all of held frames",
              len(rt) == ks.get("TcpRetransSegs", 0)
              and sum(e["cause"] == "spurious" for e in rt) == ks.get("TcpExtTCPDSACKRecvSegs", 0) == len(rt)
              and all(abs_seq(d, e) in held for e in rt),
              [(abs_seq(d, e), e["cause"]) for e in rt])
        gaps = kinds(d, "sack_gap")
        check(f"{name}_{side}: a SACK hole for each held frame, filled by the original",
              sorted(abs_seq(d, e) for e in gaps) == held
              and all(e["filled_by"] == "original" for e in gaps),
              [(abs_seq(d, e), e["filled_by"]) for e in gaps])
        want = len(held) if side == "receiver" else 0
        got = sum(f[ddir]["reordered"] for f in d["flows"])
        check(f"{name}_{side}: {want} segments counted reordered", got == want, got)
        check(f"{name}_{side}: no capture loss, no bad checksum",
              not kinds(d, "capture_loss") and not kinds(d, "csum_bad"))

# A resend before the SACK that shows its hole (mk_resend_first.sh): the relay
# dropped one frame, then held every ACK from the one that SACKed above it
# for longer than an RTO. Truth: the relay's log (the seq dropped, when the
# hold ended) and the sender's kernel: TcpRetransSegs resends, of which
# TcpExtTCPDSACKRecvSegs spurious (a loss probe, or a timeout that resent a
# segment whose ACK was held); the lost one resent by the fast path if the
# kernel counted a fast retransmit, by the timer otherwise.
for name in sorted(f[:-len(".truth.json")] for f in os.listdir(sdir)
                   if f.startswith("resend_first_") and f.endswith(".truth.json")):
    t = truth(name)
    ks = t["kernel"]["sender"]
    drop = [r["seq"] for r in t["relay"]["log"] if r["action"] == "drop"]
    hold = [r for r in t["relay"]["log"] if r["action"] == "hold"]
    want = "fast" if ks.get("TcpExtTCPFastRetrans", 0) else "rto"
    for side in ("sender", "receiver"):
        d = report(f"{name}_{side}.pcap")
        rt = kinds(d, "retransmission")
        check(f"{name}_{side}: {ks.get('TcpRetransSegs', 0)} retransmissions as the kernel counted, "
              f"{ks.get('TcpExtTCPDSACKRecvSegs', 0)} spurious",
              len(rt) == ks.get("TcpRetransSegs", 0)
              and sum(e["cause"] == "spurious" for e in rt) == ks.get("TcpExtTCPDSACKRecvSegs", 0),
              [(abs_seq(d, e), e["cause"]) for e in rt])
        lost = [e for e in rt if abs_seq(d, e) in drop and e["cause"] != "spurious"]
        check(f"{name}_{side}: the lost frame resent once, cause {want}",
              len(drop) == 1 and len(lost) == 1 and lost[0]["cause"] == want,
              [(abs_seq(d, e), e["cause"]) for e in lost])
        gaps = kinds(d, "sack_gap")
        check(f"{name}_{side}: one SACK hole, the lost frame's, filled_by {want}",
              [abs_seq(d, e) for e in gaps] == drop and all(e["filled_by"] == want for e in gaps),
              [(abs_seq(d, e), e["filled_by"]) for e in gaps])
        if side == "sender" and want == "rto" and lost and gaps and hold:
            check(f"{name}_sender: the resend left before the hold ended and before the SACK "
                  f"showing its hole came back",
                  lost[0]["ts"] < hold[0]["until"] and lost[0]["frame"] < gaps[0]["frame"],
                  (lost[0]["ts"], hold[0]["until"], lost[0]["frame"], gaps[0]["frame"]))
        st = kinds(d, "stall")
        check(f"{name}_{side}: the timeout's wait is one rto stall holding the timer's resend",
              [e["cause"] for e in st if e["cause"] == "rto"] == ["rto"]
              and any(e["cause"] == "rto" and e["frame"] < r["frame"] <= e["end_frame"]
                      for e in st for r in rt),
              [(e["cause"], e["frame"], e["end_frame"]) for e in st])
        check(f"{name}_{side}: no sender_limited stall with data in flight",
              not [e for e in st if e["cause"] == "sender_limited" and e["outstanding_bytes"]])
        check(f"{name}_{side}: no capture loss, no bad checksum",
              not kinds(d, "capture_loss") and not kinds(d, "csum_bad"))

# TCP inside a kernel VXLAN overlay, captured on the sending VTEP's underlay
# with tx offload on (mk_vxlan.sh). Truth: each tenant's kernels (one active
# and one passive open, their retransmissions, no TcpInCsumErrors), the
# tenants' VNIs and the one inner 5-tuple they share, tshark's stream count.
for name in ("vxlan_underlay", "vxlan_tenants"):
    d, t = report(name + ".pcap"), truth(name)
    ten = t["tenants"]
    tcp = [f for f in d["flows"] if f["proto"] == "tcp"]
    check(f"{name}: one connection per tenant ({len(ten)}), each inside its VNI, as tshark's "
          f"{t['tshark_counts']['tcp_streams']} streams",
          sorted(f.get("encap", {}).get("vni") for f in tcp) == sorted(int(v) for v in ten)
          == sorted(int(v) for v in t["vnis"]) and len(tcp) == t["tshark_counts"]["tcp_streams"]
          and all(x["kernel_A"].get("TcpActiveOpens") == 1 for x in ten.values()),
          [(f["client"], f.get("encap")) for f in tcp])
    check(f"{name}: the tunnel endpoints are the underlay's, client side first",
          all(f["encap"]["outer"] == [t["underlay_client"], t["underlay_server"]] for f in tcp))
    check(f"{name}: every inner 5-tuple is the client's ({len(ten)} tenants, one tuple)",
          len({(f["client"], f["server"]) for f in tcp}) == 1
          and {f["client"] for f in tcp} == {"%s:%d" % tuple(x["client"]["connections"][0]["local"]
                                                             if "connections" in x["client"]
                                                             else x["client"]["local"])
                                             for x in ten.values()}, [f["client"] for f in tcp])
    rt_k = sum(x["kernel_A"].get("TcpRetransSegs", 0) + x["kernel_B"].get("TcpRetransSegs", 0)
               for x in ten.values())
    check(f"{name}: retransmissions as the tenants' kernels counted ({rt_k})",
          len(kinds(d, "retransmission")) == rt_k)
    oc = [f["encap"]["outer_udp_checksums"] for f in tcp]
    check(f"{name}: no checksum called corruption: every inner one an offload artifact, every "
          f"outer one Local Checksum Offload's or a GSO seed (tshark flags "
          f"{t['tshark_counts']['outer_udp_checksum_bad']} outer, "
          f"{t['tshark_counts']['inner_tcp_checksum_bad']} inner)",
          not kinds(d, "csum_bad") and all(o["bad"] == 0 for o in oc)
          and sum(o["lco"] + o["seed"] for o in oc) == sum(f["packets"] for f in tcp)
          and len(kinds(d, "csum_offload")) == sum(f["packets"] for f in tcp)
          and not any(x["kernel_B"].get("TcpInCsumErrors") for x in ten.values()),
          (oc, d["summary"]["events"]["csum_offload"]))

# The same overlay with the VXLAN MTU at the underlay's 1500 (mk_vxlan_frag.sh):
# the sending VTEP's kernel fragments the outer datagrams that do not fit.
# Truth: its IpFragOKs and IpFragCreates, the receiver's IpReasmOKs, the
# tenant's kernel counters; the capture point is the sender's underlay.
d, t = report("vxlan_frag.pcap"), truth("vxlan_frag")
ka, kb = t["kernel"]["A"], t["kernel"]["B"]
ten = next(iter(t["tenants"].values()))
tcp = [f for f in d["flows"] if f["proto"] == "tcp"]
r = d["capture"].get("ip_reassembly", {})
check(f"vxlan_frag: {ka.get('IpFragCreates')} fragments, {ka.get('IpFragOKs')} outer datagrams "
      f"reassembled, as the VTEPs' kernels counted (B reassembled {kb.get('IpReasmOKs')})",
      d["capture"]["ip_fragments"] == ka.get("IpFragCreates") > 0
      and r.get("datagrams") == ka.get("IpFragOKs") == kb.get("IpReasmOKs")
      and not r.get("incomplete") and not r.get("overlapping"), r)
check("vxlan_frag: one connection inside VNI 44, the underlay's endpoints, as tshark's streams",
      len(tcp) == t["tshark_counts"]["tcp_streams"] == 1 and tcp[0]["encap"]["vni"] == 44
      and tcp[0]["encap"]["outer"] == [t["underlay_client"], t["underlay_server"]])
rt_k = ten["kernel_A"].get("TcpRetransSegs", 0) + ten["kernel_B"].get("TcpRetransSegs", 0)
check(f"vxlan_frag: retransmissions as the tenant's kernels counted ({rt_k})",
      len(kinds(d, "retransmission")) == rt_k)
# A datagram the VTEP fragments is summed in software (ip_do_fragment): its
# inner and outer checksums are right. Every other frame carries the seeds.
oc = tcp[0]["encap"]["outer_udp_checksums"]
check(f"vxlan_frag: no checksum called corruption; the {ka.get('IpFragOKs')} fragmented datagrams' "
      "sums right, every other one an offload artifact of the sender (side tx, giants TSO/GSO)",
      not kinds(d, "csum_bad") and oc["bad"] == 0 and not ten["kernel_B"].get("TcpInCsumErrors")
      and len(kinds(d, "csum_offload")) == tcp[0]["packets"] - ka.get("IpFragOKs")
      == oc["lco"] + oc["seed"]
      and all(e.get("side") == "tx" for e in kinds(d, "csum_offload"))
      and all(e.get("cause") == "tso_gso" for e in kinds(d, "giant_segment")),
      (oc, collections.Counter(e.get("cause") for e in kinds(d, "giant_segment"))))

# Tunnels the kernel here has no device for, built from real captures
# (mk_tunnels.sh: rto.pcap and nagle_rtt20_v6.pcap in GRE, GRE-TEB, ERSPAN
# I/II/III, Geneve, GTP-U and IP in IP). The truth is the source: the same
# report, event for event, each TCP flow inside its tunnel.
def ev_key(e):
    return json.dumps({k: v for k, v in e.items() if k not in ("frame", "end_frame", "flow")},
                      sort_keys=True)


for name in sorted(f[:-len(".truth.json")] for f in os.listdir(sdir)
                   if f.startswith("tun_") and f.endswith(".truth.json")):
    d, t = report(name + ".pcap"), truth(name)
    src = report(t["source"] + ".pcap")
    check(f"{name}: {t['source']}.pcap's events, every one, inside {t['wrap']}",
          collections.Counter(map(ev_key, d["events"])) == collections.Counter(map(ev_key, src["events"])),
          (len(d["events"]), len(src["events"])))
    tcp, stcp = [f for f in d["flows"] if f["proto"] == "tcp"], [f for f in src["flows"] if f["proto"] == "tcp"]
    if t.get("link_encap"):
        check(f"{name}: its {len(stcp)} connection(s), each with link_encap {t['link_encap']}",
              [(f["client"], f["server"]) for f in tcp] == [(f["client"], f["server"]) for f in stcp]
              and all(f.get("link_encap") == t["link_encap"] and "encap" not in f for f in tcp),
              [f.get("link_encap") for f in tcp])
    else:
      idname = {"vxlan": "vni", "geneve": "vni", "gtpu": "teid", "gre": "key", "erspan": "session"}.get(t["encap_kind"])
      check(f"{name}: its {len(stcp)} connection(s), each inside {t['encap_kind']}"
            + (f" {idname} {t['encap_id']}" if idname else "") + ", outer endpoints client side first",
            [(f["client"], f["server"]) for f in tcp] == [(f["client"], f["server"]) for f in stcp]
            and all(f.get("encap", {}).get("kind") == t["encap_kind"] and f["encap"]["outer"] == t["outer"]
                    and (not idname or f["encap"].get(idname) == t["encap_id"]) for f in tcp),
            [f.get("encap") for f in tcp])
    check(f"{name}: the same findings, word for word",
          [f["explanation"] for f in d["summary"]["findings"]] ==
          [f["explanation"] for f in src["summary"]["findings"]])
    # The text report names the encapsulation as the JSON does.
    text = subprocess.run([tcplens, "-r", os.path.join(sdir, name + ".pcap")], capture_output=True,
                          text=True, check=True).stdout
    said = []
    for f in tcp:
        if f.get("link_encap"):
            said.append("over " + ", ".join(f["link_encap"]))
        if f.get("encap"):
            e = f["encap"]
            idn = next((k for k in ("vni", "teid", "key", "session") if k in e), None)
            said.append(f"inside {e['kind']}" + (f" {idn} {e[idn]}" if idn else "")
                        + f", tunnel {e['outer'][0]} -> {e['outer'][1]}")
    check(f"{name}: the text report says {said}", said and all(w in text for w in said))

# IP fragments of every shape (mk_frags.sh: real captures cut by
# frag_capture.py: sizes, orders, a tiny first fragment, duplicates). The
# truth is the source's report and the script's account of what it cut.
def flow_key(f):
    """A flow without what fragments change: bytes (their headers) and frame numbers."""
    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k != "bytes" and "frame" not in k}
        return [strip(v) for v in o] if isinstance(o, list) else o
    return json.dumps(strip(f), sort_keys=True)


for name in sorted(f[:-len(".truth.json")] for f in os.listdir(sdir)
                   if f.startswith("frag_") and f.endswith(".truth.json")):
    d, t = report(name + ".pcap"), truth(name)
    src, cut = report(t["source"] + ".pcap"), t["cut"]
    check(f"{name}: {t['source']}.pcap's events, every one, at the same times",
          collections.Counter(map(ev_key, d["events"])) == collections.Counter(map(ev_key, src["events"])),
          (len(d["events"]), len(src["events"])))
    check(f"{name}: its flows, packet for packet (the datagrams, not the fragments), as tshark's "
          f"{t['tshark_counts']['tcp_streams']} stream(s)",
          [flow_key(f) for f in d["flows"]] == [flow_key(f) for f in src["flows"]]
          and len([f for f in d["flows"] if f["proto"] == "tcp"]) == t["tshark_counts"]["tcp_streams"])
    grown = sum(f["bytes"] for f in d["flows"]) - sum(f["bytes"] for f in src["flows"])
    check(f"{name}: the flows' bytes grow by the fragments' own headers ({cut['extra_wire_bytes_tcp_udp']})",
          grown == cut["extra_wire_bytes_tcp_udp"], grown)
    r = d["capture"].get("ip_reassembly", {})
    late = cut["duplicates_after_whole"]
    check(f"{name}: {cut['fragments']} fragments, {cut['datagrams_cut']} datagrams reassembled "
          f"(tshark {t['tshark_counts']['datagrams_reassembled']}), {cut['duplicates'] - late} "
          f"duplicates dropped, {late} late one(s) never whole",
          d["capture"]["ip_fragments"] == cut["fragments"]
          and r.get("datagrams") == cut["datagrams_cut"] == t["tshark_counts"]["datagrams_reassembled"]
          and r.get("duplicate_fragments") == cut["duplicates"] - late
          and r.get("incomplete") == late and not r.get("overlapping") and not r.get("dropped_fragments"),
          r)
    check(f"{name}: the same findings, word for word",
          [f["explanation"] for f in d["summary"]["findings"]] ==
          [f["explanation"] for f in src["summary"]["findings"]])

# Link type NFLOG (mk_nflog.sh: iptables NFLOG on A's OUTPUT and INPUT,
# tcpdump -i nflog:5). Truth: tshark's counts, the kernels' counters.
d, t = report("nflog.pcap"), truth("nflog")
tc = t["tshark_counts"]
check("nflog: every frame read, one TCP connection, as tshark",
      d["capture"]["packets"] == tc["frames"] and len([f for f in d["flows"] if f["proto"] == "tcp"])
      == tc["tcp_streams"] == 1, (d["capture"]["packets"], tc))
check("nflog: retransmissions as the kernels counted, no checksum called corruption",
      len(kinds(d, "retransmission")) == t["kernel"]["A"].get("TcpRetransSegs", 0) + t["kernel"]["B"].get("TcpRetransSegs", 0)
      and not kinds(d, "csum_bad") and not t["kernel"]["B"].get("TcpInCsumErrors")
      and len(kinds(d, "csum_offload")) == tc["tcp_checksum_bad"],
      (len(kinds(d, "csum_offload")), tc["tcp_checksum_bad"]))

# dumpcap on two interfaces of different link types (mk_dumpcap_two.sh):
# every frame read (libpcap refuses the file), one connection, the second
# interface's copies recognised as duplicates, not resends. Truth: tshark's
# per-interface counts, the kernels' TcpRetransSegs.
d, t = report("dumpcap_two.pcapng"), truth("dumpcap_two")
tc = t["tshark_counts"]
rk = t["kernel"]["A"].get("TcpRetransSegs", 0) + t["kernel"]["B"].get("TcpRetransSegs", 0)
check("dumpcap_two: every frame of both interfaces read, one connection",
      d["capture"]["packets"] == tc["frames"] and len([f for f in d["flows"] if f["proto"] == "tcp"])
      == tc["tcp_streams"] == 1, (d["capture"]["packets"], tc))
check(f"dumpcap_two: the second interface's {tc['iface1_tcp']} TCP frames are duplicates, the "
      f"connection's packets the first's {tc['iface0_tcp']}",
      d["capture"].get("duplicates_across_interfaces") == tc["iface1_tcp"]
      and sum(f["packets"] for f in d["flows"] if f["proto"] == "tcp") == tc["iface0_tcp"],
      (d["capture"].get("duplicates_across_interfaces"), [f["packets"] for f in d["flows"]]))
check(f"dumpcap_two: {rk} retransmissions as the kernels counted (tshark flags "
      f"{tc['tcp_retransmissions']}), no SYN retry, no checksum called corruption",
      len(kinds(d, "retransmission")) == rk and not kinds(d, "syn_retransmit")
      and not kinds(d, "csum_bad"))

d, t = report("bottleneck.pcap"), truth("bottleneck")
qd = sorted(r["seq"] for r in t["relay"]["log"] if r["action"] == "queue_drop")
check("bottleneck: retransmissions are the queue drops",
      sorted(abs_seq(d, e) for e in kinds(d, "retransmission")) == qd, qd)

d, t = report("capture_loss.pcap"), truth("capture_loss")
holes = sorted((h["seq"], h["bytes"]) for h in t["truth"]["holes_c2s"])
got = sorted((abs_seq(d, e), e["bytes"]) for e in kinds(d, "capture_loss"))
check("capture_loss: each deleted hole, exact seq and bytes", got == holes, f"{got} vs {holes}")
check("capture_loss: no retransmission", not kinds(d, "retransmission"))
# The same, deleted from other complete samples (mk_capture_loss_from.sh):
# IPv6 bulk on the receiver's side, interactive writes at RTT 80 on the
# sender's.
for name in sorted(f[:-len(".truth.json")] for f in os.listdir(sdir)
                   if f.startswith("capture_loss_") and f.endswith(".truth.json")):
    d, t = report(name + ".pcap"), truth(name)
    holes = sorted((h["seq"], h["bytes"]) for h in t["truth"]["holes"])
    got = sorted((abs_seq(d, e), e["bytes"]) for e in kinds(d, "capture_loss"))
    check(f"{name}: each deleted run of data, exact seq and bytes ({len(holes)})", got == holes,
          f"{got} vs {holes}")
    check(f"{name}: no retransmission", not kinds(d, "retransmission"))
for name in ("bulk", "loss_sender", "corrupt", "nagle"):
    check(f"{name}: no capture loss on an untouched capture",
          not kinds(report(name + ".pcap"), "capture_loss"))

d, t = report("rto.pcap"), truth("rto")
s2c = collections.Counter(e["cause"] for e in kinds(d, "retransmission") if e["dir"] == "s2c")
kb = t["kernel"]["B"]
check("rto: the server's resends are its kernel's TLPs and RTOs",
      s2c.get("tlp", 0) == kb["TcpExtTCPLossProbes"] and s2c.get("rto", 0) == kb["TcpExtTCPTimeouts"]
      and sum(s2c.values()) == kb["TcpRetransSegs"], s2c)
check("rto: round 5's wait is a stall with cause rto", kinds(d, "stall", "cause").get("rto") == 1,
      kinds(d, "stall", "cause"))
# Round 10's response (relay frame #12) waited for its tail loss probe (#13),
# which repaired it: a tlp stall holding the probe, no think time.
r10 = [r for r in t["relay"]["log"] if r["action"] == "drop" and r["dir"] == "b2a"][-1]
probe = [e for e in kinds(d, "retransmission") if e["cause"] == "tlp" and abs_seq(d, e) == r10["seq"]]
check("rto: round 10's wait is a stall with cause tlp, holding its probe",
      len(probe) == 1 and [(e["frame"] < probe[0]["frame"] <= e["end_frame"])
                           for e in kinds(d, "stall") if e["cause"] == "tlp"] == [True],
      [(e["cause"], e["frame"], e["end_frame"]) for e in kinds(d, "stall") if e["outstanding_bytes"] > 100])

# Lost responses of a ping-pong repaired by the server's tail loss probe
# (mk_tlp_pingpong.sh). Truth: the relay's drops, the kernels' counters, the
# client's round times. At the server (the drops in the capture) each probe
# is a retransmission of cause tlp and its round's wait a tlp stall. At the
# client the lost response was never seen, so the probe is its first copy:
# the wait is tlp if the client's own probe of its request is in it, else
# unknown (a reply that came one timer late; never cork, never think time).
for name in ("tlp_pingpong_rtt80", "tlp_pingpong_v6_rtt20"):
    d, t = report(name + ".pcap"), truth(name)
    drops = sorted(r["seq"] for r in t["relay"]["log"] if r["action"] == "drop")
    kb, ka = t["kernel"]["B"], t["kernel"]["A"]
    rtt = 2 * t["relay"]["params"]["delay_ms"]
    slow = [r["ms"] for r in t["app"]["client"]["rounds"] if r["ms"] > rtt + 100]
    st = [e for e in kinds(d, "stall") if e["duration_ms"] > rtt + 100]
    rt = kinds(d, "retransmission")
    check(f"{name}: the server's kernel resent each drop once by its probe, no timeout",
          kb.get("TcpExtTCPLossProbes", 0) == len(drops) == kb.get("TcpRetransSegs", 0) == len(slow)
          and not kb.get("TcpExtTCPTimeouts"), kb)
    if t["capture_point"].startswith("server"):
        check(f"{name}: {len(drops)} retransmissions, cause tlp, of the dropped responses",
              sorted(abs_seq(d, e) for e in rt) == drops and all(e["cause"] == "tlp" for e in rt),
              [(abs_seq(d, e), e["cause"]) for e in rt])
        # from the lost response to the client's next request, its ACK: the
        # client's round and its pause before the next one
        rounds = t["app"]["client"]["rounds"]
        waits = [r["ms"] + (n["t_start"] - r["t_end"]) * 1000 for r, n in zip(rounds, rounds[1:])
                 if r["ms"] > rtt + 100]
        check(f"{name}: each lost round's wait is one tlp stall holding its probe, as long as the "
              f"client's round and its pause before the next",
              len(st) == len(slow) == len(waits) and all(e["cause"] == "tlp" and e["dir"] == "s2c" for e in st)
              and all(any(e["frame"] < r["frame"] <= e["end_frame"] for r in rt) for e in st)
              and all(abs(e["duration_ms"] - w) <= 10 for e, w in zip(st, waits)),
              ([(e["cause"], round(e["duration_ms"])) for e in st], [round(w) for w in waits]))
    else:
        check(f"{name}: only the client's resends are retransmissions, as its kernel counted "
              f"({ka.get('TcpRetransSegs', 0)}, {ka.get('TcpExtTCPDSACKRecvSegs', 0)} spurious)",
              all(e["dir"] == "c2s" for e in rt) and len(rt) == ka.get("TcpRetransSegs", 0)
              and sum(e["cause"] == "spurious" for e in rt) == ka.get("TcpExtTCPDSACKRecvSegs", 0),
              [(e["dir"], e["cause"]) for e in rt])
        check(f"{name}: each lost round's wait is one stall, tlp when the client's probe is in "
              f"it, else unknown, as long as the client's round",
              len(st) == len(slow)
              and all(e["cause"] == ("tlp" if any(e["frame"] < r["frame"] <= e["end_frame"] for r in rt)
                                     else "unknown") for e in st)
              and all(abs(e["duration_ms"] - m) <= 10 for e, m in zip(st, slow)),
              ([(e["cause"], round(e["duration_ms"])) for e in st], slow))
    check(f"{name}: no capture loss, no bad checksum",
          not kinds(d, "capture_loss") and not kinds(d, "csum_bad"))

d, t = report("zero_window.pcap"), truth("zero_window")
check("zero_window: one event per window-0 frame",
      len(kinds(d, "zero_window")) == t["tshark_counts"]["zero_window_frames"])
check("zero_window: the sender's TLPs answered by D-SACK are spurious",
      kinds(d, "retransmission", "cause") == {"spurious": t["expect"]["tlp_retransmissions"]},
      kinds(d, "retransmission", "cause"))

# The slow reader on real RTTs (mk_zero_window_relay.sh): 20 ms IPv6 on the
# receiver (its zero-window ACK, its window update, the data an RTT later),
# 80 ms IPv4 on the sender.
for name in sorted(f[:-len(".truth.json")] for f in os.listdir(sdir)
                   if f.startswith("zero_window_rtt") and f.endswith(".truth.json")):
    d, t = report(name + ".pcap"), truth(name)
    st = kinds(d, "stall")
    closed = t["kernel"]["B"].get("TcpExtTCPToZeroWindowAdv", 0)
    check(f"{name}: one zero_window event per window-0 frame ({t['tshark_counts']['zero_window_frames']})",
          len(kinds(d, "zero_window")) == t["tshark_counts"]["zero_window_frames"])
    check(f"{name}: the sender's waits are the reader's ({closed} window closings): zero_window "
          "or receiver_limited stalls only",
          st and all(e["cause"] in ("zero_window", "receiver_limited") and e["dir"] == "c2s" for e in st)
          and (not closed or any(e["cause"] == "zero_window" for e in st)),
          [(e["cause"], e["duration_ms"]) for e in st])

# --- stalls ------------------------------------------------------------------
d, t = report("nagle.pcap"), truth("nagle")
st = kinds(d, "stall")
da = [e for e in st if e["cause"] == "delayed_ack"]
check("nagle: one delayed_ack stall per slow round",
      len(da) == t["truth"]["rounds_at_or_above_threshold"], f"{len(da)} of {len(st)}")
check("nagle: >= 95% of stalls are delayed_ack", len(da) >= 0.95 * max(1, len(st)))

# Nagle against delayed ACK on real RTTs (mk_nagle_relay.sh): 20 ms IPv6 on
# the server (the gap is the 40 ms alone, below twice the RTT), 80 ms IPv4 on
# the client (RTT + 40 ms, below twice the RTT too). The client's own round
# times say which rounds waited and for how long.
for name in sorted(f[:-len(".truth.json")] for f in os.listdir(sdir)
                   if f.startswith("nagle_rtt") and f.endswith(".truth.json")):
    d, t = report(name + ".pcap"), truth(name)
    tr = t["truth"]
    st = kinds(d, "stall")
    check(f"{name}: a delayed_ack stall per slow round ({tr['rounds_at_or_above_threshold']}), nothing else",
          len(st) == tr["rounds_at_or_above_threshold"] and all(e["cause"] == "delayed_ack" for e in st),
          collections.Counter(e["cause"] for e in st))
    lo, hi = min(tr["wait_ms"]) - 5, max(tr["wait_ms"]) + tr["rtt_ms"] + 5
    check(f"{name}: each as long as the round's wait, plus at most an RTT ({lo:.0f}-{hi:.0f} ms)",
          all(lo <= e["duration_ms"] <= hi for e in st), [e["duration_ms"] for e in st])

if os.path.exists(os.path.join(sdir, "nagle_lo.pcap")):
    # Loopback's MSS (65483) once turned every Nagle wait into receiver_limited.
    d, t = report("nagle_lo.pcap"), truth("nagle_lo")
    st = kinds(d, "stall")
    da = [e for e in st if e["cause"] == "delayed_ack"]
    check("nagle_lo: one delayed_ack stall per slow round on loopback (= the kernel's "
          "TcpExtDelayedACKs)",
          len(da) == t["truth"]["rounds_at_or_above_30ms"] == t["truth"]["kernel_TcpExtDelayedACKs"]
          and len(da) == len(st), collections.Counter(e["cause"] for e in st))

d, t = report("cork.pcap"), truth("cork")
st = kinds(d, "stall")
ck = [e for e in st if e["cause"] == "cork"]
check("cork: one cork stall per round", len(ck) == t["truth"]["rounds_at_or_above_threshold"],
      f"{len(ck)} of {len(st)}: {collections.Counter(e['cause'] for e in st)}")
check("cork: each ~200 ms", all(190 <= e["duration_ms"] <= 260 for e in ck),
      [e["duration_ms"] for e in ck])

# TCP_CORK after the peer's reply (mk_cork_reply.sh): every request after the
# first one waits corked; the client's own write-to-reply times (less the
# relay's RTT) bound how long. RTT 2, 20, 80 ms; IPv4 and IPv6; either end.
for name in sorted(f[:-len(".truth.json")] for f in os.listdir(sdir)
                   if f.startswith("cork_reply") and f.endswith(".truth.json")):
    d, t = report(name + ".pcap"), truth(name)
    tr = t["truth"]
    st = [e for e in kinds(d, "stall") if e["dir"] == "c2s"]
    check(f"{name}: a cork stall for each request after the first, nothing else",
          len(st) == tr["rounds"] - 1 and all(e["cause"] == "cork" for e in st)
          and len(kinds(d, "stall")) == len(st),
          collections.Counter(e["cause"] for e in kinds(d, "stall")))
    lo, hi = min(tr["hold_ms"]) - tr["rtt_ms"] - 10, max(tr["hold_ms"]) + tr["rtt_ms"] + 10
    check(f"{name}: each as long as the client saw its request held ({lo:.0f}-{hi:.0f} ms)",
          all(lo <= e["duration_ms"] <= hi for e in st), [e["duration_ms"] for e in st])

# One 4-tuple, several connections (mk_reuse.sh): each connect() is a flow
# of its own, starting when the client connected (same clock), as tshark's
# tcp.stream counts them. FIN close with TIME_WAIT reuse (IPv4), RST (IPv6).
for name in sorted(f[:-len(".truth.json")] for f in os.listdir(sdir)
                   if f.startswith("reuse_") and f.endswith(".truth.json")):
    d, t = report(name + ".pcap"), truth(name)
    conns = t["app"]["client"]["connections"]
    fl = sorted(d["flows"], key=lambda f: f["first_ts"])
    check(f"{name}: {len(conns)} connections on one 4-tuple, as tshark's {t['tshark_streams']} streams",
          len(fl) == len(conns) == t["tshark_streams"]
          and len({(f["client"], f["server"]) for f in fl}) == 1, [f["client"] for f in fl])
    check(f"{name}: each flow starts at its connect() (within 20 ms) and has its handshake",
          all(abs(f["first_ts"] - c["connect_t"]) < 0.02 and f["handshake_ms"] is not None
              for f, c in zip(fl, conns)),
          [(round(f["first_ts"] - c["connect_t"], 4), f["handshake_ms"]) for f, c in zip(fl, conns)])
    want_rst = len(conns) if t["close"] == "rst" else 0
    check(f"{name}: no retransmission, {want_rst} resets",
          not kinds(d, "retransmission") and not kinds(d, "syn_retransmit")
          and len({e["flow"] for e in kinds(d, "rst")}) == want_rst, d["summary"]["events"])

# --- connection setup --------------------------------------------------------
# Handshakes through a lossy path (mk_syn_loss.sh): the relay dropped chosen
# SYNs and SYN-ACKs and logged every one it saw. A capture sees the SYNs sent
# on its side of the relay and those that crossed it from the other side;
# each one beyond a connection's first is a retry of that direction. The
# kernels' TcpExtTCPSynRetrans count every retry sent (A: SYNs, B: SYN-ACKs).
for name in ("syn_loss_v6_rtt20", "syn_loss_rtt80"):
    d, t = report(name + ".pcap"), truth(name)
    log = [r for r in t["relay"]["log"] if r["action"] in ("syn", "drop")]
    at_a = t["capture_point"].startswith("client")
    sent, seen = collections.Counter(), collections.Counter()
    for r in log:
        port = r["sport"] if r["dir"] == "a2b" else r["dport"]
        sent[(port, r["dir"])] += 1
        near = (r["dir"] == "a2b") == at_a      # sent on the capture's side of the relay
        if near or r["action"] == "syn":
            seen[(port, r["dir"])] += 1
    for who, k in (("a2b", "A"), ("b2a", "B")):
        total = sum(n - 1 for (p, dr), n in sent.items() if dr == who)
        check(f"{name}: the relay's log and kernel {k} agree on the {who} retries ({total})",
              total == t["kernel"][k].get("TcpExtTCPSynRetrans", 0), t["kernel"][k].get("TcpExtTCPSynRetrans"))
    got = collections.Counter()
    for e in kinds(d, "syn_retransmit"):
        fl = next(f for f in d["flows"] if f["id"] == e["flow"])
        got[(int(fl["client"].rsplit(":", 1)[1]), "b2a" if e["synack"] else "a2b")] += 1
    want = {k: n - 1 for k, n in seen.items() if n > 1}
    check(f"{name}: one syn_retransmit per retry the capture saw, per connection and direction",
          dict(got) == want, (dict(got), want))
    ports = {p for p, _ in sent}
    check(f"{name}: {len(ports)} connections, every one complete, no data resent",
          len(d["flows"]) == len(ports) and not kinds(d, "retransmission")
          and all(f["handshake_ms"] is not None for f in d["flows"]),
          [(f["client"], f["handshake_ms"]) for f in d["flows"]])
    if at_a:  # the client's side: its first SYN to its ACK is connect()'s wait
        # (the first connection's SYN waits for address resolution first,
        # a round trip through the relay: ARP or neighbour discovery)
        conn_ms = {c["local"][1]: (c["t_connected"] - c["t_connect_start"]) * 1000
                   for c in t["app"]["clients"]}
        rtt = 2 * t["relay"]["params"]["delay_ms"]
        off = [(f["client"], f["handshake_ms"], round(conn_ms[int(f["client"].rsplit(":", 1)[1])], 1))
               for f in d["flows"]]
        check(f"{name}: each handshake within 5 ms of the client's connect() time (the first: "
              f"less up to an RTT of address resolution)",
              all(-5 <= c - h <= 5 + (rtt if i == 0 else 0) for i, (_, h, c) in enumerate(off)), off)

d, t = report("synretry.pcap"), truth("synretry")
per_port = collections.Counter()
per_port_ack = collections.Counter()
ports = {f["id"]: f["client"].rsplit(":", 1)[1] for f in d["flows"]}
for e in kinds(d, "syn_retransmit"):
    (per_port_ack if e["synack"] else per_port)[ports[e["flow"]]] += 1
want = {p: n for p, n in t["truth"]["syn_retries_per_client_port"].items() if n}
check("synretry: SYN retries per client port", dict(per_port) == want, f"{dict(per_port)} vs {want}")
want = {p: n for p, n in t["truth"]["synack_retries_per_client_port"].items() if n}
check("synretry: SYN-ACK retries per client port", dict(per_port_ack) == want,
      f"{dict(per_port_ack)} vs {want}")
hs = {f["client"].rsplit(":", 1)[1]: f["handshake_ms"] for f in d["flows"]}
cm = t["truth"]["connect_ms_per_client_port"]
check("synretry: handshake time within 5 ms of the client's connect() time",
      all(abs(hs[p] - cm[p]) < 5 for p in cm), {p: (hs[p], cm[p]) for p in cm})

d, t = report("rst.pcap"), truth("rst")
check("rst: every reset connection", len({e["flow"] for e in kinds(d, "rst")}) ==
      t["expect"]["rst_connections"], kinds(d, "rst"))

# --- congestion window --------------------------------------------------------
for name in ("iw3_50k", "iw10_50k", "iw3_200k", "iw10_200k", "iw_rwnd", "iw_app"):
    if not os.path.exists(os.path.join(sdir, name + ".pcap")):
        continue
    d, t = report(name + ".pcap"), truth(name)
    want = t["expect"]["initial_window"]
    iw = d["flows"][0]["initial_window"]["s2c"]
    check(f"{name}: initial window {want['segments']} segments, limited by {want['limit']}",
          iw and iw["segments"] == want["segments"] and iw["limit"] == want["limit"], iw)
for name, cc in (("cc_reno", "reno"), ("cc_cubic", "cubic"), ("cc_bbr", "bbr"),
                 ("bottleneck", "cubic")):
    if os.path.exists(os.path.join(sdir, name + ".pcap")):
        d = report(name + ".pcap")
        check(f"{name}: cc_guess {cc}", d["flows"][0]["cc_guess"] == cc, d["flows"][0]["cc_guess"])
# Beyond the cc_* samples: on every sample whose kernel algorithm is known, a
# guess is that algorithm or unknown, never another (unknown is better than
# wrong).
wrong = []
for f in sorted(os.listdir(sdir)):
    if not f.endswith(".truth.json"):
        continue
    t = truth(f[:-len(".truth.json")])
    cc = t.get("congestion_control")
    files = t.get("files") or [t.get("file")]
    for pcap in files:
        if not cc or not pcap or not os.path.exists(os.path.join(sdir, pcap)):
            continue
        for fl in report(pcap)["flows"]:
            if fl.get("cc_guess", "unknown") not in ("unknown", cc):
                wrong.append((pcap, fl["id"], fl["cc_guess"], cc))
check("cc_guess on every sample: the kernel's algorithm or unknown", not wrong, wrong)
# Idle gaps longer than the RTO (idle_bursts.sh): bursts from one sender
# (RTT 40 at the sender, RTT 80 at the receiver, IPv6 RTT 20 at the sender)
# and a keep-alive server's responses after the client's think time (RTT
# 40). Truth: the sender's cwnd around each gap (ss -tin) and the
# application's own timing of each gap.
for name in ("idle_on", "idle_off", "idle_on_rtt80_receiver", "idle_on_v6", "idle_on_reqresp"):
    if not os.path.exists(os.path.join(sdir, name + ".pcap")):
        continue
    d, t = report(name + ".pcap"), truth(name)
    gaps = t["truth"]["gaps"]
    restarts = kinds(d, "idle_restart")
    collapsed = [g for g in gaps if g["cwnd_after_idle"] < 0.75 * g["cwnd_before_idle"]]
    check(f"{name}: one idle_restart per collapse the kernel made ({len(collapsed)})",
          len(restarts) == len(collapsed), [(e["idle_ms"], e["after_bytes"]) for e in restarts])
    # Each gap is a wait of the side that idled: the sender itself
    # (sender_limited: nothing outstanding, it went on), or the client
    # thinking before its next request (app_idle), as long as the gap the
    # application timed, give or take the round trip and a 10 ms margin.
    reqresp = t.get("program") == "reqresp"
    want_cause, want_dir = ("app_idle", "c2s") if reqresp else ("sender_limited", "c2s")
    st = [e for e in kinds(d, "stall") if e["duration_ms"] > 200]
    rtt = 2 * t["relay"]["params"]["delay_ms"]
    gap_ms = [g["idle_s_app"] * 1000 for g in gaps]
    check(f"{name}: each of the {len(gaps)} idle gaps is a stall of its length, cause {want_cause}",
          len(st) >= len(gaps) and all(e["cause"] == want_cause and e["dir"] == want_dir
                                       and e["outstanding_bytes"] == 0 for e in st[:len(gaps)])
          and all(abs(e["duration_ms"] - g) <= 0.05 * g + rtt + 10 for e, g in zip(st, gap_ms)),
          ([(e["cause"], e["dir"], round(e["duration_ms"])) for e in st], [round(g) for g in gap_ms]))
    mss = t.get("mss_payload_with_timestamps", 1448)
    check(f"{name}: the first round after each restart is the kernel's cwnd",
          [round(e["after_bytes"] / mss) for e in restarts] ==
          [g["cwnd_after_idle"] for g in collapsed],
          ([e["after_bytes"] / mss for e in restarts], [g["cwnd_after_idle"] for g in collapsed]))

finish()
