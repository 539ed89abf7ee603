#!/usr/bin/env bash
# review.sh — the README's main job (`make review`): installs what is missing, builds, runs the
# bundled suite, runs the design-review sweeps of scenarios/review/ and a traced run of each at
# one size, renders every plot into results/ with an index (results/index.md, index.html),
# and prints a table of the headline figures. Progress goes to stderr, only on a terminal.
# Usage: scripts/review.sh   (environment: BUILD=build, JOBS=number of CPUs, OUT=results)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
OUT=${OUT:-results}
K=$BUILD/kcsim
R=$OUT/review
tty=0
[ -t 2 ] && tty=1
step=0
steps=9
say() { step=$((step + 1)); [ $tty = 1 ] && printf '[%d/%d] %s\n' "$step" "$steps" "$*" >&2 || true; }
start=$(date +%s)   # wall time for the closing line only; never written to a result file

say "dependencies"
scripts/install-deps.sh
say "build ($BUILD)"
make -s BUILD="$BUILD" all >/dev/null

say "bundled suite: kcsim check scenarios/"
mkdir -p "$OUT"
suite_rc=0
"$K" check scenarios/ --jobs "$JOBS" --out "$OUT/check" >"$OUT/check.txt" || suite_rc=$?
grep '^FAIL' "$OUT/check.txt" || true
suite=$(tail -n 1 "$OUT/check.txt")

# The design-review sweeps: each scenario over its size, ZooKeeper mode and request batching.
# Sizes keep the whole job to a few minutes on two cores.
modes=(--set config.zk_mode=sync,pipelined --set config.batch_requests=true,false)
sweep() { # NAME SCENARIO SIZE-KEY SIZES [X XLABEL FIGURES]
  local name=$1 file=$2 key=$3 sizes=$4 x=$5 xlabel=$6 figs=$7
  say "sweep $name: $key = $sizes"
  rm -rf "${R:?}/$name"
  "$K" sweep "scenarios/review/$file" --set "$key=$sizes" "${modes[@]}" --jobs "$JOBS" --out "$R/$name" >/dev/null
  "$K" plot "$R/$name" --x "$x" --xlabel "$xlabel" --y "$figs" >/dev/null
}
sweep controller-failover-1p controller-failover-1p.yaml topic_sets.0.count 1000,2000,5000,10000,20000,50000 \
  partitions 'partitions (one-partition topics, 5 brokers, 3 replicas each)' \
  op_us,recovered_us,unavailable_partition_us,controller_busy_us,zk_reads,zk_writes,requests
sweep controller-failover-50p controller-failover-50p.yaml topic_sets.0.count 20,40,100,200,400,1000 \
  partitions 'partitions (50-partition topics, 5 brokers, 3 replicas each)' \
  op_us,recovered_us,unavailable_partition_us,controller_busy_us,zk_reads,zk_writes,requests
sweep controlled-shutdown controlled-shutdown.yaml topics.t.partitions 500,1000,2000,5000,10000,20000 \
  replicas_per_broker 'replicas per broker (5 brokers, 3 replicas per partition)' \
  op_us,recovered_us,unavailable_partition_us,controller_busy_us,zk_writes,requests
sweep broker-failure broker-failure.yaml topics.t.partitions 500,1000,2000,5000,10000,20000 \
  partitions_per_broker 'partitions per broker (5 brokers, 3 replicas per partition)' \
  recovered_us,unavailable_partition_us,op_us,controller_busy_us,zk_writes,requests

# One traced run of each at 5,000 partitions, sync against pipelined: timelines, CDFs and
# controller-busy strips.
say "traced runs at 5,000 partitions (timelines, CDFs, controller-busy strips)"
detail() { # NAME SCENARIO SIZE-SET
  rm -rf "${R:?}/$1-runs"
  "$K" sweep "scenarios/review/$2" --set "$3" --set config.zk_mode=sync,pipelined --trace --jobs "$JOBS" \
    --out "$R/$1-runs" >/dev/null
  "$K" plot "$R/$1-runs" --y op_us >/dev/null
}
detail controller-failover-1p controller-failover-1p.yaml topic_sets.0.count=5000
detail controller-failover-50p controller-failover-50p.yaml topic_sets.0.count=100
detail controlled-shutdown controlled-shutdown.yaml topics.t.partitions=5000
detail broker-failure broker-failure.yaml topics.t.partitions=5000

