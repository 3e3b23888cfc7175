#!/bin/bash
# mk_frags.sh: IP fragments of every shape a path delivers, built from real
# captures by frag_capture.py (the kernel here fragments only what its MTU
# forces: mk_vxlan_frag.sh is that case).
#   frag_rto          rto.pcap (IPv4 ping-pong, TLPs, an RTO), 256-byte
#                     fragments in order, every 4th datagram's first
#                     fragment sent twice
#   frag_rto_tiny     rto.pcap, a first fragment of 8 bytes that cuts every
#                     TCP header in two (the SYN too), the rest 64 bytes,
#                     arriving in reverse order
#   frag_nagle_v6     nagle_rtt20_v6.pcap (IPv6 request/response with
#                     delayed-ACK stalls), 128-byte fragments shuffled,
#                     every 3rd datagram's first fragment twice
#   frag_iw10         iw10_50k.pcap (IPv4 bulk, initial window 10), cut at a
#                     576-byte MTU (552 bytes of data) as a router does
# Writes samples/frag_NAME.pcap and frag_NAME.truth.json: the truth is the
# source's report (the same flows and events, frame numbers aside) and the
# script's own account of what it cut (datagrams, fragments, duplicates, the
# bytes the fragments' headers add), with tshark's counts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${LAB_OUT:-$here/..}
declare -A SRC=([rto]=rto [rto_tiny]=rto [nagle_v6]=nagle_rtt20_v6 [iw10]=iw10_50k)
declare -A OPTS=([rto]="--size 256 --dup-every 4" [rto_tiny]="--tiny-first --size 64 --order reverse"
                 [nagle_v6]="--size 128 --order shuffle --dup-every 3" [iw10]="--size 552")
for k in "${!SRC[@]}"; do
    s=${SRC[$k]} name=frag_$k
    work=$(mktemp -d)
    # shellcheck disable=SC2086
    python3 "$here/frag_capture.py" "$here/../$s.pcap" "$out/$name.pcap" "$work/log.json" ${OPTS[$k]}
    tshark -n -r "$out/$name.pcap" -T fields -e tcp.stream 2>/dev/null | sort -u | grep -c . \
        >"$work/streams" || true
    tshark -n -r "$out/$name.pcap" -T fields -e ip.fragment.count -e ipv6.fragment.count \
        2>/dev/null | grep -c '[0-9]' >"$work/reasm" || true
    python3 "$here/truth.py" "$out/$name.truth.json" \
        sample=$name file=$name.pcap format=pcap linktype=EN10MB source=$s \
        "derived=samples/$s.pcap fragmented offline by samples/lab/frag_capture.py ${OPTS[$k]}" \
        regenerate=samples/lab/mk_frags.sh cut@="$work/log.json" \
        tshark_counts.tcp_streams:="$(cat "$work/streams")" \
        tshark_counts.datagrams_reassembled:="$(cat "$work/reasm")" \
        "expect.note=the report of $s.pcap, event for event and flow for flow (frame numbers aside; a flow's bytes grow by its fragments' extra headers), every fragmented datagram reassembled once, a duplicate fragment dropped (one after its datagram was whole starts one that never completes)"
    rm -rf "$work"
done
echo "wrote $(ls "$out"/frag_*.pcap | wc -l) fragment samples"
