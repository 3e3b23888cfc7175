#!/bin/bash
# mk_offload_tx_off.sh: the control for offload_tx: same transfer, tx checksum
# offload OFF on the sender, captured on the sender: all checksums valid.
NAME=offload_tx_off SUBNET=10.99.9 PORT=5009 CPORT=40900 BYTES=200000 CAP_NS=A SEED=8
OFF_A="tx off tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
SCENARIO="Control for offload_tx: the same bulk transfer A->B over veth with tx checksum offload OFF on A (and TSO, GSO off; B's offloads off). Captured on the SENDER (A eth0): the stack computes every checksum in software before the capture point, so all are valid."
EXPECT_ITEMS=("expect.csum_offload:=0" "expect.csum_bad:=0" "expect.giant_segments:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
