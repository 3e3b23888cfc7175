#!/usr/bin/env bash
# bench/run.sh: the tcplens offline-speed benchmark (see bench/README.md).
#
# Builds gen_capture and floor, generates the captures into bench/data/ when
# missing (git-ignored, never committed), then times on the same files, in one
# run: the floor, tcplens, tshark, tcpdump -vv and tcptrace.  Prints a markdown
# table and writes it, with the machine and the tool versions, to
# bench/RESULTS.md (BENCH_RESULTS to write elsewhere).
#
# Environment (defaults in brackets):
#   BENCH_BULK=1G        bulk capture size (K/M/G suffixes)
#   BENCH_CRR=500000     CRR connections (8 frames each: 4M frames)
#   BENCH_FLOWS=200000   concurrent flows (14 frames each: 2.8M frames)
#   BENCH_SEED=1         generator seed
#   BENCH_CAPTURES="bulk crr flows"   which captures to run
#   BENCH_RUNS=5         runs of floor and tcplens (best time kept)
#   BENCH_PEER_RUNS=3    runs of tshark, tcpdump, tcptrace (best time kept)
#   BENCH_TIMEOUT=300    seconds per run before a tool is reported "timeout"
#   BENCH_TOOLS="floor tcplens tcplens-t1 tcplens-t3 tcplens-json tcplens-json-t1 tshark tcpdump tcptrace"
#                        (tcplens: `tcplens -r F` as it comes, the text report,
#                        reading ahead on a second thread with 2+ CPUs;
#                        -t1: --threads 1; -t3: --threads 3, the analysis
#                        sharded over two threads; -json: --format json,
#                        every flow and event written out)
#   TCPLENS=build/tcplens    the binary under test (skipped when missing)
#   BENCH_BUILD=build-bench  where gen_capture and floor are built
#   BENCH_DATA=bench/data    where the captures live
#   BENCH_RESULTS=bench/RESULTS.md
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

BENCH_BULK=${BENCH_BULK:-1G}
BENCH_CRR=${BENCH_CRR:-500000}
BENCH_FLOWS=${BENCH_FLOWS:-200000}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_CAPTURES=${BENCH_CAPTURES:-bulk crr flows}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_PEER_RUNS=${BENCH_PEER_RUNS:-3}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}
BENCH_TOOLS=${BENCH_TOOLS:-floor tcplens tcplens-t1 tcplens-t3 tcplens-json tcplens-json-t1 tshark tcpdump tcptrace}
TCPLENS=${TCPLENS:-$ROOT/build/tcplens}
BENCH_BUILD=${BENCH_BUILD:-$ROOT/build-bench}
BENCH_DATA=${BENCH_DATA:-$BENCH_DIR/data}
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_DIR/RESULTS.md}

die() { echo "run.sh: $*" >&2; exit 1; }
note() { echo "run.sh: $*" >&2; }

TIME_BIN=/usr/bin/time
[ -x "$TIME_BIN" ] || die "$TIME_BIN missing: install the 'time' package (apt-get install time)"
command -v timeout >/dev/null || die "timeout (coreutils) missing"

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)

# ---- build the harness ----
cmake -S "$BENCH_DIR" -B "$BENCH_BUILD" >/dev/null || die "cmake configure failed"
cmake --build "$BENCH_BUILD" >/dev/null || die "build failed"
GEN=$BENCH_BUILD/gen_capture
FLOOR=$BENCH_BUILD/floor

# ---- generate the captures ----
mkdir -p "$BENCH_DATA"
sfx=""
[ "$BENCH_SEED" = 1 ] || sfx="-s$BENCH_SEED"

capture_file() { # NAME -> path
	case $1 in
	bulk)  echo "$BENCH_DATA/bulk-$BENCH_BULK$sfx.pcap" ;;
	crr)   echo "$BENCH_DATA/crr-$BENCH_CRR$sfx.pcap" ;;
	flows) echo "$BENCH_DATA/flows-$BENCH_FLOWS$sfx.pcap" ;;
	*)     die "unknown capture '$1' (bulk, crr, flows)" ;;
	esac
}

