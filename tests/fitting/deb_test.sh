#!/usr/bin/env bash
# tests/fitting/deb_test.sh SRC BUILD — the Debian package, without touching
# the system: cpack -G DEB from BUILD's install rules into a scratch
# directory; dpkg-deb -I shows the declared dependencies; dpkg -x unpacks it
# into a scratch root, where the packaged binary analyzes a sample, the
# packaged man page renders (man -l) and the completion loads.
# (A real `apt install ./tcplens_*.deb` would change the machine: done by
# hand, see README.) Exit 77 = skipped (no dpkg-deb: not Debian).
set -euo pipefail
src=$1
build=$2
command -v dpkg-deb >/dev/null || { echo "SKIP: no dpkg-deb"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
	{ cat "$work/cpack.log"; fail "cpack -G DEB"; }
deb=$(ls "$work"/out/tcplens_*.deb)
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

info=$(dpkg-deb -I "$deb")
echo "$info" | grep -E '^ (Package|Version|Architecture|Depends|Recommends):'
[[ $(dpkg-deb -f "$deb" Package) == tcplens ]] || fail "package name"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libpcap0.8 libjansson4 'libncurses(w)?6' libnetfilter-queue1; do
	[[ $depends =~ (^|, )$lib( |,|$) ]] || fail "Depends lacks $lib: $depends"
done

contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/tcplens ./usr/share/man/man1/tcplens.1.gz \
	./usr/share/bash-completion/completions/tcplens ./usr/share/doc/tcplens/README.md; do
	grep -q " $f\$" <<<"$contents" || fail "$f not in the package"
done

root=$work/root
dpkg -x "$deb" "$root"
out=$("$root/usr/bin/tcplens" -r "$src/samples/nagle.pcap" --format json)
grep -q '"delayed_ack"' <<<"$out" || fail "the packaged binary: no delayed_ack stall on nagle.pcap"
# Captured, not piped: grep -q exits at the first match and, under
# pipefail, tcplens's SIGPIPE on its next write would fail the test.
text=$("$root/usr/bin/tcplens" -r "$src/samples/nagle.pcap")
grep -qi 'TCP_NODELAY' <<<"$text" || fail "the packaged binary: no text diagnosis"
[[ $("$root/usr/bin/tcplens" --version) == "tcplens $(dpkg-deb -f "$deb" Version)" ]] ||
	fail "--version differs from the package version"
echo "ok the packaged binary analyzes samples/nagle.pcap"

if command -v man >/dev/null; then
	page=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/tcplens.1.gz" 2>"$work/man.err")
	[[ ! -s $work/man.err ]] || { cat "$work/man.err"; fail "man -l warns"; }
	grep -q '^SYNOPSIS' <<<"$page" || fail "man -l: no SYNOPSIS"
	echo "ok man -l renders the packaged page ($(wc -l <<<"$page") lines)"
fi
bash -c "source '$root/usr/share/bash-completion/completions/tcplens' && complete -p tcplens" >/dev/null ||
	fail "the packaged completion does not load"
echo PASS
