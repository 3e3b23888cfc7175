#!/bin/bash
# mk_nflog.sh: a capture of link type NFLOG (239), what `tcpdump -i nflog:N`
# writes: iptables' NFLOG target copies each matching packet to netlink
# group 5 in A's namespace, on OUTPUT (A's segments) and INPUT (B's), and
# tcpdump reads the group. A 200 KB bulk transfer A -> B over veth, the
# offloads at their defaults. Truth: both kernels' counters, the
# application's result, tshark's counts.
. "$(dirname "$0")/common.sh"
NAME=${NAME:-nflog}; ID=${ID:-92}; PORT=${PORT:-5092}; CPORT=${CPORT:-49200}; BYTES=200000
lab_init "$NAME"
A=tlnf${ID}A$SFX; B=tlnf${ID}B$SFX
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"
ns_pair "$A" "$B"
veth_addrs "$A" "$B" "$ID"
ip netns exec "$A" iptables -A OUTPUT -p tcp --dport $PORT -j NFLOG --nflog-group 5
ip netns exec "$A" iptables -A INPUT -p tcp --sport $PORT -j NFLOG --nflog-group 5
bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$A" nflog:5 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 9 --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
tcount() { tshark_q -r "$OUT" -o tcp.check_checksum:TRUE -Y "$1" | wc -l; }
cat >"$WORK/tshark.json" <<J
{"method": "tshark display-filter counts (not an analyzer)",
 "frames": $(tcount frame), "tcp_frames": $(tcount tcp),
 "tcp_streams": $(tshark_q -r "$OUT" -T fields -e tcp.stream | sort -u | grep -c .),
 "tcp_checksum_bad": $(tcount "tcp.checksum.status==0")}
J
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=NFLOG \
    "scenario=A 200 KB bulk transfer $IP_A:$CPORT -> $IP_B:$PORT over veth (offloads at their defaults), logged by iptables NFLOG (group 5) in A's namespace on OUTPUT and INPUT and captured with tcpdump -i nflog:5." \
    link=veth+nflog client=$IP_A:$CPORT server=$IP_B:$PORT capture_point="A's netfilter (OUTPUT and INPUT hooks), NFLOG group 5" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" bytes_c2s:=$BYTES \
    tshark_counts@="$WORK/tshark.json" app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump:="$CAP_STATS" \
    "expect.note=One TCP connection, every frame tshark reads, the retransmissions the kernels counted (TcpRetransSegs), no checksum called corruption (the kernels count no TcpInCsumErrors)." \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
cat "$WORK/tshark.json"
