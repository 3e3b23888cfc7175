#!/bin/bash
# mk_gro_sll.sh: mk_gro.sh captured with `tcpdump -i any -y LINUX_SLL2` on the
# receiver: the merged frames are marked received (HOST), a 200 KB transfer.
NAME=gro_sll SUBNET=10.99.25 PORT=5025 CPORT=42500 BYTES=200000 CAP_NS=B SEED=25
OFF_A="tx off tso off gso off gro off"
OFF_B="tx off tso off gso off gro on"
CAP_DEV=any CAP_ARGS=(-y LINUX_SLL2 -s 70000) LINKTYPE=LINUX_SLL2
SCENARIO="Bulk transfer A->B over veth; A sends wire-size segments with valid checksums (tx, TSO, GSO off); B's eth0 has GRO ON. Captured on the RECEIVER with tcpdump -i any -y LINUX_SLL2 inside B (cooked v2, packet type per frame): runs of A's segments arrive merged into frames above the MSS, marked HOST (received), carrying the pseudo-header partial checksum; B's frames (tx off) are OUTGOING and valid."
EXPECT_ITEMS=("expect.giant_segment_cause=gro_lro" "expect.giant_segments=the A->B frames with payload > 1448 (tshark_counts.tcp_payload_over_1448_a2b)" "expect.csum_offload_side=rx" "expect.csum_bad:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