capture_args() { # NAME -> generator arguments after MODE OUT
	case $1 in
	bulk)  echo "--bytes $BENCH_BULK --seed $BENCH_SEED" ;;
	crr)   echo "--conns $BENCH_CRR --seed $BENCH_SEED" ;;
	flows) echo "--flows $BENCH_FLOWS --seed $BENCH_SEED" ;;
	esac
}

for c in $BENCH_CAPTURES; do
	f=$(capture_file "$c")
	# regenerate when missing or older than the generator
	if [ ! -s "$f" ] || [ "$GEN" -nt "$f" ]; then
		note "generating $f"
		# shellcheck disable=SC2046
		"$GEN" "$c" "$f.tmp" $(capture_args "$c") || die "gen_capture $c failed"
		mv "$f.tmp" "$f"
	fi
done

# ---- measuring ----
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# measure RUNS CMD...: best wall time over RUNS runs, with a timeout each.
# Sets M_STATUS (ok | timeout | "failed (exit N)"), M_WALL (seconds, best),
# M_RSS (KiB, max over runs).
measure() {
	local runs=$1; shift
	local i t0 t1 ms rc rss best=""
	M_RSS=0
	M_STATUS=ok
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$TIME_BIN" -f "%M %x" -o "$TMP/time" \
			timeout -k 5 "$BENCH_TIMEOUT" "$@" >/dev/null 2>"$TMP/stderr"
		rc=$?
		t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000000 ))
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			M_STATUS=timeout
			return
		fi
		if [ "$rc" != 0 ]; then
			M_STATUS="failed (exit $rc)"
			note "$* failed (exit $rc): $(tail -n 3 "$TMP/stderr")"
			return
		fi
		rss=$(tail -n 1 "$TMP/time" | cut -d' ' -f1)
		[ "$rss" -gt "$M_RSS" ] && M_RSS=$rss
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	M_WALL=$(awk -v ms="$best" 'BEGIN { printf "%.3f", ms / 1000 }')
}

have_tool() { # NAME -> 0 if runnable, else prints why not
	case $1 in
	floor)    [ -x "$FLOOR" ] || { echo "not built"; return 1; } ;;
	tcplens*) [ -x "$TCPLENS" ] || { echo "skipped: $TCPLENS not found"; return 1; } ;;
	*)        command -v "$1" >/dev/null || { echo "skipped: not installed"; return 1; } ;;
	esac
}

run_tool() { # TOOL FILE
	case $1 in
	floor)    measure "$BENCH_RUNS" "$FLOOR" "$2" ;;
	tcplens*) measure "$BENCH_RUNS" "$TCPLENS" $(tcplens_args "$1") -r "$2" -o /dev/null ;;
	tshark)   measure "$BENCH_PEER_RUNS" tshark -r "$2" -o tcp.check_checksum:TRUE -q -z expert ;;
	tcpdump)  measure "$BENCH_PEER_RUNS" tcpdump -vv -nr "$2" ;;
	tcptrace) measure "$BENCH_PEER_RUNS" tcptrace -l -r "$2" ;;
	*)        die "unknown tool '$1'" ;;
	esac
}

tcplens_args() { # TOOL -> its options
	case $1 in
	tcplens) ;;
	tcplens-t1) echo "--threads 1" ;;
	tcplens-t3) echo "--threads 3" ;;
	tcplens-json) echo "--format json" ;;
	tcplens-json-t1) echo "--threads 1 --format json" ;;
	*) die "unknown tcplens variant '$1'" ;;
	esac
}

is_fast() { # TOOL -> 0 for the tools measured in interleaved rounds
	case $1 in floor | tcplens*) return 0 ;; esac
	return 1
}

run_once() { # TOOL FILE: one run of a fast tool (sets M_*)
	case $1 in
	floor)    measure 1 "$FLOOR" "$2" ;;
	tcplens*) measure 1 "$TCPLENS" $(tcplens_args "$1") -r "$2" -o /dev/null ;;
	esac
}

command_line() { # TOOL -> the command measured, for the table notes
	case $1 in
	floor)    echo "build-bench/floor F" ;;
	tcplens)  echo "tcplens -r F -o /dev/null (the text report; reads ahead on a second thread)" ;;
	tcplens*) echo "tcplens $(tcplens_args "$1") -r F -o /dev/null" ;;
	tshark)   echo "tshark -r F -o tcp.check_checksum:TRUE -q -z expert > /dev/null" ;;
	tcpdump)  echo "tcpdump -vv -nr F > /dev/null" ;;
	tcptrace) echo "tcptrace -l -r F > /dev/null" ;;
	esac
}

