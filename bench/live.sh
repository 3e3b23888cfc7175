#!/usr/bin/env bash
# bench/live.sh: live capture speed. The highest rate at which tcplens
# (tpacket3, analyzing as it captures; one ring, or a PACKET_FANOUT group of
# two with --threads 2) and `tcpdump -w /dev/null` each capture TCP
# transfers on a veth pair without a single kernel drop, their ratio, and
# the CPU share of the capturer's busiest thread at that rate.
#
# Two namespaces of our own joined by a veth pair (tcplens-bench-<pid>-a/b,
# deleted on exit; the traffic stays inside them). TSO and GSO are off on the
# sender's veth, so every segment is one frame (LIVE_MSS bytes of payload,
# 88 by default: a small MSS makes the capture side, not the link, the
# limit) and the rate is a packet rate (with TSO on, 64 KB super-frames make
# any capture look fast). LIVE_FLOWS concurrent connections (8) share the
# rate, each paced by the kernel (SO_MAX_PACING_RATE); each trial sends
# LIVE_SECS seconds of data at the rate under test while the capturer runs,
# then the capturer is stopped and its drop count read (tcplens: the report's
# capture.kernel_drops; tcpdump: "N packets dropped by kernel"). Rates double
# from LIVE_START until a drop (or the link cannot go faster), then bisect.
#
# Usage (root):  bench/live.sh            # writes a section to stdout
#   TCPLENS=build/tcplens  LIVE_SECS=2  LIVE_START=25 (MB/s)  LIVE_BISECT=4
#   LIVE_FLOWS=8  LIVE_MSS=88
#   LIVE_TOOLS="tcplens tcplens-fanout2 tcpdump tcpdump-B64M"
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
TCPLENS=${TCPLENS:-$ROOT/build/tcplens}
XFER=$ROOT/tests/live/xfer.py
LIVE_SECS=${LIVE_SECS:-2}
LIVE_START=${LIVE_START:-25}
LIVE_BISECT=${LIVE_BISECT:-4}
LIVE_TOOLS=${LIVE_TOOLS:-tcplens tcplens-fanout2 tcpdump tcpdump-B64M}
LIVE_FLOWS=${LIVE_FLOWS:-8}
LIVE_MSS=${LIVE_MSS:-88}
PY=${PYTHON:-python3}

[ "$(id -u)" -eq 0 ] || { echo "bench/live.sh needs root (namespaces, raw sockets)" >&2; exit 1; }
[ -x "$TCPLENS" ] || { echo "no tcplens at $TCPLENS (build it, or set TCPLENS)" >&2; exit 1; }

A=tcplens-bench-$$-a
B=tcplens-bench-$$-b
TMP=$(mktemp -d /tmp/tcplens-bench-live.XXXXXX)
RX_PID=""
cleanup() {
    set +e
    [ -n "$RX_PID" ] && kill "$RX_PID" 2>/dev/null && wait "$RX_PID" 2>/dev/null
    ip netns del "$A" 2>/dev/null
    ip netns del "$B" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$A"
ip netns add "$B"
ip link add eth0 netns "$A" type veth peer name eth0 netns "$B"
for ns in "$A" "$B"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$ns" link set lo up
done
ip -n "$A" addr add 10.78.0.1/24 dev eth0
ip -n "$B" addr add 10.78.0.2/24 dev eth0
ip -n "$A" link set eth0 up
ip -n "$B" link set eth0 up
ip netns exec "$A" ethtool -K eth0 tso off gso off >/dev/null

ip netns exec "$B" "$PY" "$XFER" recv 5001 >"$TMP/recv.out" &
RX_PID=$!
sleep 0.5

# capture_start TOOL: start the capturer on A's eth0, wait until it listens.
capture_start() {
    local tool=$1
    : >"$TMP/cap.err"
    case $tool in
    tcplens)
        ip netns exec "$A" "$TCPLENS" -i eth0 --format json -o "$TMP/cap.json" tcp 2>"$TMP/cap.err" &
        CAP_PID=$!
        ;;
    tcplens-fanout2)
        ip netns exec "$A" "$TCPLENS" -i eth0 --threads 2 --format json -o "$TMP/cap.json" tcp \
            2>"$TMP/cap.err" &
        CAP_PID=$!
        ;;
    tcpdump)
        ip netns exec "$A" tcpdump -i eth0 -s 0 -w /dev/null tcp 2>"$TMP/cap.err" &
        CAP_PID=$!
        ;;
    tcpdump-B64M)
        ip netns exec "$A" tcpdump -i eth0 -s 0 -B 65536 -w /dev/null tcp 2>"$TMP/cap.err" &
        CAP_PID=$!
        ;;
    esac
    for _ in $(seq 100); do
        if grep -qE "listening on|capturing on" "$TMP/cap.err"; then
            thread_cpu >"$TMP/cpu0"
            CPU_T0=$(date +%s.%N)
            return 0
        fi
        sleep 0.05
    done
    echo "capturer $tool did not start: $(cat "$TMP/cap.err")" >&2
    exit 1
}

