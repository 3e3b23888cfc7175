#!/bin/bash
# mk_idle_on_reqresp.sh: slow start after idle on a keep-alive connection:
# A serves four 200 KB responses, B thinks 0.8-0.9 s between requests
# (longer than the RTO), RTT 40 ms, tcp_slow_start_after_idle = 1, captured
# on A, the server (ss -tin on A's socket is the truth).
NAME=idle_on_reqresp NET=44 PORT=5044 CPORT=43400 SSAI=1 DELAY_MS=20 APP=reqresp \
    BURST=200000 BURSTS=4 IDLE=0.8 . "$(dirname "$0")/idle_bursts.sh"
