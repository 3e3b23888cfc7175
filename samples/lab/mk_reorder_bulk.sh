#!/bin/bash
# mk_reorder_bulk.sh: mk_reorder.sh with a bulk transfer, RTT 20 ms, IPv4;
# frames 40, 120 and 200 held 8 ms.
NAME=reorder_bulk RTT_MS=20 FAM=4 APP=bulk NTH=40,120,200 REORDER_MS=8 SUBNET_ID=70 PORT=5070 \
    exec "$(dirname "$0")/mk_reorder.sh" "$@"