# thread_cpu: "tid ticks" for each thread of the capturer (utime + stime).
thread_cpu() {
    for st in /proc/"$CAP_PID"/task/*/stat; do
        sed -E 's/^([0-9]+) \(.*\) (.*)$/\1 \2/' "$st" | awk '{print $1, $13 + $14}'
    done 2>/dev/null
}

# capture_stop TOOL: stop it, print its kernel drop count; the busiest
# thread's share of one core over the trial goes to $TMP/cpu.out.
capture_stop() {
    local tool=$1
    sleep 0.3
    thread_cpu >"$TMP/cpu1"
    "$PY" - "$TMP/cpu0" "$TMP/cpu1" "$CPU_T0" "$(date +%s.%N)" "$(getconf CLK_TCK)" \
        >"$TMP/cpu.out" <<'PYEOF'
import sys
a = dict(l.split() for l in open(sys.argv[1]))
b = dict(l.split() for l in open(sys.argv[2]))
wall, hz = float(sys.argv[4]) - float(sys.argv[3]), float(sys.argv[5])
shares = sorted(((int(v) - int(a.get(k, 0))) / hz / wall for k, v in b.items()), reverse=True)
print("%.0f%%" % (100 * shares[0]), "+".join("%.0f" % (100 * x) for x in shares if x >= 0.01))
PYEOF
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    if [ "${tool%%-*}" = tcplens ]; then
        "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["capture"]["kernel_drops"])' "$TMP/cap.json"
    else
        sed -nE 's/^([0-9]+) packets? dropped by kernel.*/\1/p' "$TMP/cap.err"
    fi
}

# trial TOOL RATE: "drops achieved_MBps busiest_thread_cpu" into
# $TMP/trial.out, for LIVE_SECS seconds at RATE MB/s over LIVE_FLOWS
# connections.
trial() {
    local tool=$1 rate=$2
    local bytes each
    bytes=$("$PY" -c "print(int($rate * 1e6 * $LIVE_SECS / $LIVE_FLOWS))")
    each=$("$PY" -c "print($rate / $LIVE_FLOWS)")
    capture_start "$tool"
    local t0 t1 pids=()
    t0=$(date +%s.%N)
    for i in $(seq "$LIVE_FLOWS"); do
        ip netns exec "$A" "$PY" "$XFER" send 10.78.0.2 5001 "$bytes" --rate "$each" \
            --chunk 262144 --mss "$LIVE_MSS" >/dev/null 2>"$TMP/send.err.$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
    t1=$(date +%s.%N)
    capture_stop "$tool" >"$TMP/drops.out"   # not in $(): wait needs this shell
    local drops
    drops=$(cat "$TMP/drops.out")
    echo "$drops $("$PY" -c "print('%.0f' % ($bytes * $LIVE_FLOWS / 1e6 / ($t1 - $t0)))") \
$(cut -d' ' -f1 "$TMP/cpu.out")" >"$TMP/trial.out"
    cp "$TMP/cpu.out" "$TMP/cpu.$tool.$rate"
}

