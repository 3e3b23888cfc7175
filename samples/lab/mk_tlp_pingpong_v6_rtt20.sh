#!/bin/bash
# mk_tlp_pingpong_v6_rtt20.sh: mk_tlp_pingpong.sh over IPv6 at RTT 20 ms,
# captured at the client (the lost responses never reach it).
NAME=tlp_pingpong_v6_rtt20 RTT_MS=20 FAM=6 DROPS=b2a:4,b2a:9 CAP_AT=A SUBNET_ID=79 PORT=5079 \
    CPORT=47900 exec "$(dirname "$0")/mk_tlp_pingpong.sh" "$@"
