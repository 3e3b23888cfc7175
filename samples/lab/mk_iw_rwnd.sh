#!/bin/bash
# mk_iw_rwnd.sh: initcwnd 10 on the server, but the client's route has
# initrwnd 2: its SYN advertises 2 x 1460 = 2,920 bytes, so the server's
# first flight is 2 segments (limited by the receiver's window). 60 ms RTT.
NAME=iw_rwnd NET=34 PORT=5034 CPORT=43040 BYTES=50000 INITCWND=10 INITRWND=2
WHY="The client's route has initrwnd 2 (ip route replace ... initrwnd 2 in the client's namespace), so its SYN advertises 2 x 1460 = 2,920 bytes and the first flight is limited by the receiver's window, not by cwnd."
. "$(dirname "$0")/iw_fetch.sh"
