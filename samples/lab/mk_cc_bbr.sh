#!/bin/bash
# mk_cc_bbr.sh: bulk transfer with bbr (TCP_CONGESTION on the sender's socket)
# at 40 ms RTT through a rate-limited queue with random loss; ss -tin polled
# every ~10 ms in the sender's namespace is the truth (cc_bbr.ss.json).
NAME=cc_bbr NET=38 PORT=5038 CPORT=43080 CCA=bbr
. "$(dirname "$0")/cc_bulk.sh"