say "headline figures and the index"
# Headline: each sweep's figure at its largest size, for the four combinations.
headline() { # SWEEP-NAME FIGURE LABEL
  awk -F, -v fig="$2" -v label="$3" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { size = $(col["partitions"]) + 0
      key = $(col["config.zk_mode"]) "/" $(col["config.batch_requests"])
      if (size > max) { max = size; delete v }
      if (size == max) v[key] = $(col[fig]) }
    END {
      printf "%-62s", sprintf(label, max)
      n = split("sync/true sync/false pipelined/true pipelined/false", k, " ")
      for (i = 1; i <= n; i++)
        printf "%11s", (k[i] in v && v[k[i]] >= 0) ? sprintf("%.2f s", v[k[i]] / 1e6) : "never"
      printf "\n" }' "$R/$1/sweep.csv"
}
{
  printf '%-62s%11s%11s%11s%11s\n' "design review (largest size of each sweep)" sync sync pipelined pipelined
  printf '%-62s%11s%11s%11s%11s\n' "" batched unbatched batched unbatched
  headline controller-failover-1p op_us "controller failover, %d one-partition topics"
  headline controller-failover-1p recovered_us "  ... until every partition is available again"
  headline controller-failover-50p op_us "controller failover, %d partitions in 50-partition topics"
  headline controller-failover-50p recovered_us "  ... until every partition is available again"
  headline controlled-shutdown op_us "controlled shutdown, %d partitions (3 replicas, 5 brokers)"
  headline controlled-shutdown recovered_us "  ... until every partition is available again"
  headline broker-failure recovered_us "hard broker failure, %d partitions: until all available"
  headline broker-failure op_us "  ... the controller's broker-failure handling"
} >"$R/headline.txt"

# The index: every plot, sweep by sweep (its figures, then its traced runs), PNG with its SVG.
reviews=(controller-failover-1p controller-failover-50p controlled-shutdown broker-failure)
titles=("Controller failover, one-partition topics" "Controller failover, 50-partition topics"
        "Controlled shutdown" "Hard broker failure")
pngs() { find "$R/$1" -path '*/plots/*.png' | LC_ALL=C sort; }
{
  echo "# kcsim design review"
  echo
  echo "Made by \`make review\` (scripts/review.sh). Suite: $suite. Each sweep folder holds"
  echo "sweep.csv (one row per run) and its runs; plots/ holds PNG, SVG and the integer data they"
  echo "are drawn from. Times are simulated; \"unavailable\" is the clients' view (no live broker"
  echo "acts as the partition's leader)."
  echo
  echo '```'
  cat "$R/headline.txt"
  echo '```'
  for i in "${!reviews[@]}"; do
    for d in "${reviews[$i]}" "${reviews[$i]}-runs"; do
      echo
      [ "$d" = "${reviews[$i]}" ] && echo "## ${titles[$i]}: sweep" || echo "## ${titles[$i]}: traced runs at one size"
      echo
      while IFS= read -r png; do
        rel=${png#"$OUT"/}
        echo "- [${rel#review/}]($rel) ([svg](${rel%.png}.svg))"
      done < <(pngs "$d")
    done
  done
} >"$OUT/index.md"
{
  echo '<!doctype html><html><head><meta charset="utf-8"><title>kcsim design review</title>'
  echo '<style>body{font-family:sans-serif;max-width:1250px;margin:auto}img{max-width:100%;border:1px solid #ddd}</style></head><body>'
  echo "<h1>kcsim design review</h1><p>Made by <code>make review</code>. Suite: $suite.</p><pre>"
  cat "$R/headline.txt"
  echo '</pre>'
  for i in "${!reviews[@]}"; do
    for d in "${reviews[$i]}" "${reviews[$i]}-runs"; do
      [ "$d" = "${reviews[$i]}" ] && echo "<h2>${titles[$i]}: sweep</h2>" || echo "<h2>${titles[$i]}: traced runs at one size</h2>"
      while IFS= read -r png; do
        rel=${png#"$OUT"/}
        echo "<p><a href=\"${rel%.png}.svg\"><img src=\"$rel\" alt=\"${rel#review/}\"></a></p>"
      done < <(pngs "$d")
    done
  done
  echo '</body></html>'
} >"$OUT/index.html"
cat "$R/headline.txt"
echo "suite: $suite; plots: $(find "$OUT/review" -path '*/plots/*.png' | wc -l) PNG (and SVG), listed in $OUT/index.md and $OUT/index.html"
[ $tty = 1 ] && echo "review: $(($(date +%s) - start)) s" >&2
exit "$suite_rc"
