#!/bin/bash
# mk_syn_loss_v6_rtt20.sh: mk_syn_loss.sh over IPv6 at RTT 20 ms, captured
# at the client: the first connection's SYN lost once, the second's SYN-ACK.
NAME=syn_loss_v6_rtt20 RTT_MS=20 FAM=6 DROP=a2b:1,b2a:2 CONNS=3 CAP_AT=A SUBNET_ID=77 PORT=5077 \
    CPORT=47700 exec "$(dirname "$0")/mk_syn_loss.sh" "$@"