# One row per tool per capture: capture|tool|status|wall|rss, to $TMP/rows.
: > "$TMP/rows"
: > "$TMP/captures"
for c in $BENCH_CAPTURES; do
	f=$(capture_file "$c")
	size=$(stat -c %s "$f")
	note "warming the page cache with $f"
	cat "$f" >/dev/null
	fl=$("$FLOOR" "$f") || die "floor cannot read $f"
	pkts=$(echo "$fl" | sed -n 's/.*packets=\([0-9]*\).*/\1/p')
	md5=$(md5sum < "$f" | cut -c1-32)
	echo "$c|$(basename "$f")|$size|$pkts|$(capture_args "$c")|$fl|$md5" >> "$TMP/captures"
	# floor and the tcplens variants take turns (floor, tcplens, tcplens-t1,
	# floor, ...), so a slow spell of a shared machine hits all of them and
	# their ratios hold; the slow peers run after, one at a time.
	unset best_w best_r st
	declare -A best_w=() best_r=() st=()
	fast=""
	for t in $BENCH_TOOLS; do
		is_fast "$t" && have_tool "$t" >/dev/null && fast+=" $t"
	done
	[ -n "$fast" ] && note "$c:$fast, interleaved, $BENCH_RUNS rounds"
	for ((r = 0; r < BENCH_RUNS; r++)); do
		for t in $fast; do
			[ "${st[$t]:-ok}" = ok ] || continue
			run_once "$t" "$f"
			st[$t]=$M_STATUS
			[ "$M_STATUS" = ok ] || continue
			if [ -z "${best_w[$t]:-}" ] ||
				awk -v a="$M_WALL" -v b="${best_w[$t]}" 'BEGIN { exit !(a < b) }'; then
				best_w[$t]=$M_WALL
			fi
			[ "$M_RSS" -gt "${best_r[$t]:-0}" ] && best_r[$t]=$M_RSS
		done
	done
	for t in $BENCH_TOOLS; do
		if ! why=$(have_tool "$t"); then
			note "$t: $why"
			echo "$c|$t|$why|-|-" >> "$TMP/rows"
			continue
		fi
		if is_fast "$t"; then
			if [ "${st[$t]}" = ok ]; then
				echo "$c|$t|ok|${best_w[$t]}|${best_r[$t]}" >> "$TMP/rows"
			else
				echo "$c|$t|${st[$t]}|-|-" >> "$TMP/rows"
			fi
			continue
		fi
		note "$c: $t"
		run_tool "$t" "$f"
		if [ "$M_STATUS" = ok ]; then
			echo "$c|$t|ok|$M_WALL|$M_RSS" >> "$TMP/rows"
		else
			echo "$c|$t|$M_STATUS|-|-" >> "$TMP/rows"
		fi
	done
done

# ---- the table ----
table() {
	awk -F'|' -v timeout="$BENCH_TIMEOUT" '
	FNR == NR { size[$1] = $3; pkts[$1] = $4; next }
	{ n++; cap[n] = $1; tool[n] = $2; st[n] = $3; wall[n] = $4; rss[n] = $5
	  if ($3 == "ok" && $2 == "tcplens") lens[$1] = $4
	  if ($3 == "ok" && $2 == "floor") fl[$1] = $4 }
	function ratio(a, b) { return (b == "" || b + 0 == 0) ? "n/a" : sprintf("%.2f", a / b) }
	END {
		print "| capture | frames | MB | tool | wall s | Mframes/s | MB/s | peak RSS MB | x tcplens | x floor |"
		print "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= n; i++) {
			c = cap[i]; mb = size[c] / 1e6
			first = (i == 1 || cap[i - 1] != c)
			cc = first ? c : ""; pp = first ? pkts[c] : ""; mm = first ? sprintf("%.0f", mb) : ""
			if (st[i] != "ok") {
				s = st[i] == "timeout" ? "timeout (>" timeout " s)" : st[i]
				printf "| %s | %s | %s | %s | %s | | | | | |\n", cc, pp, mm, tool[i], s
				continue
			}
			w = wall[i]
			printf "| %s | %s | %s | %s | %.3f | %.2f | %.0f | %.1f | %s | %s |\n",
			    cc, pp, mm, tool[i], w, pkts[c] / w / 1e6, mb / w, rss[i] / 1024,
			    ratio(w, lens[c]), ratio(w, fl[c])
		}
	}' "$TMP/captures" "$TMP/rows"
}

