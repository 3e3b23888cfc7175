#!/usr/bin/env bash
# scripts/commit_expected.sh — stage samples/expected/NAME.json only for
# samples whose capture is committed and unchanged (so a report is never
# committed for a capture that is still being regenerated).
set -euo pipefail
cd "$(dirname "$0")/.."
for e in samples/expected/*.json; do
  n=$(basename "$e" .json)
  cap=$(ls samples/"$n".pcap samples/"$n".pcapng 2>/dev/null | head -1) || true
  [[ -n "$cap" ]] || continue
  git ls-files --error-unmatch "$cap" >/dev/null 2>&1 || continue
  git diff --quiet -- "$cap" || continue
  git add "$e"
done
