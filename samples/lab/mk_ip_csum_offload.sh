#!/bin/bash
# mk_ip_csum_offload.sh: what IPv4 header checksum offload leaves in a
# capture taken on the sending host, applied offline to a real capture made
# on that host: the header checksum field of every IPv4 frame the capturing
# host sent is set to 0x0000 (the NIC would have filled it after the capture
# point; Windows, FreeBSD and macOS hosts with the offload on show exactly
# this, Linux always sums the header itself, so no lab run can). Nothing
# else changes: the frames on the wire were whole, and the peer's kernel
# accepted them (the source capture's truth: its data acknowledged).
#   mk_ip_csum_offload.sh              all three samples
#   mk_ip_csum_offload.sh NAME         one: ip_csum_offload_tx (offload_tx.pcap,
#       a bulk sender whose TCP checksums are partial too), _acks (bulk.pcap,
#       the receiver's ACKs), _reqresp (nagle_rtt80.pcap, a client's requests
#       over the TAP relay at RTT 80 ms)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${LAB_OUT:-$here/..}
one() {  # NAME SOURCE HOST_IP WHAT
python3 - "$here/../$2.pcap" "$out/$1.pcap" "$out/$1.truth.json" "$1" "$2" "$3" "$4" <<'PY'
import json, socket, struct, sys
src, dst, truthf, name, source, host, what = sys.argv[1:8]
data = bytearray(open(src, "rb").read())
assert struct.unpack_from("<I", data, 0)[0] == 0xA1B2C3D4 and struct.unpack_from("<I", data, 20)[0] == 1
hip = socket.inet_aton(host)
edited, others, off, n = [], 0, 24, 0
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    n += 1
    fr = off + 16
    if incl >= 34 and data[fr + 12:fr + 14] == b"\x08\x00":
        if data[fr + 26:fr + 30] == hip:
            edited.append({"frame": n, "ip_checksum_was": "0x%02x%02x" % (data[fr + 24], data[fr + 25])})
            data[fr + 24:fr + 26] = b"\0\0"
        else:
            others += 1
    off = fr + incl
open(dst, "wb").write(data)
st = json.load(open(src[:-5] + ".truth.json"))
json.dump({
    "sample": name, "file": name + ".pcap", "format": "pcap", "linktype": "EN10MB",
    "derived": "samples/%s.pcap edited offline by samples/lab/mk_ip_csum_offload.sh" % source,
    "regenerate": "samples/lab/mk_ip_csum_offload.sh " + name,
    "scenario": "%s, captured on %s. Every IPv4 frame that host sent has its header "
                "checksum set to 0x0000, as IPv4 header checksum offload leaves it before the "
                "NIC: the frames on the wire were whole." % (what, host),
    "capturing_host": host,
    "source": {"sample": source, "capture_point": st.get("capture_point") or st.get("capture_points"),
               "kernel": st.get("kernel")},
    "truth": {"edited_frames": edited, "ipv4_frames_from_the_peer": others},
    "expect": {"ip_csum_offload_frames": [e["frame"] for e in edited], "ip_csum_offload_side": "tx",
               "ip_csum_bad": 0,
               "note": "every edited frame is an ip_csum_offload artifact of the capturing host "
                       "(side tx), none is ip_csum_bad; the source's other findings stay"},
}, open(truthf, "w"), indent=1, sort_keys=True)
print("%s: %d frames edited" % (name, len(edited)))
PY
}
want=${1:-all}
[[ $want == all || $want == ip_csum_offload_tx ]] && one ip_csum_offload_tx offload_tx 10.99.8.1 \
    "A bulk sender with TCP tx checksum offload on (its TCP checksums hold the pseudo-header sum), over veth"
[[ $want == all || $want == ip_csum_offload_acks ]] && one ip_csum_offload_acks bulk 10.99.1.2 \
    "A bulk transfer's receiver, over veth: its frames are the ACKs, TCP checksums valid"
[[ $want == all || $want == ip_csum_offload_reqresp ]] && one ip_csum_offload_reqresp nagle_rtt80 10.99.65.1 \
    "A request/response client (write-write-read) through the TAP relay at RTT 80 ms: its frames are the requests and ACKs, TCP checksums valid"
true
