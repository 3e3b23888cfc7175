#!/bin/bash
# mk_xen_both.sh: the Xen story, both ends virtual. Host A's own segments carry
# tx checksum-offload artifacts while segments arriving at A from B were
# corrupted on the way:
#
#   A eth0 (veth, tx csum ON) <-> veth0 R (router) eth0 (TAP) <-> relay.py <-> (TAP) eth0 B
#
# A TAP cannot have tx checksumming on (the tun driver only allows it after
# TUNSETOFFLOAD, which relay.py does not use: `ethtool -K tap tx on` leaves
# tx-checksum-ip-generic "off [requested on]"). So A sits behind a veth to a
# router namespace R, whose TAP goes through the relay to B. A's veth has tx
# checksum offload on: every TCP frame A sends is CHECKSUM_PARTIAL at A's
# capture point; R forwards it to its TAP, which cannot offload, so the kernel
# fills in the real checksum there and B gets valid frames. The relay corrupts
# ~1.5% of B->A TCP data frames (one payload byte); R forwards them untouched
# (routers do not check TCP checksums); A's kernel drops each one
# (TcpInCsumErrors) and B retransmits.
#
# Traffic, both directions with data: A (client) fetches 50 responses of
# 1-20 KB from B over one persistent connection (A's requests are small data
# segments), then uploads 100,000 bytes to B over a second connection.
# Captured on A's eth0, inside A.
. "$(dirname "$0")/common.sh"
lab_init xen_both

A=tlxnA$SFX; R=tlxnR$SFX; B=tlxnB$SFX
IP_A=10.99.50.1; IP_RA=10.99.50.254; IP_RB=10.99.51.254; IP_B=10.99.51.2
PORT=5050; UPORT=5051; CPORT=45000; UCPORT=45001; UBYTES=100000
DELAY_MS=5; CORRUPT=${CORRUPT:-0.015}; SEED=${SEED:-53}
OFF_A="tx on sg on tso off gso off gro off"
OFF_R="tx off tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
OUT="$SAMPLES/xen_both.pcap"; TRUTH="$SAMPLES/xen_both.truth.json"

# relay: its side "a" is the router R, side "b" is B; b2a = B -> A
relay_start "$R" "$B" --delay-ms $DELAY_MS --corrupt $CORRUPT --seed $SEED --dirs b2a
ns_add "$A"
ip link add eth0 netns "$A" address 02:99:00:00:00:01 type veth peer name veth0 netns "$R" address 02:99:00:00:00:fe
ip -n "$A" link set eth0 up
ip -n "$R" link set veth0 up
for ns in "$A" "$R" "$B"; do ns_nov6 "$ns"; done
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$R" veth0 $IP_RA/24
ns_addr4 "$R" eth0 $IP_RB/24
ns_addr4 "$B" eth0 $IP_B/24
ip -n "$A" route add default via $IP_RA
ip -n "$B" route add default via $IP_RB
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
set_offloads "$A" eth0 $OFF_A
set_offloads "$R" veth0 $OFF_R
set_offloads "$R" eth0 $OFF_B
set_offloads "$B" eth0 $OFF_B
save_offloads "$A" eth0 A; save_offloads "$R" veth0 R_veth0; save_offloads "$R" eth0 R_tap
save_offloads "$B" eth0 B
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" reqresp-server --bind $IP_B --port $PORT --nodelay \
    --ready "$WORK/ready" --result "$WORK/server_reqresp.json"
SRV=$BG_PID
bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $UPORT \
    --ready "$WORK/ready_up" --result "$WORK/server_upload.json"
USRV=$BG_PID
wait_file "$WORK/ready"; wait_file "$WORK/ready_up"
for ns in "$A" "$R" "$B"; do counters_snap "$ns" "$WORK/${ns:4:1}0.json"; done
cap_start "$A" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" reqresp-client --connect $IP_B --port $PORT --nodelay \
    --src-port $CPORT --exchanges 50 --short-conns 0 --min 1000 --max 20000 \
    --think-min-ms 2 --think-max-ms 5 --seed 50 --result "$WORK/client_reqresp.json"
sleep 0.3
kill -TERM $SRV; wait $SRV || true
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $UPORT \
    --src-port $UCPORT --bytes $UBYTES --seed 51 --result "$WORK/client_upload.json"
wait $USRV
cap_stop
for ns in "$A" "$R" "$B"; do counters_snap "$ns" "$WORK/${ns:4:1}1.json"; done
relay_stop

cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"

# application payload per direction (the programs' own records)
read C2S S2C NEX < <("$PY" - "$WORK/client_reqresp.json" $UBYTES <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ex = [e for c in d["connections"] for e in c["exchanges"]]
print(sum(e["request_bytes"] for e in ex) + int(sys.argv[2]),
      sum(e["response_bytes"] for e in ex), len(ex))
EOF
)
"$PY" "$LAB/csum_census.py" "$OUT" --list-other >"$WORK/census.json"
NCORR=$(grep -c '"action": "corrupt"' "$WORK/relay.log.jsonl" || true)
NDROP=$(grep -c '"action": "drop"' "$WORK/relay.log.jsonl" || true)

# each corrupted frame of the relay log must be in the capture with a bad
# checksum (same IP id and seq), and nothing else may be bad
"$PY" - "$WORK/relay.log.jsonl" "$WORK/census.json" $IP_A $IP_B >"$WORK/match.json" <<'EOF'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cen = json.load(open(sys.argv[2]))
ip_a, ip_b = sys.argv[3], sys.argv[4]
bad = {(f["ip_id"], f["seq"]) for f in cen["other_bad_frames"]}
logged = {(r["ip_id"], r["seq"]) for r in log if r["action"] == "corrupt"}
a = cen["per_src"].get(ip_a, {})
out = {"corrupted_in_capture_bad": len(logged & bad), "corrupted_missing": len(logged - bad),
       "bad_not_in_relay_log": len(bad - logged),
       "a_tcp_frames": a.get("tcp_frames", 0), "a_pseudo_sum": a.get("pseudo_sum", 0)}
json.dump(out, sys.stdout); print()
ok = (out["corrupted_missing"] == 0 and out["bad_not_in_relay_log"] == 0
      and out["a_tcp_frames"] == out["a_pseudo_sum"] > 0)
sys.exit(0 if ok else "capture does not match the scenario: %s" % out)
EOF

KA=$(counters_delta "$WORK/${A:4:1}0.json" "$WORK/${A:4:1}1.json")
KR=$(counters_delta "$WORK/${R:4:1}0.json" "$WORK/${R:4:1}1.json")
KB=$(counters_delta "$WORK/${B:4:1}0.json" "$WORK/${B:4:1}1.json")
echo "$KA" >"$WORK/kA.json"; echo "$KR" >"$WORK/kR.json"; echo "$KB" >"$WORK/kB.json"
CSUMERR_A=$(jget "$WORK/kA.json" TcpInCsumErrors)
RETR_B=$(jget "$WORK/kB.json" TcpRetransSegs)
OUTSEGS_A=$(jget "$WORK/kA.json" TcpOutSegs)

tcount() { tshark_q -r "$OUT" -o tcp.check_checksum:TRUE -Y "$1" | wc -l; }
cat >"$WORK/tshark.json" <<J
{"method": "tshark display-filter counts over the capture (not an analyzer)",
 "frames": $(tcount frame),
 "tcp_frames_a2b": $(tcount "ip.src==$IP_A && tcp"),
 "tcp_frames_b2a": $(tcount "ip.src==$IP_B && tcp"),
 "tcp_data_frames_a2b": $(tcount "ip.src==$IP_A && tcp.len > 0"),
 "tcp_data_frames_b2a": $(tcount "ip.src==$IP_B && tcp.len > 0"),
 "tcp_checksum_bad_a2b": $(tcount "ip.src==$IP_A && tcp.checksum.status==0"),
 "tcp_checksum_bad_b2a": $(tcount "ip.src==$IP_B && tcp.checksum.status==0"),
 "tcp_checksum_good_b2a": $(tcount "ip.src==$IP_B && tcp.checksum.status==1"),
 "tcp_payload_over_1448": $(tcount "tcp.len > 1448")}
J

