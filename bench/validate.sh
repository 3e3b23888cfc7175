#!/usr/bin/env bash
# bench/validate.sh: check gen_capture's output against tshark (see README.md).
#
# Generates a small capture of each mode into a temporary directory and checks:
#   - the same arguments give the same bytes (reproducible);
#   - tshark finds no bad IPv4 or TCP checksum, and every TCP checksum good;
#   - tshark -z conv,tcp shows the expected number of connections;
#   - tshark's TCP analysis flags nothing (no retransmission, lost segment,
#     window problem...): the traffic is clean;
#   - the floor verifies every segment.
# Note: in tshark 4.x, tcp.checksum.status is 0 = bad, 1 = good, 2 = unverified.
# Exit 0 when every check passes.
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_BUILD=${BENCH_BUILD:-$ROOT/build-bench}

if ! cmake -S "$BENCH_DIR" -B "$BENCH_BUILD" >/dev/null ||
   ! cmake --build "$BENCH_BUILD" >/dev/null; then
	echo "validate.sh: build failed" >&2
	exit 1
fi
GEN=$BENCH_BUILD/gen_capture
FLOOR=$BENCH_BUILD/floor
command -v tshark >/dev/null || { echo "validate.sh: tshark not installed" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0

check() { # DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "ok    $1 ($3)"
	else
		echo "FAIL  $1: expected $2, got $3"
		fail=1
	fi
}

ts() { tshark -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE "$@" 2>/dev/null; }

# mode, arguments, expected connections, expected frames (empty: don't check)
while read -r mode conns frames args; do
	f=$TMP/$mode.pcap
	# shellcheck disable=SC2086
	"$GEN" "$mode" "$f" $args 2>/dev/null || { echo "FAIL  gen_capture $mode"; fail=1; continue; }
	# shellcheck disable=SC2086
	check "$mode: reproducible" "$(md5sum < "$f")" "$("$GEN" "$mode" - $args 2>/dev/null | md5sum)"
	n=$(ts -r "$f" -T fields -e frame.number | wc -l)
	[ "$frames" = - ] || check "$mode: frames" "$frames" "$n"
	check "$mode: bad IPv4/TCP checksums (tshark)" 0 \
		"$(ts -r "$f" -Y 'tcp.checksum.status==0 || ip.checksum.status==0' | wc -l)"
	check "$mode: good TCP checksums (tshark)" "$n" \
		"$(ts -r "$f" -Y 'tcp.checksum.status==1' | wc -l)"
	check "$mode: TCP conversations (tshark -z conv,tcp)" "$conns" \
		"$(ts -r "$f" -q -z conv,tcp | grep -c '<->')"
	check "$mode: TCP analysis flags (tshark)" 0 \
		"$(ts -r "$f" -Y 'tcp.analysis.flags' | wc -l)"
	check "$mode: segments verified by the floor" "verified=$n bad=0" \
		"$("$FLOOR" "$f" | grep -o 'verified=[0-9]* bad=[0-9]*')"
done <<'EOF'
bulk 4 - --bytes 4M
bulk 1 - --bytes 1M --flows 1
crr 1000 8000 --conns 1000
flows 3000 42000 --flows 3000
flows 500 5000 --flows 500 --rounds 2 --seed 7
EOF

[ "$fail" = 0 ] && echo "all checks passed"
exit "$fail"
