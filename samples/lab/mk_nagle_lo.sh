#!/bin/bash
# mk_nagle_lo.sh: the Nagle + delayed-ACK ping-pong on loopback (MSS 65483),
# inside a namespace of its own. Each round the client writes 100 then 200
# bytes (no TCP_NODELAY) and reads a 500-byte answer; the server answers after
# reading all 300. Truth: the client's own round times and the namespace's
# TcpExtDelayedACKs counter. Writes samples/nagle_lo.pcap and .truth.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${LAB_OUT:-$here/..}
ns=tlnaglo$$
work=$(mktemp -d)
cleanup() { ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
cat > "$work/pingpong.py" <<'PY'
import json, socket, sys, threading, time
ROUNDS, PORT = 20, 47123
s = socket.socket(); s.bind(("127.0.0.1", PORT)); s.listen()
def serve():
    c, _ = s.accept()
    for _ in range(ROUNDS):
        got = b""
        while len(got) < 300:
            got += c.recv(4096)
        c.sendall(b"y" * 500)
    c.close()
t = threading.Thread(target=serve); t.start()
c = socket.create_connection(("127.0.0.1", PORT))
rounds = []
for _ in range(ROUNDS):
    t0 = time.monotonic()
    c.send(b"a" * 100); c.send(b"b" * 200)
    r = b""
    while len(r) < 500:
        r += c.recv(4096)
    rounds.append(round((time.monotonic() - t0) * 1000, 3))
    time.sleep(0.005)
c.close(); t.join()
json.dump({"rounds": ROUNDS, "round_ms": rounds}, sys.stdout)
PY
nstat_get() { ip netns exec "$ns" nstat -az TcpExtDelayedACKs | awk '/TcpExtDelayedACKs/ {print $2}'; }
before=$(nstat_get)
ip netns exec "$ns" tcpdump -i lo -U -s 200 -w "$work/cap.pcap" port 47123 2>"$work/tcpdump.err" &
tp=$!
for _ in $(seq 50); do grep -q listening "$work/tcpdump.err" && break; sleep 0.1; done
ip netns exec "$ns" python3 "$work/pingpong.py" > "$work/app.json"
sleep 1.2
kill -INT $tp; wait $tp || true
after=$(nstat_get)
cp "$work/cap.pcap" "$out/nagle_lo.pcap"
python3 - "$work/app.json" "$before" "$after" "$work/tcpdump.err" > "$out/nagle_lo.truth.json" <<'PY'
import json, re, sys
app = json.load(open(sys.argv[1]))
slow = [i + 1 for i, ms in enumerate(app["round_ms"]) if ms >= 30]
err = open(sys.argv[4]).read()
drops = re.search(r"(\d+) packets dropped by kernel", err)
json.dump({
    "sample": "nagle_lo", "file": "nagle_lo.pcap", "format": "pcap", "link": "loopback",
    "regenerate": "sudo samples/lab/mk_nagle_lo.sh",
    "scenario": "Write-write-read ping-pong on loopback (MSS 65483) in a namespace of its own: "
                "20 rounds, the client (TCP_NODELAY off) sends 100 then 200 bytes and reads a "
                "500-byte answer; the server answers after reading all 300 bytes. Nagle holds the "
                "second write behind the first's ACK, which the server delays (~40 ms). The "
                "regression it guards: with loopback's huge MSS a receiver-window check that adds "
                "a whole MSS called every such wait receiver_limited.",
    "truth": {"round_ms": app["round_ms"], "slow_round_numbers": slow,
              "rounds_at_or_above_30ms": len(slow),
              "kernel_TcpExtDelayedACKs": int(sys.argv[3]) - int(sys.argv[2]),
              "tcpdump_dropped_by_kernel": int(drops.group(1)) if drops else None},
    "expect": {"stall_cause": "delayed_ack",
               "stalls": "one delayed_ack stall per slow round (truth.rounds_at_or_above_30ms)",
               "csum_bad": 0, "retransmissions": 0},
}, sys.stdout, indent=1, sort_keys=True)
PY
echo "wrote $out/nagle_lo.pcap"
