#!/bin/bash
# mk_capture_loss.sh: a real clean bulk transfer (veth, offloads off, captured
# on the receiver) from which drop_frames.py deletes frames offline, as a
# capture that dropped packets would: 3 isolated data frames and one burst of
# 6 consecutive frames. The receiver really got and ACKed every one, so the
# capture shows ACKs for data it never saw.
. "$(dirname "$0")/common.sh"
lab_init capture_loss

A=tlclA$SFX; B=tlclB$SFX
IP_A=10.99.16.1; IP_B=10.99.16.2; PORT=5016; CPORT=41600; BYTES=300000; SEED=${SEED:-16}
OUT="$SAMPLES/capture_loss.pcap"; TRUTH="$SAMPLES/capture_loss.truth.json"

ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
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
    --src-port $CPORT --bytes $BYTES --seed 16 --result "$WORK/client.json"
wait $SRV
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
guard_complete "$WORK/cap.pcap" $IP_A $BYTES

"$PY" "$LAB/drop_frames.py" "$WORK/cap.pcap" "$OUT" "$WORK/deleted.jsonl" \
    --src $IP_A --isolated 3 --burst 6 --seed $SEED
check_size "$OUT"
"$PY" - "$WORK/deleted.jsonl" >"$WORK/summary.json" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
data = [r for r in recs if r.get("payload_len", 0) > 0 and r.get("sport") == 41600]
holes = []
for r in sorted(data, key=lambda r: r["seq"]):
    if holes and holes[-1]["seq"] + holes[-1]["bytes"] == r["seq"]:
        holes[-1]["bytes"] += r["payload_len"]; holes[-1]["frames"] += 1
    else:
        holes.append({"seq": r["seq"], "bytes": r["payload_len"], "frames": 1})
print(json.dumps({"frames_deleted": len(recs),
                  "holes_c2s": holes, "hole_count_c2s": len(holes),
                  "data_frames_deleted_c2s": len(data),
                  "data_bytes_deleted_c2s": sum(r["payload_len"] for r in data),
                  "acks_deleted_s2c": sum(1 for r in recs if r.get("sport") == 5016),
                  "other_frames_deleted": sum(1 for r in recs if "sport" not in r)}, sort_keys=True))
PYEOF
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=capture_loss file=capture_loss.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=A real clean bulk transfer A->B ($BYTES bytes over veth, offloads off, captured on the receiver B eth0, no loss anywhere), from which drop_frames.py (seed $SEED) deleted frames offline as a capture that dropped packets would: 3 isolated A->B data frames and one burst of 6 consecutive frames (both directions). B received and ACKed all of them: the capture shows cumulative ACKs covering data it never saw." \
    link=veth mtu:=1500 congestion_control="$CC" \
    client=$IP_A:$CPORT server=$IP_B:$PORT sender=$IP_A:$CPORT receiver=$IP_B:$PORT \
    capture_point="receiver B eth0, then frames deleted offline" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    bytes_c2s:=$BYTES bytes_s2c:=0 \
    deleted@@="$WORK/deleted.jsonl" truth@="$WORK/summary.json" \
    "expect.note=One capture_loss finding per hole in truth.holes_c2s (absolute seq, bytes: contiguous deleted A->B data); no retransmission (kernel.A has no TcpRetransSegs: nothing was lost on the network); 0 bad checksums." \
    expect.retransmissions:=0 expect.bad_tcp_checksums:=0 \
    app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") \
    kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_capture_loss.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
report "$OUT"
cat "$WORK/summary.json"; cat "$WORK/deleted.jsonl"
