#!/bin/bash
# mk_tlp_pingpong_rtt80.sh: mk_tlp_pingpong.sh over IPv4 at RTT 80 ms,
# captured at the server (the lost responses are in the capture).
NAME=tlp_pingpong_rtt80 RTT_MS=80 FAM=4 DROPS=b2a:3,b2a:7 CAP_AT=B SUBNET_ID=80 PORT=5080 \
    CPORT=48000 exec "$(dirname "$0")/mk_tlp_pingpong.sh" "$@"
