#!/bin/bash
# mk_zero_window.sh: a slow reader with a small receive buffer. The receiver
# (SO_RCVBUF 8192 set on the listener) waits 300 ms before its first read,
# then reads 4096 bytes every 20 ms; the sender pushes 120,000 bytes. The
# window closes (zero-window advertisements, the sender's persist probes) and
# opens again at the reader's pace. veth, offloads off, captured on the sender.
. "$(dirname "$0")/common.sh"
lab_init zero_window

A=tlzwA$SFX; B=tlzwB$SFX
IP_A=10.99.17.1; IP_B=10.99.17.2; PORT=5017; CPORT=41700; BYTES=120000
RCVBUF=8192; READ=4096; READ_DELAY=20; PAUSE=300
OUT="$SAMPLES/zero_window.pcap"; TRUTH="$SAMPLES/zero_window.truth.json"

ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --rcvbuf $RCVBUF --read-size $READ --read-delay-ms $READ_DELAY --initial-pause-ms $PAUSE \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$A" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 17 --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
guard_complete "$WORK/cap.pcap" $IP_A $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
ZW=$(tshark_q -r "$OUT" -Y 'tcp.window_size_value==0 && tcp.flags.reset==0' | wc -l)
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=zero_window file=zero_window.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Slow receiver: B's listener has SO_RCVBUF $RCVBUF (the kernel doubles it); after accept B waits ${PAUSE} ms, then reads $READ bytes every ${READ_DELAY} ms. A sends $BYTES bytes as fast as it can. B's window fills and closes (window 0 advertised), A sends zero-window probes while it is closed, and the transfer proceeds at the reader's pace (~$((READ * 1000 / READ_DELAY)) B/s). veth, offloads off, captured on the sender (A eth0)." \
    link=veth mtu:=1500 congestion_control="$CC" \
    client=$IP_A:$CPORT server=$IP_B:$PORT sender=$IP_A:$CPORT receiver=$IP_B:$PORT \
    capture_point="sender A eth0" \
    receiver_so_rcvbuf:=$RCVBUF receiver_read_size:=$READ receiver_read_delay_ms:=$READ_DELAY receiver_initial_pause_ms:=$PAUSE \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 \
    "expect.note=zero_window events for B's frames advertising window 0 (kernel.B.TcpExtTCPToZeroWindowAdv counts B's transitions to a zero window, TCPFromZeroWindowAdv back to open, TCPWantZeroWindowAdv every time B wanted to advertise zero; kernel.A.TcpExtTCPWinProbe counts A's zero-window probes); stalls c2s with cause zero_window or receiver_limited while B's reader lags. With a full window and B's ACK delayed, A's tail loss probe fires (the RTT is tens of microseconds): expect.retransmissions = kernel.A.TcpRetransSegs, all of them TLPs (TcpExtTCPLossProbes) answered by D-SACKs (TcpExtTCPDSACKRecv), i.e. spurious. No bad checksums." \
    expect.retransmissions:=$(jget "$WORK/ka.json" TcpRetransSegs) \
    expect.tlp_retransmissions:=$(jget "$WORK/ka.json" TcpExtTCPLossProbes) \
    expect.dsacks_received:=$(jget "$WORK/ka.json" TcpExtTCPDSACKRecv) \
    expect.bad_tcp_checksums:=0 \
    "tshark_counts.method=tshark -Y 'tcp.window_size_value==0 && tcp.flags.reset==0' | wc -l" \
    tshark_counts.zero_window_frames:=$ZW \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_zero_window.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
report "$OUT"
grep -ho '"TcpExt[A-Za-z]*Zero[A-Za-z]*": [0-9]*\|"TcpExtTCPWinProbe": [0-9]*\|"TcpRetransSegs": [0-9]*' "$WORK/ka.json" "$WORK/kb.json"
echo "zero-window frames (tshark count): $ZW"
