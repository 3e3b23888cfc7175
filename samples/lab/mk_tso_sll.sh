#!/bin/bash
# mk_tso_sll.sh: mk_tso.sh captured with `tcpdump -i any -y LINUX_SLL2` on the
# sender: the super-segments are marked sent (OUTGOING), a 200 KB transfer.
NAME=tso_sll SUBNET=10.99.26 PORT=5026 CPORT=42600 BYTES=200000 CAP_NS=A SEED=26
OFF_A="tx on sg on tso on gso on gro off"
OFF_B="tx off tso off gso off gro off"
CAP_DEV=any CAP_ARGS=(-y LINUX_SLL2 -s 70000) LINKTYPE=LINUX_SLL2
SCENARIO="Bulk transfer A->B over veth with TSO and GSO ON on A (tx checksum and SG on; B's offloads off). Captured on the SENDER with tcpdump -i any -y LINUX_SLL2 inside A (cooked v2, packet type per frame): the super-segments TCP gives the device, marked OUTGOING, each CHECKSUM_PARTIAL."
EXPECT_ITEMS=("expect.giant_segment_cause=tso_gso" "expect.giant_segments=the A->B frames with payload > 1448 (tshark_counts.tcp_payload_over_1448_a2b)" "expect.csum_offload_side=tx" "expect.csum_offload_frames=every TCP frame from A" "expect.csum_bad:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