tool_versions() {
	if [ -x "$TCPLENS" ]; then
		echo "- tcplens: $("$TCPLENS" --version 2>&1 | head -n 1) ($TCPLENS, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
	else
		echo "- tcplens: not built ($TCPLENS missing): skipped"
	fi
	command -v tshark >/dev/null && echo "- $(tshark --version 2>/dev/null | head -n 1)"
	command -v tcpdump >/dev/null && echo "- $(tcpdump --version 2>&1 | head -n 1), $(tcpdump --version 2>&1 | sed -n 2p)"
	command -v tcptrace >/dev/null && echo "- tcptrace $(tcptrace -v 2>&1 | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -n 1)"
	echo "- floor and gen_capture: $(cc --version 2>/dev/null | head -n 1), -O2, libpcap $(pkg-config --modversion libpcap 2>/dev/null)"
}

machine() {
	echo "- CPU: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1), nproc $(nproc)"
	echo "- memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "- kernel: $(uname -srm)"
	echo "- OS: $(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)"
	echo "- load average (1, 5, 15 min) before the run: $LOAD0; after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
}

TABLE=$(table)
echo
echo "$TABLE"

# The generated block sits between these markers in RESULTS.md; what
# follows the end marker (live capture, instruction counts, memory, hostile
# traffic: other scripts' and hand-written sections) is kept.
BEGIN_MARK="<!-- bench/run.sh: generated from here -->"
END_MARK="<!-- bench/run.sh: generated up to here -->"
KEEP=""
if [ -f "$BENCH_RESULTS" ] && grep -qF "$END_MARK" "$BENCH_RESULTS"; then
	KEEP=$(awk -v m="$END_MARK" 'found { print } $0 == m { found = 1 }' "$BENCH_RESULTS")
fi
{
	echo "$BEGIN_MARK"
	echo "# tcplens benchmark results"
	echo
	echo "Written by \`bench/run.sh\` (see bench/README.md for what the numbers mean)."
	echo "Every tool read the same files, from a warm page cache, one after another."
	echo "Wall time is the best of $BENCH_RUNS runs for floor and the tcplens variants"
	echo "(their runs interleaved: floor, tcplens, tcplens-t1, ..., floor, ...), of"
	echo "$BENCH_PEER_RUNS for tshark, tcpdump and tcptrace; peak RSS is the largest"
	echo "over those runs; each run had $BENCH_TIMEOUT s. MB = 10^6 bytes of file."
	echo "\"x tcplens\" and \"x floor\" are the tool's wall time divided by tcplens's"
	echo "(\`tcplens -r F\`, the default text report) and by the floor's on the same"
	echo "capture (higher = slower). -t1 = \`--threads 1\`; -t3 = \`--threads 3\` (the"
	echo "analysis sharded over two threads; bench/threads.sh); -json = \`--format json\`,"
	echo "which writes every flow and event (on CRR a document larger than the capture)."
	echo
	echo "$TABLE"
	echo
	echo "## Captures"
	echo
	echo "| capture | file | bytes | md5 | generated with | floor says |"
	echo "|---|---|---:|---|---|---|"
	# shellcheck disable=SC2034
	while IFS='|' read -r c file size pkts args fl md5; do
		echo "| $c | $file | $size | $md5 | \`gen_capture $c F $args\` | $fl |"
	done < "$TMP/captures"
	echo
	echo "## Commands (F = the capture)"
	echo
	for t in $BENCH_TOOLS; do echo "- $t: \`$(command_line "$t")\`"; done
	echo
	echo "## Machine"
	echo
	machine
	echo
	echo "## Versions"
	echo
	tool_versions
	echo "$END_MARK"
	[ -n "$KEEP" ] && printf '%s\n' "$KEEP"
} > "$BENCH_RESULTS.tmp" && mv "$BENCH_RESULTS.tmp" "$BENCH_RESULTS"
note "wrote $BENCH_RESULTS"
