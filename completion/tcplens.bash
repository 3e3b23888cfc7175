# completion/tcplens.bash — bash completion for tcplens(1). Installed to
# share/bash-completion/completions/tcplens (loaded on demand by the
# bash-completion package); or: source completion/tcplens.bash
#
# Options and their values: --format and --engine words, interfaces from
# /sys/class/net for -i, users for -Z, files for -r, -o, -w, --baseline,
# --metrics-file; the diff and check commands. Keep the option list in step
# with `tcplens --help` (tests/fitting/completion_test.sh checks it).

_tcplens()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n = || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local opts="-r -i -c -s -B -o -q -v -n -w -Z -h -V --engine --nfqueue --duration
		--ring-block --ring-blocks --ring-timeout --format --quiet
		--write-flagged --baseline --tolerance --metrics --metrics-file
		--metrics-interval --metrics-host --host --clickhouse --clickhouse-spool
		--clickhouse-flush-timeout --max-flows --max-events --max-held --max-held-per-flow --max-rounds --threads --tui --no-tui --replay
		--help --version"
	local tolerances="events= stall_ms= retransmissions= initial_window= cc_guess=
		capture_loss="

	# tcplens diff A.json B.json | tcplens check DIR
	if [[ ${words[1]} == diff || ${words[1]} == check ]] && ((cword > 1)); then
		case $prev in
		--format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--tolerance) compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -W "$tolerances" -- "$cur")); return ;;
		--reports) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--tolerance --format --update --reports -v --verbose --help" -- "$cur"))
		elif [[ ${words[1]} == check ]]; then
			COMPREPLY=($(compgen -d -- "$cur"))
		else
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -X '!*.@(json|jsonl)' -- "$cur") $(compgen -d -- "$cur"))
		fi
		return
	fi

	case $prev in
	-r)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -X '!*.@(pcap|pcapng|cap|pcap.gz)' -- "$cur") $(compgen -d -- "$cur"))
		[[ - == "$cur"* ]] && COMPREPLY+=(-)
		return ;;
	-o|-w|--baseline|--metrics-file)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-i)
		local ifs=""
		[[ -d /sys/class/net ]] && ifs=$(command ls /sys/class/net 2>/dev/null)
		COMPREPLY=($(compgen -W "$ifs any" -- "$cur"))
		return ;;
	--format) COMPREPLY=($(compgen -W "text json jsonl html" -- "$cur")); return ;;
	--engine) COMPREPLY=($(compgen -W "tpacket3 pcap" -- "$cur")); return ;;
	--threads) COMPREPLY=($(compgen -W "1 2 3 4 5 9 17" -- "$cur")); return ;;
	-Z) COMPREPLY=($(compgen -u -- "$cur")); return ;;
	--tolerance) compopt -o nospace 2>/dev/null
		COMPREPLY=($(compgen -W "$tolerances" -- "$cur")); return ;;
	--metrics) COMPREPLY=($(compgen -W "127.0.0.1:9911 [::1]:9911" -- "$cur")); return ;;
	-c|-s|--nfqueue|--duration|--ring-block|--ring-blocks|--ring-timeout|--max-flows|--max-events|--max-held|--max-held-per-flow|--max-rounds|--metrics-interval|--metrics-host|--host|--clickhouse-spool|--clickhouse-flush-timeout)
		return ;;   # a number or a name
	--clickhouse) COMPREPLY=($(compgen -W "http://127.0.0.1:8123/?database=tcplens" -- "$cur")); return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif ((cword == 1)); then
		COMPREPLY=($(compgen -W "diff check $opts" -- "$cur"))
	fi
} &&
complete -F _tcplens tcplens
