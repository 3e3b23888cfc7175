#!/bin/bash
# mk_idle_off.sh: the control for idle_on: the same bursts and gaps with
# tcp_slow_start_after_idle = 0: cwnd survives the idle gaps.
NAME=idle_off NET=40 PORT=5040 CPORT=43100 SSAI=0
. "$(dirname "$0")/idle_bursts.sh"
