# samples/lab/common.sh: helpers shared by the mk_*.sh scripts.
#
# Source it from a mk_<name>.sh script (bash). It gives:
#   lab_init NAME            work dir, cleanup trap; sets LAB, SAMPLES, WORK
#   ns_pair A B              two namespaces joined by a veth pair (eth0 in each)
#   ns_add NS                one namespace with lo up
#   ns_addr4 NS DEV CIDR / ns_addr6 NS DEV CIDR
#   ns_nov6 NS               disable IPv6 in NS (no ND/MLD noise in IPv4 samples)
#   relay_addrs A B FAM ID   IPv4 or IPv6 addresses on both eth0, offloads off
#                            and saved; sets IP_A IP_B EP_A EP_B
#   set_offloads NS DEV "tx off tso off ..."   (ethtool -K, inside NS)
#   offloads_json NS DEV     the features that matter, as a JSON object
#   cap_start NS DEV FILE [tcpdump args...]    start tcpdump, wait until it listens
#   cap_stop                 let tcpdump flush, stop it, keep its stats in CAP_STATS
#   bg CMD...                start a background job we own (killed by the trap)
#   wait_file FILE [SECS]    wait until FILE exists
#   nstat_json NS FILE       kernel TCP counters of NS (absolute) as JSON
#
# Everything runs inside namespaces this script creates; nothing is sent
# outside them. The EXIT trap stops our jobs and deletes our namespaces
# (which deletes the veth pairs in them); TAP devices die with the relay.

set -euo pipefail

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# LAB_OUT: write the samples elsewhere (a dry run that leaves samples/ alone)
SAMPLES="${LAB_OUT:-$(cd "$LAB/.." && pwd)}"
PY="${PYTHON:-python3}"

LAB_NS=()        # namespaces we created
LAB_PIDS=()      # background jobs we started
CAP_PID=""
CAP_ERR=""
CAP_STATS=""

lab_cleanup() {
    local rc=$?
    set +e
    if [ -n "$CAP_PID" ] && kill -0 "$CAP_PID" 2>/dev/null; then
        kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null
    fi
    local p
    for p in "${LAB_PIDS[@]}"; do
        kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
    done
    for p in "${LAB_PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    local ns
    for ns in "${LAB_NS[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    return $rc
}

# lab_init NAME: per-sample work dir under samples/lab/work/ (git-ignored).
lab_init() {
    NAME="$1"
    WORK="$LAB/work/$NAME"
    rm -rf "$WORK"
    mkdir -p "$WORK"
    chmod 777 "$WORK"
    trap lab_cleanup EXIT
    trap 'exit 130' INT TERM
    # short unique suffix so parallel runs never share a namespace
    SFX="$$"
}

ns_add() {
    ip netns add "$1"
    LAB_NS+=("$1")
    ip -n "$1" link set lo up
}

# ns_pair A B [MAC_A MAC_B]: veth eth0 in A <-> eth0 in B, both up.
ns_pair() {
    local a="$1" b="$2"
    local ma="${3:-02:99:00:00:00:0a}" mb="${4:-02:99:00:00:00:0b}"
    ns_add "$a"
    ns_add "$b"
    ip link add eth0 netns "$a" address "$ma" type veth peer name eth0 netns "$b" address "$mb"
    ip -n "$a" link set eth0 up
    ip -n "$b" link set eth0 up
}

ns_addr4() { ip -n "$1" addr add "$3" dev "$2"; }
ns_addr6() { ip -n "$1" addr add "$3" dev "$2" nodad; }

ns_nov6() {
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
}

# set_offloads NS DEV FEATURES...: e.g. set_offloads A eth0 tx off tso off gso off gro off
set_offloads() {
    local ns="$1" dev="$2"; shift 2
    ip netns exec "$ns" ethtool -K "$dev" "$@" >/dev/null 2>"$WORK/ethtool.err" || {
        # ethtool exits non-zero when some feature could not change; show it
        cat "$WORK/ethtool.err" >&2
        return 1
    }
}

