#!/bin/bash
# mk_udp.sh: UDP checksums of every kind, captured on the sender's veth.
# A sends datagrams to B in four phases, one capture:
#   1. tx checksum offload ON on A's eth0: plain UDP socket; the stack leaves
#      each datagram CHECKSUM_PARTIAL, so the capture sees the pseudo-header
#      seed (an offload artifact; B accepts them);
#   2. tx offload OFF: the kernel fills the checksum (valid);
#   3. SO_NO_CHECK: checksum field 0 (no checksum, allowed over IPv4);
#   4. a raw socket sends datagrams whose checksum was computed before one
#      payload byte changed (damage): B's kernel drops them, UdpInCsumErrors.
# Truth: the sender's own list of what it sent (udpapp.py results) and B's
# kernel counters (UdpInDatagrams, UdpInCsumErrors).
. "$(dirname "$0")/common.sh"
lab_init udp

A=tludpA$SFX; B=tludpB$SFX
IP_A=10.99.30.1; IP_B=10.99.30.2; PORT=5030; SPORT=40030
N_OFFLOAD=20; N_VALID=20; N_NOCHECK=10; N_BAD=5
OUT="$SAMPLES/udp.pcap"; TRUTH="$SAMPLES/udp.truth.json"

ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
set_offloads "$B" eth0 tx off tso off gso off gro off

bg ip netns exec "$B" "$PY" "$LAB/udpapp.py" recv --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/recv.json" --idle 3
wait_file "$WORK/ready"
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$A" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro udp
send() { # MODE COUNT SEED
    ip netns exec "$A" "$PY" "$LAB/udpapp.py" send --connect $IP_B --port $PORT \
        --src-port $SPORT --mode "$1" --count "$2" --seed "$3" --result "$WORK/send.$1.$3.json"
}
set_offloads "$A" eth0 tx on sg on tso off gso off gro off
save_offloads "$A" eth0 A_phase1
send normal $N_OFFLOAD 1
set_offloads "$A" eth0 tx off tso off gso off gro off
save_offloads "$A" eth0 A_phase2
send normal $N_VALID 2
send nocheck $N_NOCHECK 3
send bad $N_BAD 4
wait "$BG_PID"
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"

cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
ucount() { tshark_q -r "$OUT" -o udp.check_checksum:TRUE -Y "$1" | wc -l; }
cat >"$WORK/tshark.json" <<J
{"method": "tshark display-filter counts over the capture (not an analyzer)",
 "udp_frames": $(ucount udp),
 "udp_checksum_zero": $(ucount "udp.checksum==0"),
 "udp_checksum_bad": $(ucount "udp.checksum.status==0"),
 "udp_checksum_good": $(ucount "udp.checksum.status==1")}
J
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=udp file=udp.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "tcpdump_args=-i eth0 udp" \
    "scenario=UDP datagrams A->B over veth, captured on the SENDER (A eth0), in four phases: (1) $N_OFFLOAD from a plain socket with tx checksum offload ON on A's eth0 (the captured field holds the pseudo-header seed: offload artifacts, B accepts them); (2) $N_VALID with tx offload OFF (valid checksums); (3) $N_NOCHECK with SO_NO_CHECK (checksum 0: none); (4) $N_BAD from a raw socket carrying the checksum of the payload before one byte of it changed (B's kernel drops them: UdpInCsumErrors)." \
    link=veth mtu:=1500 client=$IP_A:$SPORT server=$IP_B:$PORT capture_point="sender A eth0" \
    offloads.A_phase1@="$WORK/offloads.A_phase1.json" offloads.A_phase2@="$WORK/offloads.A_phase2.json" \
    phases.offload:=$N_OFFLOAD phases.valid:=$N_VALID phases.nocheck:=$N_NOCHECK phases.bad:=$N_BAD \
    sent.offload@="$WORK/send.normal.1.json" sent.valid@="$WORK/send.normal.2.json" \
    sent.nocheck@="$WORK/send.nocheck.3.json" sent.bad@="$WORK/send.bad.4.json" \
    received@="$WORK/recv.json" \
    expect.csum_offload:=$N_OFFLOAD expect.csum_offload_side=tx expect.csum_ok:=$N_VALID \
    expect.csum_absent:=$N_NOCHECK expect.csum_bad:=$N_BAD \
    "expect.note=Phase 1's datagrams are csum_offload (side tx, proto udp), phase 4's csum_bad (proto udp; no fate: UDP is not resent); phase 2's checksums are good and phase 3's absent. kernel.B.UdpInCsumErrors counts B's drops; received.datagrams = phases 1-3." \
    tshark_counts@="$WORK/tshark.json" \
    kernel.A@=<(counters_delta "$WORK/a0.json" "$WORK/a1.json") \
    kernel.B@=<(counters_delta "$WORK/b0.json" "$WORK/b1.json") \
    tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_udp.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
