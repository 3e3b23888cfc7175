#!/bin/bash
# mk_zero_window_rtt20_v6.sh: mk_zero_window_relay.sh at RTT 20 ms, IPv6, captured on the receiver.
NAME=zero_window_rtt20_v6 RTT_MS=20 FAM=6 VANTAGE=receiver SUBNET_ID=66 PORT=5066 \
    exec "$(dirname "$0")/mk_zero_window_relay.sh" "$@"