# offloads_json NS DEV: {"tx-checksumming":"on", ...}
offloads_json() {
    ip netns exec "$1" ethtool -k "$2" | "$PY" -c '
import sys, json
want = ["tx-checksumming", "scatter-gather", "tcp-segmentation-offload",
        "generic-segmentation-offload", "generic-receive-offload",
        "large-receive-offload", "rx-checksumming"]
out = {}
for line in sys.stdin:
    k, _, v = line.strip().partition(":")
    if k in want:
        out[k] = v.split()[0] if v.split() else ""
print(json.dumps(out))'
}

# save_offloads NS DEV NAME: keep offloads_json in $WORK/offloads.NAME.json
# (taken while the device exists: TAPs vanish with the relay)
save_offloads() { offloads_json "$1" "$2" >"$WORK/offloads.$3.json"; }

# bg CMD...: run CMD in the background and remember its pid (sets BG_PID).
bg() {
    "$@" &
    BG_PID=$!
    LAB_PIDS+=("$BG_PID")
}

wait_file() {
    local f="$1" secs="${2:-10}" i=0
    while [ ! -s "$f" ]; do
        sleep 0.05
        i=$((i + 1))
        if [ $i -gt $((secs * 20)) ]; then
            echo "timeout waiting for $f" >&2
            return 1
        fi
    done
}

# cap_start NS DEV FILE [tcpdump args...]
# -U writes every packet at once, -Z root keeps the right to write FILE,
# and we wait for tcpdump's "listening on" line: by then the socket is bound
# and capturing, so no early packet of the scenario is missed.
cap_start() {
    local ns="$1" dev="$2" file="$3"; shift 3
    CAP_ERR="$WORK/tcpdump.$(basename "$file").err"
    : >"$CAP_ERR"
    ip netns exec "$ns" tcpdump -i "$dev" --immediate-mode -B 8192 -U -Z root -w "$file" "$@" 2>"$CAP_ERR" &
    CAP_PID=$!
    LAB_PIDS+=("$CAP_PID")
    local i=0
    until grep -q "listening on" "$CAP_ERR"; do
        sleep 0.05
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 "$CAP_PID" 2>/dev/null; then
            echo "tcpdump did not start:" >&2
            cat "$CAP_ERR" >&2
            return 1
        fi
    done
    sleep 0.2
}

# cap_stop: give the last packets time to arrive and be written, then SIGINT
# (tcpdump flushes and prints its counters). CAP_STATS = {"captured":..}.
# --immediate-mode (cap_start) keeps libpcap off TPACKET_V3 blocks, which can
# hold packets up to the 1 s block timeout and lose them at SIGINT; the 1.2 s
# wait covers the timeout anyway. Fails if tcpdump reports kernel drops.
# (In immediate mode libpcap uses TPACKET_V2 with one ring slot per snaplen;
# on `-i any` it cannot clamp the slot to an MTU, so a 262144-byte snaplen
# leaves a few slots in the ring and drops bursts: use -s 2000 there.)
cap_stop() {
    sleep "${1:-1.2}"
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    CAP_PID=""
    CAP_STATS="$("$PY" - "$CAP_ERR" <<'EOF'
import json, re, sys
t = open(sys.argv[1]).read()
out = {}
for key, pat in (("captured", r"(\d+) packets? captured"),
                 ("received_by_filter", r"(\d+) packets? received by filter"),
                 ("dropped_by_kernel", r"(\d+) packets? dropped by kernel")):
    m = re.search(pat, t)
    out[key] = int(m.group(1)) if m else None
print(json.dumps(out))
EOF
)"
    # a capture that lost packets is not a sample with known truth
    if ! echo "$CAP_STATS" | grep -q '"dropped_by_kernel": 0'; then
        echo "tcpdump dropped packets: $CAP_STATS" >&2
        return 1
    fi
}

# nstat_json NS FILE: absolute kernel counters of NS (nstat -a -z -j).
nstat_json() {
    ip netns exec "$1" nstat -a -z -j >"$2" 2>/dev/null || \
        ip netns exec "$1" nstat -a -z --json >"$2"
}

# file_size FILE
file_size() { stat -c %s "$1"; }

# check_size FILE: refuse samples of 2 MB or more
check_size() {
    local s; s=$(file_size "$1")
    if [ "$s" -ge 2000000 ]; then
        echo "$1 is $s bytes (limit 2 MB)" >&2
        return 1
    fi
}

# counters_snap NS FILE: kernel counters of NS now; counters_delta A B: nonzero changes
counters_snap() { ip netns exec "$1" "$PY" "$LAB/counters.py" snap "$2"; }
counters_delta() { "$PY" "$LAB/counters.py" delta "$1" "$2"; }

