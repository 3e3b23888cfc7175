# samples/lab/cwnd_common.sh: helpers of the congestion-window body scripts
# (iw_fetch.sh, cc_bulk.sh, idle_bursts.sh), sourced after common.sh.

# tshark_bad_csum FILE: JSON list of the frames tshark calls bad-checksum,
# with the checksum field: on these samples (tx checksum offload off) the only
# ones are 0xffff, the valid encoding of a zero one's-complement sum.
tshark_bad_csum() {
    tshark_q -r "$1" -o tcp.check_checksum:TRUE -Y 'tcp.checksum.status==0' \
        -T fields -e frame.number -e ip.src -e tcp.checksum | "$PY" -c '
import json, sys
out = []
for line in sys.stdin:
    f = line.split()
    if len(f) == 3:
        out.append({"frame": int(f[0]), "src": f[1], "checksum": f[2]})
print(json.dumps(out))'
}

# tshark_conv_json FILE: tshark's own view, for the record (not a source of
# truth): {"conv_tcp": [conversation lines of -z conv,tcp], "frames": N,
# "tcp_frames": N}
tshark_conv_json() {
    local conv frames tcpf
    conv=$(tshark_q -r "$1" -q -z conv,tcp | sed -n '/<->/p' | sed 's/  */ /g')
    frames=$(tshark_q -r "$1" | wc -l)
    tcpf=$(tshark_q -r "$1" -Y tcp | wc -l)
    "$PY" -c 'import json,sys; print(json.dumps({"conv_tcp": [l for l in sys.argv[1].splitlines() if l], "frames": int(sys.argv[2]), "tcp_frames": int(sys.argv[3]), "conv_tcp_columns": "A <-> B | frames bytes B->A | frames bytes A->B | frames bytes total | rel start | duration"}))' "$conv" "$frames" "$tcpf"
}
