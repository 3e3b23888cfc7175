#!/bin/bash
# mk_vlan.sh: this kernel has no 8021q, so the VLAN samples are a real short
# transfer (captured over veth, offloads off) rewritten by add_vlan.py:
#   vlan.pcap: one 802.1Q tag (TPID 0x8100, VID 100) in every frame
#   qinq.pcap: QinQ, outer 802.1ad tag (TPID 0x88a8, VID 200), inner 0x8100 VID 100
# The untagged original is not kept (bulk.pcap shows the same kind of traffic).
. "$(dirname "$0")/common.sh"
lab_init vlan

A=tlvlA$SFX; B=tlvlB$SFX
IP_A=10.99.5.1; IP_B=10.99.5.2; PORT=5005; CPORT=40500; BYTES=30000

ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $IP_A/24
ns_addr4 "$B" eth0 $IP_B/24
for ns in "$A" "$B"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B

bg ip netns exec "$B" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
    --ready "$WORK/ready" --result "$WORK/server.json"
SRV=$BG_PID
wait_file "$WORK/ready"
cap_start "$B" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
ip netns exec "$A" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
    --src-port $CPORT --bytes $BYTES --seed 5 --result "$WORK/client.json"
wait $SRV
cap_stop
guard_complete "$WORK/cap.pcap" $IP_A $BYTES

NFR=$(tshark_q -r "$WORK/cap.pcap" | wc -l)
"$PY" "$LAB/add_vlan.py" "$WORK/cap.pcap" "$SAMPLES/vlan.pcap" --tag 0x8100:100
"$PY" "$LAB/add_vlan.py" "$WORK/cap.pcap" "$SAMPLES/qinq.pcap" --tag 0x88a8:200 --tag 0x8100:100

for name in vlan qinq; do
    if [ $name = vlan ]; then
        TAGS='[{"tpid": "0x8100", "vid": 100, "pcp": 0}]'
        DESC="one 802.1Q tag (TPID 0x8100, VID 100, PCP 0)"
    else
        TAGS='[{"tpid": "0x88a8", "vid": 200, "pcp": 0}, {"tpid": "0x8100", "vid": 100, "pcp": 0}]'
        DESC="QinQ: outer 802.1ad tag (TPID 0x88a8, VID 200), inner 802.1Q tag (TPID 0x8100, VID 100)"
    fi
    "$PY" "$LAB/truth.py" "$SAMPLES/$name.truth.json" \
        sample=$name file=$name.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
        "scenario=A real short bulk transfer ($BYTES bytes A->B over veth, offloads off, captured on the receiver), rewritten by add_vlan.py to carry $DESC in every frame (the tags sit between the source MAC and the original EtherType; frame lengths grow by 4 bytes a tag; IP/TCP untouched)." \
        vlan_tags:="$TAGS" frames:=$NFR frames_tagged:=$NFR \
        link=veth mtu:=1500 \
        client=$IP_A:$CPORT server=$IP_B:$PORT sender=$IP_A:$CPORT receiver=$IP_B:$PORT \
        capture_point="receiver B eth0, then tagged offline" \
        offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
        bytes_c2s:=$BYTES bytes_s2c:=0 \
        expect.bad_tcp_checksums:=0 expect.giant_segments:=0 expect.tcp_connections:=1 expect.retransmissions:=0 \
        app.client@="$WORK/client.json" app.server@="$WORK/server.json" \
        tcpdump:="$CAP_STATS" \
        regenerate="sudo samples/lab/mk_vlan.sh"
    check_size "$SAMPLES/$name.pcap"
    echo "wrote $SAMPLES/$name.pcap"
    report "$SAMPLES/$name.pcap"
done
