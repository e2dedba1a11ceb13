# plots/cores.gp - the pictures of experiments/cores.sh.
#   gnuplot -e "csv='results/cores/scaling.csv'; out='results/cores'" plots/cores.gp
set datafile separator ","
set terminal pngcairo size 900,560 font "sans,11"
set key top right
set grid
set logscale x 2
set xrange [0.8:20]
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16)
set xlabel "virtual cores"

# Rows of one policy and thread count, in core order.
rows(policy, threads) = sprintf("< awk -F, '$1 == \"%s\" && $3 == %d' '%s'", policy, threads, csv)

set output out."/scaling.png"
set title "Countdown split over 4 threads, time relative to sequential (gilt --sim)"
set ylabel "split time / sequential time"
set yrange [0:*]
plot rows("cpython", 4) using 2:6 with linespoints lw 2 pt 7 title "cpython (new GIL)", \
     rows("legacy", 4) using 2:6 with linespoints lw 2 pt 5 title "legacy (CPython 2 GIL)", \
     rows("none", 4) using 2:6 with linespoints lw 2 pt 9 title "none (no lock)", \
     1 with lines dt 2 lc rgb "gray" title "sequential"

set output out."/battle.png"
set title "The GIL battle: legacy policy, 2 threads (gilt --sim)"
set ylabel "futile wake-ups per real switch"
set key top left
plot rows("legacy", 2) using 2:($8 / ($9 > 0 ? $9 : 1)) with linespoints lw 2 pt 7 title "legacy"
