#!/bin/bash
# mk_offload_tx_vlan.sh: offload_tx with an 802.1Q tag. A fresh offload_tx-style
# capture (veth, tx checksum offload ON at the sender, TSO/GSO off, captured on
# the sender: every TCP frame A sends carries the pseudo-header partial
# checksum) made by veth_bulk.sh, then rewritten by add_vlan.py with one
# 802.1Q tag (TPID 0x8100, VID 100) in every frame (this kernel has no 8021q
# module). The tag is outside the IP/TCP checksums, so the artifacts stay.
. "$(dirname "$0")/common.sh"
lab_init offload_tx_vlan
OUT="$SAMPLES/offload_tx_vlan.pcap"; TRUTH="$SAMPLES/offload_tx_vlan.truth.json"
RAWNAME=offload_tx_vlan_untagged
SUBNET=10.99.53; IP_A=$SUBNET.1; IP_B=$SUBNET.2; PORT=5053; CPORT=45300; BYTES=200000
TAG=0x8100:100

# the untagged capture: veth_bulk.sh in a child shell (its own namespaces,
# work dir lab/work/$RAWNAME and cleanup), writing into our work dir
LAB_OUT="$WORK" bash -c '
NAME=$1 SUBNET=$2 PORT=$3 CPORT=$4 BYTES=$5 CAP_NS=A SEED=53
OFF_A="tx on sg on tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
SCENARIO="untagged original of offload_tx_vlan"
EXPECT_ITEMS=()
. "$6"' _ $RAWNAME $SUBNET $PORT $CPORT $BYTES "$LAB/veth_bulk.sh" >"$WORK/untagged.log" 2>&1 || {
    cat "$WORK/untagged.log" >&2; exit 1; }

"$PY" "$LAB/add_vlan.py" "$WORK/$RAWNAME.pcap" "$OUT" --tag $TAG
check_size "$OUT"
"$PY" "$LAB/csum_census.py" "$OUT" >"$WORK/census.json"
"$PY" "$LAB/csum_census.py" "$WORK/$RAWNAME.pcap" >"$WORK/census.untagged.json"

tcount() { tshark_q -r "$OUT" -o tcp.check_checksum:TRUE -Y "$1" | wc -l; }
cat >"$WORK/tshark.json" <<J
{"method": "tshark display-filter counts over the tagged capture (not an analyzer)",
 "frames": $(tcount frame),
 "frames_with_vlan_100": $(tcount "vlan.id==100"),
 "tcp_frames_a2b": $(tcount "ip.src==$IP_A && tcp"),
 "tcp_frames_b2a": $(tcount "ip.src==$IP_B && tcp"),
 "tcp_payload_over_1448_a2b": $(tcount "ip.src==$IP_A && tcp.len > 1448"),
 "max_tcp_payload_a2b": $(tshark_q -r "$OUT" -Y "ip.src==$IP_A && tcp" -T fields -e tcp.len | sort -n | tail -1),
 "tcp_checksum_bad_a2b": $(tcount "ip.src==$IP_A && tcp.checksum.status==0"),
 "tcp_checksum_bad_b2a": $(tcount "ip.src==$IP_B && tcp.checksum.status==0"),
 "tcp_retransmission_flag": $(tcount "tcp.analysis.retransmission")}
J

# the truth: the untagged run's truth (scenario facts, kernel counters, apps)
# plus the tag, with counts taken on the tagged file; checks that tagging
# changed nothing but the link layer
"$PY" - "$WORK/$RAWNAME.truth.json" "$TRUTH" "$WORK/tshark.json" "$WORK/census.json" \
    "$WORK/census.untagged.json" "$IP_A" "$IP_B" <<'EOF'
import json, sys
raw, out, tsh, cen, cen_raw, ip_a, ip_b = sys.argv[1:8]
t = json.load(open(raw))
tc = json.load(open(tsh))
c = json.load(open(cen))
c_raw = json.load(open(cen_raw))
n_a = t["kernel"]["A"]["TcpOutSegs"]
pa, pb = c["per_src"][ip_a], c["per_src"][ip_b]
assert c["per_src"] == c_raw["per_src"], "tagging changed the checksum census"
assert pa["tcp_frames"] == pa["pseudo_sum"] == n_a == tc["tcp_frames_a2b"] == tc["tcp_checksum_bad_a2b"], (pa, n_a, tc)
assert pb["tcp_frames"] == pb["valid"] and tc["tcp_checksum_bad_b2a"] == 0, (pb, tc)
assert tc["frames"] == tc["frames_with_vlan_100"] == t["tshark_counts"]["frames"], tc
t.update({
    "sample": "offload_tx_vlan", "file": "offload_tx_vlan.pcap",
    "scenario": "offload_tx with an 802.1Q tag: bulk transfer A->B over veth; A's eth0 has tx checksum offload ON (TSO, GSO off), B's offloads off; captured on the SENDER (A eth0), so every TCP segment A sends carries the folded pseudo-header sum in its checksum field (CHECKSUM_PARTIAL), not the real checksum; B's segments are valid. The capture was then rewritten by add_vlan.py with one 802.1Q tag (TPID 0x8100, VID 100, PCP 0) in every frame (this kernel has no 8021q module); the tag sits between the source MAC and the original EtherType and is outside the IP/TCP checksums, so IP, TCP and the artifacts are byte for byte those of the untagged run.",
    "capture_point": "sender A eth0, then tagged offline",
    "derived": {"from": "a fresh untagged capture made by the same script (veth_bulk.sh), not kept",
                "tool": "samples/lab/add_vlan.py --tag 0x8100:100",
                "untagged_struct_check": c_raw},
    "vlan_tags": [{"tpid": "0x8100", "vid": 100, "pcp": 0}],
    "frames": tc["frames"], "frames_tagged": tc["frames_with_vlan_100"],
    "tshark_counts": tc, "struct_check": c,
    "truth": {"a_tcp_frames_sent": n_a,
              "note": "a_tcp_frames_sent = kernel.A.TcpOutSegs: every TCP frame A sent; each is in the capture with the pseudo-header sum in its checksum field (struct_check)."},
    "expect": {"csum_offload": n_a, "csum_offload_side": "tx",
               "csum_offload_frames": "every TCP frame from %s (kernel.A.TcpOutSegs; tshark_counts.tcp_frames_a2b), decoded through the 802.1Q tag" % ip_a,
               "csum_bad": 0, "bad_checksums_b2a": 0, "giant_segments": 0, "retransmissions": 0,
               "tcp_connections": 1},
    "regenerate": "sudo samples/lab/mk_offload_tx_vlan.sh",
})
t.pop("tcpdump_args", None)
t["tcpdump_args"] = "-i eth0 (untagged; tag added offline)"
with open(out, "w") as f:
    json.dump(t, f, indent=1, sort_keys=True)
    f.write("\n")
EOF
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
report "$OUT"
cat "$WORK/tshark.json"
