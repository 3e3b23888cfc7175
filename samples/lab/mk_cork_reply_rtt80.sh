#!/bin/bash
# mk_cork_reply_rtt80.sh: mk_cork_reply.sh at RTT 80 ms, IPv4, captured on the client.
NAME=cork_reply_rtt80 RTT_MS=80 FAM=4 VANTAGE=client SUBNET_ID=63 PORT=5063 \
    exec "$(dirname "$0")/mk_cork_reply.sh" "$@"
