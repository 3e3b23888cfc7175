#!/bin/bash
# mk_nagle_rtt20_v6.sh: mk_nagle_relay.sh at RTT 20 ms, IPv6, captured on the server.
NAME=nagle_rtt20_v6 RTT_MS=20 FAM=6 VANTAGE=server SUBNET_ID=64 PORT=5064 \
    exec "$(dirname "$0")/mk_nagle_relay.sh" "$@"
