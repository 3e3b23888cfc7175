#!/bin/bash
# mk_reuse_tw.sh: mk_reuse.sh over IPv4, each connection closed with a FIN:
# the client reuses its own TIME_WAIT 4-tuple (tcp_tw_reuse).
NAME=reuse_tw FAM=4 CLOSE=fin SUBNET_ID=80 PORT=5080 exec "$(dirname "$0")/mk_reuse.sh" "$@"
