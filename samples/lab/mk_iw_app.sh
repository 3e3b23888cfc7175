#!/bin/bash
# mk_iw_app.sh: initcwnd 10 on the server, but the response is only 3,000
# bytes (3 segments): the first flight is limited by the application.
NAME=iw_app NET=35 PORT=5035 CPORT=43050 BYTES=3000 INITCWND=10
WHY="The client's window is large (default tcp_rmem: 64,240 bytes in its SYN). The response (3,000 bytes = 2 x 1448 + 104) is shorter than the initial window, so the first flight is limited by the application."
. "$(dirname "$0")/iw_fetch.sh"
