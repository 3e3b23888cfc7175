#!/bin/bash
# mk_cork_reply.sh: TCP_CORK after the peer's reply. A client that corks its
# socket (and never uncorks) does request/response rounds: each 100-byte
# request is written the moment the previous reply arrives, and being
# sub-MSS it waits in the send queue until the kernel's probe timer fires
# (the cork ceiling: the RTO, srtt + max(200 ms, 4 rttvar), see
# analyze/stall.h), then leaves. Path: the TAP relay with a one-way delay of
# RTT/2. Parameters (environment): NAME, RTT_MS, FAM (4 or 6), VANTAGE
# (client: A's TAP; server: B's TAP), SUBNET_ID, PORT, ROUNDS.
# Truth: the client's own round times (write to reply) and the relay's delay.
. "$(dirname "$0")/common.sh"
NAME=${NAME:-cork_reply}; RTT_MS=${RTT_MS:-2}; FAM=${FAM:-4}; VANTAGE=${VANTAGE:-client}
SUBNET_ID=${SUBNET_ID:-60}; PORT=${PORT:-5060}; CPORT=${CPORT:-46000}; ROUNDS=${ROUNDS:-8}
REQ=100; RESP=100
lab_init "$NAME"

A=tlk${SUBNET_ID}A$SFX; B=tlk${SUBNET_ID}B$SFX
DELAY_MS=$("$PY" -c "print($RTT_MS / 2)")
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"

relay_start "$A" "$B" --delay-ms "$DELAY_MS" --seed 1
relay_addrs "$A" "$B" "$FAM" "$SUBNET_ID"
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)
CAP_NS=$A; [[ $VANTAGE == server ]] && CAP_NS=$B

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" pingpong-server --bind $IP_B --port $PORT \
    --req $REQ --resp $RESP --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
cap_start "$CAP_NS" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" cork-client --connect $IP_B --port $PORT \
    --src-port $CPORT --resp $RESP --rounds "$ROUNDS" --req $REQ --gap-ms 0 \
    --result "$WORK/client.json"
wait $SRV
cap_stop
relay_stop
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"

# Each round: the corked request waits for the ceiling, then one RTT for the
# reply. The client measures write -> reply; the capture sees the request
# leave between RTO and RTO + RTT after the previous reply (by vantage).
"$PY" - "$WORK/client.json" "$RTT_MS" >"$WORK/rounds.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); rtt = float(sys.argv[2])
ms = [r["ms"] for r in d["rounds"]]
print(json.dumps({"rounds": len(ms), "round_ms": ms, "rtt_ms": rtt,
                  "hold_ms": [round(m - rtt, 3) for m in ms],
                  "note": "hold_ms = the client's write-to-reply time less the relay's RTT: how long the corked request sat in the send queue"},
                 sort_keys=True))
PYEOF
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Request/response over the TAP relay (RTT $RTT_MS ms, IPv$FAM), captured on the $VANTAGE's TAP. The client sets TCP_CORK before connect and never clears it; $ROUNDS rounds: it writes a $REQ-byte request as soon as the previous $RESP-byte reply is read, the server answers at once. Each sub-MSS request waits in the corked send queue until the probe timer fires (the RTO: srtt + 200 ms at these RTTs), so it leaves ~200 ms + RTT after the reply reached the client." \
    link=tap+relay mtu:=1500 congestion_control="$CC" \
    client=$EP_A:$CPORT server=$EP_B:$PORT capture_point="$VANTAGE" \
    relay.params.delay_ms:=$DELAY_MS \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    truth@="$WORK/rounds.json" \
    "expect.stall_cause=cork" \
    "expect.stalls=every request after the first waits: a c2s stall of cause cork per round but the first, none of cause app_idle" \
    expect.csum_bad:=0 expect.retransmissions:=0 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
cat "$WORK/rounds.json"
