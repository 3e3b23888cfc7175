#!/bin/bash
# mk_rst.sh: three connections that end in a RST, for three reasons: a SYN to
# a closed port; a server that closes with unread data; a client that closes
# with SO_LINGER {1, 0}. veth, offloads off, captured on the server.
. "$(dirname "$0")/common.sh"
lab_init rst

A=tlrsA$SFX; B=tlrsB$SFX
IP_A=10.99.20.1; IP_B=10.99.20.2; PORT=5020; CLOSED=5021; CPORT=42000
OUT="$SAMPLES/rst.pcap"; TRUTH="$SAMPLES/rst.truth.json"

ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" rst-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$B" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" rst-client --connect $IP_B --port $PORT \
    --closed-port $CLOSED --src-port $CPORT --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
NRST=$(tshark_q -r "$OUT" -Y 'tcp.flags.reset==1' | wc -l)
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=rst file=rst.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Three TCP connections from $IP_A to $IP_B, each ending in a reset. (1) port $CPORT -> $CLOSED: nobody listens, B answers the SYN with RST,ACK (client gets ECONNREFUSED). (2) port $((CPORT + 1)) -> $PORT: the client sends 500 bytes, the server closes the socket 200 ms later without reading them, so B sends RST instead of FIN. (3) port $((CPORT + 2)) -> $PORT: a 100-byte request and response, then the client closes with SO_LINGER {1, 0}: A sends RST. veth, offloads off, captured on B eth0." \
    link=veth mtu:=1500 client=$IP_A server=$IP_B capture_point="server B eth0" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    "connections:=[{\"client\": \"$IP_A:$CPORT\", \"server\": \"$IP_B:$CLOSED\", \"case\": \"closed_port\", \"rst_from\": \"server\"}, {\"client\": \"$IP_A:$((CPORT + 1))\", \"server\": \"$IP_B:$PORT\", \"case\": \"close_with_unread_data\", \"rst_from\": \"server\"}, {\"client\": \"$IP_A:$((CPORT + 2))\", \"server\": \"$IP_B:$PORT\", \"case\": \"client_abort\", \"rst_from\": \"client\"}]" \
    expect.rst_connections:=3 expect.retransmissions:=0 expect.bad_tcp_checksums:=0 \
    "tshark_counts.method=tshark -Y tcp.flags.reset==1 | wc -l" tshark_counts.rst_frames:=$NRST \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_rst.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH; $NRST RST frames"
report "$OUT"
tshark_q -r "$OUT" -Y tcp.flags.reset==1
