#!/bin/bash
# mk_ip_csum_bad.sh: a middlebox that decrements the TTL of three frames and
# forgets to fix the IPv4 header checksum, applied offline to the real bulk
# capture (samples/bulk.pcap): frames 100, 200 and 300 get TTL-1 and keep
# their old header checksum. TTL is not in TCP's pseudo-header, so their TCP
# checksums stay valid. Writes samples/ip_csum_bad.pcap and .truth.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${LAB_OUT:-$here/..}
python3 - "$here/../bulk.pcap" "$out/ip_csum_bad.pcap" "$out/ip_csum_bad.truth.json" <<'PY'
import json, struct, sys
src, dst, truthf = sys.argv[1:4]
data = bytearray(open(src, "rb").read())
assert struct.unpack_from("<I", data, 0)[0] == 0xA1B2C3D4 and struct.unpack_from("<I", data, 20)[0] == 1
targets, done, off, n = {100, 200, 300}, [], 24, 0
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    n += 1
    fr = off + 16
    if n in targets:
        assert data[fr + 12:fr + 14] == b"\x08\x00" and data[fr + 23] == 6, "not IPv4/TCP"
        old = data[fr + 22]
        data[fr + 22] = old - 1           # TTL, checksum left as it was
        done.append({"frame": n, "ttl_before": old, "ttl_after": old - 1,
                     "ip_checksum_kept": "0x%02x%02x" % (data[fr + 24], data[fr + 25])})
    off = fr + incl
open(dst, "wb").write(data)
json.dump({
    "sample": "ip_csum_bad", "file": "ip_csum_bad.pcap", "format": "pcap",
    "derived": "samples/bulk.pcap edited offline by samples/lab/mk_ip_csum_bad.sh",
    "regenerate": "samples/lab/mk_ip_csum_bad.sh",
    "scenario": "A middlebox decremented the TTL of frames 100, 200 and 300 without "
                "updating the IPv4 header checksum. TTL is outside TCP's pseudo-header: "
                "their TCP checksums are still valid.",
    "truth": {"edited_frames": done},
    "expect": {"ip_csum_bad_frames": [d["frame"] for d in done], "csum_bad": 0,
               "csum_offload": 0},
}, open(truthf, "w"), indent=1, sort_keys=True)
PY
echo "wrote $out/ip_csum_bad.pcap"
