#!/bin/bash
# mk_tunnels.sh: the tunnels this kernel has no device for, built from real
# captures by wrap_tunnel.py: rto.pcap (IPv4 ping-pong through the relay,
# with its TLPs, RTO and stalls) in GRE (key, sequence), GRE-TEB, ERSPAN
# I/II/III, Geneve, GTP-U, 4in4 and 4in6; nagle_rtt20_v6.pcap (IPv6,
# delayed-ACK stalls) in 6in4 and 6in6. Writes samples/tun_KIND.pcap and
# tun_KIND.truth.json: a correct report of each is its source's, event for
# event, with the flow inside the tunnel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${LAB_OUT:-$here/..}
declare -A SRC=([gre]=rto [gretap]=rto [erspan1]=rto [erspan2]=rto [erspan3]=rto [geneve]=rto
                [gtpu]=rto [ipip]=rto [ip4in6]=rto [sit]=nagle_rtt20_v6 [ip6in6]=nagle_rtt20_v6)
declare -A KIND=([gre]=gre [gretap]=gre [erspan1]=erspan [erspan2]=erspan [erspan3]=erspan
                 [geneve]=geneve [gtpu]=gtpu [ipip]=ipip [ip4in6]=ipip [sit]=ipip [ip6in6]=ipip)
declare -A ID=([gre]=7 [gretap]=7 [erspan1]=0 [erspan2]=33 [erspan3]=33 [geneve]=42 [gtpu]=4660)
for k in "${!SRC[@]}"; do
    s=${SRC[$k]}
    python3 "$here/wrap_tunnel.py" "$k" "$here/../$s.pcap" "$out/tun_$k.pcap"
    v6=false; [[ $k == ip4in6 || $k == ip6in6 ]] && v6=true
    python3 - "$out/tun_$k.truth.json" "$k" "$s" "${KIND[$k]}" "${ID[$k]:-}" "$v6" <<'PY'
import json, sys
path, k, s, kind, ident, v6 = sys.argv[1:7]
json.dump({
    "sample": "tun_" + k, "file": "tun_%s.pcap" % k, "format": "pcap", "linktype": "EN10MB",
    "derived": "samples/%s.pcap wrapped offline by samples/lab/wrap_tunnel.py %s" % (s, k),
    "regenerate": "samples/lab/mk_tunnels.sh",
    "source": s, "wrap": k, "encap_kind": kind, "encap_id": int(ident) if ident else None,
    "outer": ["2001:db8:100::1", "2001:db8:100::2"] if v6 == "true" else ["198.51.100.1", "198.51.100.2"],
    "expect": {"note": "the report of %s.pcap, event for event (frame numbers aside: the kinds "
                       "that carry IP packets leave the non-IP frames out), each TCP flow "
                       "inside %s with the outer endpoints, client side first" % (s, kind)},
}, open(path, "w"), indent=1, sort_keys=True)
PY
done
echo "wrote $(ls "$out"/tun_*.pcap | wc -l) tunnel samples"
