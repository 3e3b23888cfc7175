#!/bin/bash
# mk_vxlan.sh: TCP inside a kernel VXLAN overlay, captured on the underlay.
# Namespaces A and B share an underlay veth (10.99.ID.1 <-> .2, IPv4). Each
# tenant is a VXLAN device (dstport 4789, one VNI per tenant) created in A or
# B, so its UDP socket stays on the underlay there, then moved into the
# tenant's own namespace (TAn, TBn), where it carries the overlay addresses
# 192.168.42.1 and .2 -- the same for every tenant. So two tenants' inner
# 5-tuples can be identical: only the VNI tells them apart.
# Each tenant runs one transfer from TAn to TBn on the same ports. Offloads
# stay at the kernel's defaults (tx checksum on): the capture on A's underlay
# eth0 sees each VXLAN frame before any NIC, its inner TCP checksum holding
# only the pseudo-header sum and its outer UDP checksum filled by Local
# Checksum Offload (as if the inner one were done).
# The VXLAN MTU is VX_MTU (1450: the underlay's 1500 less the 50 bytes of
# encapsulation; 1500 makes the underlay fragment every full-sized frame).
# Parameters (environment): NAME, VNIS (space-separated, one tenant each),
# APP (bulk or reqresp), ID, PORT, CPORT. Truth: every tenant's kernel
# counters (TcpRetransSegs, TcpInCsumErrors), the applications' results.
. "$(dirname "$0")/common.sh"
NAME=${NAME:-vxlan_underlay}; VNIS=${VNIS:-42}; APP=${APP:-bulk}
ID=${ID:-90}; PORT=${PORT:-5090}; CPORT=${CPORT:-49000}; BYTES=${BYTES:-300000}
lab_init "$NAME"

A=tlvx${ID}A$SFX; B=tlvx${ID}B$SFX
U_A=10.99.$ID.1; U_B=10.99.$ID.2; O_A=192.168.42.1; O_B=192.168.42.2
OUT="$SAMPLES/$NAME.pcap"; TRUTH="$SAMPLES/$NAME.truth.json"
ns_pair "$A" "$B"
ns_nov6 "$A"; ns_nov6 "$B"
ns_addr4 "$A" eth0 $U_A/24; ns_addr4 "$B" eth0 $U_B/24
save_offloads "$A" eth0 A; save_offloads "$B" eth0 B
TEN=()
for vni in $VNIS; do
    ta=tlt${vni}A$SFX; tb=tlt${vni}B$SFX
    ns_add "$ta"; ns_add "$tb"
    for side in A B; do
        if [[ $side == A ]]; then ns=$A; tn=$ta; loc=$U_A; rem=$U_B; ov=$O_A;
        else ns=$B; tn=$tb; loc=$U_B; rem=$U_A; ov=$O_B; fi
        ip -n "$ns" link add vx$vni type vxlan id $vni dstport 4789 local $loc remote $rem
        ip -n "$ns" link set vx$vni mtu ${VX_MTU:-1450}
        ip -n "$ns" link set vx$vni netns "$tn"
        ns_nov6 "$tn"
        ip -n "$tn" addr add $ov/24 dev vx$vni
        ip -n "$tn" link set vx$vni up
    done
    save_offloads "$ta" vx$vni "T${vni}A"
    TEN+=("$vni")
done

for vni in "${TEN[@]}"; do
    tb=tlt${vni}B$SFX
    if [[ $APP == bulk ]]; then
        bg ip netns exec "$tb" "$PY" "$LAB/tcpapp.py" bulk-server --bind $O_B --port $PORT \
            --ready "$WORK/ready$vni" --result "$WORK/server$vni.json"
    else
        bg ip netns exec "$tb" "$PY" "$LAB/tcpapp.py" reqresp-server --bind $O_B --port $PORT \
            --ready "$WORK/ready$vni" --result "$WORK/server$vni.json"
    fi
    eval "SRV$vni=$BG_PID"
    wait_file "$WORK/ready$vni"
    counters_snap "tlt${vni}A$SFX" "$WORK/ta$vni.0.json"; counters_snap "$tb" "$WORK/tb$vni.0.json"
