#!/bin/bash
# mk_vxlan_tenants.sh: mk_vxlan.sh with two tenants (VNI 42 and 43) whose
# request/response connections have the same inner 5-tuple, captured on the
# client's VTEP underlay.
NAME=vxlan_tenants VNIS="42 43" APP=reqresp ID=91 PORT=5091 CPORT=49100 \
    exec "$(dirname "$0")/mk_vxlan.sh" "$@"
