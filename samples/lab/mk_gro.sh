#!/bin/bash
# mk_gro.sh: sender's TSO/GSO (and tx checksum) off, receiver's GRO on,
# captured on the receiver: GRO merges wire-size segments into large ones
# before the capture point.
NAME=gro SUBNET=10.99.12 PORT=5012 CPORT=41200 BYTES=300000 CAP_NS=B SEED=12
OFF_A="tx off tso off gso off gro off"
OFF_B="tx off tso off gso off gro on"
SCENARIO="Bulk transfer A->B over veth; A sends wire-size segments (tx checksum, TSO, GSO off, so every segment leaves A with a full valid checksum); B's eth0 has GRO ON (veth then runs NAPI and merges). Captured on the RECEIVER (B eth0): runs of A's segments arrive merged into single frames larger than the MSS, and on this kernel a merged frame carries the pseudo-header partial checksum. B's own frames (tx off) are valid."
EXPECT_ITEMS=("expect.giant_segment_cause=gro_lro" "expect.giant_segments=the A->B frames with payload > 1448 (tshark_counts.tcp_payload_over_1448_a2b)" "expect.csum_offload_side=rx" "expect.csum_bad:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
