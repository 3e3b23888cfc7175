#!/bin/bash
# mk_sll.sh: offload_tx captured with `tcpdump -i any` (Linux cooked capture
# v1, LINKTYPE_LINUX_SLL): each frame says whether it was outgoing
# (sll_pkttype 4) or to this host (0). Tx offload artifacts sit on the
# outgoing frames only.
NAME=sll SUBNET=10.99.22 PORT=5023 CPORT=42200 BYTES=200000 CAP_NS=A SEED=22
OFF_A="tx on sg on tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
CAP_DEV=any CAP_ARGS=(-y LINUX_SLL -s 2000) LINKTYPE=LINUX_SLL
SCENARIO="Bulk transfer A->B over veth; A has tx checksum offload ON (TSO, GSO off), B's offloads off. Captured on the sender's side with tcpdump -i any -y LINUX_SLL inside A (Linux cooked capture v1, 16-byte header with packet type): A's frames are OUTGOING (pkttype 4) and carry the pseudo-header partial checksum; B's frames are HOST (pkttype 0) with valid checksums."
EXPECT_ITEMS=("expect.csum_offload_side=tx" "expect.csum_offload_frames=every TCP frame from A, all with sll_pkttype OUTGOING (4)" "expect.csum_bad:=0" "expect.giant_segments:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
