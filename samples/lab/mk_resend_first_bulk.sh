#!/bin/bash
# mk_resend_first_bulk.sh: mk_resend_first.sh with a bulk transfer, RTT 20 ms,
# IPv4; data frame 59 dropped, the ACKs held 500 ms (the RTO is ~220 ms).
NAME=resend_first_bulk RTT_MS=20 FAM=4 APP=bulk NTH=59 HOLD_MS=500 SUBNET_ID=74 PORT=5074 \
    exec "$(dirname "$0")/mk_resend_first.sh" "$@"
