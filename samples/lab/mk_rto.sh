#!/bin/bash
# mk_rto.sh: tail losses in a ping-pong, made exactly by the relay. Each of
# 15 rounds is one 100-byte request and one 1000-byte response (one frame
# each way). The relay drops B->A data frames #5 and #6 (round 5's response
# and its tail loss probe: only the RTO retransmission gets through) and #12
# (round 10's response: the TLP repairs it). Captured on the server's TAP (B),
# upstream of the drops, so every dropped frame is in the capture.
. "$(dirname "$0")/common.sh"
lab_init rto

A=tlrtA$SFX; B=tlrtB$SFX
IP_A=10.99.19.1; IP_B=10.99.19.2; PORT=5019; CPORT=41900
DELAY_MS=5; DROPS="b2a:5,b2a:6,b2a:12"; ROUNDS=15; REQ=100; RESP=1000
OUT="$SAMPLES/rto.pcap"; TRUTH="$SAMPLES/rto.truth.json"

relay_start "$A" "$B" --delay-ms $DELAY_MS --drop-nth "$DROPS" --seed 19
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
CC=$(sysctl_ns "$B" net.ipv4.tcp_congestion_control)

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" pingpong-server --bind $IP_B --port $PORT --nodelay \
    --req $REQ --resp $RESP --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$B" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" pingpong-client --connect $IP_B --port $PORT --nodelay \
    --src-port $CPORT --rounds $ROUNDS --piece1 $REQ --piece2 0 --resp $RESP --gap-ms 20 \
    --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
"$PY" - "$WORK/client.json" >"$WORK/rounds.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
ms = [r["ms"] for r in d["rounds"]]
print(json.dumps({"rounds": len(ms), "round_ms": ms,
                  "round_5_ms": ms[4], "round_10_ms": ms[9],
                  "other_rounds_max_ms": max(m for i, m in enumerate(ms) if i not in (4, 9))}, sort_keys=True))
PYEOF
NDROP=$(grep -c '"action": "drop"' "$WORK/relay.log.jsonl" || true)
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=rto file=rto.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Ping-pong through the TAP relay (${DELAY_MS} ms one-way delay, RTT ~$((2 * DELAY_MS)) ms): $ROUNDS rounds 20 ms apart, each a $REQ-byte request A->B and a $RESP-byte response B->A (one frame each way; TCP_NODELAY both sides). The relay drops exactly the B->A data frames number 5, 6 and 12 (--drop-nth $DROPS): #5 is round 5's response, #6 its tail loss probe (same seq), so B's RTO retransmission (#7) delivers it; #12 is round 10's response, repaired by its TLP (#13). Captured on B's TAP, upstream of the relay: the dropped frames are in the capture." \
    link=tap+relay mtu:=1500 congestion_control="$CC" \
    client=$IP_A:$CPORT server=$IP_B:$PORT capture_point="server B eth0 (TAP), before the relay" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$((ROUNDS * REQ)) bytes_s2c:=$((ROUNDS * RESP)) \
    relay.params.delay_ms:=$DELAY_MS relay.params.drop_nth="$DROPS" \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" relay.dropped:=$NDROP \
    truth@="$WORK/rounds.json" \
    "expect.note=s2c: round 5's response is sent, resent as a tail loss probe (retransmission cause tlp, ~2 SRTT + 200 ms later since one segment is in flight), then resent at the RTO (retransmission cause rto); round 5's wait is a stall with cause rto. Round 10's response is resent once as a TLP (cause tlp), which repairs it. kernel.B: TcpRetransSegs 3, TcpExtTCPLossProbes 2, TcpExtTCPTimeouts 1 expected (see kernel.B for the real counts)." \
    expect.retransmissions:=$(jget "$WORK/kb.json" TcpRetransSegs) \
    expect.tlp:=$(jget "$WORK/kb.json" TcpExtTCPLossProbes) \
    expect.rto:=$(jget "$WORK/kb.json" TcpExtTCPTimeouts) \
    expect.bad_tcp_checksums:=0 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_rto.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH; relay dropped $NDROP frames"
report "$OUT"
cat "$WORK/rounds.json"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print({k: v for k, v in d.items() if any(x in k for x in ("Retrans", "Timeouts", "LossProbe", "Recovery"))})' "$WORK/kb.json"