"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=xen_both file=xen_both.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=The Xen story with both ends virtual, captured on host A (A eth0, inside A). A's veth has tx checksum offload ON (TSO/GSO off), so every TCP frame A sends is CHECKSUM_PARTIAL where the capture sees it: its checksum field holds the folded pseudo-header sum (an artifact; the real checksum is filled in downstream). A reaches B through a router namespace R (veth A<->R, then R's TAP -> relay.py -> B's TAP). The relay delays every frame ${DELAY_MS} ms each way and corrupts a random ${CORRUPT} fraction of the TCP data frames B->A (one payload byte XORed, headers intact; seed $SEED). R forwards them unchanged (TTL-1), so the capture on A shows them with a bad checksum; A's kernel drops each one (TcpInCsumErrors) and B retransmits it. Traffic: A fetches $NEX responses of 1-20 KB from B on one persistent connection (TCP_NODELAY both ends; A's requests are small data segments), then uploads $UBYTES bytes to B on a second connection. Why veth+router and not A's TAP: a TAP cannot turn tx checksumming on unless its owner calls TUNSETOFFLOAD (ethtool shows tx-checksum-ip-generic 'off [requested on]'), and relay.py does not." \
    link="veth A<->R (router namespace), R TAP <-> relay.py <-> TAP B" mtu:=1500 congestion_control="$CC" \
    mss_payload_with_timestamps:=1448 \
    client=$IP_A:$CPORT server=$IP_B:$PORT \
    "connections:=[{\"client\": \"$IP_A:$CPORT\", \"server\": \"$IP_B:$PORT\", \"kind\": \"request/response, $NEX exchanges, A downloads\"}, {\"client\": \"$IP_A:$UCPORT\", \"server\": \"$IP_B:$UPORT\", \"kind\": \"bulk upload A->B, $UBYTES bytes\"}]" \
    capture_point="host A eth0 (veth, tx checksum offload on), inside A; B's frames arrive via router R (TTL 63)" \
    router=R "router_addrs=$IP_RA (veth0, A side), $IP_RB (eth0 TAP, B side)" \
    "ethtool_K.A=$OFF_A" "ethtool_K.R_veth0=$OFF_R" "ethtool_K.R_tap=$OFF_B" "ethtool_K.B=$OFF_B" \
    offloads.A@="$WORK/offloads.A.json" offloads.R_veth0@="$WORK/offloads.R_veth0.json" \
    offloads.R_tap@="$WORK/offloads.R_tap.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$C2S bytes_s2c:=$S2C \
    relay.params.delay_ms:=$DELAY_MS relay.params.corrupt:=$CORRUPT relay.params.seed:=$SEED relay.params.dirs=b2a \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" \
    relay.corrupted:=$NCORR relay.dropped:=$NDROP \
    truth.corrupted_b2a:=$NCORR truth.a_in_csum_errors:=$CSUMERR_A truth.b_retrans_segs:=$RETR_B \
    truth.a_tcp_frames_sent:=$OUTSEGS_A \
    "truth.note=corrupted_b2a is the relay log; a_in_csum_errors = kernel.A.TcpInCsumErrors (A dropped each corrupted frame); b_retrans_segs = kernel.B.TcpRetransSegs (may exceed the corruptions when a TLP/RTO fired for a corrupted response tail); a_tcp_frames_sent = kernel.A.TcpOutSegs = every TCP frame A sent, all in the capture with the pseudo-header sum (struct_check)." \
    struct_check@="$WORK/census.json" struct_check.relay_match@="$WORK/match.json" \
    expect.csum_offload:=$OUTSEGS_A expect.csum_offload_side=tx "expect.csum_offload_frames=every TCP frame from $IP_A (both connections: SYN, requests, upload data, ACKs, FIN)" \
    expect.csum_bad:=$NCORR expect.csum_bad_fate=dropped "expect.csum_bad_frames=exactly the relay.log frames (dir b2a; match by IP id + absolute seq), all from $IP_B" \
    expect.csum_offload_b2a:=0 expect.giant_segments:=0 expect.tcp_connections:=2 \
    "expect.note=Per sending host: $IP_A all artifacts (harmless, tx offload on the capturing host), $IP_B real corruptions that cost retransmissions (B's path / virtual NIC); never the other way round." \
    tshark_counts@="$WORK/tshark.json" \
    app.client_reqresp@="$WORK/client_reqresp.json" app.server_reqresp@="$WORK/server_reqresp.json" \
    app.client_upload@="$WORK/client_upload.json" app.server_upload@="$WORK/server_upload.json" \
    kernel.A@="$WORK/kA.json" kernel.R@="$WORK/kR.json" kernel.B@="$WORK/kB.json" \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_xen_both.sh (SEED=n, CORRUPT=p to vary)"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH; relay corrupted $NCORR B->A frames; A TcpInCsumErrors $CSUMERR_A; B TcpRetransSegs $RETR_B; A TcpOutSegs $OUTSEGS_A"
report "$OUT"
cat "$WORK/tshark.json" "$WORK/match.json"
