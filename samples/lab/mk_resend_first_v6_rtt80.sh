#!/bin/bash
# mk_resend_first_v6_rtt80.sh: mk_resend_first.sh with request/response (the
# server's 60 KB responses), RTT 80 ms, IPv6; data frame 59 of the server's
# dropped, the ACKs held 900 ms (the RTO is ~300 ms).
NAME=resend_first_v6_rtt80 RTT_MS=80 FAM=6 APP=reqresp NTH=59 HOLD_MS=900 SUBNET_ID=75 PORT=5075 \
    exec "$(dirname "$0")/mk_resend_first.sh" "$@"
