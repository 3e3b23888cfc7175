#!/usr/bin/env bash
# tests/fitting/completion_test.sh COMPLETION [TCPLENS] — source the bash
# completion in a clean bash and ask it what a user would get with TAB:
# option names, --format and --engine words, interfaces for -i (from
# /sys/class/net), capture files for -r, the diff/check commands. With
# TCPLENS, every long option of `tcplens --help` must be offered.
set -euo pipefail
comp=$1
tcplens=${2:-}
shopt -s extglob
# With the bash-completion package (as users have it), its helpers are used.
if [[ ${TCPLENS_COMP_BARE:-} != 1 && -r /usr/share/bash-completion/bash_completion ]]; then
	# shellcheck source=/dev/null
	source /usr/share/bash-completion/bash_completion
	echo "with bash-completion's helpers"
fi
# shellcheck source=/dev/null
source "$comp"
[[ $(complete -p tcplens) == *"-F _tcplens"* ]] || { echo "FAIL: not registered"; exit 1; }

ask() { # the words of a command line, the last one being completed
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_tcplens tcplens "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
want() { # what, got, expected
	if [[ "$2" != "$3" ]]; then echo "FAIL: $1: got '$2', want '$3'"; exit 1; fi
	echo "ok $1: $2"
}

want "--form" "$(ask tcplens --form)" "--format "
want "--format j" "$(ask tcplens --format j)" "json jsonl "
want "--engine" "$(ask tcplens -i lo --engine '')" "pcap tpacket3 "
want "--metrics-" "$(ask tcplens --metrics-)" "--metrics-file --metrics-host --metrics-interval "
want "-i l" "$(ask tcplens -i l)" "$(compgen -W "$(ls /sys/class/net) any" -- l | sort | tr '\n' ' ')"
[[ $(ask tcplens -i '') == *lo* ]] || { echo "FAIL: -i does not offer lo"; exit 1; }
want "di" "$(ask tcplens di)" "diff "
want "check --up" "$(ask tcplens check --up)" "--update "

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/dir"
touch "$tmp/a.pcap" "$tmp/b.pcapng" "$tmp/c.txt"
want "-r files" "$(ask tcplens -r "$tmp/")" "$tmp/a.pcap $tmp/b.pcapng $tmp/dir "
want "-o files" "$(ask tcplens -o "$tmp/c")" "$tmp/c.txt "

if [[ -n $tcplens ]]; then
	offered=" $(ask tcplens --) "
	for o in $("$tcplens" --help | grep -v -e iptables -e 'nft ' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		case $o in --update|--reports) continue ;; esac  # diff/check only: checked above
		[[ $offered == *" $o "* ]] || { echo "FAIL: $o (in --help) is not completed"; exit 1; }
	done
	echo "ok every long option of --help is completed"
fi
if [[ ${TCPLENS_COMP_BARE:-} != 1 ]] && declare -F _init_completion >/dev/null; then
	TCPLENS_COMP_BARE=1 bash "$0" "$@" | sed 's/^/bare bash: /'
	[[ ${PIPESTATUS[0]} == 0 ]] || exit 1
fi
echo PASS
