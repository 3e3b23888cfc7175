# samples/lab/idle_bursts.sh: shared body of the slow-start-after-idle samples.
# Sourced by mk_idle_*.sh after setting: NAME NET PORT CPORT SSAI (0 or 1)
# optional: CCA (default cubic) BURST BURSTS IDLE DELAY_MS, CAP_AT (A: the
# sender's TAP, the default; B: the receiver's), FAM (4, or 6: IPv6
# fd00:99:NET::1 and ::2), APP (bursts, the default; reqresp: A serves
# BURSTS responses of BURST bytes to B's requests, B thinking IDLE's first
# value (seconds, 0.1 s of jitter) between them, so A still sends the data)
# One connection A->B: BURSTS bursts of BURST bytes; after each burst the
# sender waits until all of it is acknowledged, then stays idle for the next
# gap of IDLE (seconds, comma-separated) -- longer than the RTO. A's namespace
# has net.ipv4.tcp_slow_start_after_idle = SSAI. ss_sampler.py polls A's
# socket every ~10 ms: the cwnd before and after each idle gap is the truth.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$LAB/cwnd_common.sh"
lab_init "$NAME"

A=tlc${NET}A$SFX; B=tlc${NET}B$SFX
FAM=${FAM:-4}; APP=${APP:-bursts}
if [[ $FAM == 6 ]]; then
    IP_A=fd00:99:$NET::1; IP_B=fd00:99:$NET::2; EP_A="[$IP_A]"; EP_B="[$IP_B]"; MSSP=1428
else
    IP_A=10.99.$NET.1; IP_B=10.99.$NET.2; EP_A=$IP_A; EP_B=$IP_B; MSSP=1448
fi
CCA=${CCA:-cubic}; BURST=${BURST:-200000}; BURSTS=${BURSTS:-4}; IDLE=${IDLE:-1.5,0.8,1.5}
DELAY_MS=${DELAY_MS:-20}; CAP_AT=${CAP_AT:-A}
if [[ $CAP_AT == B ]]; then
    CAP_WHERE="receiver B eth0 (TAP), after the relay"
    CAP_TEXT="Captured on B's TAP (the receiver, after the relay)."
else
    CAP_WHERE="sender A eth0 (TAP), before the relay"
    CAP_TEXT="Captured on A's TAP (the sender, before the relay)."
fi
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"; SSOUT="$SAMPLES/$NAME.ss.json"
BYTES=$((BURST * BURSTS))

relay_start "$A" "$B" --delay-ms "$DELAY_MS" --seed "$NET"
if [[ $FAM == 6 ]]; then
    ns_addr6 "$A" eth0 $IP_A/64; ns_addr6 "$B" eth0 $IP_B/64
else
    ns_nov6 "$A"; ns_nov6 "$B"
    ns_addr4 "$A" eth0 $IP_A/24; ns_addr4 "$B" eth0 $IP_B/24
fi
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
for ns in "$A" "$B"; do ip netns exec "$ns" sysctl -qw net.ipv4.tcp_no_metrics_save=1; done
# per-namespace sysctl: set it and read it back (fail if it did not stick)
ip netns exec "$A" sysctl -qw net.ipv4.tcp_slow_start_after_idle="$SSAI"
GOT=$(sysctl_ns "$A" net.ipv4.tcp_slow_start_after_idle)
[ "$GOT" = "$SSAI" ] || { echo "tcp_slow_start_after_idle is $GOT, wanted $SSAI" >&2; exit 1; }
SYSCTL=$("$PY" -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
    A.tcp_slow_start_after_idle "$GOT" \
    B.tcp_slow_start_after_idle "$(sysctl_ns "$B" net.ipv4.tcp_slow_start_after_idle)" \
    host.tcp_slow_start_after_idle "$(sysctl -n net.ipv4.tcp_slow_start_after_idle)" \
    A.tcp_congestion_control_default "$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)" \
    A.tcp_wmem "$(sysctl_ns "$A" net.ipv4.tcp_wmem)" \
    A.tcp_no_metrics_save "$(sysctl_ns "$A" net.ipv4.tcp_no_metrics_save)" \
    A.qdisc_eth0 "$(tc -n "$A" qdisc show dev eth0 | head -1)" \
    B.tcp_rmem "$(sysctl_ns "$B" net.ipv4.tcp_rmem)")

if [[ $APP == reqresp ]]; then
    bg ip netns exec "$A" "$PY" "$LAB/tcpapp.py" reqresp-server --bind $IP_A --port $PORT --cc "$CCA" \
        --ready "$WORK/ready" --result "$WORK/server.json"
else
    bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
        --ready "$WORK/ready" --result "$WORK/server.json"
fi
SRV=$BG_PID
wait_file "$WORK/ready"
bg ip netns exec "$A" "$PY" "$LAB/ss_sampler.py" --port $PORT --out "$WORK/ss.A.json" \
    --raw "$WORK/ss.A.raw" --ready "$WORK/ssA.ready"
