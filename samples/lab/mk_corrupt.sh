#!/bin/bash
# mk_corrupt.sh: bulk transfer through the TAP relay, which corrupts ~1% of the
# data frames A->B (one payload byte flipped; headers intact). Both TAPs have
# tx checksum offload off, so every other checksum is valid. Captured on the
# receiver's TAP (inside B): the capture holds the corrupted frames, B's TCP
# drops them (TcpInCsumErrors), A retransmits. Truth = the relay's log.
. "$(dirname "$0")/common.sh"
lab_init corrupt

A=tlcoA$SFX; B=tlcoB$SFX
IP_A=10.99.3.1; IP_B=10.99.3.2; PORT=5003; CPORT=40300; BYTES=800000
DELAY_MS=5; CORRUPT=0.01; SEED=${SEED:-7}
OUT="$SAMPLES/corrupt.pcap"; TRUTH="$SAMPLES/corrupt.truth.json"

relay_start "$A" "$B" --delay-ms $DELAY_MS --corrupt $CORRUPT --seed $SEED --dirs a2b
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
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
    --src-port $CPORT --bytes $BYTES --seed 3 --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop

guard_complete "$WORK/cap.pcap" $IP_A $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
NCORR=$(grep -c '"action": "corrupt"' "$WORK/relay.log.jsonl" || true)
NDROP=$(grep -c '"action": "drop"' "$WORK/relay.log.jsonl" || true)
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=corrupt file=corrupt.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Bulk transfer A->B through a user-space TAP relay (relay.py) that delays every frame ${DELAY_MS} ms each way and corrupts a random ${CORRUPT} fraction of the TCP data frames A->B (one payload byte XORed, headers untouched; seed $SEED). Tx checksum offload off on both TAPs. Captured on the receiver's TAP (B eth0), downstream of the relay: the capture holds every corrupted frame; B's kernel drops each (TcpInCsumErrors) and A retransmits it." \
    link=tap+relay mtu:=1500 congestion_control="$CC" \
    client=$IP_A:$CPORT server=$IP_B:$PORT sender=$IP_A:$CPORT receiver=$IP_B:$PORT \
    capture_point="receiver B eth0 (TAP), after the relay" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 \
    relay.params.delay_ms:=$DELAY_MS relay.params.corrupt:=$CORRUPT relay.params.seed:=$SEED relay.params.dirs=a2b \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" \
    relay.corrupted:=$NCORR relay.dropped:=$NDROP \
    expect.bad_tcp_checksums:=$NCORR expect.csum_bad_fate=dropped expect.csum_offload:=0 expect.tcp_connections:=1 \
    "expect.note=Each corrupted frame in relay.log (dir a2b, seq, payload_len) appears once in the capture with a bad TCP checksum (csum_bad, fate dropped: B never ACKs it) and is retransmitted by A; kernel.B.TcpInCsumErrors counts B's drops. seq in the log is absolute." \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") \
    kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_corrupt.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH; relay corrupted $NCORR frames"
report "$OUT"
