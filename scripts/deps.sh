#!/usr/bin/env bash
# scripts/deps.sh — make sure the Debian packages tcplens builds and tests
# with are installed. As root it installs what is missing with apt-get; as
# another user it prints the exact command and fails.
#   scripts/deps.sh build   # compiler, cmake, libraries
#   scripts/deps.sh test    # build + Criterion, tshark, tcpdump, iproute2, python3, clang, tmux,
#                           # promtool and prometheus, clickhouse-server and -client
set -euo pipefail

build_pkgs=(gcc make cmake pkg-config libpcap-dev libjansson-dev libncurses-dev
            libnetfilter-queue-dev libcurl4-openssl-dev)
test_pkgs=(libcriterion-dev tshark tcpdump python3 iproute2 ethtool clang tmux iptables)
# The HTML report's page (html/) is built with node and npm: Debian's, unless
# the machine has them already (NodeSource's nodejs bundles its own npm and
# conflicts with Debian's npm). Its browser test drives Debian's chromium.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  build_pkgs+=(nodejs npm)
fi
test_pkgs+=(chromium)
# Fitting in (tests/fitting): man -l and groff, the metrics scrape (curl),
# bash completion, the .deb (dpkg-shlibdeps is in dpkg-dev).
test_pkgs+=(groff-base man-db curl bash-completion dpkg-dev gzip)

# promtool (the Prometheus metrics check) and the Prometheus server the
# fleet test scrapes tcplens with come in Debian's prometheus package, which
# would also install and start a system Prometheus: take just the two
# binaries out of the package into /usr/local/lib/tcplens-test/bin (where
# tests/fitting looks; the test starts its own server, on 127.0.0.1 only).
# Not fatal: without them those tests say they are skipped, and why.
promtool_fetch() {
  local dest=/usr/local/lib/tcplens-test/bin
  [[ "${1:-build}" == test && $(id -u) -eq 0 ]] || return 0
  [[ -x $dest/promtool && -x $dest/prometheus ]] && return 0
  local tmp
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download -qq prometheus 2>/dev/null) &&
     dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb |
       tar -x -C "$tmp" ./usr/bin/promtool ./usr/bin/prometheus; then
    install -D -m 755 "$tmp/usr/bin/promtool" "$dest/promtool"
    install -D -m 755 "$tmp/usr/bin/prometheus" "$dest/prometheus"
    echo "promtool and prometheus from Debian's prometheus package: $dest" >&2
  else
    echo "prometheus not available (apt-get download prometheus failed): its tests skip" >&2
  fi
  rm -rf "$tmp"
}

# The fleet_clickhouse tests' server and client: Debian's clickhouse-server and
# clickhouse-client (18.16). The server package would start a system
# ClickHouse; it is installed with service starts denied (a policy-rc.d of
# our own when the machine has none, removed by a trap however the function
# ends) and, only when this script installed it, its service disabled
# (systemd, or update-rc.d without it): the tests start their own server on
# 127.0.0.1. Not fatal: without it those tests say they are skipped, and
# why. When apt has no candidate for it (apt-cache policy), that is said once
# and remembered in /var/lib/tcplens-test/clickhouse-unavailable, so later
# runs do not apt-get update again for it.
clickhouse_install() {
  [[ "${1:-build}" == test && $(id -u) -eq 0 ]] || return 0
  local p have=0 server_before=0
  for p in clickhouse-server clickhouse-client; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null; then
      have=$((have + 1))
      [[ $p == clickhouse-server ]] && server_before=1
    fi
  done
  ((have == 2)) && return 0
  local mark=/var/lib/tcplens-test/clickhouse-unavailable
  [[ -e $mark ]] && return 0
  export DEBIAN_FRONTEND=noninteractive
  # grep without -q: under pipefail, grep -q leaving at its first match
  # kills apt-cache with SIGPIPE and the pipeline reads as "no candidate".
  if ! apt-cache policy clickhouse-server 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null; then
    apt-get update -qq || true
    if ! apt-cache policy clickhouse-server 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null; then
      echo "clickhouse-server is not available from apt here (no candidate): the fleet_clickhouse tests skip (said once; rm $mark to look again)" >&2
      mkdir -p "${mark%/*}" && : >"$mark"
      return 0
    fi
  fi
  local policy=/usr/sbin/policy-rc.d made=0
  if [[ ! -e $policy ]]; then
    # Removed on any exit, an interrupted apt-get's included.
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    trap 'rm -f /usr/sbin/policy-rc.d; exit 130' INT TERM
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made=1
  fi
  if apt-get install -y -qq --no-install-recommends clickhouse-server clickhouse-client >/dev/null; then
    echo "clickhouse-server and clickhouse-client from Debian (not started)" >&2
    if ((!server_before)); then
      if command -v systemctl >/dev/null; then systemctl disable clickhouse-server >/dev/null 2>&1 || true; fi
      if command -v update-rc.d >/dev/null && [[ -e /etc/init.d/clickhouse-server ]]; then
        update-rc.d clickhouse-server disable >/dev/null 2>&1 || true
      fi
    fi
  else
    echo "clickhouse not available (apt-get install clickhouse-server failed): its tests skip" >&2
  fi
  if ((made)); then
    rm -f "$policy"
    trap - EXIT INT TERM
  fi
}

want=("${build_pkgs[@]}")
[[ "${1:-build}" == test ]] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
done
((${#missing[@]} == 0)) && { promtool_fetch "${1:-build}"; clickhouse_install "${1:-build}"; exit 0; }

if [[ $(id -u) -ne 0 ]]; then
  echo "tcplens needs these Debian packages: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
promtool_fetch "${1:-build}"
clickhouse_install "${1:-build}"
