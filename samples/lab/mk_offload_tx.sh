#!/bin/bash
# mk_offload_tx.sh: tx checksum offload ON (TSO/GSO off) on the sender's veth,
# captured on the sender: every TCP frame A sends carries only the
# pseudo-header partial checksum (CHECKSUM_PARTIAL), an offload artifact.
NAME=offload_tx SUBNET=10.99.8 PORT=5008 CPORT=40800 BYTES=200000 CAP_NS=A SEED=8
OFF_A="tx on sg on tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
SCENARIO="Bulk transfer A->B over veth; A's eth0 has tx checksum offload ON (TSO, GSO off), B's offloads off. Captured on the SENDER (A eth0): the stack leaves every TCP segment A sends CHECKSUM_PARTIAL, so the captured checksum field holds the folded pseudo-header sum, not the real checksum. B accepts them all (veth hands the partial skb over; nothing is corrupted). B's segments are captured inbound with valid checksums."
EXPECT_ITEMS=("expect.csum_offload_side=tx" "expect.csum_offload_frames=every TCP frame from A (kernel.A.TcpOutSegs; tshark_counts.tcp_frames_a2b)" "expect.csum_bad:=0" "expect.bad_checksums_b2a:=0" "expect.giant_segments:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
