#!/usr/bin/env bash
# fuzz/make_corpus.sh — seed corpora for the harnesses, cut from samples/.
#   fuzz/make_corpus.sh [OUTDIR] [TCPLENS_BINARY]
# OUTDIR (default build-fuzz/seeds) gets one folder per harness:
#   decode/         single frames: a control byte (link type) + the frame
#   pipeline/       the first frames of each capture in fuzz/frames.h's format
#                   (whole frames, and frames cut to 128 bytes)
#   pcap/           the first ~8 KB of each capture, whole records/blocks
#   report_read/    samples/expected/*.json under 32 KB (and JSONL reports of
#                   a few small samples when a tcplens binary is given)
#   pcapng_writer/  a few frames with comments, flags and packet ids
# Seeds are generated at test time (nothing here is committed): a few MB.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build-fuzz/seeds}
bin=${2:-}
rm -rf "$out"
mkdir -p "$out"/{decode,pipeline,pcap,report_read,pcapng_writer}

python3 - "$root/samples" "$out" <<'PY'
import glob, os, struct, sys
samples, out = sys.argv[1], sys.argv[2]
DLT_INDEX = {1: 0, 113: 1, 276: 2, 101: 3, 228: 4, 229: 5, 0: 6, 108: 7}

def pcap_records(b):
    """(linktype, [(ts_ns, caplen, wirelen, data, end_offset)]) of a pcap."""
    magic = b[:4]
    e = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
    lt = struct.unpack(e + 'I', b[20:24])[0] & 0xffff
    off, recs = 24, []
    while off + 16 <= len(b):
        s, sub, cap, wire = struct.unpack(e + 'IIII', b[off:off + 16])
        if off + 16 + cap > len(b):
            break
        ts = s * 10**9 + (sub if nano else sub * 1000)
        recs.append((ts, cap, wire, b[off + 16:off + 16 + cap], off + 16 + cap))
        off += 16 + cap
    return lt, recs

def pcapng_records(b):
    """The same for a little-endian pcapng with one interface (if_tsresol 6 or 9)."""
    off, lt, res, recs = 0, 1, 6, []
    while off + 12 <= len(b):
        t, ln = struct.unpack('<II', b[off:off + 8])
        if ln < 12 or off + ln > len(b):
            break
        body = b[off + 8:off + ln - 4]
        if t == 1:
            lt = struct.unpack('<H', body[:2])[0]
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack('<HH', body[o:o + 4])
                if code == 0:
                    break
                if code == 9:
                    res = body[o + 4]
                o += 4 + (olen + 3) // 4 * 4
        elif t == 6:
            _, hi, lo, cap, wire = struct.unpack('<IIIII', body[:20])
            units = hi << 32 | lo
            ts = units * 10**(9 - res) if res <= 9 else units
            recs.append((ts, cap, wire, body[20:20 + cap], off + ln))
        off += ln
    return lt, recs

