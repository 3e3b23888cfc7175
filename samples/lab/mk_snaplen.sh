#!/bin/bash
# mk_snaplen.sh: offload_tx again (tx checksum offload on at the sender, TSO/GSO
# off, captured on the sender) but with a 96-byte snap length: every data
# frame is truncated, yet the checksum field still shows the offload
# signature (the pseudo-header sum needs no payload).
NAME=snaplen SUBNET=10.99.21 PORT=5022 CPORT=42100 BYTES=200000 CAP_NS=A SEED=21
OFF_A="tx on sg on tso off gso off gro off"
OFF_B="tx off tso off gso off gro off"
CAP_ARGS=(-s 96)
SCENARIO="Bulk transfer A->B over veth; A has tx checksum offload ON (TSO, GSO off), B's offloads off. Captured on the SENDER (A eth0) with snap length 96: every frame is cut to at most 96 bytes (Ethernet 14 + IP 20 + TCP 32 with timestamps + 30 bytes of payload), orig_len keeps the real size. Every TCP frame from A carries the pseudo-header partial checksum (computable from the headers alone), B's frames are pure ACKs (66 bytes), captured whole, with valid checksums. A's short frames (SYN, handshake ACK, FIN) are whole too, so tshark calls them bad; its long ones are unverifiable."
EXPECT_ITEMS=("expect.snaplen:=96" "expect.csum_offload_side=tx" "expect.csum_offload_frames=every TCP frame from A (kernel.A.TcpOutSegs)" "expect.csum_bad:=0" "expect.giant_segments:=0" "expect.retransmissions:=0" "expect.note=Truncated data frames cannot have their checksum verified over the payload; the offload signature (field == folded pseudo-header sum) is still recognisable.")
. "$(dirname "$0")/veth_bulk.sh"
