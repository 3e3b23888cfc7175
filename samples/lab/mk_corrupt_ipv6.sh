#!/bin/bash
# mk_corrupt_ipv6.sh: mk_corrupt.sh over IPv6. Bulk transfer through the TAP
# relay, which corrupts ~1% of the TCP data frames A->B (one payload byte
# flipped; headers intact). Tx checksum offload off on both TAPs, so every
# other checksum is valid. Captured on the receiver's TAP (inside B): the
# capture holds the corrupted frames, B's TCP drops them (TcpInCsumErrors),
# A retransmits. Truth = the relay's log. ND/MLD frames pass the relay untouched.
. "$(dirname "$0")/common.sh"
lab_init corrupt_ipv6

A=tlc6A$SFX; B=tlc6B$SFX
IP_A=fd00:99:54::1; IP_B=fd00:99:54::2; PORT=5054; CPORT=45400; BYTES=800000
DELAY_MS=5; CORRUPT=0.01; SEED=${SEED:-54}
OUT="$SAMPLES/corrupt_ipv6.pcap"; TRUTH="$SAMPLES/corrupt_ipv6.truth.json"

relay_start "$A" "$B" --delay-ms $DELAY_MS --corrupt $CORRUPT --seed $SEED --dirs a2b
ns_addr6 "$A" eth0 $IP_A/64
ns_addr6 "$B" eth0 $IP_B/64
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
CC=$(sysctl_ns "$A" net.ipv4.tcp_congestion_control)

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$B" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 54 --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
relay_stop

guard_complete "$WORK/cap.pcap" $IP_A $BYTES
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/kA.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kB.json"
NCORR=$(grep -c '"action": "corrupt"' "$WORK/relay.log.jsonl" || true)
NDROP=$(grep -c '"action": "drop"' "$WORK/relay.log.jsonl" || true)
CSUMERR_B=$(jget "$WORK/kB.json" TcpInCsumErrors)
RETR_A=$(jget "$WORK/kA.json" TcpRetransSegs)

# each corrupted frame of the relay log must be in the capture with a bad
# checksum (IPv6 has no IP id: match port + absolute seq + length), nothing else bad
"$PY" "$LAB/csum_census.py" "$OUT" --list-other >"$WORK/census.json"
"$PY" - "$WORK/relay.log.jsonl" "$WORK/census.json" >"$WORK/match.json" <<'EOF'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cen = json.load(open(sys.argv[2]))
key = lambda r: (r["sport"], r["seq"], r["payload_len"])
bad = {key(f) for f in cen["other_bad_frames"]}
logged = {key(r) for r in log if r["action"] == "corrupt"}
out = {"corrupted_in_capture_bad": len(logged & bad), "corrupted_missing": len(logged - bad),
       "bad_not_in_relay_log": len(bad - logged)}
json.dump(out, sys.stdout); print()
if out["corrupted_missing"] or out["bad_not_in_relay_log"] or not logged:
    sys.exit("capture does not match the relay log: %s" % out)
EOF

tcount() { tshark_q -r "$OUT" -o tcp.check_checksum:TRUE -Y "$1" | wc -l; }
cat >"$WORK/tshark.json" <<J
{"method": "tshark display-filter counts over the capture (not an analyzer)",
 "frames": $(tcount frame),
 "icmpv6_frames": $(tcount icmpv6),
 "tcp_frames_a2b": $(tcount "ipv6.src==$IP_A && tcp"),
 "tcp_frames_b2a": $(tcount "ipv6.src==$IP_B && tcp"),
 "tcp_data_frames_a2b": $(tcount "ipv6.src==$IP_A && tcp.len > 0"),
 "tcp_checksum_bad_a2b": $(tcount "ipv6.src==$IP_A && tcp.checksum.status==0"),
 "tcp_checksum_bad_b2a": $(tcount "ipv6.src==$IP_B && tcp.checksum.status==0"),
 "tcp_payload_over_1428": $(tcount "tcp.len > 1428")}
J

"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=corrupt_ipv6 file=corrupt_ipv6.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=corrupt over IPv6: bulk transfer A->B (fd00:99:54::/64, no DAD) through a user-space TAP relay (relay.py) that delays every frame ${DELAY_MS} ms each way and corrupts a random ${CORRUPT} fraction of the TCP data frames A->B (one payload byte XORed, headers untouched; seed $SEED). Tx checksum offload off on both TAPs. Captured on the receiver's TAP (B eth0), downstream of the relay: the capture holds every corrupted frame; B's kernel drops each (TcpInCsumErrors) and A retransmits it. Neighbour discovery / MLD frames (ICMPv6) pass the relay untouched." \
    link=tap+relay mtu:=1500 congestion_control="$CC" mss_payload_with_timestamps:=1428 \
    client=[$IP_A]:$CPORT server=[$IP_B]:$PORT sender=[$IP_A]:$CPORT receiver=[$IP_B]:$PORT \
    capture_point="receiver B eth0 (TAP), after the relay" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 \
    relay.params.delay_ms:=$DELAY_MS relay.params.corrupt:=$CORRUPT relay.params.seed:=$SEED relay.params.dirs=a2b \
    relay.log@@="$WORK/relay.log.jsonl" relay.summary@="$WORK/relay.summary.json" \
    relay.corrupted:=$NCORR relay.dropped:=$NDROP \
    truth.corrupted_a2b:=$NCORR truth.b_in_csum_errors:=$CSUMERR_B truth.a_retrans_segs:=$RETR_A \
    "truth.note=corrupted_a2b is the relay log; b_in_csum_errors = kernel.B.TcpInCsumErrors; a_retrans_segs = kernel.A.TcpRetransSegs. The relay log has no IP id for IPv6: match frames by source port, absolute seq and payload_len." \
    struct_check@="$WORK/census.json" struct_check.relay_match@="$WORK/match.json" \
    expect.bad_tcp_checksums:=$NCORR expect.csum_bad:=$NCORR expect.csum_bad_fate=dropped expect.csum_offload:=0 \
    expect.giant_segments:=0 expect.tcp_connections:=1 \
    "expect.note=Each corrupted frame in relay.log (dir a2b, seq, payload_len) appears once in the capture with a bad TCP checksum (csum_bad, fate dropped: B never ACKs it) and is retransmitted by A. seq in the log is absolute." \
    tshark_counts@="$WORK/tshark.json" \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@="$WORK/kA.json" kernel.B@="$WORK/kB.json" \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_corrupt_ipv6.sh (SEED=n to change the relay seed)"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH; relay corrupted $NCORR frames; B TcpInCsumErrors $CSUMERR_B; A TcpRetransSegs $RETR_A"
report "$OUT"
cat "$WORK/tshark.json" "$WORK/match.json"
