#!/bin/bash
# mk_iw3_200k.sh: a fresh connection fetches 200000 bytes; the server's route has
# initcwnd 3, so its first flight is 3 segments (cwnd-limited). 60 ms RTT.
NAME=iw3_200k NET=32 PORT=5032 CPORT=43020 BYTES=200000 INITCWND=3
WHY="The client's window is large (default tcp_rmem: 64,240 bytes in its SYN, more later), so the first flight is limited by cwnd."
. "$(dirname "$0")/iw_fetch.sh"
