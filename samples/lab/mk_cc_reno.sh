#!/bin/bash
# mk_cc_reno.sh: bulk transfer with reno (TCP_CONGESTION on the sender's socket)
# at 40 ms RTT through a rate-limited queue with random loss; ss -tin polled
# every ~10 ms in the sender's namespace is the truth (cc_reno.ss.json).
NAME=cc_reno NET=36 PORT=5036 CPORT=43060 CCA=reno
. "$(dirname "$0")/cc_bulk.sh"
