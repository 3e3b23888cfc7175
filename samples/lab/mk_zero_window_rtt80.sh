#!/bin/bash
# mk_zero_window_rtt80.sh: mk_zero_window_relay.sh at RTT 80 ms, IPv4, captured on the sender.
NAME=zero_window_rtt80 RTT_MS=80 FAM=4 VANTAGE=sender SUBNET_ID=67 PORT=5067 \
    exec "$(dirname "$0")/mk_zero_window_relay.sh" "$@"