SSA=$BG_PID
wait_file "$WORK/ssA.ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
CAP_NS=$A; [[ $CAP_AT == B ]] && CAP_NS=$B
cap_start "$CAP_NS" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
if [[ $APP == reqresp ]]; then
    THINK_MS=$("$PY" -c "print(float('${IDLE%%,*}') * 1000)")
    ip netns exec "$B" "$PY" "$LAB/tcpapp.py" reqresp-client --connect $IP_A --port $PORT \
        --src-port $CPORT --exchanges $BURSTS --short-conns 0 --min $BURST --max $BURST \
        --think-min-ms "$THINK_MS" --think-max-ms "$("$PY" -c "print($THINK_MS + 100)")" \
        --result "$WORK/client.json"
    sleep 0.2
    kill -TERM $SRV; wait $SRV || true
    BYTES=$("$PY" -c 'import json,sys; print(sum(x["response_bytes"] for c in json.load(open(sys.argv[1]))["connections"] for x in c["exchanges"]))' "$WORK/client.json")
    SENDER=$EP_A:$PORT; PEER=$EP_B:$CPORT; CLIENT=$EP_B:$CPORT; SERVER=$EP_A:$PORT
    BYTES_C2S=null; BYTES_S2C=$BYTES
    WHAT="B requests $BURSTS responses of $BURST bytes from A ($IP_A:$PORT), thinking ${IDLE%%,*}-$("$PY" -c "print(float('${IDLE%%,*}') + 0.1)") s between them (gap 1, 2, ...), each longer than the RTO"
else
    ip netns exec "$A" "$PY" "$LAB/cwndapp.py" burst-client --connect $IP_B --port $PORT \
        --src-port $CPORT --cc "$CCA" --burst $BURST --bursts $BURSTS --idle "$IDLE" \
        --result "$WORK/client.json"
    wait $SRV
    SENDER=$EP_A:$CPORT; PEER=$EP_B:$PORT; CLIENT=$EP_A:$CPORT; SERVER=$EP_B:$PORT
    BYTES_C2S=$BYTES; BYTES_S2C=0
    WHAT="One connection $IP_A:$CPORT -> $IP_B:$PORT: $BURSTS bursts of $BURST bytes (one send() call each); after each burst A waits until every byte is acknowledged (SIOCOUTQ = 0), then idles for $IDLE s (gap 1, 2, ...), each longer than the RTO (~250 ms)"
fi
cap_stop
kill -TERM $SSA; wait $SSA || true
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop
guard_complete "$WORK/cap.pcap" $IP_A $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
"$PY" "$LAB/cwnd_truth.py" merge-ss "$SSOUT" "sender=$WORK/ss.A.json"
check_size "$SSOUT"
"$PY" "$LAB/cwnd_truth.py" idle "$WORK/ss.A.json" "$WORK/client.json" --sender "$SENDER" \
    --peer "$PEER" --ssai "$SSAI" >"$WORK/idle.json"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
BADCS=$(tshark_bad_csum "$OUT")
TSHARK=$(tshark_conv_json "$OUT")
if [ "$SSAI" = 1 ]; then
    EXPECT="idle_restart after each gap: when A sends again after an idle longer than the RTO, Linux (tcp_cwnd_restart) halves cwnd once per RTO of idle, not below the initial window (10), and sets ssthresh to max(ssthresh, 3/4 cwnd); then slow start again. truth.gaps has the kernel's cwnd in each gap and right after the next burst began (cwnd_before_idle / cwnd_after_idle), rtos_elapsed = idle / rto."
    IDLE_RESTART=true
else
    EXPECT="no idle_restart: with tcp_slow_start_after_idle 0 the cwnd survives the idle gaps (truth.gaps: cwnd_after_idle = cwnd_before_idle); each burst after the first starts with the full window (limited by cwnd or the receiver's window)."
    IDLE_RESTART=false
fi
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample="$NAME" file="$NAME.pcap" format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=$WHAT. net.ipv4.tcp_slow_start_after_idle = $SSAI in A's namespace (per-namespace sysctl, set and read back). Congestion control $CCA on A's socket (TCP_CONGESTION; bbr, the default, ignores tcp_slow_start_after_idle because it has its own cong_control). Through the TAP relay with ${DELAY_MS} ms one-way delay (RTT ~$((2 * DELAY_MS)) ms), no loss. ss -tinHO polled A's socket every ~10 ms ($NAME.ss.json). $CAP_TEXT" \
    link=tap+relay mtu:=1500 congestion_control="$CCA" tcp_slow_start_after_idle:=$SSAI \
    client=$CLIENT server=$SERVER sender=$SENDER receiver=$PEER program=$APP ip_version:=$FAM \
    mss_payload_with_timestamps:=$MSSP \
    capture_point="$CAP_WHERE" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES_C2S bytes_s2c:=$BYTES_S2C sysctl:="$SYSCTL" \
    relay.params.delay_ms:="$DELAY_MS" relay.summary@="$WORK/relay.summary.json" \
    truth@="$WORK/idle.json" ss_file="$NAME.ss.json" \
    expect.idle_restart:=$IDLE_RESTART "expect.note=$EXPECT" \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" \
    tcpdump:="$CAP_STATS" tshark_bad_csum_frames:="$BADCS" tshark:="$TSHARK" expect.bad_tcp_checksums:=0 \
    "expect.checksum_note=tshark_bad_csum_frames lists what tshark flags as bad: with tx checksum offload off on both ends the only such frames are checksum 0xffff, the valid encoding of a zero sum (kernel TcpInCsumErrors stays 0); a correct analyzer reports no csum_bad." \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes), $TRUTH, $SSOUT ($(file_size "$SSOUT") bytes)"
report "$OUT"
"$PY" -c '
import json,sys; d=json.load(open(sys.argv[1]))
print("samples", d["samples"], d["cc_seen"])
for g in d["gaps"]: print("  gap %d idle %.3f s (%s RTOs): cwnd %s -> %s (ssthresh %s -> %s)" % (g["gap"], g.get("idle_s_since_last_send", 0), g.get("rtos_elapsed"), g.get("cwnd_before_idle"), g.get("cwnd_after_idle"), g.get("ss_in_gap_last", {}).get("ssthresh"), g.get("ss_first_after_restart", {}).get("ssthresh")))
' "$WORK/idle.json"
