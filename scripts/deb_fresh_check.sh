#!/usr/bin/env bash
# scripts/deb_fresh_check.sh [DEB] — does `apt install ./tcplens_*.deb` work
# on a fresh Debian 12? A minbase bookworm chroot (debootstrap, ~90 s and
# network: not part of ./test), the package installed there with apt (its
# dependencies from the mirror), tcplens run on a sample, `man tcplens`
# rendered, the package removed; the chroot is deleted on exit. Root only.
#   (cd build && cpack -G DEB) && scripts/deb_fresh_check.sh build/tcplens_*.deb
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
deb=$(realpath "${1:-$(ls "$here"/build/tcplens_*.deb | tail -1)}")
[[ $(id -u) -eq 0 ]] || { echo "root needed (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
root=$(mktemp -d /tmp/tcplens-fresh.XXXXXX)
chmod 755 "$root"   # the chroot's /: man-db runs as user man
cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf --one-file-system "$root"; }
trap cleanup EXIT
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
cp "$deb" "$here/samples/nagle.pcap" "$root/root/"
mount -t proc proc "$root/proc"
chroot "$root" /bin/bash -euo pipefail -c '
  cd /root
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./tcplens_*.deb >/dev/null
  tcplens --version
  tcplens -r nagle.pcap | grep "stall (delayed_ack)"
  MANWIDTH=80 man tcplens | grep -c "^SYNOPSIS"
  DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq tcplens >/dev/null
  test ! -e /usr/bin/tcplens'
echo "PASS: $(basename "$deb") installs with apt on a fresh bookworm, runs, man page renders, removes"
