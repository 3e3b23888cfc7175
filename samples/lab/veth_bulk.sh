# samples/lab/veth_bulk.sh: one bulk transfer A->B over veth with chosen
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
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
lab_init "$NAME"

A=tl${NAME:0:4}A$SFX; B=tl${NAME:0:4}B$SFX
IP_A=$SUBNET.1; IP_B=$SUBNET.2
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"

ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
set_offloads "$A" eth0 $OFF_A
set_offloads "$B" eth0 $OFF_B
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)
if [ "$CAP_NS" = A ]; then CAPNS=$A; CAPDESC="sender A eth0"; else CAPNS=$B; CAPDESC="receiver B eth0"; fi

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
[ -n "${CAP_ARGS+x}" ] || CAP_ARGS=()
cap_start "$CAPNS" "${CAP_DEV:-eth0}" "$WORK/cap.pcap" --time-stamp-precision=micro "${CAP_ARGS[@]}"
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed ${SEED:-8} --result "$WORK/client.json"
wait $SRV
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
 "tcp_frames_a2b": $(tcount "ip.src==$IP_A && tcp"),
 "tcp_frames_b2a": $(tcount "ip.src==$IP_B && tcp"),
 "tcp_payload_over_1448_a2b": $(tcount "ip.src==$IP_A && tcp.len > 1448"),
 "tcp_payload_over_1448_b2a": $(tcount "ip.src==$IP_B && tcp.len > 1448"),
 "max_tcp_payload_a2b": $(tshark_q -r "$OUT" -Y "ip.src==$IP_A" -T fields -e tcp.len | sort -n | tail -1),
 "tcp_checksum_bad_a2b": $(tcount "ip.src==$IP_A && tcp.checksum.status==0"),
 "tcp_checksum_bad_b2a": $(tcount "ip.src==$IP_B && tcp.checksum.status==0")}
J

"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=${LINKTYPE:-EN10MB} \
    "tcpdump_args=-i ${CAP_DEV:-eth0} ${CAP_ARGS[*]}" \
    "scenario=$SCENARIO" \
    link=veth mtu:=1500 congestion_control="$CC" mss_payload_with_timestamps:=1448 \
    client=$IP_A:$CPORT server=$IP_B:$PORT sender=$IP_A:$CPORT receiver=$IP_B:$PORT \
    capture_point="$CAPDESC" \
    "ethtool_K.A=$OFF_A" "ethtool_K.B=$OFF_B" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 \
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
