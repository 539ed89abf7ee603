#!/usr/bin/env bash
# determinism.sh — every bundled scenario run twice with gcc and once with clang: all result
# files must be byte-identical. Needs clang (installed by install-deps.sh).
set -euo pipefail
command -v clang >/dev/null || scripts/install-deps.sh
make -s BUILD=build-gcc CC=gcc all
make -s BUILD=build-clang CC=clang all
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0
while IFS= read -r f; do
  for run in gcc1:build-gcc gcc2:build-gcc clang:build-clang; do
    name=${run%%:*}; bin=${run#*:}/kcsim
    "$bin" run "$f" --trace --quiet --out "$tmp/$name/$n" >/dev/null 2>&1 || true
  done
  n=$((n + 1))
done < <(find scenarios -name '*.yaml' | LC_ALL=C sort)
diff -r "$tmp/gcc1" "$tmp/gcc2" >/dev/null || { echo "determinism: two gcc runs differ" >&2; diff -r "$tmp/gcc1" "$tmp/gcc2" | head >&2; exit 1; }
diff -r "$tmp/gcc1" "$tmp/clang" >/dev/null || { echo "determinism: gcc and clang differ" >&2; diff -r "$tmp/gcc1" "$tmp/clang" | head >&2; exit 1; }
echo "determinism: $n scenarios, byte-identical across runs and compilers"
