#!/bin/bash
# mk_syn_loss.sh: handshakes through a lossy path. The TAP relay drops chosen
# SYNs and SYN-ACKs (relay.py --drop-syn): the client resends a lost SYN on
# its timer (1 s, then linear or doubling per tcp_syn_linear_timeouts), the
# server a lost SYN-ACK on its own (1 s, doubling). CONNS short connections,
# one after the other from ports CPORT, CPORT+1, ..., each sending 10 KB.
# Parameters (environment): NAME, RTT_MS, FAM (4 or 6), DROP (relay
# --drop-syn spec), CONNS, CAP_AT (A: the client's TAP, B: the server's),
# SUBNET_ID, PORT, CPORT. Truth: the relay's log (which SYN or SYN-ACK it
# dropped) and the kernels' TcpExtTCPSynRetrans (A: SYNs resent, B:
# SYN-ACKs resent), the clients' connect() times.
. "$(dirname "$0")/common.sh"
NAME=${NAME:-syn_loss}; RTT_MS=${RTT_MS:-20}; FAM=${FAM:-4}; DROP=${DROP:-a2b:1,b2a:2}
CONNS=${CONNS:-3}; CAP_AT=${CAP_AT:-A}
SUBNET_ID=${SUBNET_ID:-77}; PORT=${PORT:-5077}; CPORT=${CPORT:-47700}
lab_init "$NAME"

A=tlo${SUBNET_ID}A$SFX; B=tlo${SUBNET_ID}B$SFX
DELAY_MS=$("$PY" -c "print($RTT_MS / 2)")
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"
relay_start "$A" "$B" --delay-ms "$DELAY_MS" --drop-syn "$DROP" --seed 1
relay_addrs "$A" "$B" "$FAM" "$SUBNET_ID"
for k in tcp_syn_linear_timeouts tcp_syn_retries tcp_synack_retries; do
    echo "\"$k\": {\"A\": $(sysctl_ns "$A" net.ipv4.$k), \"B\": $(sysctl_ns "$B" net.ipv4.$k)}"
done | paste -sd, | sed 's/^/{/; s/$/}/' >"$WORK/sysctl.json"

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT --conns $CONNS \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
CAPNS=$A; CAPDESC="client A eth0 (TAP), before the relay"
[[ $CAP_AT == B ]] && { CAPNS=$B; CAPDESC="server B eth0 (TAP), after the relay"; }
cap_start "$CAPNS" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
for i in $(seq 0 $((CONNS - 1))); do
    ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
        --src-port $((CPORT + i)) --bytes 10000 --seed $((i + 1)) --result "$WORK/client$i.json"
done
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
"$PY" -c 'import json,sys; print(json.dumps([json.load(open(p)) for p in sys.argv[1:]]))' \
    "$WORK"/client*.json >"$WORK/clients.json"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=$CONNS short connections, one after the other, from ports $CPORT.. of $EP_A to $EP_B:$PORT (10 KB each), through the TAP relay (RTT $RTT_MS ms, IPv$FAM). The relay drops SYN-flagged frames $DROP (direction:ordinal among that direction's SYNs; b2a ones are SYN-ACKs). Captured on the $CAPDESC." \
    link=tap+relay mtu:=1500 program=short-connections ip_version:=$FAM \
    client=$EP_A server=$EP_B:$PORT capture_point="$CAPDESC" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    sysctl@="$WORK/sysctl.json" \
    relay.params.delay_ms:=$DELAY_MS relay.params.drop_syn="$DROP" \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" \
    "expect.note=Each SYN the relay dropped is followed by the client's retry (a syn_retransmit, synack false), each SYN-ACK it dropped by the server's (synack true) and maybe the client's own retry if its timer fired first: kernel.A.TcpExtTCPSynRetrans SYN retries in all, kernel.B.TcpExtTCPSynRetrans SYN-ACK retries. Every connection completes: $CONNS connections, no retransmission of data, no capture loss." \
    expect.bad_tcp_checksums:=0 expect.capture_loss:=0 \
    app.clients@="$WORK/clients.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
grep -h SynRetrans "$WORK/ka.json" "$WORK/kb.json" || true
"$PY" -c 'import json,sys
for k in ("A","B"): print(k, json.load(open(sys.argv[1] if k=="A" else sys.argv[2])).get("TcpExtTCPSynRetrans", 0))' "$WORK/ka.json" "$WORK/kb.json"
cat "$WORK/relay.log.jsonl"
