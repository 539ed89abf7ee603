#!/usr/bin/env bash
# bench.sh — runs every benchmark runner scripts/bench/*.sh in name order (PHOLD, and any
# runner added later: add a file there rather than edit this one). Called by `make bench`,
# which passes BUILD. Runs them all; exits non-zero if any failed.
set -u
cd "$(dirname "$0")/.." || exit 2
status=0
for runner in scripts/bench/*.sh; do
  echo "== $runner"
  "$runner" || { echo "bench: $runner failed" >&2; status=1; }
done
exit $status