# best TOOL: the highest paced rate with zero drops; prints "rate achieved".
best() {
    local tool=$1 rate=$LIVE_START ok=0 okach=0 bad=0
    while :; do
        trial "$tool" "$rate" >&2
        read -r drops ach cpu <"$TMP/trial.out"
        [ -n "${ach:-}" ] || { echo "trial failed: $(cat "$TMP/trial.out" "$TMP/cap.err" "$TMP/send.err")" >&2; exit 1; }
        echo "  $tool at $rate MB/s: achieved $ach MB/s, $drops drops, busiest thread $cpu" >&2
        if [ "$drops" = 0 ]; then
            ok=$rate; okach=$ach
            # the link is the limit, not the capture
            if [ "$ach" -lt $((rate * 3 / 4)) ]; then echo "$ok $okach link"; return; fi
            rate=$((rate * 2))
        else
            bad=$rate
            break
        fi
    done
    for _ in $(seq "$LIVE_BISECT"); do
        rate=$(((ok + bad) / 2))
        [ "$rate" -le "$ok" ] && break
        trial "$tool" "$rate" >&2
        read -r drops ach cpu <"$TMP/trial.out"
        [ -n "${ach:-}" ] || { echo "trial failed: $(cat "$TMP/trial.out" "$TMP/cap.err" "$TMP/send.err")" >&2; exit 1; }
        echo "  $tool at $rate MB/s: achieved $ach MB/s, $drops drops, busiest thread $cpu" >&2
        if [ "$drops" = 0 ]; then ok=$rate; okach=$ach; else bad=$rate; fi
    done
    echo "$ok $okach capture"
}

declare -A RES
for tool in $LIVE_TOOLS; do
    RES[$tool]=$(best "$tool")
done

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
echo
echo "## Live capture: highest drop-free rate on a veth pair"
echo
FRAME=$((LIVE_MSS + 66))   # payload + TCP with timestamps + IPv4 + Ethernet
echo "$LIVE_FLOWS TCP transfers at once between two namespaces, MSS $LIVE_MSS and TSO/GSO off on"
echo "the sender ($FRAME-byte frames), each paced by SO_MAX_PACING_RATE, ${LIVE_SECS} s a trial, capture"
echo "on the sender's veth; rates doubled from ${LIVE_START} MB/s until a drop, then bisected ${LIVE_BISECT} times."
echo "tcplens analyzes as it captures (JSON report); tcpdump only writes to /dev/null. CPU:"
echo "each thread's share of one core over that trial (/proc/PID/task), busiest first."
echo
echo "| capturer | command | highest rate without drops | frames/s | limited by | busiest thread (all threads) |"
echo "|---|---|---:|---:|---|---|"
for tool in $LIVE_TOOLS; do
    read -r r ach lim <<<"${RES[$tool]}"
    case $tool in
    tcplens) cmd='tcplens -i eth0 --format json -o F tcp' ;;
    tcplens-fanout2) cmd='tcplens -i eth0 --threads 2 --format json -o F tcp' ;;
    tcpdump) cmd='tcpdump -i eth0 -s 0 -w /dev/null tcp' ;;
    tcpdump-B64M) cmd='tcpdump -i eth0 -s 0 -B 65536 -w /dev/null tcp' ;;
    esac
    fps=$("$PY" -c "print('%.0f' % ($ach * 1e6 / $FRAME))")
    read -r busiest all <"$TMP/cpu.$tool.$r" || true
    echo "| $tool | \`$cmd\` | $ach MB/s (paced $r) | $fps | $lim | $busiest ($all) |"
done
read -r _ tl _ <<<"${RES[tcplens]:-0 0 -}"
for tool in $LIVE_TOOLS; do
    [ "${tool%%-*}" = tcplens ] && continue
    read -r _ td _ <<<"${RES[$tool]}"
    [ "${td:-0}" -gt 0 ] && echo && echo "tcplens / $tool: $("$PY" -c "print('%.2f' % ($tl / $td))")x"
done
echo
echo "Machine: $(nproc) cores, $(uname -r); tcplens commit $commit; $(tcpdump --version 2>&1 | head -1)."
echo "Reproduce: \`sudo bench/live.sh\` (TCPLENS=build/tcplens, LIVE_SECS, LIVE_START, LIVE_BISECT, LIVE_TOOLS)."
