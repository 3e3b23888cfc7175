#!/bin/bash
# mk_reuse_rst_v6.sh: mk_reuse.sh over IPv6, each connection aborted with a
# RST (SO_LINGER 0) and the same 4-tuple connected again 0.2 s later.
NAME=reuse_rst_v6 FAM=6 CLOSE=rst SUBNET_ID=81 PORT=5081 exec "$(dirname "$0")/mk_reuse.sh" "$@"
