#!/bin/bash
# mk_ipv6.sh: a clean ~300 KB IPv6 bulk transfer over veth between two namespaces.
# Offloads (tx checksum, TSO, GSO, GRO) off on both ends, so the capture
# looks like the wire: valid checksums, no segment larger than the MSS.
# Captured on the receiver's veth, classic pcap, microsecond timestamps.
. "$(dirname "$0")/common.sh"
lab_init ipv6

A=tlv6A$SFX; B=tlv6B$SFX
IP_A=fd00:99::1; IP_B=fd00:99::2; PORT=5006; CPORT=40600; BYTES=300000
OUT="$SAMPLES/ipv6.pcap"; TRUTH="$SAMPLES/ipv6.truth.json"

ns_pair "$A" "$B"
# IPv6 stays on: ND frames are part of the capture
ns_addr6 "$A" eth0 $IP_A/64
ns_addr6 "$B" eth0 $IP_B/64
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$B" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 6 --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"

guard_complete "$WORK/cap.pcap" $IP_A $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=ipv6 file=ipv6.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Clean IPv6 bulk transfer A->B over a veth pair between two namespaces (fd00:99::/64, no DAD); all offloads off on both ends; captured on the receiver (B) eth0. Neighbour discovery frames precede the connection." \
    link=veth mtu:=1500 congestion_control="$CC" \
    client=[$IP_A]:$CPORT server=[$IP_B]:$PORT sender=[$IP_A]:$CPORT receiver=[$IP_B]:$PORT \
    capture_point="receiver B eth0" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 \
    expect.bad_tcp_checksums:=0 expect.giant_segments:=0 expect.tcp_connections:=1 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") \
    kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_ipv6.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
report "$OUT"
