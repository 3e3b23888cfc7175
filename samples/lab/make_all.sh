#!/bin/bash
# make_all.sh: regenerate every sample (root: namespaces, TAPs, tcpdump).
# Usage: sudo samples/lab/make_all.sh [NAME...]   (default: all, in order: the
# samples made offline from others, such as ip_csum_offload, after those)
set -euo pipefail
cd "$(dirname "$0")"
ALL=(bulk reqresp corrupt ipv6 vlan synretry offload_tx offload_tx_off tso tso_off gro nagle cork)
for extra in loss capture_loss zero_window bottleneck rto rst snaplen sll sll2 \
             xen_both offload_tx_ipv6 offload_tx_vlan corrupt_ipv6 \
             iw3_50k iw10_50k iw3_200k iw10_200k iw_rwnd iw_app \
             cc_reno cc_cubic cc_bbr idle_on idle_off nagle_lo ip_csum_bad udp sll_rx \
             cork_reply_rtt2 cork_reply_rtt20_v6 cork_reply_rtt80 \
             reorder_bulk reorder_v6_rtt80 reorder_reqresp_rtt2 reuse_tw reuse_rst_v6 nagle_rtt20_v6 nagle_rtt80 zero_window_rtt20_v6 zero_window_rtt80 capture_loss_ipv6 capture_loss_nagle_rtt80 gro_sll tso_sll idle_on_rtt80_receiver resend_first_bulk resend_first_v6_rtt80 resend_first_reqresp_rtt2 tso_v6_reqresp gro_v6_reqresp idle_on_v6 idle_on_reqresp syn_loss_v6_rtt20 syn_loss_rtt80 tlp_pingpong_v6_rtt20 tlp_pingpong_rtt80 vxlan_underlay vxlan_tenants vxlan_frag ip_csum_offload epb_flags tunnels nflog dumpcap_two; do
    [ -x "mk_$extra.sh" ] && ALL+=("$extra")
done
[ $# -gt 0 ] && ALL=("$@")
fail=()
for s in "${ALL[@]}"; do
    echo "=== $s"
    if ! "./mk_$s.sh"; then
        echo "!!! mk_$s.sh failed" >&2
        fail+=("$s")
    fi
done
if [ ${#fail[@]} -gt 0 ]; then
    echo "failed: ${fail[*]}" >&2
    exit 1
fi
echo "all samples regenerated"
