#!/bin/bash
# mk_vxlan_frag.sh: mk_vxlan.sh with the VXLAN MTU at 1500, the underlay's
# own: every full-sized tenant frame plus its 50 bytes of encapsulation is
# too long for the underlay, and the sending VTEP's kernel fragments the
# outer UDP datagram (IpFragOKs, IpFragCreates; the receiver's IpReasmOKs).
# The capture on the underlay sees only fragments of those datagrams.
NAME=vxlan_frag VNIS="44" APP=bulk ID=92 PORT=5092 CPORT=49200 BYTES=200000 VX_MTU=1500 \
    exec "$(dirname "$0")/mk_vxlan.sh" "$@"
