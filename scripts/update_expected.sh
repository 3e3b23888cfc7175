#!/usr/bin/env bash
# scripts/update_expected.sh — rewrite samples/expected/*.json from the current
# build after a deliberate change to the analysis. Review `git diff
# samples/expected` before committing: every changed line is a changed verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DTCPLENS_TESTS=OFF >/dev/null && cmake --build build -j"$(nproc)" >/dev/null
mkdir -p samples/expected
for s in samples/*.pcap samples/*.pcapng; do
  [[ -e "$s" ]] || continue
  n=$(basename "${s%.*}")
  UPDATE_EXPECTED=1 python3 tests/integration/check_golden.py build/tcplens "$s" "samples/expected/$n.json"
done
