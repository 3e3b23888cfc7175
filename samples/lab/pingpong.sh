# samples/lab/pingpong.sh: a request/response ping-pong over veth (offloads
# off), captured on the client (A). Sourced by mk_nagle.sh and mk_cork.sh,
# which set NAME SUBNET PORT CPORT REQ RESP CLIENT_ROLE CLIENT_ARGS(array)
# STALL_MS STALL_MAX_MS SCENARIO EXPECT_ITEMS(array).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
lab_init "$NAME"

A=tl${NAME:0:4}A$SFX; B=tl${NAME:0:4}B$SFX
IP_A=$SUBNET.1; IP_B=$SUBNET.2
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"

ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" pingpong-server --bind $IP_B --port $PORT \
    --req $REQ --resp $RESP --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$A" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" $CLIENT_ROLE --connect $IP_B --port $PORT \
    --src-port $CPORT --resp $RESP "${CLIENT_ARGS[@]}" --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"

"$PY" - "$WORK/client.json" "$STALL_MS" "$STALL_MAX_MS" >"$WORK/rounds.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); thr = float(sys.argv[2]); top = float(sys.argv[3])
ms = [r["ms"] for r in d["rounds"]]
slow = [i + 1 for i, m in enumerate(ms) if m >= thr]
print(json.dumps({"rounds": len(ms), "round_ms": ms, "stall_threshold_ms": thr,
                  "rounds_at_or_above_threshold": len(slow), "slow_round_numbers": slow,
                  "slow_rounds_total_ms": round(sum(ms[i - 1] for i in slow), 3),
                  "fast_round_max_ms": max([m for m in ms if m < thr], default=None),
                  # rounds slower than one stall explains (host scheduling noise,
                  # e.g. the Python server descheduled): listed, never hidden
                  "expected_max_ms": top,
                  "rounds_above_expected_max": [i + 1 for i, m in enumerate(ms) if m > top]},
                 sort_keys=True))
PYEOF
BYTES_C2S=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["rounds"] * d["req"])' "$WORK/server.json")
BYTES_S2C=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["rounds"] * d["resp"])' "$WORK/server.json")
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=$SCENARIO" \
    link=veth mtu:=1500 congestion_control="$CC" \
    client=$IP_A:$CPORT server=$IP_B:$PORT capture_point="client A eth0" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES_C2S bytes_s2c:=$BYTES_S2C \
    truth@="$WORK/rounds.json" \
    "${EXPECT_ITEMS[@]}" \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") \
    kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
report "$OUT"
cat "$WORK/rounds.json"
