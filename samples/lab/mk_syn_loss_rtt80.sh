#!/bin/bash
# mk_syn_loss_rtt80.sh: mk_syn_loss.sh over IPv4 at RTT 80 ms, captured at
# the server: the first connection's SYN lost twice, the third's SYN-ACK.
NAME=syn_loss_rtt80 RTT_MS=80 FAM=4 DROP=a2b:1,a2b:2,b2a:3 CONNS=3 CAP_AT=B SUBNET_ID=78 PORT=5078 \
    CPORT=47800 exec "$(dirname "$0")/mk_syn_loss.sh" "$@"
