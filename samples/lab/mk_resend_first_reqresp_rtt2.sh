#!/bin/bash
# mk_resend_first_reqresp_rtt2.sh: mk_resend_first.sh with request/response
# (the server's 60 KB responses), RTT 2 ms, IPv4; data frame 59 of the
# server's dropped, the ACKs held 400 ms (the RTO is ~200 ms).
NAME=resend_first_reqresp_rtt2 RTT_MS=2 FAM=4 APP=reqresp NTH=59 HOLD_MS=400 SUBNET_ID=76 PORT=5076 \
    exec "$(dirname "$0")/mk_resend_first.sh" "$@"
