#!/bin/bash
# mk_capture_loss_from.sh: capture loss made offline from another committed
# sample, which is complete (its own truth says so): drop_frames.py deletes
# ISOLATED data frames sent by SRC_IP and one BURST of consecutive frames, as
# a capture that dropped packets would. The endpoints really exchanged every
# one, so the capture shows ACKs for data it never saw. Parameters
# (environment): NAME, FROM (the sample's file name), SRC_IP, ISOLATED,
# BURST, SEED. Truth: the deleted frames.
. "$(dirname "$0")/common.sh"
NAME=${NAME:?}; FROM=${FROM:?}; SRC_IP=${SRC_IP:?}; ISOLATED=${ISOLATED:-3}; BURST=${BURST:-4}
SEED=${SEED:-1}
lab_init "$NAME"
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"
"$PY" "$LAB/drop_frames.py" "$SAMPLES/$FROM" "$OUT" "$WORK/deleted.jsonl" \
    --src "$SRC_IP" --isolated "$ISOLATED" --burst "$BURST" --seed "$SEED"
check_size "$OUT"
"$PY" - "$WORK/deleted.jsonl" "$SRC_IP" >"$WORK/summary.json" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
data = [r for r in recs if r.get("payload_len", 0) > 0 and r.get("src") == sys.argv[2]]
holes = []
for r in sorted(data, key=lambda r: r["seq"]):
    if holes and holes[-1]["seq"] + holes[-1]["bytes"] == r["seq"]:
        holes[-1]["bytes"] += r["payload_len"]; holes[-1]["frames"] += 1
    else:
        holes.append({"seq": r["seq"], "bytes": r["payload_len"], "frames": 1})
print(json.dumps({"frames_deleted": len(recs), "holes": holes, "hole_count": len(holes),
                  "data_frames_deleted": len(data),
                  "data_bytes_deleted": sum(r["payload_len"] for r in data),
                  "other_deleted": len(recs) - len(data)}, sort_keys=True))
PYEOF
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap derived_from=$FROM \
    "scenario=$FROM (complete, see its truth) with frames deleted offline by drop_frames.py (seed $SEED) as a capture that dropped packets would: $ISOLATED isolated data frames sent by $SRC_IP and one burst of $BURST consecutive frames (any direction). The endpoints exchanged every one: the capture shows ACKs for data it never saw." \
    data_sender=$SRC_IP \
    "expect.note=One capture_loss event per run of deleted data frames of the data sender (truth.holes: absolute seq, bytes), none of them a retransmission; a deleted pure ACK or frame of the other side loses nothing." \
    truth@="$WORK/summary.json" deleted@@="$WORK/deleted.jsonl" \
    regenerate="samples/lab/mk_$NAME.sh"
echo "wrote $OUT and $TRUTH"; cat "$WORK/summary.json"
