#!/bin/bash
# mk_offload_tx_ipv6.sh: offload_tx over IPv6. Tx checksum offload ON (TSO/GSO
# off) on the sender's veth, captured on the sender: every TCP frame A sends
# carries only the IPv6 pseudo-header partial checksum (CHECKSUM_PARTIAL).
# B's offloads are off; its frames are valid. Neighbour discovery / MLD
# frames (ICMPv6, checksummed in software) are in the capture too.
. "$(dirname "$0")/common.sh"
lab_init offload_tx_ipv6

A=tlo6A$SFX; B=tlo6B$SFX
IP_A=fd00:99:52::1; IP_B=fd00:99:52::2; PORT=5052; CPORT=45200; BYTES=200000
OFF_A="tx on sg on tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
OUT="$SAMPLES/offload_tx_ipv6.pcap"; TRUTH="$SAMPLES/offload_tx_ipv6.truth.json"

ns_pair "$A" "$B"
ns_addr6 "$A" eth0 $IP_A/64
ns_addr6 "$B" eth0 $IP_B/64
set_offloads "$A" eth0 $OFF_A
set_offloads "$B" eth0 $OFF_B
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$A" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 52 --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"

guard_complete "$WORK/cap.pcap" $IP_A $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/kA.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kB.json"
OUTSEGS_A=$(jget "$WORK/kA.json" TcpOutSegs)
"$PY" "$LAB/csum_census.py" "$OUT" >"$WORK/census.json"
"$PY" - "$WORK/census.json" $IP_A $IP_B "$OUTSEGS_A" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["per_src"]
a, b, n = c[sys.argv[2]], c[sys.argv[3]], int(sys.argv[4])
if not (a["tcp_frames"] == a["pseudo_sum"] == n and b["tcp_frames"] == b["valid"]):
    sys.exit("capture does not match the scenario: %s" % c)
EOF

tcount() { tshark_q -r "$OUT" -o tcp.check_checksum:TRUE -Y "$1" | wc -l; }
cat >"$WORK/tshark.json" <<J
{"method": "tshark display-filter counts over the capture (not an analyzer)",
 "frames": $(tcount frame),
 "icmpv6_frames": $(tcount icmpv6),
 "tcp_frames_a2b": $(tcount "ipv6.src==$IP_A && tcp"),
 "tcp_frames_b2a": $(tcount "ipv6.src==$IP_B && tcp"),
 "tcp_payload_over_1428_a2b": $(tcount "ipv6.src==$IP_A && tcp.len > 1428"),
 "max_tcp_payload_a2b": $(tshark_q -r "$OUT" -Y "ipv6.src==$IP_A && tcp" -T fields -e tcp.len | sort -n | tail -1),
 "tcp_checksum_bad_a2b": $(tcount "ipv6.src==$IP_A && tcp.checksum.status==0"),
 "tcp_checksum_bad_b2a": $(tcount "ipv6.src==$IP_B && tcp.checksum.status==0"),
 "tcp_retransmission_flag": $(tcount "tcp.analysis.retransmission")}
J

"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=offload_tx_ipv6 file=offload_tx_ipv6.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=offload_tx over IPv6: bulk transfer A->B over veth (fd00:99:52::/64, no DAD); A's eth0 has tx checksum offload ON (TSO, GSO off), B's offloads off. Captured on the SENDER (A eth0): every TCP segment A sends is CHECKSUM_PARTIAL, so the captured checksum field holds the folded IPv6 pseudo-header sum (src, dst, upper-layer length, next header 6), not the real checksum. B accepts them all (veth hands the partial skb over). B's segments are captured inbound with valid checksums. Neighbour discovery and MLD frames (ICMPv6, checksummed in software) precede the connection." \
    link=veth mtu:=1500 congestion_control="$CC" mss_payload_with_timestamps:=1428 \
    client=[$IP_A]:$CPORT server=[$IP_B]:$PORT sender=[$IP_A]:$CPORT receiver=[$IP_B]:$PORT \
    capture_point="sender A eth0" \
    "ethtool_K.A=$OFF_A" "ethtool_K.B=$OFF_B" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 \
    truth.a_tcp_frames_sent:=$OUTSEGS_A \
    "truth.note=a_tcp_frames_sent = kernel.A.TcpOutSegs: every TCP frame A sent; each is in the capture with the pseudo-header sum in its checksum field (struct_check)." \
    struct_check@="$WORK/census.json" \
    expect.csum_offload:=$OUTSEGS_A expect.csum_offload_side=tx \
    "expect.csum_offload_frames=every TCP frame from $IP_A (kernel.A.TcpOutSegs; tshark_counts.tcp_frames_a2b)" \
    expect.csum_bad:=0 expect.bad_checksums_b2a:=0 expect.giant_segments:=0 expect.retransmissions:=0 \
    expect.tcp_connections:=1 \
    tshark_counts@="$WORK/tshark.json" \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/kA.json" kernel.B@="$WORK/kB.json" \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_offload_tx_ipv6.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH; A TcpOutSegs $OUTSEGS_A"
report "$OUT"
cat "$WORK/tshark.json" "$WORK/census.json"
