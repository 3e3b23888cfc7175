#!/bin/bash
# mk_idle_on.sh: bursts of 200,000 bytes separated by idle gaps longer than the
# RTO on one connection, tcp_slow_start_after_idle = 1 in the sender's
# namespace: the kernel shrinks cwnd after each gap (ss -tin is the truth).
NAME=idle_on NET=39 PORT=5039 CPORT=43090 SSAI=1
. "$(dirname "$0")/idle_bursts.sh"
