#!/bin/bash
# mk_sll_rx.sh: offload_tx captured on the receiver with `tcpdump -i any`
# (Linux cooked capture v2): veth hands B the sender's unfinished checksums,
# and each frame says it came in (sll_pkttype 0, HOST). The artifacts are the
# sender's (tx), seen where they were received.
NAME=sll_rx SUBNET=10.99.24 PORT=5024 CPORT=42400 BYTES=200000 CAP_NS=B SEED=24
OFF_A="tx on sg on tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
CAP_DEV=any CAP_ARGS=(-y LINUX_SLL2 -s 2000) LINKTYPE=LINUX_SLL2
SCENARIO="Bulk transfer A->B over veth; A has tx checksum offload ON (TSO, GSO off), B's offloads off. Captured on the receiver's side with tcpdump -i any -y LINUX_SLL2 inside B (Linux cooked capture v2, packet type per frame): A's frames are HOST (pkttype 0, received) and still carry the pseudo-header partial checksum, since veth passes CHECKSUM_PARTIAL skbs on unfilled; B's frames are OUTGOING (pkttype 4) with valid checksums."
EXPECT_ITEMS=("expect.csum_offload_side=tx" "expect.csum_offload_frames=every TCP frame from A, all with sll_pkttype HOST (0): received, yet unfilled" "expect.capture_point=the receiver B, as the source's packet types say" "expect.csum_bad:=0" "expect.giant_segments:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
