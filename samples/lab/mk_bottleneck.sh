#!/bin/bash
# mk_bottleneck.sh: bulk transfer with CUBIC through a 20 Mbit/s bottleneck
# (the relay serializes frames at that rate behind a 30-frame tail-drop queue,
# plus 10 ms one-way delay). Slow start overflows the queue, the relay drops
# the excess (logged as queue_drop), CUBIC cuts its window and recovers.
# Captured on the sender's TAP (before the bottleneck).
. "$(dirname "$0")/common.sh"
lab_init bottleneck

A=tlbnA$SFX; B=tlbnB$SFX
IP_A=10.99.18.1; IP_B=10.99.18.2; PORT=5018; CPORT=41800; BYTES=1000000
DELAY_MS=10; RATE_KBIT=20000; QUEUE=30; CCA=cubic
OUT="$SAMPLES/bottleneck.pcap"; TRUTH="$SAMPLES/bottleneck.truth.json"

relay_start "$A" "$B" --delay-ms $DELAY_MS --rate-kbit $RATE_KBIT --queue-frames $QUEUE --seed 18
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
# CUBIC on the sender's socket (TCP_CONGESTION) for a classic loss-based
# reaction; the machine default is bbr, and the namespace sysctl cannot be
# changed here (EPERM), so the client sets it per socket
CC=$CCA

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$A" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 18 --cc $CCA --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop
guard_complete "$WORK/cap.pcap" $IP_A $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
NQ=$(grep -c '"action": "queue_drop"' "$WORK/relay.log.jsonl" || true)
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=bottleneck file=bottleneck.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Bulk transfer A->B ($BYTES bytes) with congestion control $CC on A, through the TAP relay acting as a bottleneck: each direction serialized at $RATE_KBIT kbit/s behind a $QUEUE-frame tail-drop queue, then ${DELAY_MS} ms one-way delay (base RTT ~$((2 * DELAY_MS)) ms, BDP ~$((RATE_KBIT * 2 * DELAY_MS / 8)) bytes). Slow start overflows the queue; the relay drops the excess (queue_drop in relay.log), A recovers with SACK and CUBIC reduces its window. Captured on A's TAP, before the bottleneck: every dropped frame is in the capture." \
    link=tap+relay mtu:=1500 congestion_control="$CC" \
    client=$IP_A:$CPORT server=$IP_B:$PORT sender=$IP_A:$CPORT receiver=$IP_B:$PORT \
    capture_point="sender A eth0 (TAP), before the relay" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 \
    relay.params.delay_ms:=$DELAY_MS relay.params.rate_kbit:=$RATE_KBIT relay.params.queue_frames:=$QUEUE \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" relay.queue_drops:=$NQ \
    "expect.note=Each queue_drop in relay.log (absolute seq) is a segment lost at the bottleneck and retransmitted (kernel.A.TcpRetransSegs counts all retransmissions); cwnd_reduction events with ratio ~0.7 (CUBIC beta) after each loss episode (kernel.A.TcpExtTCPSackRecovery / TCPLossProbes / TCPTimeouts tell how recovery went); cwnd_rounds show slow_start then recovery / congestion_avoidance. RTT grows from ~20 ms as the queue fills (up to ~${QUEUE} frames x 0.6 ms)." \
    expect.bad_tcp_checksums:=0 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_bottleneck.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH; relay queue drops: $NQ"
report "$OUT"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print({k: v for k, v in d.items() if any(x in k for x in ("Retrans", "Recovery", "Timeouts", "LossProbes", "Sack", "Lost"))})' "$WORK/ka.json"
