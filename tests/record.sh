#!/bin/sh
# tests/record.sh - what a run records is right: the --trace file follows
# the trace-event format, and --stats, --trace and --hist of one run agree
# with each other (tests/record_check.py says exactly what is checked).
#
# tests/record/threads.py (threads sleeping, waiting on a lock, a
# condition, a queue, a socket, in join, computing without the GIL, then
# two CPU-bound threads) runs under every policy, in real time and in
# virtual time; the convoy of experiments/convoy.py, where waiters ask the
# CPU-bound holder to drop the lock, must show hand-off and drop-request
# arrows.  In --sim the figures agree to the nanosecond (up to the CSV's
# rounding); in real mode too, since every figure and span comes from the
# same clock readings.
#
# Environment: GILT (the binary), PYTHON3, top_srcdir.
set -u
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
GILT=${GILT:-$top_srcdir/build/gilt}
PYTHON3=${PYTHON3:-python3}
if ! command -v "$PYTHON3" >/dev/null 2>&1; then
    echo "record.sh: no python3 to read the recordings with: skipped"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# run DESCRIPTION CHECK-ARGS -- GILT-RUN-ARGS...
run() {
    desc=$1 check=$2
    shift 3
    if ! timeout 120 "$GILT" run --stats "$tmp/s.csv" --trace "$tmp/t.json" --hist "$tmp/h.csv" \
        "$@" >"$tmp/out" 2>"$tmp/err"; then
        echo "FAIL: $desc: gilt run $* did not succeed:"
        sed 's/^/    /' "$tmp/err" | tail -5
        fail=1
        return
    fi
    # shellcheck disable=SC2086
    if "$PYTHON3" "$top_srcdir/tests/record_check.py" --stats "$tmp/s.csv" --trace "$tmp/t.json" \
        --hist "$tmp/h.csv" $check >"$tmp/check" 2>&1; then
        echo "ok: $desc"
    else
        echo "FAIL: $desc (gilt run $*):"
        sed 's/^/    /' "$tmp/check"
        fail=1
    fi
}

prog=$top_srcdir/tests/record/threads.py
for mode in "" "--sim"; do
    for policy in cpython legacy fifo iopri bfs none; do
        # shellcheck disable=SC2086
        run "threads, ${mode:-real} $policy" "--program $prog" -- \
            $mode --gil "$policy" --switch-interval 0.0005 "$prog"
    done
done
for mode in "" "--sim"; do
    # shellcheck disable=SC2086
    run "convoy, ${mode:-real} cpython: hand-offs and drop requests" \
        "--want-flow handoff --want-flow drop" -- \
        $mode --switch-interval 0.001 "$top_srcdir/experiments/convoy.py" 1 0.05
done
# Daemon threads still running, blocked or waiting for the GIL when the
# program ends: the records are written all the same (and never while a
# daemon appends to them: tests/record_check.py cannot see that, the
# sanitizer build can).
cat >"$tmp/daemons.py" <<'EOF'
import threading, time
def spin():
    while True:
        pass
def nap():
    while True:
        time.sleep(0.0003)
for f in (spin, spin, nap):
    threading.Thread(target=f, daemon=True).start()
n = 0
while n < 200000:
    n += 1
time.sleep(0.01)
EOF
for mode in "" "--sim"; do
    # shellcheck disable=SC2086
    run "daemon threads at exit, ${mode:-real}" "--daemons" -- \
        $mode --switch-interval 0.0005 "$tmp/daemons.py"
done
# Two virtual runs with one seed record the same bytes.
"$GILT" run --sim --seed 4 --trace "$tmp/a.json" --hist "$tmp/a.csv" "$prog" >/dev/null &&
    "$GILT" run --sim --seed 4 --trace "$tmp/b.json" --hist "$tmp/b.csv" "$prog" >/dev/null &&
    cmp -s "$tmp/a.json" "$tmp/b.json" && cmp -s "$tmp/a.csv" "$tmp/b.csv" ||
    { echo "FAIL: two --sim runs with one seed record differently"; fail=1; }

[ "$fail" = 0 ] && echo "record: all checks passed"
exit "$fail"
