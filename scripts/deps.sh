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
# our own when the machine has none, removed after) and its unit left
# disabled: the tests start their own server on 127.0.0.1. Not fatal:
# without it those tests say they are skipped, and why.
clickhouse_install() {
  [[ "${1:-build}" == test && $(id -u) -eq 0 ]] || return 0
  local p have=0
  for p in clickhouse-server clickhouse-client; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && have=$((have + 1))
  done
  ((have == 2)) && return 0
  local policy=/usr/sbin/policy-rc.d made=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq --no-install-recommends clickhouse-server clickhouse-client >/dev/null ||
     { apt-get update -qq && apt-get install -y -qq --no-install-recommends clickhouse-server \
         clickhouse-client >/dev/null; }; then
    echo "clickhouse-server and clickhouse-client from Debian (not started)" >&2
  else
    echo "clickhouse not available (apt-get install clickhouse-server failed): its tests skip" >&2
  fi
  ((made)) && rm -f "$policy"
  if command -v systemctl >/dev/null; then systemctl disable clickhouse-server >/dev/null 2>&1 || true; fi
}

want=("${build_pkgs[@]}")
[[ "${1:-build}" == test ]] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
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
