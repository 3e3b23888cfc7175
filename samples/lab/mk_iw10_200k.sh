#!/bin/bash
# mk_iw10_200k.sh: a fresh connection fetches 200000 bytes; the server's route has
# initcwnd 10, so its first flight is 10 segments (cwnd-limited). 60 ms RTT.
NAME=iw10_200k NET=33 PORT=5033 CPORT=43030 BYTES=200000 INITCWND=10
WHY="The client's window is large (default tcp_rmem: 64,240 bytes in its SYN, more later), so the first flight is limited by cwnd."
. "$(dirname "$0")/iw_fetch.sh"
