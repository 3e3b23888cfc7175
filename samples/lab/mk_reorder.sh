#!/bin/bash
# mk_reorder.sh: spurious retransmissions after reordering. The TAP relay
# holds chosen data frames REORDER_MS longer than the frames around them
# (relay.py --delay-nth), so the frames sent after one overtake it. The
# receiver SACKs them, the sender resends the held frame (fast, on the
# SACKs), then the held original arrives: the receiver acknowledges it, and
# when the resend arrives it is the duplicate, which the receiver reports
# with a D-SACK (RFC 2883), one ACK after the cumulative ACK passed it.
# Captured in the same run at both ends: NAME_sender.pcap on the data
# sender's TAP (the resend leaves, the cumulative ACK comes back, then the
# D-SACK) and NAME_receiver.pcap on the receiver's (the original arrives
# late, within an RTT of the hole: reordered, not resent).
# Parameters (environment): NAME, RTT_MS, FAM (4 or 6), APP (bulk: the
# client sends; reqresp: the server's 20 KB responses), NTH (data frames of
# the sending direction to hold, comma-separated), REORDER_MS, SUBNET_ID,
# PORT. Truth: the relay's log (which frames it held, their seq) and the
# sender's kernel counters (TcpRetransSegs, TcpExtTCPDSACKRecv).
. "$(dirname "$0")/common.sh"
NAME=${NAME:-reorder_bulk}; RTT_MS=${RTT_MS:-20}; FAM=${FAM:-4}; APP=${APP:-bulk}
NTH=${NTH:-40,120,200}; REORDER_MS=${REORDER_MS:-8}
SUBNET_ID=${SUBNET_ID:-70}; PORT=${PORT:-5070}; CPORT=${CPORT:-47000}
BYTES=400000; EXCHANGES=8; RESP=20000
lab_init "$NAME"

A=tlo${SUBNET_ID}A$SFX; B=tlo${SUBNET_ID}B$SFX
DELAY_MS=$("$PY" -c "print($RTT_MS / 2)")
if [[ $APP == bulk ]]; then DDIR=a2b; SND=$A; RCV=$B; else DDIR=b2a; SND=$B; RCV=$A; fi
SPEC=$(echo "$NTH" | tr ',' '\n' | sed "s/^/$DDIR:/" | paste -sd,)
TRUTH="$SAMPLES/$NAME.truth.json"

relay_start "$A" "$B" --delay-ms "$DELAY_MS" --delay-nth "$SPEC" --reorder-ms "$REORDER_MS" \
    --dirs "$DDIR" --seed 1
relay_addrs "$A" "$B" "$FAM" "$SUBNET_ID"
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)

run_both_ends "$A" "$B" "$SND" "$RCV" "$APP"
NHELD=$(grep -c '"action": "delay"' "$WORK/relay.log.jsonl" || true)
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME "files:=[\"${NAME}_sender.pcap\", \"${NAME}_receiver.pcap\"]" format=pcap \
    timestamp_precision=micro linktype=EN10MB \
    "scenario=$APP over the TAP relay (RTT $RTT_MS ms, IPv$FAM). The relay holds data frames $NTH of direction $DDIR (the data sender's) $REORDER_MS ms longer than the others, so later frames overtake each; nothing is dropped. Two captures of the same run: ${NAME}_sender.pcap on the data sender's TAP, ${NAME}_receiver.pcap on the receiver's." \
    link=tap+relay mtu:=1500 congestion_control="$CC" program=$APP \
    client=$EP_A:$CPORT server=$EP_B:$PORT data_direction=$DDIR \
    "capture_points.${NAME}_sender.pcap=data sender's eth0 (TAP), before the relay" \
    "capture_points.${NAME}_receiver.pcap=receiver's eth0 (TAP), after the relay" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    relay.params.delay_ms:=$DELAY_MS relay.params.reorder_ms:=$REORDER_MS relay.params.delay_nth="$SPEC" \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" \
    relay.held:=$NHELD \
    "expect.note=Every frame in relay.log (action delay) arrived late but arrived: nothing was lost. Each one the sender resent (kernel.sender.TcpRetransSegs resends in all; one D-SACK each, TcpExtTCPDSACKRecv) is a retransmission of cause spurious in both captures, the only retransmissions, all of a held frame's range; a held frame it did not resend has no retransmission. In the receiver's capture every held original fills its hole within an RTT: reordered (the flow's reordered count = relay.held), not a retransmission. No capture loss, no bad checksum." \
    expect.bad_tcp_checksums:=0 expect.capture_loss:=0 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.sender@="$WORK/kernel.sender.json" kernel.receiver@="$WORK/kernel.receiver.json" \
    "tcpdump.${NAME}_sender:=$CAP1_STATS" "tcpdump.${NAME}_receiver:=$CAP2_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote ${NAME}_sender.pcap, ${NAME}_receiver.pcap and $TRUTH; relay held $NHELD frames"
cat "$WORK/kernel.sender.json"
