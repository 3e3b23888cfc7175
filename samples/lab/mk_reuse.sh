#!/bin/bash
# mk_reuse.sh: one 4-tuple, several connections. A client connects from the
# same source port CONNS times to the same server, one request/response
# each, and closes with a FIN (CLOSE=fin: the client holds TIME_WAIT, and
# reconnecting needs net.ipv4.tcp_tw_reuse=1, set in its namespace, and a
# second between timestamps: the gap is 1.1 s) or a RST (CLOSE=rst:
# SO_LINGER 0, nothing left of the 4-tuple, reconnect after 0.2 s). Each
# connect() picks a new ISN. Over veth, captured on the server's side.
# Parameters (environment): NAME, FAM (4 or 6), CLOSE, CONNS, SUBNET_ID.
# Truth: the client's own record (each connect, each exchange).
. "$(dirname "$0")/common.sh"
NAME=${NAME:-reuse_tw}; FAM=${FAM:-4}; CLOSE=${CLOSE:-fin}; CONNS=${CONNS:-3}
SUBNET_ID=${SUBNET_ID:-80}; PORT=${PORT:-5080}; CPORT=${CPORT:-48000}
GAP_MS=1100; [[ $CLOSE == rst ]] && GAP_MS=200
lab_init "$NAME"

A=tlu${SUBNET_ID}A$SFX; B=tlu${SUBNET_ID}B$SFX
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"
ns_pair "$A" "$B"
relay_addrs "$A" "$B" "$FAM" "$SUBNET_ID"
[[ $FAM == 6 ]] && sleep 2    # duplicate address detection
ip netns exec "$A" sysctl -qw net.ipv4.tcp_tw_reuse=1

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" reqresp-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"
cap_start "$B" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" reuse-client --connect $IP_B --port $PORT \
    --src-port $CPORT --conns "$CONNS" --close "$CLOSE" --gap-ms $GAP_MS --result "$WORK/client.json"
sleep 0.3
kill -TERM $SRV; wait $SRV || true
cap_stop
counters_snap "$A" "$WORK/a1.json"
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
STREAMS=$(tshark_q -r "$OUT" -T fields -e tcp.stream | sort -u | grep -c .)
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=One client port, $CONNS connections (IPv$FAM over veth, captured on the server B): the client binds $CPORT (SO_REUSEADDR), connects to $EP_B:$PORT, sends one request, reads the 2000-byte response and closes with a $CLOSE, then does it again after $GAP_MS ms. With a FIN the client holds TIME_WAIT and reuses it (net.ipv4.tcp_tw_reuse=1 in its namespace); with a RST nothing remains. Each connect() chooses a new ISN." \
    link=veth mtu:=1500 client=$EP_A:$CPORT server=$EP_B:$PORT capture_point="server B eth0" \
    close=$CLOSE connections:=$CONNS \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    "expect.tcp_connections:=$CONNS" \
    "expect.note=Every connect() in app.client is a connection of its own on the same 4-tuple: $CONNS flows, each with its handshake and its exchange, none with retransmissions; tshark's tcp.stream count agrees (tshark_streams)." \
    tshark_streams:=$STREAMS \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH; tshark streams $STREAMS"
