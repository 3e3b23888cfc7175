#!/usr/bin/env bash
# tests/fitting/rules_test.sh PROMTOOL TCPLENS SRCDIR — the shipped alerting
# rules (deploy/prometheus/tcplens.rules.yml): promtool check rules, promtool
# test rules (each alert fires where it must and never on offload
# artifacts or think time), and every metric a rule names is one tcplens
# writes (from a real --metrics-file), so a renamed metric cannot leave a
# rule that never fires. Exit 77 (skipped, said) without promtool.
set -euo pipefail
promtool=$1 tcplens=$2 src=$3
if [[ -z $promtool || ! -x $promtool ]]; then
	echo "SKIP: promtool not installed (scripts/deps.sh test takes it from Debian's prometheus)"
	exit 77
fi
rules=$src/deploy/prometheus/tcplens.rules.yml
"$promtool" check rules "$rules"
(cd "$src/deploy/prometheus" && "$promtool" test rules tcplens.rules.test.yml)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tcplens" -q -r "$src/samples/xen_both.pcap" --metrics-file "$tmp/m.prom" -o /dev/null
written=$(grep -v '^#' "$tmp/m.prom" | sed 's/[{ ].*//' | sort -u)
# live-only metrics are written live only: named here, checked by metrics_live
written="$written"$'\n'"tcplens_kernel_drops_total"
for m in $(grep -o 'tcplens_[a-z_]*' "$rules" | sort -u); do
	if ! grep -qx "$m" <<<"$written"; then
		echo "FAIL: the rules name $m, which tcplens does not write"
		exit 1
	fi
done
echo "PASS: rules checked, their tests pass, every metric they name is written"
