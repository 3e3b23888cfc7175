#!/bin/bash
# mk_idle_on_rtt80_receiver.sh: mk_idle_on.sh at RTT 80 ms, captured on the
# receiver (after the relay): bursts after idle gaps longer than the RTO,
# tcp_slow_start_after_idle = 1 (ss -tin on the sender is the truth).
NAME=idle_on_rtt80_receiver NET=41 PORT=5041 CPORT=43110 SSAI=1 DELAY_MS=40 CAP_AT=B \
    IDLE=1.5,1.0,1.5 . "$(dirname "$0")/idle_bursts.sh"
