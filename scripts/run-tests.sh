#!/usr/bin/env bash
# run-tests.sh — runs each unit-test binary and prints one closing line "N passed, M failed"
# over all of them (cmocka prints one summary per binary). Usage: run-tests.sh BUILD BIN...
set -u
shift
passed=0 failed=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out" | grep -E '^\[  (FAILED|PASSED|  ERROR) \]|^\[  ERROR   \]|ERROR:|runtime error' || true
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ] && [ -z "$f" ]; then
    printf '%s\n' "$out" | tail -20; failed=$((failed + 1)); echo "$t: exit $rc"
  fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
