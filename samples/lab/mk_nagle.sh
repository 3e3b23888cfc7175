#!/bin/bash
# mk_nagle.sh: write-write-read without TCP_NODELAY. Each round the client
# writes a 100-byte header and a 200-byte body, then reads a 500-byte answer.
# The header leaves at once; Nagle holds the body until the header is ACKed;
# the server, still waiting for the body, delays that ACK (~40 ms).
NAME=nagle SUBNET=10.99.13 PORT=5013 CPORT=41300 REQ=300 RESP=500 STALL_MAX_MS=60 STALL_MS=30
CLIENT_ROLE=nagle-client
CLIENT_ARGS=(--rounds 30 --piece1 100 --piece2 200 --gap-ms 5)
SCENARIO="Ping-pong over veth (offloads off), captured on the client (A eth0). 30 rounds, 5 ms apart: the client (TCP_NODELAY off) writes 100 bytes then 200 bytes with two send() calls and reads a 500-byte answer; the server reads all 300 bytes before answering. The first write goes out at once; Nagle holds the second (sub-MSS, data in flight) until the first is ACKed; the server delays that ACK (delayed-ACK timer, ~40 ms on Linux) because it has nothing to send yet. Once the connection is in interactive (pingpong) mode each round costs ~40 ms instead of well under 1 ms."
EXPECT_ITEMS=("expect.stall_cause=delayed_ack" "expect.stalls=one ~40 ms stall c2s per round listed in truth.slow_round_numbers (client-measured round time >= 30 ms); kernel.B.TcpExtDelayedACKs counts the server's delayed-ACK timer expiries" "expect.remedy=TCP_NODELAY on the client (or one write per request)" "expect.csum_bad:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/pingpong.sh"
