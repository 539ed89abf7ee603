#!/usr/bin/env bash
# test-cli.sh — every class of unusable input, through the real command line: exit status 2 and
# a FILE:LINE:COLUMN message naming what is wrong. Usage: test-cli.sh KCSIM
set -u
kcsim=${1:-build/kcsim}
dir=sim/testdata/bad
pass=0 fail=0
# file, then the start of the expected message (after "FILE:")
cases=(
  "bad-yaml.yaml|3:1:"
  "unknown-key.yaml|3:1: unknown key 'colour'"
  "wrong-type.yaml|2:20:"
  "bad-duration.yaml|4:10:"
  "unknown-broker.yaml|4:21:"
  "unknown-partition.yaml|6:34:"
  "out-of-range.yaml|4:19:"
  "alias.yaml|2:10:"
  "empty.yaml|1:1:"
  "garbage.yaml|1:1:"
  "quoted-number.yaml|3:7: seed: got '7' (quoted, so a string, not a number); expected an integer"
  "broker-or-none.yaml|4:26: controller: got 'nobody'; expected a broker id (an integer in 0..1000000) or none"
  "bom-syntax.yaml|4:1: YAML syntax error"
)
for c in "${cases[@]}"; do
  f=${c%%|*}; want="$dir/$f:${c#*|}"
  out=$("$kcsim" run "$dir/$f" --quiet --out "${TMPDIR:-/tmp}/kcsim-test-cli" 2>&1); rc=$?
  if [ $rc -eq 2 ] && [[ "$out" == "$want"* ]] && [[ "$out" == *expected* || "$out" == *"unknown key"* ]]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "test-cli: $f: exit $rc, got: $out (wanted: $want...)"
  fi
done
for args in "run" "run $dir/empty.yaml --seed -1" "run $dir/empty.yaml --prefault sometimes" "run $dir/empty.yaml --instant-build sometimes" "run $dir/empty.yaml --inject KAFKA-9999" "check" "nosuch"; do
  out=$("$kcsim" $args 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 2 ] && [ -n "$out" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "test-cli: kcsim $args: exit $rc"; fi
done
# a bad --seed is refused before the (valid) scenario runs: an overflow does not saturate
for v in 18446744073709551616 " 5" 1x; do
  out=$("$kcsim" run scenarios/faults/leader-crash-clean.yaml --quiet --seed "$v" --out "${TMPDIR:-/tmp}/kcsim-test-cli" 2>&1); rc=$?
  if [ $rc -eq 2 ] && [[ "$out" == "kcsim: --seed: "* ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "test-cli: --seed '$v': exit $rc: $out"; fi
done
# check: a failing scenario alone exits 1; with an unusable one beside it, 2 (unusable wins).
mixed=sim/testdata/check-mixed
for c in "1|$mixed/fails.yaml" "2|$mixed/unusable.yaml" "2|$mixed" "2|$mixed/unusable.yaml $mixed/fails.yaml"; do
  want=${c%%|*}
  out=$("$kcsim" check ${c#*|} --out "${TMPDIR:-/tmp}/kcsim-test-cli-check" 2>&1); rc=$?
  if [ $rc -eq "$want" ] && [[ "$out" == *"passed, "*" failed"* ]]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "test-cli: kcsim check ${c#*|}: exit $rc (wanted $want): $out"
  fi
done
# --prefault moves the kernel's page-fault work to another thread and must change no byte.
tmp=${TMPDIR:-/tmp}/kcsim-test-cli-prefault
for m in on off; do "$kcsim" run sim/testdata/prefault-60k.yaml --quiet --prefault $m --out "$tmp-$m"; done
if diff -r "$tmp-on" "$tmp-off" >/dev/null; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "test-cli: --prefault on and off differ"; fi
# --instant-build: instant start-up's direct construction against the real one (architecture S1).
if scripts/test-instant-build.sh "$kcsim"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
# controlled-shutdown spans: ended by a crash under way; begun by the first request, which a
# paused broker sends when it resumes
"$kcsim" run sim/testdata/cs-crash-span.yaml --quiet --out "$tmp-cs"
for want in '"broker": 1, "start_us": 1500000, "end_us": 2000000' '"broker": 2, "start_us": 3000000, "end_us": 3003750'; do
  if grep -q "\"kind\": \"controlled_shutdown\", $want" "$tmp-cs/summary.json"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "test-cli: cs-crash-span: no span $want"; fi
done
echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
