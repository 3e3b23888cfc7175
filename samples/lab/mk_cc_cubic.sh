#!/bin/bash
# mk_cc_cubic.sh: bulk transfer with cubic (TCP_CONGESTION on the sender's socket)
# at 40 ms RTT through a rate-limited queue with random loss; ss -tin polled
# every ~10 ms in the sender's namespace is the truth (cc_cubic.ss.json).
NAME=cc_cubic NET=37 PORT=5037 CPORT=43070 CCA=cubic
. "$(dirname "$0")/cc_bulk.sh"
