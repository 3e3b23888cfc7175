#!/bin/bash
# mk_reorder_reqresp_rtt2.sh: mk_reorder.sh with request/response (the
# server's 20 KB responses, 14 segments each), RTT 2 ms, IPv4; the 5th
# segment of responses 1, 3 and 5 held 1.2 ms.
NAME=reorder_reqresp_rtt2 RTT_MS=2 FAM=4 APP=reqresp NTH=5,33,61 REORDER_MS=1.2 SUBNET_ID=72 PORT=5072 \
    exec "$(dirname "$0")/mk_reorder.sh" "$@"
