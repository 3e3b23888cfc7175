#!/bin/bash
# mk_reorder_v6_rtt80.sh: mk_reorder.sh with a bulk transfer, RTT 80 ms,
# IPv6; frames 30, 110 and 220 held 30 ms.
NAME=reorder_v6_rtt80 RTT_MS=80 FAM=6 APP=bulk NTH=30,110,220 REORDER_MS=30 SUBNET_ID=71 PORT=5071 \
    exec "$(dirname "$0")/mk_reorder.sh" "$@"
