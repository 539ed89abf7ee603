#!/usr/bin/env bash
# scale.sh — the scale benchmark (issue 6): generated scenarios from 10,000 to 1,000,000
# partitions (100 brokers, replication factor 3, half of the partitions in 1-partition topics,
# half in 100-partition topics), each with start-up, a controller failover and a crash of broker
# 50, run to quiescence with `kcsim run`. Each size runs twice: with `startup: instant` (the
# cluster is built before time 0 at no simulated cost, the failover comes at 1 s) and with
# `startup: simulated` (the topic creations take their simulated time, the failover comes 1 s
# after the start-up's last operation ended). Writes results/bench/scale.csv and plots wall
# time and peak memory against partitions (results/bench/scale-wall.{png,svg},
# scale-memory.{png,svg}).
#
# The crash must come well after the failover: a broker-change handler of 0.8.2 may act on a
# children list read before a long controller event ended and then leave the dead broker
# unhandled, so the run would never be quiescent. Calibration runs time the start-up and the
# failover at each size; the crash comes at failover + 2 x its duration, rounded up to a second.
#
# Figures per run: wall time (best of SCALE_REPS, a monotonic clock around the process, so
# loading the scenario and writing results count), peak RSS (the largest over the repetitions),
# events processed (summary.json figures.events) and simulated end time / wall time. Under
# instant start-up the ratio charges the start-up's wall time against no simulated time.
#
# Usage: [BUILD=build] [SCALE_SIZES="10000 20000 ..."] [SCALE_STARTUPS="instant simulated"]
#        [SCALE_REPS=3] [SCALE_OUT=results/bench/scale.csv] scripts/bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SIZES=${SCALE_SIZES:-"10000 20000 50000 100000 200000 500000 1000000"}
REPS=${SCALE_REPS:-3}
STARTUPS=${SCALE_STARTUPS:-"instant simulated"}
OUT=${SCALE_OUT:-results/bench/scale.csv}
PY=scripts/bench/scale.py
KCSIM=$BUILD/kcsim
WORK=$BUILD/bench/scale
mkdir -p "$WORK" "$(dirname "$OUT")"
make -s BUILD="$BUILD" "$KCSIM" # a no-op under `make bench`

field() { local v=${1##*"$2="}; printf '%s' "${v%% *}"; }

ceil_s() { echo $(( ($1 + 999999) / 1000000 * 1000000 )); }

echo "startup,partitions,replicas,wall_s,peak_rss_mib,events,sim_end_s,sim_per_wall,events_per_s" > "$OUT.tmp"
for p in $SIZES; do
  for st in $STARTUPS; do
    cal=$WORK/calibrate-$st-$p.yaml scn=$WORK/scale-$st-$p.yaml res=$WORK/out-$st-$p
    failover=1000000
    if [ "$st" = simulated ]; then
      python3 $PY gen "$p" "$cal" --startup "$st" --failover-at-us none
      "$KCSIM" run "$cal" --quiet --out "$res-calibrate" >/dev/null
      failover=$(( $(ceil_s "$(python3 $PY op-end "$res-calibrate/summary.json" startup)") + 1000000 ))
    fi
    python3 $PY gen "$p" "$cal" --startup "$st" --failover-at-us "$failover"
    "$KCSIM" run "$cal" --quiet --out "$res-calibrate" >/dev/null
    end=$(python3 $PY op-end "$res-calibrate/summary.json" controller_failover)
    crash=$(ceil_s $(( failover + 2 * (end - failover) )))
    python3 $PY gen "$p" "$scn" --startup "$st" --failover-at-us "$failover" --crash-at-us "$crash"
    best="" rss_max=0
    for ((i = 0; i < REPS; i++)); do
      line=$(python3 $PY measure "$res" -- "$KCSIM" run "$scn" --quiet --out "$res")
      w=$(field "$line" wall_s) r=$(field "$line" peak_rss_kib)
      [ "$r" -gt "$rss_max" ] && rss_max=$r
      if [ -z "$best" ] || awk -v a="$w" -v b="$(field "$best" wall_s)" 'BEGIN { exit !(a < b) }'; then
        best=$line
      fi
    done
    awk -v s="$st" -v p="$p" -v w="$(field "$best" wall_s)" -v r="$rss_max" -v e="$(field "$best" events)" \
      -v t="$(field "$best" end_us)" \
      'BEGIN { printf "%s,%d,%d,%.3f,%.1f,%d,%.3f,%.0f,%.0f\n", s, p, 3 * p, w, r / 1024, e, t / 1e6, t / 1e6 / w, e / w }' \
      >> "$OUT.tmp"
    echo "scale: $p partitions, $st start-up: failover at $((failover / 1000000)) s, crash at $((crash / 1000000)) s: $(tail -1 "$OUT.tmp")" >&2
  done
done
mv "$OUT.tmp" "$OUT"

plots=$(dirname "$OUT")/scale
gnuplot -e "data='$OUT'; out='$plots'" scripts/bench/scale.gp
echo "Scale: 100 brokers, RF 3, start-up, controller failover, broker 50 crashed after 2x the failover; best of $REPS"
column -s, -t "$OUT"
echo "(written to $OUT; plots $plots-wall.{png,svg} and $plots-memory.{png,svg})"
