#!/bin/bash
# mk_cork_reply_rtt2.sh: mk_cork_reply.sh at RTT 2 ms, IPv4, captured on the client.
NAME=cork_reply_rtt2 RTT_MS=2 FAM=4 VANTAGE=client SUBNET_ID=61 PORT=5061 \
    exec "$(dirname "$0")/mk_cork_reply.sh" "$@"