# sysctl_ns NS KEY: value of a sysctl as seen inside NS
sysctl_ns() { ip netns exec "$1" sysctl -n "$2"; }

# tshark_q ARGS...: tshark without its root warning
tshark_q() { tshark "$@" 2>/dev/null; }

# guard_complete FILE SRC_ADDR BYTES: fail unless the capture holds every
# payload byte SRC sent (highest relative next-seq - 1 == BYTES). A guard
# against a truncated capture, not a source of truth.
guard_complete() {
    local got f="ip.src==$2"
    case "$2" in *:*) f="ipv6.src==$2";; esac
    got=$(tshark_q -r "$1" -Y "$f" -T fields -e tcp.nxtseq | sort -n | tail -1)
    got=$((got - 1))
    if [ "$got" -ne "$3" ] && [ "$got" -ne $(($3 + 1)) ]; then
        echo "capture $1 incomplete: $2 sent $3 bytes, capture shows $got" >&2
        return 1
    fi
}

# report FILE: the checks the README quotes (conversations, bad checksums)
report() {
    tshark_q -r "$1" -q -z conv,tcp | sed -n '/<->/p'
    # tcp.checksum.status: 0 bad, 1 good, 2 unverified
    local st
    for st in 0 1 2; do
        printf '%s=%s ' "$(echo bad good unverified | cut -d' ' -f$((st + 1)))" \
            "$(tshark_q -r "$1" -o tcp.check_checksum:TRUE -Y "tcp.checksum.status==$st" | wc -l)"
    done
    echo "(tcp checksums)"
}

# relay_start A B [relay.py options...]: namespaces A and B joined by two TAP
# devices and relay.py (running in the root namespace, where it opened
# /dev/net/tun). Each TAP is renamed eth0 inside its namespace and brought up
# with MAC 02:99:00:00:00:0a / 0b. Sets RELAY_PID; the relay's log and summary
# go to $WORK/relay.log.jsonl and $WORK/relay.summary.json.
relay_start() {
    local a="$1" b="$2"; shift 2
    ns_add "$a"
    ns_add "$b"
    local ta="tlta$SFX" tb="tltb$SFX"
    rm -f "$WORK/relay.ready"
    bg "$PY" "$LAB/relay.py" --tap-a "$ta" --tap-b "$tb" --netns-a "$a" --netns-b "$b" \
        --log "$WORK/relay.log.jsonl" --summary "$WORK/relay.summary.json" \
        --ready "$WORK/relay.ready" "$@"
    RELAY_PID=$BG_PID
    wait_file "$WORK/relay.ready"
    ip -n "$a" link set "$ta" name eth0
    ip -n "$b" link set "$tb" name eth0
    ip -n "$a" link set eth0 address 02:99:00:00:00:0a
    ip -n "$b" link set eth0 address 02:99:00:00:00:0b
    ip -n "$a" link set eth0 up
    ip -n "$b" link set eth0 up
}

# relay_stop: SIGTERM the relay and wait for its summary
relay_stop() {
    kill -TERM "$RELAY_PID"
    wait "$RELAY_PID" || true
}

# jget FILE KEY: a number from a flat JSON object (0 when absent)
jget() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))' "$1" "$2"; }

# relay_addrs A B FAM ID: addresses on eth0 of namespaces A and B (joined by
# relay_start or ns_pair): IPv4 10.99.ID.1 and .2 (IPv6 off), or IPv6
# fd00:99:ID::1 and ::2. Sets IP_A IP_B and EP_A EP_B (as written before
# ":port"). All offloads off on both, saved as offloads.A/B.json.
relay_addrs() {
    local a="$1" b="$2" fam="$3" id="$4" ns
    if [[ $fam == 6 ]]; then
        IP_A=fd00:99:$id::1; IP_B=fd00:99:$id::2
        ns_addr6 "$a" eth0 $IP_A/64; ns_addr6 "$b" eth0 $IP_B/64
        EP_A="[$IP_A]"; EP_B="[$IP_B]"
    else
        IP_A=10.99.$id.1; IP_B=10.99.$id.2
        ns_nov6 "$a"; ns_nov6 "$b"
        ns_addr4 "$a" eth0 $IP_A/24; ns_addr4 "$b" eth0 $IP_B/24
        EP_A=$IP_A; EP_B=$IP_B
    fi
    for ns in "$a" "$b"; do set_offloads "$ns" eth0 tx off tso off gso off gro off; done
    save_offloads "$a" eth0 A; save_offloads "$b" eth0 B
}

