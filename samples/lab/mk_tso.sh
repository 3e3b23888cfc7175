#!/bin/bash
# mk_tso.sh: TSO/GSO on (tx checksum and SG on) on the sender's veth, captured
# on the sender: TCP hands the device segments far larger than the MSS.
NAME=tso SUBNET=10.99.10 PORT=5010 CPORT=41000 BYTES=300000 CAP_NS=A SEED=10
OFF_A="tx on sg on tso on gso on gro off"
OFF_B="tx off tso off gso off gro off"
SCENARIO="Bulk transfer A->B over veth with TSO and GSO ON on A (tx checksum and scatter-gather on; B's offloads off). Captured on the SENDER (A eth0): the capture sees the super-segments TCP gives the device (up to ~64 KB of payload), before any segmentation, each CHECKSUM_PARTIAL (pseudo-header sum in the checksum field). veth never segments them; B receives the same large skbs."
EXPECT_ITEMS=("expect.giant_segment_cause=tso_gso" "expect.giant_segments=the A->B frames with payload > 1448 (tshark_counts.tcp_payload_over_1448_a2b)" "expect.csum_offload_side=tx" "expect.csum_offload_frames=every TCP frame from A" "expect.csum_bad:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
