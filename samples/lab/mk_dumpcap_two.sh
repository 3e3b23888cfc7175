#!/bin/bash
# mk_dumpcap_two.sh: a pcapng file written by dumpcap on two interfaces of
# different link types at once (`dumpcap -i eth0 -i any`: Ethernet and
# Linux cooked v1), which libpcap refuses. A 100 KB bulk transfer A -> B
# over veth, captured in A: every packet of the connection is in the file
# twice, once per interface, each interface's packets written as they come.
# Truth: the kernels' counters (no resend), tshark's per-interface counts.
. "$(dirname "$0")/common.sh"
NAME=${NAME:-dumpcap_two}; ID=${ID:-93}; PORT=${PORT:-5093}; CPORT=${CPORT:-49300}; BYTES=100000
lab_init "$NAME"
A=tldc${ID}A$SFX; B=tldc${ID}B$SFX
OUT="$SAMPLES/$NAME.pcapng"; TRUTH="$SAMPLES/$NAME.truth.json"
ns_pair "$A" "$B"
veth_addrs "$A" "$B" "$ID"
bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
ip netns exec "$A" dumpcap -q -i eth0 -i any -f "tcp port $PORT" -w "$WORK/cap.pcapng" 2>"$WORK/dumpcap.err" &
DC=$!
LAB_PIDS+=("$DC")
for _ in $(seq 100); do grep -q "File:" "$WORK/dumpcap.err" 2>/dev/null && break; sleep 0.05; done
sleep 1
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 3 --result "$WORK/client.json"
wait $SRV
sleep 1
kill -INT $DC; wait $DC || true
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
cp "$WORK/cap.pcapng" "$OUT"; check_size "$OUT"
tcount() { tshark_q -r "$OUT" -Y "$1" | wc -l; }
cat >"$WORK/tshark.json" <<J
{"method": "tshark display-filter counts (not an analyzer)",
 "frames": $(tcount frame), "iface0_tcp": $(tcount "frame.interface_id==0 && tcp"),
 "iface1_tcp": $(tcount "frame.interface_id==1 && tcp"),
 "tcp_streams": $(tshark_q -r "$OUT" -T fields -e tcp.stream | sort -u | grep -c .),
 "tcp_retransmissions": $(tcount tcp.analysis.retransmission)}
J
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcapng format=pcapng timestamp_precision=nano linktype="EN10MB and LINUX_SLL" \
    "scenario=A 100 KB bulk transfer $IP_A:$CPORT -> $IP_B:$PORT over veth, captured in A by dumpcap on two interfaces at once (-i eth0 -i any, filter tcp port $PORT): Ethernet and Linux cooked v1 in one pcapng file, every packet twice." \
    link=veth client=$IP_A:$CPORT server=$IP_B:$PORT capture_point="A, dumpcap -i eth0 -i any" \
    tshark_counts@="$WORK/tshark.json" app.client@="$WORK/client.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    "dumpcap_stderr=$(tail -3 "$WORK/dumpcap.err" | tr '\n' ' ')" \
    "expect.note=Every frame read; one connection; each packet of the second interface that the first also saw is a duplicate, not a retransmission: retransmissions as the kernels counted (TcpRetransSegs), where tshark flags tshark_counts.tcp_retransmissions." \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
cat "$WORK/tshark.json"
