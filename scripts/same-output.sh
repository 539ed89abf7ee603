#!/usr/bin/env bash
# same-output.sh — the check for a change meant to alter no output (a speed-up, a refactor):
# builds REF (a git revision, default HEAD) in a scratch worktree, then runs the same inputs
# with REF's kcsim and the working tree's and compares every result file byte for byte:
# each bundled scenario with --trace, generated scale scenarios (scripts/bench/scale.py; 10,000
# partitions with --trace, SAME_SCALE more without) and an exploration of the small base.
#
# Usage: scripts/same-output.sh [REF]     (SAME_SCALE="100000" by default; "" skips)
#        SAME_SEEDS=1..300 sets the exploration's seeds; BUILD=build names the build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:-HEAD}
SCALE=${SAME_SCALE-100000}
SEEDS=${SAME_SEEDS:-1..300}
BUILD=${BUILD:-build}
tmp=$(mktemp -d); trap 'git worktree remove --force "$tmp/ref" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/ref" "$REF" >/dev/null 2>&1
make -s -C "$tmp/ref" BUILD="$tmp/ref/build" "$tmp/ref/build/kcsim" >/dev/null
make -s BUILD="$BUILD" "$BUILD/kcsim"

python3 scripts/bench/scale.py gen 10000 "$tmp/scale-10000.yaml" --crash-at-us 20000000
for p in $SCALE; do python3 scripts/bench/scale.py gen "$p" "$tmp/scale-$p.yaml" --crash-at-us 120000000; done

run_all() { # BIN OUT
  local n=0 f
  while IFS= read -r f; do
    "$1" run "$f" --trace --quiet --out "$2/$n" >/dev/null 2>&1 || true
    n=$((n + 1))
  done < <(find scenarios -name '*.yaml' | LC_ALL=C sort)
  "$1" run "$tmp/scale-10000.yaml" --trace --quiet --out "$2/scale-10000" >/dev/null
  for p in $SCALE; do "$1" run "$tmp/scale-$p.yaml" --quiet --out "$2/scale-$p" >/dev/null; done
  "$1" explore scenarios/explore/small.yaml --seeds "$SEEDS" --jobs 2 --out "$2/explore" >/dev/null 2>&1 || true
}
run_all "$tmp/ref/build/kcsim" "$tmp/ref-out"
run_all "$BUILD/kcsim" "$tmp/new-out"
if ! diff -r "$tmp/ref-out" "$tmp/new-out" >"$tmp/diff" 2>&1; then
  echo "same-output: results differ from $REF:" >&2
  head -20 "$tmp/diff" >&2
  exit 1
fi
echo "same-output: every result file identical to $REF's ($(find "$tmp/new-out" -type f | wc -l) files)"
