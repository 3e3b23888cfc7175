#!/bin/bash
# mk_vxlan_underlay.sh: mk_vxlan.sh with one tenant (VNI 42), a 300 KB bulk
# transfer, captured on the sending VTEP's underlay with tx offload on.
NAME=vxlan_underlay VNIS=42 APP=bulk ID=90 PORT=5090 CPORT=49000 \
    exec "$(dirname "$0")/mk_vxlan.sh" "$@"
