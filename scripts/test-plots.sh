#!/usr/bin/env bash
# test-plots.sh — a sweep and its plots must be the same bytes whatever --jobs says and however
# often they are rendered: sweeps with --jobs 1 and --jobs 2, each plotted, then one plotted
# again, compared file by file (CSV, run results, plot data, PNG, SVG). Usage:
# scripts/test-plots.sh [BUILD]   (needs gnuplot: scripts/install-deps.sh installs it)
set -euo pipefail
K=${1:-build}/kcsim
command -v gnuplot >/dev/null || { echo "test-plots: gnuplot not found; scripts/install-deps.sh installs gnuplot-nox" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
args=(scenarios/review/broker-failure.yaml --set config.zk_mode=sync,pipelined --set topics.t.partitions=200,1000 --trace)
"$K" sweep "${args[@]}" --jobs 1 --out "$tmp/one" >/dev/null
"$K" sweep "${args[@]}" --jobs 2 --out "$tmp/two" >/dev/null
"$K" plot "$tmp/one" >/dev/null
"$K" plot "$tmp/two" >/dev/null
cp -r "$tmp/one" "$tmp/again"
"$K" plot "$tmp/again" >/dev/null
diff -r "$tmp/one" "$tmp/two" >/dev/null || { echo "test-plots: --jobs 1 and --jobs 2 differ:" >&2; diff -rq "$tmp/one" "$tmp/two" >&2; exit 1; }
diff -r "$tmp/one" "$tmp/again" >/dev/null || { echo "test-plots: two renders differ:" >&2; diff -rq "$tmp/one" "$tmp/again" >&2; exit 1; }
png=$(find "$tmp/one" -name '*.png' | wc -l)
svg=$(find "$tmp/one" -name '*.svg' | wc -l)
[ "$png" -eq 18 ] && [ "$svg" -eq 18 ] || { echo "test-plots: expected 18 PNG and 18 SVG, got $png and $svg" >&2; exit 1; }
while IFS= read -r f; do
  [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = "211PNG" ] || { echo "test-plots: $f is not a PNG" >&2; exit 1; }
done < <(find "$tmp/one" -name '*.png')
echo "test-plots: $png PNG and $svg SVG, byte-identical across two renders and --jobs 1 / 2"
