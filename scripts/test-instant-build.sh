#!/usr/bin/env bash
# test-instant-build.sh — the test architecture S1 asks of instant start-up's direct
# construction: every bundled scenario and the cases of sim/testdata/instant-build/ (edge
# cases, and a 10,000-partition scale run with a failover and a crash), each run with --trace
# once with `--instant-build real` and once with `direct`, every result file compared byte for
# byte.
# (Scenarios with `initial:` or `startup: simulated` take neither path; they compare equal
# trivially and are run too, as the suite is cheap.) Usage: test-instant-build.sh KCSIM
set -u
kcsim=${1:-build/kcsim}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 n=0
while IFS= read -r f; do
  for m in real direct; do
    "$kcsim" run "$f" --trace --quiet --instant-build $m --out "$tmp/$m/$n" >/dev/null 2>&1
  done
  if diff -r "$tmp/real/$n" "$tmp/direct/$n" >/dev/null 2>&1 && [ -e "$tmp/real/$n/summary.json" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "instant-build: $f: the real and the direct start-up differ"
  fi
  n=$((n + 1))
done < <(find scenarios sim/testdata/instant-build -name '*.yaml' | LC_ALL=C sort)
echo "instant-build: $pass passed, $fail failed"
[ $fail -eq 0 ]