# run_both_ends A B SND RCV APP: the run of the relay experiments captured at
# both ends (mk_reorder.sh, mk_resend_first.sh). APP's server in B (bulk: a
# bulk-server; reqresp: a reqresp-server with TCP_NODELAY), counters of SND
# and RCV, a capture on each one's eth0, APP's client in A (bulk: BYTES from
# port CPORT; reqresp: EXCHANGES responses of RESP bytes, 20-30 ms of think
# time), the captures stopped, counters again, the relay stopped. Writes
# SAMPLES/NAME_sender.pcap and _receiver.pcap, WORK/kernel.sender.json and
# kernel.receiver.json; sets CAP1_STATS (sender's) and CAP2_STATS.
run_both_ends() {
    local a="$1" b="$2" snd="$3" rcv="$4" app="$5" srv side
    if [[ $app == bulk ]]; then
        bg ip netns exec "$b" "$PY" "$LAB/tcpapp.py" bulk-server --bind $IP_B --port $PORT \
            --ready "$WORK/ready" --result "$WORK/server.json"
    else
        bg ip netns exec "$b" "$PY" "$LAB/tcpapp.py" reqresp-server --bind $IP_B --port $PORT \
            --nodelay --ready "$WORK/ready" --result "$WORK/server.json"
    fi
    srv=$BG_PID
    wait_file "$WORK/ready"
    counters_snap "$snd" "$WORK/s0.json"; counters_snap "$rcv" "$WORK/r0.json"
    cap_start "$snd" eth0 "$WORK/sender.pcap" --time-stamp-precision=micro
    local cap1_pid=$CAP_PID cap1_err=$CAP_ERR
    cap_start "$rcv" eth0 "$WORK/receiver.pcap" --time-stamp-precision=micro
    if [[ $app == bulk ]]; then
        ip netns exec "$a" "$PY" "$LAB/tcpapp.py" bulk-client --connect $IP_B --port $PORT \
            --src-port $CPORT --bytes $BYTES --seed 4 --result "$WORK/client.json"
        wait $srv
    else
        ip netns exec "$a" "$PY" "$LAB/tcpapp.py" reqresp-client --connect $IP_B --port $PORT \
            --nodelay --src-port $CPORT --exchanges $EXCHANGES --short-conns 0 --min $RESP \
            --max $RESP --think-min-ms 20 --think-max-ms 30 --result "$WORK/client.json"
        sleep 0.3
        kill -TERM $srv; wait $srv || true
    fi
    cap_stop; CAP2_STATS=$CAP_STATS
    CAP_PID=$cap1_pid; CAP_ERR=$cap1_err
    cap_stop 0.1; CAP1_STATS=$CAP_STATS
    counters_snap "$snd" "$WORK/s1.json"; counters_snap "$rcv" "$WORK/r1.json"
    relay_stop
    for side in sender receiver; do
        cp "$WORK/$side.pcap" "$SAMPLES/${NAME}_$side.pcap"; check_size "$SAMPLES/${NAME}_$side.pcap"
    done
    counters_delta "$WORK/s0.json" "$WORK/s1.json" >"$WORK/kernel.sender.json"
    counters_delta "$WORK/r0.json" "$WORK/r1.json" >"$WORK/kernel.receiver.json"
}

# veth_addrs A B ID: namespaces A and B joined by ns_pair, IPv4 10.99.ID.1
# and .2 on their eth0 (IPv6 off), offloads left at the kernel's defaults and
# saved as offloads.A/B.json. Sets IP_A and IP_B.
veth_addrs() {
    local a="$1" b="$2" id="$3"
    IP_A=10.99.$id.1; IP_B=10.99.$id.2
    ns_nov6 "$a"; ns_nov6 "$b"
    ns_addr4 "$a" eth0 $IP_A/24; ns_addr4 "$b" eth0 $IP_B/24
    save_offloads "$a" eth0 A; save_offloads "$b" eth0 B
}
