#!/bin/bash
# mk_tso_off.sh: the control for tso: TSO/GSO off on the sender (tx checksum
# still on), captured on the sender: no segment above the MSS.
NAME=tso_off SUBNET=10.99.11 PORT=5011 CPORT=41100 BYTES=300000 CAP_NS=A SEED=10
OFF_A="tx on sg on tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
SCENARIO="Control for tso: the same bulk transfer A->B over veth with TSO and GSO OFF on A (tx checksum offload still ON, so A's frames still carry the pseudo-header partial checksum; B's offloads off). Captured on the SENDER (A eth0): no segment is larger than the MSS."
EXPECT_ITEMS=("expect.giant_segments:=0" "expect.csum_offload_side=tx" "expect.csum_offload_frames=every TCP frame from A" "expect.csum_bad:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
