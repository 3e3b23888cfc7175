#!/bin/bash
# mk_nagle_relay.sh: Nagle against delayed ACK on a real-RTT path. The
# client (TCP_NODELAY off) writes a 100-byte header and a 200-byte body with
# two send() calls and reads a 500-byte answer, ROUNDS times; the header
# leaves at once, Nagle holds the body until the header is ACKed, and the
# server, waiting for the body, delays that ACK (the delayed-ACK timer).
# Through the TAP relay with a one-way delay of RTT/2 (mk_nagle.sh is the
# veth version). Parameters (environment): NAME, RTT_MS, FAM (4 or 6),
# VANTAGE (client: A's TAP; server: B's TAP), SUBNET_ID, PORT, ROUNDS.
# Truth: the client's own round times, the server's TcpExtDelayedACKs.
. "$(dirname "$0")/common.sh"
NAME=${NAME:-nagle_rtt20_v6}; RTT_MS=${RTT_MS:-20}; FAM=${FAM:-6}; VANTAGE=${VANTAGE:-server}
SUBNET_ID=${SUBNET_ID:-64}; PORT=${PORT:-5064}; CPORT=${CPORT:-46400}; ROUNDS=${ROUNDS:-20}
lab_init "$NAME"

A=tln${SUBNET_ID}A$SFX; B=tln${SUBNET_ID}B$SFX
DELAY_MS=$("$PY" -c "print($RTT_MS / 2)")
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"

relay_start "$A" "$B" --delay-ms "$DELAY_MS" --seed 1
relay_addrs "$A" "$B" "$FAM" "$SUBNET_ID"
CAP_NS=$A; [[ $VANTAGE == server ]] && CAP_NS=$B

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" pingpong-server --bind $IP_B --port $PORT \
    --req 300 --resp 500 --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$B" "$WORK/b0.json"
cap_start "$CAP_NS" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" nagle-client --connect $IP_B --port $PORT \
    --src-port $CPORT --rounds "$ROUNDS" --piece1 100 --piece2 200 --resp 500 --gap-ms 5 \
    --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$B" "$WORK/b1.json"
relay_stop
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"

# A round is slow when it took 30 ms longer than the path's two round trips
# (header, ACK; body, answer): the delayed ACK's wait.
"$PY" - "$WORK/client.json" "$RTT_MS" >"$WORK/rounds.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); rtt = float(sys.argv[2])
ms = [r["ms"] for r in d["rounds"]]
slow = [i + 1 for i, m in enumerate(ms) if m >= 2 * rtt + 30]
print(json.dumps({"rounds": len(ms), "round_ms": ms, "rtt_ms": rtt, "slow_round_numbers": slow,
                  "rounds_at_or_above_threshold": len(slow),
                  "wait_ms": [round(ms[i - 1] - 2 * rtt, 3) for i in slow],
                  "note": "slow = the round took >= 2 RTT + 30 ms; wait_ms = round time less 2 RTT"},
                 sort_keys=True))
PYEOF
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Ping-pong over the TAP relay (RTT $RTT_MS ms, IPv$FAM), captured on the $VANTAGE's TAP. $ROUNDS rounds, 5 ms apart: the client (TCP_NODELAY off) writes 100 then 200 bytes with two send() calls and reads a 500-byte answer; the server answers once it has all 300. Nagle holds the second write until the first is ACKed; the server delays that ACK (it has nothing to send yet)." \
    link=tap+relay mtu:=1500 client=$EP_A:$CPORT server=$EP_B:$PORT capture_point="$VANTAGE" \
    relay.params.delay_ms:=$DELAY_MS \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    truth@="$WORK/rounds.json" \
    "expect.stall_cause=delayed_ack" \
    "expect.stalls=one c2s stall of cause delayed_ack per slow round (truth.slow_round_numbers), as long as the round's wait (truth.wait_ms) within an RTT" \
    expect.csum_bad:=0 expect.retransmissions:=0 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
cat "$WORK/rounds.json"
