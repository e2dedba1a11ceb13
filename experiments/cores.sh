#!/bin/sh
# experiments/cores.sh - CPU scaling, the GIL battle and the new GIL on
# CPU-bound threads, on 1 to 16 virtual cores (threads only), in
# deterministic virtual time, so a 2-core laptop shows what 16 cores do.
#
# For each policy (cpython, legacy, none), each core count (1, 2, 4, 8, 16)
# and each thread count (2, 4, 8), a countdown of N is run sequentially and
# split over the threads (experiments/countdown.py, under --sim --seed 1).
# Writes OUTDIR/scaling.csv (one tidy row per run) and draws
#   OUTDIR/scaling.png  time of the split run / sequential, 4 threads
#   OUTDIR/battle.png   legacy: futile wake-ups per real switch, 2 threads
# and prints both tables.  Beazley (2010): under a GIL threads are no faster
# than sequential on any number of cores; CPython 2's lock (legacy) makes
# them slower on 2+ cores, with a "battle" of futile wake-ups, but not on
# one; without a lock they scale with the cores.
#
# Usage: experiments/cores.sh [GILT] [OUTDIR] [N]
#        (defaults: build/gilt, results/cores, 4000000)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
GILT=${1:-$here/../build/gilt}
OUT=${2:-results/cores}
N=${3:-4000000}
[ -x "$GILT" ] || { echo "experiments/cores.sh: no gilt binary at $GILT (build first)" >&2; exit 2; }
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# stat COLUMN CSV: sum of a --stats column over the threads
stat() {
    awk -F, -v col="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
        { s += $c } END { print s + 0 }' "$2"
}

csv=$tmp/scaling.csv
echo "policy,cores,threads,sequential_s,split_s,ratio,forced_switches,futile_wakeups,switches" >"$csv"
for policy in cpython legacy none; do
    for cores in 1 2 4 8 16; do
        "$GILT" run --sim --seed 1 --gil "$policy" --cores "$cores" "$here/countdown.py" "$N" 0 >"$tmp/seq"
        seq=$(awk '$1 == "run_s" { print $2 }' "$tmp/seq")
        for k in 2 4 8; do
            "$GILT" run --sim --seed 1 --gil "$policy" --cores "$cores" --stats "$tmp/s.csv" \
                "$here/countdown.py" "$N" "$k" >"$tmp/split"
            split=$(awk '$1 == "run_s" { print $2 }' "$tmp/split")
            awk -v p="$policy" -v c="$cores" -v k="$k" -v q="$seq" -v s="$split" \
                -v f="$(stat forced_switches "$tmp/s.csv")" -v w="$(stat futile_wakeups "$tmp/s.csv")" \
                -v x="$(stat switched_in "$tmp/s.csv")" \
                'BEGIN { printf "%s,%d,%d,%s,%s,%.3f,%d,%d,%d\n", p, c, k, q, s, s / q, f, w, x }' >>"$csv"
        done
    done
done
mv "$csv" "$OUT/scaling.csv"

echo "split over 4 threads, time / sequential (countdown of $N, virtual time)"
awk -F, 'NR > 1 && $3 == 4 { r[$1 "," $2] = $6 }
    END {
        printf "  %-8s", "cores"; n = split("1 2 4 8 16", cs, " ")
        for (i = 1; i <= n; i++) printf " %7s", cs[i]; printf "\n"
        m = split("cpython legacy none", ps, " ")
        for (j = 1; j <= m; j++) {
            printf "  %-8s", ps[j]
            for (i = 1; i <= n; i++) printf " %7.2f", r[ps[j] "," cs[i]]
            printf "\n"
        }
    }' "$OUT/scaling.csv"
echo "legacy, 2 threads: futile wake-ups per real switch"
awk -F, 'NR > 1 && $1 == "legacy" && $3 == 2 {
        printf "  %2d cores: %6d futile, %5d switches, %7.1f per switch\n", $2, $8, $9, $8 / ($9 > 0 ? $9 : 1) }' \
    "$OUT/scaling.csv"

if command -v gnuplot >/dev/null 2>&1; then
    gnuplot -e "csv='$OUT/scaling.csv'; out='$OUT'" "$here/../plots/cores.gp"
    echo "plots: $OUT/scaling.png $OUT/battle.png"
else
    echo "gnuplot not found: no plots (install gnuplot-nox)" >&2
fi
