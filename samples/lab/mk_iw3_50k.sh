#!/bin/bash
# mk_iw3_50k.sh: a fresh connection fetches 50,000 bytes; the server's route
# has initcwnd 3, so its first flight is 3 segments (cwnd-limited). 60 ms RTT.
NAME=iw3_50k NET=30 PORT=5030 CPORT=43000 BYTES=50000 INITCWND=3
WHY="The client's window is large (default tcp_rmem: 64,240 bytes in its SYN, more later), so the first flight is limited by cwnd."
. "$(dirname "$0")/iw_fetch.sh"
