#!/bin/bash
# mk_reqresp.sh: request/response over veth: one persistent connection with
# 50 exchanges (small request, 1-20 KB response, 5-20 ms think time), then 3
# short connections of one exchange each. Offloads off (wire-like).
# Captured on the server's veth with nanosecond timestamps, written as pcapng.
. "$(dirname "$0")/common.sh"
lab_init reqresp

A=tlrrA$SFX; B=tlrrB$SFX
IP_A=10.99.2.1; IP_B=10.99.2.2; PORT=8080; CPORT=40200
OUT="$SAMPLES/reqresp.pcapng"; TRUTH="$SAMPLES/reqresp.truth.json"

ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" reqresp-server --bind $IP_B --port $PORT --nodelay \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$B" eth0 "$WORK/cap.pcap" --time-stamp-precision=nano
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" reqresp-client --connect $IP_B --port $PORT --nodelay \
    --src-port $CPORT --exchanges 50 --short-conns 3 --min 1000 --max 20000 \
    --think-min-ms 5 --think-max-ms 20 --seed 2 --result "$WORK/client.json"
sleep 0.3
kill -TERM $SRV; wait $SRV || true
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"

editcap -F pcapng "$WORK/cap.pcap" "$WORK/cap.pcapng"
cp "$WORK/cap.pcapng" "$OUT"; check_size "$OUT"
# application payload per direction, from the client's own record
read C2S S2C NEX < <("$PY" -c '
import json,sys
d=json.load(open(sys.argv[1]))
ex=[e for c in d["connections"] for e in c["exchanges"]]
print(sum(e["request_bytes"] for e in ex), sum(e["response_bytes"] for e in ex), len(ex))' "$WORK/client.json")
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=reqresp file=reqresp.pcapng format=pcapng timestamp_precision=nano linktype=EN10MB \
    "scenario=Request/response over veth: one persistent connection (client port $CPORT) with 50 exchanges (request 'GET n', response 'LEN n' header + n bytes, n uniform in 1000..20000, 5-20 ms think time between exchanges), then 3 short connections (ports $((CPORT+1))..$((CPORT+3))) of one exchange each. TCP_NODELAY on both sides; offloads off; captured on the server (B) eth0." \
    link=veth mtu:=1500 congestion_control="$CC" \
    client=$IP_A server=$IP_B:$PORT capture_point="server B eth0" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$C2S bytes_s2c:=$S2C exchanges:=$NEX \
    expect.bad_tcp_checksums:=0 expect.giant_segments:=0 expect.tcp_connections:=4 \
    expect.retransmissions:=0 \
    "expect.note=Gaps between exchanges are client think time (app_idle), not faults." \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") \
    kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_reqresp.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
report "$OUT"
