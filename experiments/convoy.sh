#!/bin/sh
# experiments/convoy.sh - the convoy effect of bpo-7946 against the switch
# interval, under cpython and the alternative policies, in deterministic
# virtual time.
#
# An echo thread next to one CPU-bound thread, pinged every 2 ms in the
# style of ccbench (experiments/convoy.py), for each policy (cpython,
# iopri, bfs, fifo) and each switch interval from 0.1 to 100 ms, on 4
# virtual cores.  Writes OUTDIR/convoy.csv (one tidy row per run) and draws
#   OUTDIR/convoy_latency.png     p50 round trip against the interval
#   OUTDIR/convoy_throughput.png  the CPU thread's work against the interval
# and prints the table.  bpo-7946: under the new GIL every wait on the
# request path costs about one interval, so latency grows with it; iopri
# and bfs let the I/O thread in at once whatever the interval, at little
# cost to the CPU-bound thread; fifo's quantum is the interval.
#
# Usage: experiments/convoy.sh [GILT] [OUTDIR]   (defaults: build/gilt, results/convoy)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
GILT=${1:-$here/../build/gilt}
OUT=${2:-results/convoy}
[ -x "$GILT" ] || { echo "experiments/convoy.sh: no gilt binary at $GILT (build first)" >&2; exit 2; }
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

csv=$tmp/convoy.csv
echo "policy,interval_s,requests,p50_ms,p99_ms,cpu_work_per_s" >"$csv"
for policy in cpython iopri bfs fifo; do
    for si in 0.0001 0.0005 0.001 0.005 0.02 0.1; do
        # Long enough for a few dozen round trips even at 100 ms.
        secs=$(awk -v s="$si" 'BEGIN { d = 20 * s; if (d < 0.2) d = 0.2; print d }')
        "$GILT" run --sim --seed 1 --cores 4 --gil "$policy" --switch-interval "$si" \
            "$here/convoy.py" 1 "$secs" 0.002 >"$tmp/out"
        awk -v p="$policy" -v si="$si" '
            { v[$1] = $2 }
            END { printf "%s,%s,%s,%s,%s,%s\n", p, si, v["requests"], v["p50_ms"], v["p99_ms"], v["cpu_work_per_s"] }' \
            "$tmp/out" >>"$csv"
    done
done
mv "$csv" "$OUT/convoy.csv"

echo "echo round trip next to one CPU-bound thread, pings every 2 ms (virtual time)"
awk -F, 'NR > 1 { printf "  %-8s interval %7.1f ms: p50 %9.3f ms  p99 %9.3f ms  CPU work %6.1f M/s\n",
                  $1, $2 * 1000, $4, $5, $6 / 1e6 }' "$OUT/convoy.csv"
if command -v gnuplot >/dev/null 2>&1; then
    gnuplot -e "csv='$OUT/convoy.csv'; out='$OUT'" "$here/../plots/convoy.gp"
    echo "plots: $OUT/convoy_latency.png $OUT/convoy_throughput.png"
else
    echo "gnuplot not found: no plots (install gnuplot-nox)" >&2
fi
