#!/bin/bash
# mk_capture_loss_ipv6.sh: capture loss in ipv6.pcap (IPv6 bulk, receiver side).
NAME=capture_loss_ipv6 FROM=ipv6.pcap SRC_IP=fd00:99::1 ISOLATED=3 BURST=5 SEED=31 \
    exec "$(dirname "$0")/mk_capture_loss_from.sh" "$@"
