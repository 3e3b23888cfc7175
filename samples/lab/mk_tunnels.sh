#!/bin/bash
# mk_tunnels.sh: the tunnels this kernel has no device for, built from real
# captures by wrap_tunnel.py: rto.pcap (IPv4 ping-pong through the relay,
# with its TLPs, RTO and stalls) in GRE (key, sequence), GRE-TEB, ERSPAN
# I/II/III, Geneve, GTP-U, 4in4 and 4in6; nagle_rtt20_v6.pcap (IPv6,
# delayed-ACK stalls) in 6in4 and 6in6. The link-level ones too: MPLS (IP,
# and a pseudowire with its control word), PBB, VN-Tag, E-Tag and LLC/SNAP
# around rto.pcap's frames, PPPoE around nagle_rtt20_v6's, and the link
# types PPP (nagle_rtt20_v6), Cisco HDLC and 802.11 with radiotap (rto). Writes samples/tun_KIND.pcap and
# tun_KIND.truth.json: a correct report of each is its source's, event for
# event, with the flow inside the tunnel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${LAB_OUT:-$here/..}
declare -A SRC=([gre]=rto [gretap]=rto [erspan1]=rto [erspan2]=rto [erspan3]=rto [geneve]=rto
                [gtpu]=rto [ipip]=rto [ip4in6]=rto [sit]=nagle_rtt20_v6 [ip6in6]=nagle_rtt20_v6
                [mpls]=rto [mpls_pw]=rto [pppoe]=nagle_rtt20_v6 [pbb]=rto [vntag]=rto [etag]=rto
                [llcsnap]=rto [ppp]=nagle_rtt20_v6 [chdlc]=rto [wlan]=rto)
# link-level encapsulations and link types: the flow's link_encap
declare -A LINK=([mpls]=mpls [mpls_pw]=mpls [pppoe]=pppoe [pbb]=pbb [vntag]=vntag [etag]=etag
                 [llcsnap]=llc_snap [ppp]=ppp [chdlc]=ppp [wlan]=llc_snap)
declare -A KIND=([gre]=gre [gretap]=gre [erspan1]=erspan [erspan2]=erspan [erspan3]=erspan
                 [geneve]=geneve [gtpu]=gtpu [ipip]=ipip [ip4in6]=ipip [sit]=ipip [ip6in6]=ipip)
declare -A ID=([gre]=7 [gretap]=7 [erspan1]=0 [erspan2]=33 [erspan3]=33 [geneve]=42 [gtpu]=4660)
for k in "${!SRC[@]}"; do
    s=${SRC[$k]}
    python3 "$here/wrap_tunnel.py" "$k" "$here/../$s.pcap" "$out/tun_$k.pcap"
    v6=false; [[ $k == ip4in6 || $k == ip6in6 ]] && v6=true
    python3 - "$out/tun_$k.truth.json" "$k" "$s" "${KIND[$k]:-}" "${ID[$k]:-}" "$v6" "${LINK[$k]:-}" <<'PY'
import json, sys
path, k, s, kind, ident, v6, link = sys.argv[1:8]
extra = {"link_encap": [link]} if link else {}
if k == "mpls_pw":  # tshark guesses no pseudowire: it is told which label carries one
    extra["tshark_decode_as"] = ["mpls.label==300,pwethcw"]
json.dump(dict(extra, **{
    "sample": "tun_" + k, "file": "tun_%s.pcap" % k, "format": "pcap", "linktype": "EN10MB",
    "derived": "samples/%s.pcap wrapped offline by samples/lab/wrap_tunnel.py %s" % (s, k),
    "regenerate": "samples/lab/mk_tunnels.sh",
    "source": s, "wrap": k, "encap_kind": kind or None, "encap_id": int(ident) if ident else None,
    "outer": ["2001:db8:100::1", "2001:db8:100::2"] if v6 == "true" else ["198.51.100.1", "198.51.100.2"],
    "expect": {"note": "the report of %s.pcap, event for event (frame numbers aside: the kinds "
                       "that carry IP packets leave the non-IP frames out), each TCP flow %s"
                       % (s, ("with link_encap [%s]" % link) if link else
                          ("inside %s with the outer endpoints, client side first" % kind))},
}), open(path, "w"), indent=1, sort_keys=True)
PY
done
echo "wrote $(ls "$out"/tun_*.pcap | wc -l) tunnel samples"
