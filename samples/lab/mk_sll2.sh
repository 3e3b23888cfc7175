#!/bin/bash
# mk_sll2.sh: offload_tx captured with `tcpdump -i any -y LINUX_SLL2` (cooked capture
# v2, LINKTYPE_LINUX_SLL2, with interface index): each frame says whether it was outgoing
# (sll_pkttype 4) or to this host (0). Tx offload artifacts sit on the
# outgoing frames only.
NAME=sll2 SUBNET=10.99.23 PORT=5024 CPORT=42300 BYTES=200000 CAP_NS=A SEED=22
OFF_A="tx on sg on tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
CAP_DEV=any CAP_ARGS=(-y LINUX_SLL2 -s 2000) LINKTYPE=LINUX_SLL2
SCENARIO="Bulk transfer A->B over veth; A has tx checksum offload ON (TSO, GSO off), B's offloads off. Captured on the sender's side with tcpdump -i any -y LINUX_SLL2 inside A (Linux cooked capture v2, 20-byte header with protocol, interface index, packet type): A's frames are OUTGOING (pkttype 4) and carry the pseudo-header partial checksum; B's frames are HOST (pkttype 0) with valid checksums."
EXPECT_ITEMS=("expect.csum_offload_side=tx" "expect.csum_offload_frames=every TCP frame from A, all with sll_pkttype OUTGOING (4)" "expect.csum_bad:=0" "expect.giant_segments:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
