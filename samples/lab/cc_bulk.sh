# samples/lab/cc_bulk.sh: shared body of the congestion-control samples (cc_*).
# Sourced by mk_cc_*.sh after setting: NAME NET PORT CPORT CCA
# optional (defaults below): BYTES DELAY_MS LOSS RATE_KBIT QUEUE SNAPLEN SEED
# A bulk transfer A->B with TCP_CONGESTION=$CCA on A's socket, through the TAP
# relay (one-way delay each way, a rate-limited tail-drop queue and random
# loss of A->B data frames), while ss_sampler.py polls A's socket every
# ~10 ms: the kernel's cwnd/ssthresh/rtt time series is the truth
# ($NAME.ss.json). Captured on A's TAP (the sender, before the relay).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$LAB/cwnd_common.sh"
lab_init "$NAME"

A=tlc${NET}A$SFX; B=tlc${NET}B$SFX
IP_A=10.99.$NET.1; IP_B=10.99.$NET.2
BYTES=${BYTES:-3000000}; DELAY_MS=${DELAY_MS:-20}; LOSS=${LOSS:-0.005}
RATE_KBIT=${RATE_KBIT:-12000}; QUEUE=${QUEUE:-60}; SNAPLEN=${SNAPLEN:-128}; SEED=${SEED:-$NET}
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"; SSOUT="$SAMPLES/$NAME.ss.json"

relay_start "$A" "$B" --delay-ms "$DELAY_MS" --loss "$LOSS" --dirs a2b \
    --rate-kbit "$RATE_KBIT" --queue-frames "$QUEUE" --seed "$SEED"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
for ns in "$A" "$B"; do ip netns exec "$ns" sysctl -qw net.ipv4.tcp_no_metrics_save=1; done
SYSCTL=$("$PY" -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
    A.tcp_congestion_control_default "$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)" \
    A.tcp_wmem "$(sysctl_ns "$A" net.ipv4.tcp_wmem)" \
    A.tcp_no_metrics_save "$(sysctl_ns "$A" net.ipv4.tcp_no_metrics_save)" \
    A.qdisc_eth0 "$(tc -n "$A" qdisc show dev eth0 | head -1)" \
    B.tcp_rmem "$(sysctl_ns "$B" net.ipv4.tcp_rmem)")

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
bg ip netns exec "$A" "$PY" "$LAB/ss_sampler.py" --port $PORT --out "$WORK/ss.A.json" \
    --raw "$WORK/ss.A.raw" --ready "$WORK/ssA.ready"
SSA=$BG_PID
wait_file "$WORK/ssA.ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$A" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro -s "$SNAPLEN"
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed $NET --cc "$CCA" --result "$WORK/client.json"
wait $SRV
cap_stop
kill -TERM $SSA; wait $SSA || true
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop
guard_complete "$WORK/cap.pcap" $IP_A $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
"$PY" "$LAB/cwnd_truth.py" merge-ss "$SSOUT" "sender=$WORK/ss.A.json"
check_size "$SSOUT"
"$PY" "$LAB/cwnd_truth.py" cc "$WORK/ss.A.json" --sender $IP_A:$CPORT --peer $IP_B:$PORT \
    --cc "$CCA" >"$WORK/cc.json"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
NDROP=$(grep -c '"action": "drop"' "$WORK/relay.log.jsonl" || true)
NQ=$(grep -c '"action": "queue_drop"' "$WORK/relay.log.jsonl" || true)
BDP=$((RATE_KBIT * 2 * DELAY_MS / 8))
BADCS=$(tshark_bad_csum "$OUT")
TSHARK=$(tshark_conv_json "$OUT")
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample="$NAME" file="$NAME.pcap" format=pcap timestamp_precision=micro linktype=EN10MB \
    snaplen:=$SNAPLEN \
    "scenario=Bulk transfer A->B ($BYTES bytes) with congestion control $CCA set on A's socket (TCP_CONGESTION; the namespace default is bbr and the per-namespace sysctl cannot be changed here). Through the TAP relay: a random $LOSS fraction of A->B data frames dropped (seed $SEED), then each direction serialized at $RATE_KBIT kbit/s behind a $QUEUE-frame tail-drop queue, then ${DELAY_MS} ms one-way delay (base RTT ~$((2 * DELAY_MS)) ms, BDP ~$BDP bytes ~$((BDP / 1448)) segments). ss -tinHO polled A's socket every ~10 ms ($NAME.ss.json: the kernel's cwnd, ssthresh, mss, rtt, cc name with CLOCK_REALTIME timestamps, the clock of the capture). Captured on A's TAP (the sender, before the relay) with snap length $SNAPLEN: every frame is cut to $SNAPLEN bytes (headers whole, orig_len kept), which keeps a ${BYTES}-byte transfer under 2 MB." \
    link=tap+relay mtu:=1500 congestion_control="$CCA" \
    client=$IP_A:$CPORT server=$IP_B:$PORT sender=$IP_A:$CPORT receiver=$IP_B:$PORT \
    capture_point="sender A eth0 (TAP), before the relay" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 sysctl:="$SYSCTL" \
    relay.params.delay_ms:="$DELAY_MS" relay.params.loss:="$LOSS" relay.params.seed:="$SEED" \
    relay.params.rate_kbit:="$RATE_KBIT" relay.params.queue_frames:="$QUEUE" relay.params.dirs_loss=a2b \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" \
    relay.dropped_random:=$NDROP relay.queue_drops:=$NQ \
    truth@="$WORK/cc.json" ss_file="$NAME.ss.json" \
    expect.cc_guess="$CCA" \
    "expect.note=cc_guess $CCA (set on the socket; ss shows it in every sample). On cwnd-limited rounds the flight should track the ss cwnd x mss (truth.ssthresh_changes lists every change of the kernel's ssthresh between two ss samples, with ratio new ssthresh / cwnd at the previous sample (<= 10 ms earlier, so the ratio can be a little off): kind reduction ~0.5 for reno, ~0.7 for cubic (cwnd_reduction events); kind slow_start_exit is CUBIC HyStart leaving slow start without loss (kernel.A.TcpExtTCPHystart*), not a reduction; for bbr the only change is bbr_startup_exit (ssthresh = its BDP estimate), bbr does not cut cwnd by a ratio on loss, paces, and cycles pacing_gain 1.25/0.75/1 in ProbeBW (bbr_pacing_gain column)). Every frame in relay.log was lost in the network and retransmitted (kernel.A.TcpRetransSegs counts all retransmissions)." \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" \
    tcpdump:="$CAP_STATS" tshark_bad_csum_frames:="$BADCS" tshark:="$TSHARK" expect.bad_tcp_checksums:=0 \
    "expect.checksum_note=tshark_bad_csum_frames lists what tshark flags as bad: with tx checksum offload off on both ends the only such frames are checksum 0xffff, the valid encoding of a zero sum (kernel TcpInCsumErrors stays 0); a correct analyzer reports no csum_bad." \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes), $TRUTH, $SSOUT ($(file_size "$SSOUT") bytes); relay drops: random $NDROP, queue $NQ"
report "$OUT"
"$PY" -c '
import json,sys; d=json.load(open(sys.argv[1]))
print({k: d[k] for k in ("samples", "cc_seen", "cwnd_min", "cwnd_max", "sample_interval_ms")})
for e in d["ssthresh_changes"]: print("  ssthresh %s -> %s, cwnd before %s ratio %s" % (e["ssthresh_before"], e["ssthresh_after"], e["cwnd_before"], e["ratio_ssthresh_to_cwnd_before"]))
' "$WORK/cc.json"
