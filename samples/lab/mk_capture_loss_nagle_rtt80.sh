#!/bin/bash
# mk_capture_loss_nagle_rtt80.sh: capture loss in nagle_rtt80.pcap
# (interactive writes, RTT 80 ms, IPv4, the client's side).
NAME=capture_loss_nagle_rtt80 FROM=nagle_rtt80.pcap SRC_IP=10.99.65.1 ISOLATED=3 BURST=3 SEED=32 \
    exec "$(dirname "$0")/mk_capture_loss_from.sh" "$@"
