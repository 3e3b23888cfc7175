#!/bin/bash
# mk_synretry.sh: a listener with backlog 1 that accepts one connection every
# 1.5 s, and 8 clients (ports 40701..40708) connecting at the same instant.
# tcp_syncookies=0 in the server's namespace, so a SYN that finds the queues
# full is dropped (not answered with a cookie) and the client retries it; a
# handshake whose final ACK finds the accept queue full has its SYN-ACK
# retransmitted by the server. Captured on the server's veth.
. "$(dirname "$0")/common.sh"
lab_init synretry

A=tlsyA$SFX; B=tlsyB$SFX
IP_A=10.99.7.1; IP_B=10.99.7.2; PORT=5007; CPORT=40701; NCLI=8; BACKLOG=1; INTERVAL=1.5
OUT="$SAMPLES/synretry.pcap"; TRUTH="$SAMPLES/synretry.truth.json"

ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
ip netns exec "$B" sysctl -qw net.ipv4.tcp_syncookies=0
# tcp_syn_linear_timeouts is per namespace; left at the kernel default (4:
# the first 4 SYN retries 1 s apart) and recorded
for k in tcp_syn_linear_timeouts tcp_syncookies tcp_syn_retries tcp_synack_retries tcp_abort_on_overflow; do
    echo "\"$k\": {\"A\": $(sysctl_ns "$A" net.ipv4.$k), \"B\": $(sysctl_ns "$B" net.ipv4.$k)}"
done | paste -sd, | sed 's/^/{/; s/$/}/' >"$WORK/sysctl.json"

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" slow-accept-server --bind $IP_B --port $PORT \
    --backlog $BACKLOG --accept-interval $INTERVAL --expect $NCLI \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$B" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" syn-clients --connect $IP_B --port $PORT \
    --src-port $CPORT --n $NCLI --timeout 60 --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
"$PY" "$LAB/syncount.py" "$OUT" $PORT >"$WORK/syncount.json"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
"$PY" - "$WORK" >"$WORK/summary.json" <<'PYEOF'
import json, sys
w = sys.argv[1]
sc = json.load(open(w + "/syncount.json"))
ka = json.load(open(w + "/ka.json")); kb = json.load(open(w + "/kb.json"))
cl = json.load(open(w + "/client.json"))
print(json.dumps({
    "syn_retries_total_capture": sc["total_syn_retries"],
    "synack_retries_total_capture": sc["total_synack_retries"],
    "syn_retries_per_client_port": {p: v["syn_retries"] for p, v in sc["per_client_port"].items()},
    "synack_retries_per_client_port": {p: v["synack_retries"] for p, v in sc["per_client_port"].items()},
    "kernel_client_TcpExtTCPSynRetrans": ka.get("TcpExtTCPSynRetrans", 0),
    "kernel_client_TcpRetransSegs": ka.get("TcpRetransSegs", 0),
    # client retransmissions that were not SYNs: data (the 'HELLO' line) sent
    # after the client's handshake completed while the server still held it
    # as a request (its final ACK dropped on accept-queue overflow)
    "kernel_client_non_syn_retrans": ka.get("TcpRetransSegs", 0) - ka.get("TcpExtTCPSynRetrans", 0),
    "kernel_server_TcpExtTCPSynRetrans": kb.get("TcpExtTCPSynRetrans", 0),
    "kernel_server_TcpExtListenOverflows": kb.get("TcpExtListenOverflows", 0),
    "kernel_server_TcpExtListenDrops": kb.get("TcpExtListenDrops", 0),
    "kernel_server_TcpExtTCPReqQFullDrop": kb.get("TcpExtTCPReqQFullDrop", 0),
    "clients_connected": sum(1 for c in cl["clients"] if c.get("ok")),
    "connect_ms_per_client_port": {str(c["src_port"]): c.get("connect_ms") for c in cl["clients"]},
}, sort_keys=True))
PYEOF
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=synretry file=synretry.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=Listener on $IP_B:$PORT with listen backlog $BACKLOG that accepts one connection every $INTERVAL s (reads one line, answers, closes); $NCLI clients (ports $CPORT..$((CPORT + NCLI - 1))) call connect() at the same instant. tcp_syncookies=0 in the server namespace: SYNs finding the queue full are dropped and retried by the clients; final ACKs finding the accept queue full are dropped and the server retransmits its SYN-ACK. Captured on the server's veth (B eth0), which sees every SYN before the server's TCP drops it." \
    link=veth mtu:=1500 client=$IP_A server=$IP_B:$PORT capture_point="server B eth0" \
    listen_backlog:=$BACKLOG accept_interval_s:=$INTERVAL clients:=$NCLI \
    sysctl@="$WORK/sysctl.json" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    truth@="$WORK/summary.json" \
    syn_count_tshark@="$WORK/syncount.json" \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" \
    tcpdump:="$CAP_STATS" \
    "expect.note=syn_retransmit events: one per SYN beyond the first of each 4-tuple (truth.syn_retries_per_client_port) and, with synack=true, one per SYN-ACK beyond the first (truth.synack_retries_per_client_port). The client kernel counts its SYN retries in TcpExtTCPSynRetrans (A), the server its SYN-ACK retries (B)." \
    regenerate="sudo samples/lab/mk_synretry.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
report "$OUT"
cat "$WORK/summary.json"
