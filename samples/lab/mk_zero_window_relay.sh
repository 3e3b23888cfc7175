#!/bin/bash
# mk_zero_window_relay.sh: mk_zero_window.sh's slow reader on a real-RTT
# path. B (SO_RCVBUF 8192 on the listener) waits 300 ms before its first
# read, then reads 4096 bytes every 20 ms; A pushes 120,000 bytes through the
# TAP relay (one-way delay RTT/2). The window closes and reopens at the
# reader's pace. Parameters (environment): NAME, RTT_MS, FAM (4 or 6),
# VANTAGE (sender: A's TAP; receiver: B's TAP), SUBNET_ID, PORT.
# Truth: B's kernel counters (TcpExtTCPToZeroWindowAdv...), A's probes
# (TcpExtTCPWinProbe), tshark's count of window-0 frames.
. "$(dirname "$0")/common.sh"
NAME=${NAME:-zero_window_rtt20_v6}; RTT_MS=${RTT_MS:-20}; FAM=${FAM:-6}; VANTAGE=${VANTAGE:-receiver}
SUBNET_ID=${SUBNET_ID:-66}; PORT=${PORT:-5066}; CPORT=${CPORT:-46600}; BYTES=120000
RCVBUF=8192; READ=4096; READ_DELAY=20; PAUSE=300
lab_init "$NAME"

A=tlz${SUBNET_ID}A$SFX; B=tlz${SUBNET_ID}B$SFX
DELAY_MS=$("$PY" -c "print($RTT_MS / 2)")
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"
relay_start "$A" "$B" --delay-ms "$DELAY_MS" --seed 1
relay_addrs "$A" "$B" "$FAM" "$SUBNET_ID"
CAP_NS=$A; [[ $VANTAGE == receiver ]] && CAP_NS=$B

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --rcvbuf $RCVBUF --read-size $READ --read-delay-ms $READ_DELAY --initial-pause-ms $PAUSE \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$CAP_NS" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 17 --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
ZW=$(tshark_q -r "$OUT" -Y 'tcp.window_size_value==0 && tcp.flags.reset==0 && tcp.flags.syn==0' | wc -l)
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Slow receiver over the TAP relay (RTT $RTT_MS ms, IPv$FAM), captured on the $VANTAGE's TAP: B's listener has SO_RCVBUF $RCVBUF (doubled by the kernel); after accept B waits ${PAUSE} ms, then reads $READ bytes every ${READ_DELAY} ms; A sends $BYTES bytes as fast as it can. B's window closes (window 0 advertised), A probes it, and the transfer proceeds at the reader's pace." \
    link=tap+relay mtu:=1500 client=$EP_A:$CPORT server=$EP_B:$PORT capture_point="$VANTAGE" \
    relay.params.delay_ms:=$DELAY_MS \
    receiver_so_rcvbuf:=$RCVBUF receiver_read_size:=$READ receiver_read_delay_ms:=$READ_DELAY receiver_initial_pause_ms:=$PAUSE \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    "expect.note=One zero_window event per frame of B advertising window 0 (tshark_counts.zero_window_frames); B closed its window kernel.B.TcpExtTCPToZeroWindowAdv times, so there are c2s stalls, each of cause zero_window or receiver_limited (the reader is the bottleneck), none of another cause; no bad checksums, no capture loss." \
    "tshark_counts.method=tshark -Y 'tcp.window_size_value==0 && tcp.flags.reset==0 && tcp.flags.syn==0' | wc -l" \
    tshark_counts.zero_window_frames:=$ZW \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH; window-0 frames (tshark): $ZW"
grep -ho '"TcpExt[A-Za-z]*Zero[A-Za-z]*": [0-9]*\|"TcpExtTCPWinProbe": [0-9]*\|"TcpRetransSegs": [0-9]*' "$WORK/ka.json" "$WORK/kb.json"
