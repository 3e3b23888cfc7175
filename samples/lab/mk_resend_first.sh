#!/bin/bash
# mk_resend_first.sh: a hole whose resend leaves before the SACK that shows
# it reaches the sender. The TAP relay drops one data frame of the sender's
# direction (--drop-nth) and then holds every frame the receiver sends back
# for HOLD_MS, starting with the ACK that SACKs above the lost frame
# (relay.py --hold-acks-ms). The sender hears nothing: its loss probe
# (RACK-TLP, RFC 8985) and then its retransmission timer fire, and the timer
# resends the lost frame. Only then is the held SACK released; it shows the
# hole the resend is already filling, and the cumulative ACK for the resend
# follows. Captured in the same run at both ends: NAME_sender.pcap on the
# data sender's TAP (resend first, then the SACK showing the hole, then its
# fill) and NAME_receiver.pcap on the receiver's (there the SACK leaves
# first, and the resend arrives one timeout later).
# Parameters (environment): NAME, RTT_MS, FAM (4 or 6), APP (bulk: the
# client sends; reqresp: the server's 60 KB responses), NTH (data frame of
# the sending direction to drop), HOLD_MS, SUBNET_ID, PORT. Truth: the
# relay's log (the frame dropped, its seq, the hold) and the sender's
# kernel counters (TcpRetransSegs, TcpExtTCPTimeouts, TcpExtTCPLossProbes).
. "$(dirname "$0")/common.sh"
NAME=${NAME:-resend_first}; RTT_MS=${RTT_MS:-20}; FAM=${FAM:-4}; APP=${APP:-bulk}
NTH=${NTH:-59}; HOLD_MS=${HOLD_MS:-500}
SUBNET_ID=${SUBNET_ID:-74}; PORT=${PORT:-5074}; CPORT=${CPORT:-47400}
BYTES=300000; EXCHANGES=4; RESP=60000
lab_init "$NAME"

A=tlo${SUBNET_ID}A$SFX; B=tlo${SUBNET_ID}B$SFX
DELAY_MS=$("$PY" -c "print($RTT_MS / 2)")
if [[ $APP == bulk ]]; then DDIR=a2b; SND=$A; RCV=$B; else DDIR=b2a; SND=$B; RCV=$A; fi
TRUTH="$SAMPLES/$NAME.truth.json"

relay_start "$A" "$B" --delay-ms "$DELAY_MS" --drop-nth "$DDIR:$NTH" --hold-acks-ms "$HOLD_MS" \
    --dirs "$DDIR" --seed 1
relay_addrs "$A" "$B" "$FAM" "$SUBNET_ID"
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)

run_both_ends "$A" "$B" "$SND" "$RCV" "$APP"
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME "files:=[\"${NAME}_sender.pcap\", \"${NAME}_receiver.pcap\"]" format=pcap \
    timestamp_precision=micro linktype=EN10MB \
    "scenario=$APP over the TAP relay (RTT $RTT_MS ms, IPv$FAM). The relay drops data frame $NTH of direction $DDIR (the data sender's), then holds everything the receiver sends back for $HOLD_MS ms from the ACK that SACKs above the lost frame, so the sender's timers resend before that SACK reaches it. Two captures of the same run: ${NAME}_sender.pcap on the data sender's TAP, ${NAME}_receiver.pcap on the receiver's." \
    link=tap+relay mtu:=1500 congestion_control="$CC" program=$APP \
    client=$EP_A:$CPORT server=$EP_B:$PORT data_direction=$DDIR \
    "capture_points.${NAME}_sender.pcap=data sender's eth0 (TAP), before the relay" \
    "capture_points.${NAME}_receiver.pcap=receiver's eth0 (TAP), after the relay" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    relay.params.delay_ms:=$DELAY_MS relay.params.drop_nth="$DDIR:$NTH" relay.params.hold_acks_ms:=$HOLD_MS \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" \
    "expect.note=The frame in relay.log (action drop) is lost once; the sender's retransmission timer resends it (kernel.sender.TcpExtTCPTimeouts 1) after its loss probe (TcpExtTCPLossProbes). In the sender's capture that resend (cause rto) leaves before the held SACK that shows its hole comes back, and the hole's sack_gap is filled_by rto. In the receiver's capture the SACK leaves first and the resend arrives about one RTO after it: cause rto there too, the hole filled_by rto. The loss probe is a retransmission of cause tlp only if it resent data (it may send new data instead). No capture loss, no bad checksum." \
    expect.bad_tcp_checksums:=0 expect.capture_loss:=0 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.sender@="$WORK/kernel.sender.json" kernel.receiver@="$WORK/kernel.receiver.json" \
    "tcpdump.${NAME}_sender:=$CAP1_STATS" "tcpdump.${NAME}_receiver:=$CAP2_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote ${NAME}_sender.pcap, ${NAME}_receiver.pcap and $TRUTH"
cat "$WORK/kernel.sender.json"; cat "$WORK/relay.log.jsonl"
