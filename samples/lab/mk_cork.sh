#!/bin/bash
# mk_cork.sh: a TCP_CORK sender that never uncorks. Each round the client
# writes 5000 bytes (3 full segments + a 656-byte tail at MSS 1448) and waits
# for a 100-byte answer: the corked tail waits for the ~200 ms ceiling.
NAME=cork SUBNET=10.99.14 PORT=5014 CPORT=41400 REQ=5000 RESP=100 STALL_MAX_MS=260 STALL_MS=150
CLIENT_ROLE=cork-client
CLIENT_ARGS=(--rounds 10 --req 5000 --gap-ms 5)
SCENARIO="Ping-pong over veth (offloads off), captured on the client (A eth0). The client sets TCP_CORK before connect and never clears it. 10 rounds, 5 ms apart: it writes 5000 bytes in one send() and reads a 100-byte answer; the server answers only after all 5000 bytes. At MSS 1448 the three full segments leave at once; the 656-byte tail stays corked until the kernel's ~200 ms ceiling (the probe timer, TCP_RTO_MIN) pushes it, so every round takes ~200 ms. Round 2 takes ~255 ms: B ACKs the third full segment of that round with a delayed ACK (~42 ms), and the 200 ms timer only starts once nothing is in flight, so a ~40 ms delayed-ACK wait precedes that round's cork wait."
EXPECT_ITEMS=("expect.stall_cause=cork" "expect.stalls=one ~200 ms stall c2s per round listed in truth.slow_round_numbers (client-measured round time >= 150 ms), each ended by the sub-MSS tail (app.client.tail_bytes)" "expect.remedy=clear TCP_CORK after the last write of a message (or use MSG_MORE)" "expect.csum_bad:=0" "expect.retransmissions:=0")
. "$(dirname "$0")/pingpong.sh"
