#!/bin/bash
# mk_tso_v6_reqresp.sh: mk_tso.sh with IPv6 and request/response: A serves
# four 100 KB responses to B's requests, TSO/GSO on at A, captured at A.
NAME=tso_v6_reqresp SUBNET6=fd00:99:41 PORT=5041 CPORT=44100 CAP_NS=A SEED=41 FAM=6 APP=reqresp
EXCHANGES=4 RESP=100000
OFF_A="tx on sg on tso on gso on gro off"
OFF_B="tx off tso off gso off gro off"
SCENARIO="Request/response over veth, IPv6: B sends four requests, A answers each with 100 KB; TSO and GSO ON on A (tx checksum and scatter-gather on; B's offloads off). Captured on the SENDER of the responses (A eth0): the capture sees the super-segments TCP gives the device (up to ~64 KB of payload), before any segmentation, each CHECKSUM_PARTIAL (pseudo-header sum in the checksum field)."
EXPECT_ITEMS=("expect.giant_segment_cause=tso_gso" "expect.giant_segments=the A->B frames with payload above the MSS (tshark_counts.tcp_payload_over_mss_a2b)" "expect.csum_offload_side=tx" "expect.csum_offload_frames=every TCP frame from A" "expect.csum_bad:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
