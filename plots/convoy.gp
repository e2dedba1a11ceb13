# plots/convoy.gp - the pictures of experiments/convoy.sh.
#   gnuplot -e "csv='results/convoy/convoy.csv'; out='results/convoy'" plots/convoy.gp
set datafile separator ","
set terminal pngcairo size 900,560 font "sans,11"
set grid
set logscale x 10
set xlabel "switch interval (ms)"
rows(policy) = sprintf("< awk -F, '$1 == \"%s\"' '%s'", policy, csv)

set output out."/convoy_latency.png"
set title "Echo round trip next to a CPU-bound thread (gilt --sim, 4 cores)"
set ylabel "p50 round trip (ms)"
set logscale y 10
set key top left
plot rows("cpython") using ($2 * 1000):4 with linespoints lw 2 pt 7 title "cpython", \
     rows("iopri") using ($2 * 1000):4 with linespoints lw 2 pt 5 title "iopri", \
     rows("bfs") using ($2 * 1000):4 with linespoints lw 2 pt 9 title "bfs", \
     rows("fifo") using ($2 * 1000):4 with linespoints lw 2 pt 11 title "fifo"

set output out."/convoy_throughput.png"
set title "The CPU-bound thread's work next to the echo thread (gilt --sim, 4 cores)"
set ylabel "loop iterations per second (millions)"
unset logscale y
set yrange [0:*]
set key bottom right
plot rows("cpython") using ($2 * 1000):($6 / 1e6) with linespoints lw 2 pt 7 title "cpython", \
     rows("iopri") using ($2 * 1000):($6 / 1e6) with linespoints lw 2 pt 5 title "iopri", \
     rows("bfs") using ($2 * 1000):($6 / 1e6) with linespoints lw 2 pt 9 title "bfs", \
     rows("fifo") using ($2 * 1000):($6 / 1e6) with linespoints lw 2 pt 11 title "fifo"
