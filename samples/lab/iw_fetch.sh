# samples/lab/iw_fetch.sh: shared body of the initial-window samples (iw*).
# Sourced by mk_iw*.sh after setting:
#   NAME NET (10.99.NET.0/24) PORT CPORT BYTES INITCWND
#   optional: INITRWND (client route initrwnd), CLIENT_RCVBUF (SO_RCVBUF),
#             CC (server socket TCP_CONGESTION, default cubic),
#             DELAY_MS (one-way, default 30), SEED, WHY (one line for the scenario)
# One fresh connection: the client (A) sends "GET n\n", the server (B) answers
# with n bytes in one send(); the server's route in B carries initcwnd N, so
# the server's first flight is min(initcwnd, client's window, n) worth of
# segments. Both ends run ss_sampler.py; capture on the server's TAP (the
# sender, upstream of the relay's delay).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$LAB/cwnd_common.sh"
lab_init "$NAME"

A=tlc${NET}A$SFX; B=tlc${NET}B$SFX
IP_A=10.99.$NET.1; IP_B=10.99.$NET.2
CC=${CC:-cubic}; DELAY_MS=${DELAY_MS:-30}; SEED=${SEED:-$NET}
INITRWND=${INITRWND:-}; CLIENT_RCVBUF=${CLIENT_RCVBUF:-0}
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"; SSOUT="$SAMPLES/$NAME.ss.json"

relay_start "$A" "$B" --delay-ms "$DELAY_MS" --seed "$SEED"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
# the initial congestion window is a route metric of the sender (the server)
ip -n "$B" route replace 10.99.$NET.0/24 dev eth0 proto kernel scope link src $IP_B initcwnd "$INITCWND"
if [ -n "$INITRWND" ]; then
    # the client's initial receive window (window in its SYN = initrwnd x MSS)
    ip -n "$A" route replace 10.99.$NET.0/24 dev eth0 proto kernel scope link src $IP_A initrwnd "$INITRWND"
fi
ROUTE_A=$(ip -n "$A" route show | tr '\n' ';')
ROUTE_B=$(ip -n "$B" route show | tr '\n' ';')
# nothing cached from an earlier connection (fresh namespaces anyway)
for ns in "$A" "$B"; do ip netns exec "$ns" sysctl -qw net.ipv4.tcp_no_metrics_save=1; done
SYSCTL=$("$PY" -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
    A.tcp_rmem "$(sysctl_ns "$A" net.ipv4.tcp_rmem)" \
    A.tcp_no_metrics_save "$(sysctl_ns "$A" net.ipv4.tcp_no_metrics_save)" \
    B.tcp_wmem "$(sysctl_ns "$B" net.ipv4.tcp_wmem)" \
    B.tcp_slow_start_after_idle "$(sysctl_ns "$B" net.ipv4.tcp_slow_start_after_idle)" \
    B.tcp_no_metrics_save "$(sysctl_ns "$B" net.ipv4.tcp_no_metrics_save)" \
    B.tcp_congestion_control_default "$(sysctl_ns "$B" net.ipv4.tcp_congestion_control)" \
    B.qdisc_eth0 "$(tc -n "$B" qdisc show dev eth0 | head -1)")

bg ip netns exec "$B" "$PY" "$LAB/cwndapp.py" fetch-server --bind $IP_B --port $PORT --cc "$CC" \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
bg ip netns exec "$B" "$PY" "$LAB/ss_sampler.py" --port $PORT --out "$WORK/ss.B.json" \
    --raw "$WORK/ss.B.raw" --ready "$WORK/ssB.ready"
SSB=$BG_PID
bg ip netns exec "$A" "$PY" "$LAB/ss_sampler.py" --port $PORT --out "$WORK/ss.A.json" \
    --raw "$WORK/ss.A.raw" --ready "$WORK/ssA.ready"
SSA=$BG_PID
wait_file "$WORK/ssB.ready"; wait_file "$WORK/ssA.ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$B" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/cwndapp.py" fetch-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --rcvbuf "$CLIENT_RCVBUF" --result "$WORK/client.json"
wait $SRV
cap_stop
kill -TERM $SSB $SSA; wait $SSB $SSA || true
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop
guard_complete "$WORK/cap.pcap" $IP_B $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
"$PY" "$LAB/cwnd_truth.py" merge-ss "$SSOUT" "server=$WORK/ss.B.json" "client=$WORK/ss.A.json"
check_size "$SSOUT"
"$PY" "$LAB/cwnd_truth.py" iw "$WORK/ss.B.json" --server $IP_B:$PORT --client $IP_A:$CPORT \
    --bytes $BYTES --initcwnd $INITCWND ${INITRWND:+--initrwnd $INITRWND} \
    --client-ss "$WORK/ss.A.json" --expect-out "$WORK/expect.json" >"$WORK/iw.json"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
BADCS=$(tshark_bad_csum "$OUT")
TSHARK=$(tshark_conv_json "$OUT")
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample="$NAME" file="$NAME.pcap" format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=One fresh connection: the client $IP_A:$CPORT sends 'GET $BYTES\\n' ($((${#BYTES} + 5)) bytes) and the server $IP_B:$PORT answers with $BYTES bytes in one send() call. The server's route carries initcwnd $INITCWND (ip route replace ... initcwnd $INITCWND in the server's namespace); congestion control $CC on the server's socket (TCP_CONGESTION). Through the TAP relay with ${DELAY_MS} ms one-way delay each way (RTT ~$((2 * DELAY_MS)) ms), no loss. $WHY Captured on the server's TAP (the sender, upstream of the delay). ss -tinHO ran every ~10 ms in both namespaces ($NAME.ss.json)." \
    link=tap+relay mtu:=1500 congestion_control="$CC" \
    client=$IP_A:$CPORT server=$IP_B:$PORT sender=$IP_B:$PORT receiver=$IP_A:$CPORT \
    capture_point="server (sender) B eth0 (TAP), before the relay" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$((${#BYTES} + 5)) bytes_s2c:=$BYTES \
    relay.params.delay_ms:="$DELAY_MS" relay.summary@="$WORK/relay.summary.json" \
    route.server_initcwnd:=$INITCWND "route.client_initrwnd:=${INITRWND:-null}" \
    route.A="$ROUTE_A" route.B="$ROUTE_B" client_so_rcvbuf:=$CLIENT_RCVBUF \
    sysctl:="$SYSCTL" \
    truth@="$WORK/iw.json" expect@="$WORK/expect.json" ss_file="$NAME.ss.json" \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" \
    tcpdump:="$CAP_STATS" tshark_bad_csum_frames:="$BADCS" tshark:="$TSHARK" expect.bad_tcp_checksums:=0 \
    "expect.checksum_note=tshark_bad_csum_frames lists what tshark flags as bad: with tx checksum offload off on both ends the only such frames are checksum 0xffff, the valid encoding of a zero sum (kernel TcpInCsumErrors stays 0); a correct analyzer reports no csum_bad." \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes), $TRUTH, $SSOUT"
report "$OUT"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d["initial_window"]))' "$WORK/expect.json"