done
counters_snap "$A" "$WORK/a0.json"; counters_snap "$B" "$WORK/b0.json"
cap_start "$A" eth0 "$WORK/cap.pcap" --time-stamp-precision=micro
for vni in "${TEN[@]}"; do
    ta=tlt${vni}A$SFX
    if [[ $APP == bulk ]]; then
        ip netns exec "$ta" "$PY" "$LAB/tcpapp.py" bulk-client --connect $O_B --port $PORT \
            --src-port $CPORT --bytes $BYTES --seed $vni --result "$WORK/client$vni.json"
        eval "wait \$SRV$vni"
    else
        ip netns exec "$ta" "$PY" "$LAB/tcpapp.py" reqresp-client --connect $O_B --port $PORT \
            --src-port $CPORT --exchanges 5 --short-conns 0 --min 2000 --max 30000 \
            --think-min-ms 5 --think-max-ms 10 --seed $vni --result "$WORK/client$vni.json"
        sleep 0.2
        eval "kill -TERM \$SRV$vni; wait \$SRV$vni || true"
    fi
done
cap_stop
counters_snap "$A" "$WORK/a1.json"; counters_snap "$B" "$WORK/b1.json"
TENJ="{"
for vni in "${TEN[@]}"; do
    counters_snap "tlt${vni}A$SFX" "$WORK/ta$vni.1.json"; counters_snap "tlt${vni}B$SFX" "$WORK/tb$vni.1.json"
    counters_delta "$WORK/ta$vni.0.json" "$WORK/ta$vni.1.json" >"$WORK/kta$vni.json"
    counters_delta "$WORK/tb$vni.0.json" "$WORK/tb$vni.1.json" >"$WORK/ktb$vni.json"
    TENJ+="\"$vni\": {\"kernel_A\": $(cat "$WORK/kta$vni.json"), \"kernel_B\": $(cat "$WORK/ktb$vni.json"), \"client\": $(cat "$WORK/client$vni.json"), \"server\": $(cat "$WORK/server$vni.json"), \"offloads_A\": $(cat "$WORK/offloads.T${vni}A.json")},"
done
TENJ="${TENJ%,}}"
echo "$TENJ" >"$WORK/tenants.json"
cp "$WORK/cap.pcap" "$OUT"; check_size "$OUT"
counters_delta "$WORK/a0.json" "$WORK/a1.json" >"$WORK/ka.json"
counters_delta "$WORK/b0.json" "$WORK/b1.json" >"$WORK/kb.json"
tcount() { tshark_q -r "$OUT" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -Y "$1" | wc -l; }
cat >"$WORK/tshark.json" <<J
{"method": "tshark display-filter counts (VXLAN decoded on udp 4789 by default; not an analyzer)",
 "frames": $(tcount frame), "vxlan_frames": $(tcount vxlan),
 "tcp_streams": $(tshark_q -r "$OUT" -T fields -e tcp.stream | sort -u | grep -c .),
 "inner_tcp_checksum_bad": $(tcount "tcp.checksum.status==0"),
 "outer_udp_checksum_bad": $(tcount "udp.checksum.status==0")}
J
"$PY" "$LAB/truth.py" "$TRUTH" \
    sample=$NAME file=$NAME.pcap format=pcap timestamp_precision=micro linktype=EN10MB \
    "scenario=$APP over a kernel VXLAN overlay (UDP 4789), tenants (VNI) ${TEN[*]}, each from 192.168.42.1:$CPORT to 192.168.42.2:$PORT (the same inner 5-tuple in every tenant). Underlay: veth $U_A <-> $U_B, offloads at the kernel's defaults (tx checksum on). Captured on A's underlay eth0: the VXLAN frames before any NIC." \
    link=veth+vxlan underlay_client=$U_A underlay_server=$U_B program=$APP \
    capture_point="A eth0 (underlay), the sending VTEP" vnis:="[$(echo ${TEN[*]} | tr ' ' ,)]" \
    offloads.A@="$WORK/offloads.A.json" offloads.B@="$WORK/offloads.B.json" \
    tenants@="$WORK/tenants.json" tshark_counts@="$WORK/tshark.json" \
    "expect.note=One TCP connection per tenant, inside VXLAN: as many connections as tenants, each named by its VNI and the underlay addresses, none merged with another although their inner 5-tuples are equal. Every inner TCP checksum A sent holds the pseudo-header sum (tx offload, completed by the virtual NIC: the tenants' kernels count no TcpInCsumErrors) and every outer UDP checksum was filled by Local Checksum Offload: offload artifacts, no checksum called corruption. No retransmission unless a tenant's kernel counted one." \
    kernel.A@="$WORK/ka.json" kernel.B@="$WORK/kb.json" tcpdump:="$CAP_STATS" \
    regenerate="sudo samples/lab/mk_$NAME.sh"
echo "wrote $OUT ($(file_size "$OUT") bytes) and $TRUTH"
cat "$WORK/tshark.json"
