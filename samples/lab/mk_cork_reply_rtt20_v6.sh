#!/bin/bash
# mk_cork_reply_rtt20_v6.sh: mk_cork_reply.sh at RTT 20 ms, IPv6, captured on the server.
NAME=cork_reply_rtt20_v6 RTT_MS=20 FAM=6 VANTAGE=server SUBNET_ID=62 PORT=5062 \
    exec "$(dirname "$0")/mk_cork_reply.sh" "$@"
