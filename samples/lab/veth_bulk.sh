# samples/lab/veth_bulk.sh: one transfer from A to B over veth with chosen
# offloads and capture side. Sourced by the thin mk_<name>.sh scripts that set:
#   NAME SUBNET(e.g. 10.99.8) PORT CPORT BYTES
#   OFF_A OFF_B     ethtool -K feature lists for A's and B's eth0
#   CAP_NS          A or B (where tcpdump runs)
#   SCENARIO        one paragraph for the truth file
#   EXPECT_ITEMS    array of truth.py items (expect.*)
# optional:
#   CAP_DEV (eth0)  interface for tcpdump (e.g. any, for a Linux cooked capture)
#   CAP_ARGS        array of extra tcpdump arguments (e.g. -s 96, -y LINUX_SLL2)
#   LINKTYPE        link type name for the truth (EN10MB)
#   FAM (4)         6: IPv6 on SUBNET6 (e.g. fd00:99:40), IPv4 off
#   APP (bulk)      reqresp: A is a request/response server and B its client,
#                   EXCHANGES responses of RESP bytes (think time 20-30 ms), so
#                   A still sends the data; BYTES is then what A sent in all
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
lab_init "$NAME"

A=tl${NAME:0:4}A$SFX; B=tl${NAME:0:4}B$SFX
FAM=${FAM:-4}; APP=${APP:-bulk}
if [[ $FAM == 6 ]]; then
    IP_A=$SUBNET6::1; IP_B=$SUBNET6::2; EP_A="[$IP_A]"; EP_B="[$IP_B]"; IPF=ipv6; MSSP=1428
else
    IP_A=$SUBNET.1; IP_B=$SUBNET.2; EP_A=$IP_A; EP_B=$IP_B; IPF=ip; MSSP=1448
fi
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"

ns_pair "$A" "$B"
if [[ $FAM == 6 ]]; then
    ns_addr6 "$A" eth0 $IP_A/64; ns_addr6 "$B" eth0 $IP_B/64
else
    ns_nov6 "$A"; ns_nov6 "$B"
    ns_addr4 "$A" eth0 $IP_A/24; ns_addr4 "$B" eth0 $IP_B/24
fi
set_offloads "$A" eth0 $OFF_A
set_offloads "$B" eth0 $OFF_B
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)
if [ "$CAP_NS" = A ]; then CAPNS=$A; CAPDESC="sender A eth0"; else CAPNS=$B; CAPDESC="receiver B eth0"; fi

if [[ $APP == reqresp ]]; then
    bg ip netns exec "$A" "$PY" "$LAB/tcpapp.py" reqresp-server --bind $IP_A --port $PORT \
        --ready "$WORK/ready" --result "$WORK/server.json"
else
    bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
        --ready "$WORK/ready" --result "$WORK/server.json"
fi
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
[ -n "${CAP_ARGS+x}" ] || CAP_ARGS=()
cap_start "$CAPNS" "${CAP_DEV:-eth0}" "$WORK/cap.pcap" --time-stamp-precision=micro "${CAP_ARGS[@]}"
if [[ $APP == reqresp ]]; then
    ip netns exec "$B" "$PY" "$LAB/tcpapp.py" reqresp-client --connect $IP_A --port $PORT \
        --src-port $CPORT --exchanges $EXCHANGES --short-conns 0 --min $RESP --max $RESP \
        --think-min-ms 20 --think-max-ms 30 --seed ${SEED:-8} --result "$WORK/client.json"
    sleep 0.2
    kill -TERM $SRV; wait $SRV || true
    BYTES=$("$PY" -c 'import json,sys; print(sum(x["response_bytes"] for c in json.load(open(sys.argv[1]))["connections"] for x in c["exchanges"]))' "$WORK/client.json")
    SENDER=$EP_A:$PORT; RECEIVER=$EP_B:$CPORT; CLIENT=$EP_B:$CPORT; SERVER=$EP_A:$PORT
    BYTES_C2S=null; BYTES_S2C=$BYTES
else
    ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
        --src-port $CPORT --bytes $BYTES --seed ${SEED:-8} --result "$WORK/client.json"
    wait $SRV
    SENDER=$EP_A:$CPORT; RECEIVER=$EP_B:$PORT; CLIENT=$EP_A:$CPORT; SERVER=$EP_B:$PORT
    BYTES_C2S=$BYTES; BYTES_S2C=0
fi
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"

guard_complete "$WORK/cap.pcap" $IP_A $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"

# simple tshark counts (labelled as such in the truth): frames per direction,
# TCP payload above 1448 bytes (the MSS with timestamps here), checksum status
tcount() { tshark_q -r "$OUT" -o tcp.check_checksum:TRUE -Y "$1" | wc -l; }
cat >"$WORK/tshark.json" <<J
{"method": "tshark display-filter counts over the capture (not an analyzer)",
 "frames": $(tcount frame),
 "tcp_frames_a2b": $(tcount "$IPF.src==$IP_A && tcp"),
 "tcp_frames_b2a": $(tcount "$IPF.src==$IP_B && tcp"),
 "tcp_payload_over_1448_a2b": $(tcount "$IPF.src==$IP_A && tcp.len > 1448"),
 "tcp_payload_over_1448_b2a": $(tcount "$IPF.src==$IP_B && tcp.len > 1448"),
 "mss_payload": $MSSP,
 "tcp_payload_over_mss_a2b": $(tcount "$IPF.src==$IP_A && tcp.len > $MSSP"),
 "max_tcp_payload_a2b": $(tshark_q -r "$OUT" -Y "$IPF.src==$IP_A" -T fields -e tcp.len | sort -n | tail -1),
 "tcp_checksum_bad_a2b": $(tcount "$IPF.src==$IP_A && tcp.checksum.status==0"),
 "tcp_checksum_bad_b2a": $(tcount "$IPF.src==$IP_B && tcp.checksum.status==0")}
J

"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=${LINKTYPE:-EN10MB} \
    "tcpdump_args=-i ${CAP_DEV:-eth0} ${CAP_ARGS[*]}" \
    "scenario=$SCENARIO" \
    link=veth mtu:=1500 congestion_control="$CC" mss_payload_with_timestamps:=$MSSP \
    program=$APP ip_version:=$FAM \
    client=$CLIENT server=$SERVER sender=$SENDER receiver=$RECEIVER \
    capture_point="$CAPDESC" \
    "ethtool_K.A=$OFF_A" "ethtool_K.B=$OFF_B" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES_C2S bytes_s2c:=$BYTES_S2C \
    "${EXPECT_ITEMS[@]}" \
    tshark_counts@="$WORK/tshark.json" \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") \
    kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
report "$OUT"
cat "$WORK/tshark.json"
