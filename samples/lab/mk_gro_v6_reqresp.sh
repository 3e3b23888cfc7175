#!/bin/bash
# mk_gro_v6_reqresp.sh: mk_gro.sh with IPv6 and request/response: A serves
# four 100 KB responses in wire-size segments, GRO on at B, captured at B.
NAME=gro_v6_reqresp SUBNET6=fd00:99:42 PORT=5042 CPORT=44200 CAP_NS=B SEED=42 FAM=6 APP=reqresp
EXCHANGES=4 RESP=100000
OFF_A="tx off tso off gso off gro off"
OFF_B="tx off tso off gso off gro on"
SCENARIO="Request/response over veth, IPv6: B sends four requests, A answers each with 100 KB in wire-size segments (tx checksum, TSO, GSO off on A, so every segment leaves with a valid checksum); B's eth0 has GRO ON. Captured on the RECEIVER of the responses (B eth0): runs of A's segments arrive merged into frames larger than the MSS, carrying the pseudo-header partial checksum. B's own frames (tx off) are valid."
EXPECT_ITEMS=("expect.giant_segment_cause=gro_lro" "expect.giant_segments=the A->B frames with payload above the MSS (tshark_counts.tcp_payload_over_mss_a2b)" "expect.csum_offload_side=rx" "expect.csum_bad:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/veth_bulk.sh"
