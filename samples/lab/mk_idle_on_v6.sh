#!/bin/bash
# mk_idle_on_v6.sh: mk_idle_on.sh over IPv6 at RTT 20 ms, captured on the
# sender: bursts after idle gaps longer than the RTO,
# tcp_slow_start_after_idle = 1 (ss -tin on the sender is the truth).
NAME=idle_on_v6 NET=43 PORT=5043 CPORT=43300 SSAI=1 DELAY_MS=10 FAM=6 \
    IDLE=1.0,0.6,1.0 . "$(dirname "$0")/idle_bursts.sh"
