#!/bin/bash
# mk_nagle_rtt80.sh: mk_nagle_relay.sh at RTT 80 ms, IPv4, captured on the client.
NAME=nagle_rtt80 RTT_MS=80 FAM=4 VANTAGE=client SUBNET_ID=65 PORT=5065 ROUNDS=12 \
    exec "$(dirname "$0")/mk_nagle_relay.sh" "$@"
