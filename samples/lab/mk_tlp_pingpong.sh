#!/bin/bash
# mk_tlp_pingpong.sh: responses lost at the tail of a ping-pong and repaired
# by the sender's tail loss probe (RFC 8985). Each of ROUNDS rounds is one
# 100-byte request and one 1000-byte response (one frame each way,
# TCP_NODELAY both sides). The relay drops the B->A data frames DROPS, each
# a round's whole response: one segment in flight and nothing after it, so
# no duplicate ACK can tell the server; its probe timer (2 SRTT + 200 ms with
# one segment out, tcp_schedule_loss_probe) resends it and the client's ACK
# follows. Parameters (environment): NAME, RTT_MS, FAM (4 or 6), DROPS,
# ROUNDS, CAP_AT (A: the client's TAP; B: the server's), SUBNET_ID, PORT,
# CPORT. Truth: the relay's log, the server's kernel (TcpExtTCPLossProbes,
# TcpExtTCPLossProbeRecovery, TcpRetransSegs), the client's round times.
. "$(dirname "$0")/common.sh"
NAME=${NAME:-tlp_pingpong}; RTT_MS=${RTT_MS:-20}; FAM=${FAM:-4}; DROPS=${DROPS:-b2a:4,b2a:9}
ROUNDS=${ROUNDS:-12}; CAP_AT=${CAP_AT:-A}; REQ=100; RESP=1000
SUBNET_ID=${SUBNET_ID:-79}; PORT=${PORT:-5079}; CPORT=${CPORT:-47900}
lab_init "$NAME"

A=tlo${SUBNET_ID}A$SFX; B=tlo${SUBNET_ID}B$SFX
DELAY_MS=$("$PY" -c "print($RTT_MS / 2)")
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"
relay_start "$A" "$B" --delay-ms "$DELAY_MS" --drop-nth "$DROPS" --dirs b2a --seed 1
relay_addrs "$A" "$B" "$FAM" "$SUBNET_ID"
CC=$(sysctl_ns "$B" net.ipv4.tcp_congestion_control)

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" pingpong-server --bind $IP_B --port $PORT --nodelay \
    --req $REQ --resp $RESP --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
CAPNS=$A; CAPDESC="client A eth0 (TAP), after the relay for the responses"
[[ $CAP_AT == B ]] && { CAPNS=$B; CAPDESC="server B eth0 (TAP), before the relay: the dropped responses are in the capture"; }
cap_start "$CAPNS" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
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
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Ping-pong through the TAP relay (RTT $RTT_MS ms, IPv$FAM): $ROUNDS rounds 20 ms apart, each a $REQ-byte request A->B and a $RESP-byte response B->A (one frame each way; TCP_NODELAY both sides). The relay drops the B->A data frames $DROPS (each a whole response; numbering counts the probes too). Captured on the $CAPDESC." \
    link=tap+relay mtu:=1500 congestion_control="$CC" program=pingpong ip_version:=$FAM \
    client=$EP_A:$CPORT server=$EP_B:$PORT capture_point="$CAPDESC" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    relay.params.delay_ms:=$DELAY_MS relay.params.drop_nth="$DROPS" \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" \
    "expect.note=Each dropped response is resent once by the server's tail loss probe (retransmission cause tlp; kernel.B TcpExtTCPLossProbes, TcpRetransSegs), which repairs it (no RTO: TcpExtTCPTimeouts 0); the round's wait is one stall of cause tlp holding the probe, s2c, about 2 SRTT + 200 ms (the client's round time for that round, less one RTT). No other retransmission; no capture loss." \
    expect.bad_tcp_checksums:=0 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print({k: v for k, v in d.items() if any(x in k for x in ("Retrans", "Timeouts", "LossProbe", "Recovery"))})' "$WORK/kb.json"
"$PY" -c 'import json,sys; print([r["ms"] for r in json.load(open(sys.argv[1]))["rounds"]])' "$WORK/client.json"
