#!/bin/bash
# mk_loss.sh: bulk transfer through the TAP relay with 10 ms one-way delay and
# ~1.5% random loss of the data frames A->B. Captured at both ends in the same
# run: loss_sender.pcap on A's TAP (every dropped frame is in it, then its
# retransmission; B's SACKs report the holes) and loss_receiver.pcap on B's TAP
# (the dropped frames never appear). Truth = the relay's log, shared.
. "$(dirname "$0")/common.sh"
lab_init loss

A=tllsA$SFX; B=tllsB$SFX
IP_A=10.99.15.1; IP_B=10.99.15.2; PORT=5015; CPORT=41500; BYTES=600000
DELAY_MS=10; LOSS=0.015; SEED=${SEED:-15}
TRUTH="$SAMPLES/loss.truth.json"

relay_start "$A" "$B" --delay-ms $DELAY_MS --loss $LOSS --seed $SEED --dirs a2b
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
cap_start "$A" eth0 "$WORK/sender.pcap" --time-stamp-precision=micro
CAP1_PID=$CAP_PID; CAP1_ERR=$CAP_ERR
cap_start "$B" eth0 "$WORK/receiver.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 4 --result "$WORK/client.json"
wait $SRV
cap_stop; CAP2_STATS=$CAP_STATS
CAP_PID=$CAP1_PID; CAP_ERR=$CAP1_ERR
cap_stop 0.1; CAP1_STATS=$CAP_STATS
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop

guard_complete "$WORK/sender.pcap" $IP_A $BYTES
guard_complete "$WORK/receiver.pcap" $IP_A $BYTES
cp "$WORK/sender.pcap" "$SAMPLES/loss_sender.pcap"; check_size "$SAMPLES/loss_sender.pcap"
cp "$WORK/receiver.pcap" "$SAMPLES/loss_receiver.pcap"; check_size "$SAMPLES/loss_receiver.pcap"
NDROP=$(grep -c '"action": "drop"' "$WORK/relay.log.jsonl" || true)
NCORR=$(grep -c '"action": "corrupt"' "$WORK/relay.log.jsonl" || true)
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=loss "files:=[\"loss_sender.pcap\", \"loss_receiver.pcap\"]" format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Bulk transfer A->B ($BYTES bytes) through the TAP relay: ${DELAY_MS} ms one-way delay each direction (RTT ~$((2 * DELAY_MS)) ms) and a random ${LOSS} fraction of the TCP data frames A->B dropped (seed $SEED; SYN/FIN/pure ACKs and B->A untouched). Two captures of the same run: loss_sender.pcap on A's TAP (upstream of the relay: each dropped frame appears once, then its retransmission, and B's SACK blocks report the holes) and loss_receiver.pcap on B's TAP (downstream: the dropped frames never appear; only the retransmissions do)." \
    link=tap+relay mtu:=1500 congestion_control="$CC" \
    client=$IP_A:$CPORT server=$IP_B:$PORT sender=$IP_A:$CPORT receiver=$IP_B:$PORT \
    "capture_points.loss_sender.pcap=sender A eth0 (TAP), before the relay" \
    "capture_points.loss_receiver.pcap=receiver B eth0 (TAP), after the relay" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 \
    relay.params.delay_ms:=$DELAY_MS relay.params.loss:=$LOSS relay.params.seed:=$SEED relay.params.dirs=a2b \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" \
    relay.dropped:=$NDROP relay.corrupted:=$NCORR \
    "expect.note=Every frame in relay.log (action drop; dir a2b; absolute seq, payload_len) was lost in the network: in loss_sender.pcap it is present and later retransmitted (retransmission events; cause fast or rto or tlp), B reports the hole with SACK (sack_gap); in loss_receiver.pcap it is absent and only the retransmission arrives. A retransmission can itself be dropped (then it is in the log too). kernel.A.TcpRetransSegs counts every retransmitted segment, spurious ones included." \
    expect.bad_tcp_checksums:=0 expect.capture_loss:=0 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") \
    kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump.loss_sender:="$CAP1_STATS" tcpdump.loss_receiver:="$CAP2_STATS" \
    regenerate="sudo samples/lab/mk_loss.sh"
echo "wrote loss_sender.pcap, loss_receiver.pcap and $TRUTH; relay dropped $NDROP frames"
report "$SAMPLES/loss_sender.pcap"; report "$SAMPLES/loss_receiver.pcap"