def frames_seed(dlt, recs, cut, limit):
    """fuzz/frames.h: u8 dlt, u8 opts (JSON), frames with a 10-byte header."""
    out, prev = bytearray([dlt, 1]), recs[0][0] if recs else 0
    for ts, cap, wire, data, _ in recs:
        data = data[:cut]
        delta = max(0, min((ts - prev) // 1000, 0xffffffff))
        prev = ts
        frame = struct.pack('<HHBBI', len(data), min(wire - len(data), 0xffff), 3, 0, delta) + data
        if len(out) + len(frame) > limit:
            break
        out += frame
    return bytes(out)

def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)

for path in sorted(glob.glob(os.path.join(samples, '*.pcap*'))):
    name = os.path.basename(path).split('.')[0]
    with open(path, 'rb') as f:
        b = f.read()
    lt, recs = (pcapng_records if b[:4] == b'\x0a\x0d\x0d\x0a' else pcap_records)(b)
    dlt = DLT_INDEX.get(lt)
    if dlt is None or not recs:
        continue
    # decode: frames 1-6, then every 40th up to 12 frames, at most 2 KB each
    picks = recs[:6] + recs[6::40][:6]
    for i, r in enumerate(picks):
        write(f'{out}/decode/{name}_{i}', bytes([dlt]) + r[3][:2048])
    # pipeline: whole frames (12 KB) and frames cut to 128 bytes (16 KB)
    write(f'{out}/pipeline/{name}_whole', frames_seed(dlt, recs, 65535, 12288))
    write(f'{out}/pipeline/{name}_cut', frames_seed(dlt, recs, 128, 16384))
    # pcap: the file up to the last whole record within 8 KB
    end = max([r[4] for r in recs if r[4] <= 8192] or [min(len(b), 8192)])
    write(f'{out}/pcap/{name}', b[:end])

# pipeline floods (Ethernet, IPv4): SYNs from 200 client ports (over the
# harness's 32-flow cap: evictions), and one connection's ACKs each carrying
# four SACK blocks.
def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def tcp_frame(sport, dport, seq, ack, flags, opts=b'', payload=b''):
    src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    opts += b'\1' * (-len(opts) % 4)
    hl = 20 + len(opts)
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, hl // 4 << 4, flags, 65535, 0, 0)
    tcp += opts + payload
    c = csum(src + dst + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack('!H', c) + tcp[18:]
    ip = struct.pack('!BBHHHBBH', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0) + src + dst
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\2' * 6 + b'\4' * 6 + b'\x08\0' + ip + tcp

syn_opts = b'\2\4\5\xb4\4\2\3\3\7'
flood = [(i * 1000, 0, 0, tcp_frame(40000 + i, 80, i * 7919, 0, 2, syn_opts), 0)
         for i in range(200)]
flood = [(t, len(d), len(d), d, 0) for t, _, _, d, _ in flood]
write(f'{out}/pipeline/flood_syn', frames_seed(0, flood, 65535, 16384))
sacks, seq = [], 1000
for i in range(120):
    blocks = b''.join(struct.pack('!II', seq + 3000 * k + 1448, seq + 3000 * k + 2896)
                      for k in range(4))
    d = tcp_frame(80, 40000, 5000, seq, 0x10, b'\1\1\5\x22' + blocks)
    sacks.append((i * 200000, len(d), len(d), d, 0))
    seq += 1448
write(f'{out}/pipeline/flood_sack', frames_seed(0, sacks, 65535, 16384))

# pcapng_writer: link type, then packets (see fuzz_pcapng_writer.c)
with open(os.path.join(samples, 'rst.pcap'), 'rb') as f:
    _, recs = pcap_records(f.read())
for n in (1, 3, 8):
    seed = bytearray([0x80])
    for i, (ts, cap, wire, data, _) in enumerate(recs[:n]):
        comments = [b'rst: reset by server', b'retransmission (rto)'][:i % 3]
        opts = 1 | (2 if i % 2 else 0) | len(comments) << 2
        seed += struct.pack('<HHBQ', cap, wire - cap, opts, ts) + struct.pack('<I', i % 4)
        if i % 2:
            seed += struct.pack('<Q', i + 1)
        for c in comments:
            seed += bytes([len(c)]) + c
        seed += data
    write(f'{out}/pcapng_writer/rst_{n}', bytes(seed))
PY

for f in "$root"/samples/expected/*.json; do
  (( $(stat -c %s "$f") <= 32768 )) && cp "$f" "$out/report_read/"
done
if [[ -n "$bin" && -x "$bin" ]]; then
  for s in rst synretry iw_app rto; do
    "$bin" -r "$root/samples/$s.pcap" --format jsonl -o "$out/report_read/$s.jsonl" 2>/dev/null || true
  done
fi
for d in "$out"/*/; do
  printf '%-16s %4d seeds %6d KB\n' "$(basename "$d")" "$(ls "$d" | wc -l)" "$(du -sk "$d" | cut -f1)"
done
