#!/bin/sh
# tests/cli.sh - the gilt command line (vm/cli/main.c): usage errors exit 2 with
# a message whose every line starts "gilt:" (and the nearest command, policy
# or option), each command's --help and `gilt help`, durations, the exit
# status of KeyboardInterrupt, dis, --trace-exec, and the output options
# write whole files.  Environment: GILT (the binary), PYTHON3 (CPython, to
# compare with; optional).
set -u
GILT=${GILT:-build/gilt}
case "$GILT" in /*) ;; *) GILT=$(pwd)/$GILT ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect STATUS PATTERN -- command...
    want=$1 pat=$2
    shift 3
    "$@" >"$tmp/out" 2>&1
    got=$?
    if [ "$got" != "$want" ] || ! grep -q -- "$pat" "$tmp/out"; then
        echo "FAIL: $* -> status $got (want $want), output:"
        sed 's/^/    /' "$tmp/out" | head -5
        fail=1
    else
        echo "ok: $*"
    fi
}
printf 'def f(x):\n    return x + 1\nprint(f(41))\n' >"$tmp/p.py"
expect 0 "Usage: gilt run" -- "$GILT" --help
expect 0 "^gilt [0-9]" -- "$GILT" --version
expect 2 "Usage:" -- "$GILT"
expect 2 "unknown command 'frob'" -- "$GILT" frob
expect 2 "unknown GIL policy 'bogus'" -- "$GILT" run --gil bogus "$tmp/p.py"
# Each command has its own usage (stdout, status 0), also through
# `gilt help COMMAND`; `gilt help` is the overview.
usage() { # usage WHAT PATTERN ABSENT -- command...: status 0, PATTERN on stdout, not ABSENT, no stderr
    what=$1 pat=$2 absent=$3
    shift 4
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != 0 ] || [ -s "$tmp/err" ] || ! grep -q -- "$pat" "$tmp/out" ||
        { [ -n "$absent" ] && grep -q -- "$absent" "$tmp/out"; }; then
        echo "FAIL: $* -> status $got, not $what's usage alone on stdout:"
        sed 's/^/    /' "$tmp/out" "$tmp/err" | head -5
        fail=1
    else
        echo "ok: $*"
    fi
}
usage run "^Usage: gilt run \[OPTIONS\] FILE.py" "gilt dis" -- "$GILT" run --help
usage run "--switch-interval DUR" "" -- "$GILT" help run
usage dis "^Usage: gilt dis FILE.py" "--gil" -- "$GILT" dis --help
usage dis "^Usage: gilt dis FILE.py" "--gil" -- "$GILT" help dis
usage calibrate "^Usage: gilt calibrate" "--gil" -- "$GILT" calibrate --help
usage calibrate "^Usage: gilt calibrate" "--gil" -- "$GILT" help calibrate
usage overview "^Commands:" "--switch-interval" -- "$GILT" help
usage overview "^Commands:" "--switch-interval" -- "$GILT" --help
usage overview "gilt help COMMAND" "" -- "$GILT" help help
expect 2 "^gilt: unknown command 'frob'$" -- "$GILT" help frob
expect 2 "^gilt: help: unexpected argument 'dis'$" -- "$GILT" help run dis
# A mistake says what is near: a mistyped command (a swap of two letters
# is one edit), policy or long option (after getopt's own message, which
# gilt prints itself, "gilt:" first).
expect 2 "^gilt: unknown command 'rnu' (did you mean 'run'?)$" -- "$GILT" rnu "$tmp/p.py"
expect 2 "^gilt: unknown command 'diss' (did you mean 'dis'?)$" -- "$GILT" diss "$tmp/p.py"
expect 2 "^gilt: unknown command 'calbirate' (did you mean 'calibrate'?)$" -- "$GILT" calbirate
expect 2 "^gilt: unknown command 'rnu' (did you mean 'run'?)$" -- "$GILT" help rnu
expect 2 "^gilt: the commands are: run, dis, calibrate, help" -- "$GILT" frob
expect 2 "^gilt: unknown GIL policy 'cpyton' (did you mean 'cpython'?)$" -- "$GILT" run --gil cpyton "$tmp/p.py"
expect 2 "^gilt: the policies are: cpython, legacy, fifo, iopri, bfs, none$" -- "$GILT" run --gil cpyton "$tmp/p.py"
expect 2 "^gilt: unrecognized option '--trace-exce' (did you mean '--trace-exec'?)$" -- \
    "$GILT" run --trace-exce "$tmp/p.py"
expect 2 "^gilt: unrecognized option '--sed' (did you mean '--seed'?)$" -- "$GILT" run --sed 3 "$tmp/p.py"
expect 2 "^gilt: unrecognized option '--swich=5ms' (did you mean '--switch-interval'?)$" -- \
    "$GILT" run --swich=5ms "$tmp/p.py"
expect 2 "^gilt: unrecognized option '--quik' (did you mean '--quick'?)$" -- "$GILT" calibrate --quik
expect 2 "^gilt: unrecognized option '--frobnicate'$" -- "$GILT" run --frobnicate "$tmp/p.py"
expect 2 "^gilt: unrecognized option '--gil'" -- "$GILT" dis --gil none "$tmp/p.py"
expect 2 "^gilt: option '--wake' is ambiguous; possibilities: '--wake-latency' '--wake-fast' '--wake-tail'$" -- \
    "$GILT" run --sim --wake 1us "$tmp/p.py"
expect 2 "^gilt: option '--sim' doesn't allow an argument$" -- "$GILT" run --sim=yes "$tmp/p.py"
expect 2 "^gilt: option '--gil' requires an argument$" -- "$GILT" run --gil
expect 2 "^gilt: option requires an argument -- 'c'$" -- "$GILT" run -c
expect 2 "^gilt: invalid option -- 'x'$" -- "$GILT" run -x "$tmp/p.py"
expect 2 "^gilt: dis: unexpected argument 'extra'$" -- "$GILT" dis "$tmp/p.py" extra
# Every line of a usage error starts "gilt:", the hint included.
for args in "rnu" "frob" "help frob" "--bogus" "run --gil cpyton $tmp/p.py" "run --trace-exce $tmp/p.py" \
    "run --wake 1us $tmp/p.py" "run -x $tmp/p.py" "run -c" "run --gil" "run" "dis" \
    "run --switch-interval 5m $tmp/p.py" "run --sim --timeslice 5 $tmp/p.py" "run --cores 2 $tmp/p.py" \
    "run $tmp/missing.py" "calibrate --bogus" "calibrate extra" "dis $tmp/p.py extra"; do
    # shellcheck disable=SC2086
    "$GILT" $args >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != 2 ] || [ ! -s "$tmp/err" ] || [ -s "$tmp/out" ] || grep -qv '^gilt: ' "$tmp/err"; then
        echo "FAIL: gilt $args -> status $got (want 2), stderr lines not all 'gilt: ...':"
        sed 's/^/    /' "$tmp/err" | head -5
        fail=1
    else
        echo "ok: gilt $args: every line 'gilt: ...'"
    fi
done
expect 2 "positive duration up to 3600s: seconds .*, not '0'" -- "$GILT" run --switch-interval 0 "$tmp/p.py"
expect 2 "not '1e400'" -- "$GILT" run --switch-interval 1e400 "$tmp/p.py"
expect 2 "not 'nan'" -- "$GILT" run --switch-interval nan "$tmp/p.py"
expect 2 "not '3601'" -- "$GILT" run --switch-interval 3601 "$tmp/p.py"
expect 1 "ValueError: switch interval must be a finite number of seconds, not inf" -- \
    "$GILT" run -c 'import sys; sys.setswitchinterval(float("inf"))'
expect 1 "ValueError: switch interval must be at most 3600 seconds, not 1e+300" -- \
    "$GILT" run -c 'import sys; sys.setswitchinterval(1e300)'
expect 0 "0.25" -- "$GILT" run -c 'import sys; sys.setswitchinterval(0.25); print(sys.getswitchinterval())'
expect 2 "bad --max-heap size 'lots'" -- "$GILT" run --max-heap lots "$tmp/p.py"
expect 2 "can't open file" -- "$GILT" run "$tmp/missing.py"
# Every numeric option is range-checked, with the bad value in the
# message: no value may wrap in what it is stored in (an int, a size_t, a
# uint64_t).
expect 2 "check-interval wants an integer from 1 to 2147483647, not '2147483648'" -- \
    "$GILT" run --check-interval 2147483648 "$tmp/p.py"
expect 2 "not '4294967295'" -- "$GILT" run --check-interval 4294967295 "$tmp/p.py"
expect 2 "not '-1'" -- "$GILT" run --check-interval -1 "$tmp/p.py"
expect 0 "^42$" -- "$GILT" run --check-interval 2147483647 "$tmp/p.py"
expect 2 "seed wants an integer from 0 to 18446744073709551615, not ' -1'" -- \
    "$GILT" run --seed " -1" "$tmp/p.py"
expect 2 "not '18446744073709551616'" -- "$GILT" run --seed 18446744073709551616 "$tmp/p.py"
expect 2 "seed wants an integer from 0 to 18446744073709551615, not ''" -- "$GILT" run --seed "" "$tmp/p.py"
expect 0 "^42$" -- "$GILT" run --seed 18446744073709551615 "$tmp/p.py"
expect 2 "bad --max-heap size '1e30'" -- "$GILT" run --max-heap 1e30 "$tmp/p.py"
expect 2 "bad --max-heap size 'nan'" -- "$GILT" run --max-heap nan "$tmp/p.py"
expect 2 "bad --max-heap size '17179869184G'" -- "$GILT" run --max-heap 17179869184G "$tmp/p.py"
expect 2 "switch-interval wants a positive duration up to 3600s: .*, not 'inf'" -- \
    "$GILT" run --switch-interval inf "$tmp/p.py"
expect 2 "not '1e300'" -- "$GILT" run --switch-interval 1e300 "$tmp/p.py"
expect 2 "cores wants an integer from 1 to 1024, not '4294967297'" -- \
    "$GILT" run --sim --cores 4294967297 "$tmp/p.py"
expect 2 "--background-load wants a number of threads from 0 to 1024, not '1025'" -- \
    "$GILT" run --sim --background-load 1025 "$tmp/p.py"
expect 2 "--background-load wants a number of threads from 0 to 1024, not 'x'" -- \
    "$GILT" run --sim --background-load x "$tmp/p.py"
expect 2 "lookahead wants a duration with a unit (ns, us, ms, s) up to 3600s, e.g. 20us, not '3601s'" -- \
    "$GILT" run --sim --lookahead 3601s "$tmp/p.py"
expect 2 "not '20000000000000000000ns'" -- "$GILT" run --sim --ctx-switch 20000000000000000000ns "$tmp/p.py"
expect 2 "wake-tail wants SHARE%,MEAN .*, not '101%,1ms'" -- "$GILT" run --sim --wake-tail 101%,1ms "$tmp/p.py"
expect 2 "not '5%,7200s'" -- "$GILT" run --sim --wake-tail 5%,7200s "$tmp/p.py"
expect 2 "missing FILE.py" -- "$GILT" run
expect 0 "^42$" -- "$GILT" run "$tmp/p.py"
expect 0 "^3$" -- "$GILT" run -c "print(1 + 2)"
expect 0 "BINARY_ADD" -- "$GILT" dis "$tmp/p.py"
# A NUL byte is a SyntaxError at its position (CPython 3.11.4+), not the
# end of the source.
printf 'print(1)\nprint(2)\0print(3)\n' >"$tmp/nul.py"
expect 1 "nul.py:2:9: SyntaxError: source code cannot contain null bytes" -- "$GILT" run "$tmp/nul.py"
expect 1 "nul.py:2:9: SyntaxError: source code cannot contain null bytes" -- "$GILT" dis "$tmp/nul.py"
# gilt dis reads as python -m dis: a header per code object (its name, no
# address), nested ones after their parent, the line in the first column
# where one starts, ">>" on jump targets, small ints as their values.
printf 'def f(n):\n    while n > 0:\n        n -= 1\n    def g():\n        return -3\n    return g\n' >"$tmp/d.py"
expect 0 "^Disassembly of f ($tmp/d.py, line 1):$" -- "$GILT" dis "$tmp/d.py"
grep -q "^Disassembly of <module> ($tmp/d.py, line 1):$" "$tmp/out" &&
    grep -q "^Disassembly of f.<locals>.g ($tmp/d.py, line 4):$" "$tmp/out" &&
    grep -q "^  2     >>    0 LOAD_FAST  *0 (n)$" "$tmp/out" &&
    grep -q "^  5           0 LOAD_SMALL_INT  *-3$" "$tmp/out" &&
    [ "$(grep '^Disassembly' "$tmp/out" | cut -d' ' -f3 | tr '\n' ' ')" = "<module> f f.<locals>.g " ] &&
    ! grep -q "0x\|8388" "$tmp/out" ||
    { echo "FAIL: gilt dis does not read as python -m dis:"; sed 's/^/    /' "$tmp/out" | head -20; fail=1; }
"$GILT" dis "$tmp/d.py" >"$tmp/d1" && "$GILT" dis "$tmp/d.py" >"$tmp/d2" && cmp -s "$tmp/d1" "$tmp/d2" ||
    { echo "FAIL: two gilt dis listings differ"; fail=1; }
expect 0 "^Disassembly of <module> (<string>, line 1):$" -- "$GILT" dis -c 'x = 1'
expect 1 "^$tmp/bad.py:1:5: SyntaxError: .(. was never closed$" -- sh -c "printf 'x = (\n' >'$tmp/bad.py'; '$GILT' dis '$tmp/bad.py'"
expect 0 "RETURN_VALUE" -- "$GILT" run --trace-exec "$tmp/p.py"
# --trace-exec: each line says file:line, thread and function; the frames
# of the built-in Python modules (threading, queue) only with =all.
printf 'import threading\ndef work(n):\n    for i in range(n):\n        pass\nt = threading.Thread(target=work, args=(3,))\nt.start()\nt.join()\n' >"$tmp/th.py"
expect 0 "^$tmp/th.py:3 \[Thread-1 (work)\] work: *[0-9]* FOR_ITER " -- "$GILT" run --trace-exec "$tmp/th.py"
grep -q "^$tmp/th.py:7 \[MainThread\] <module>: *[0-9]* LOAD_METHOD  *[0-9]* (join)$" "$tmp/out" &&
    ! grep -q "<gilt:" "$tmp/out" && ! grep -v "^$tmp/th.py:[0-9]* \[[^]]*\] [^ ]*: " "$tmp/out" | grep -q . &&
    [ "$(wc -l <"$tmp/out")" -lt 100 ] ||
    { echo "FAIL: --trace-exec lines lack file:line/thread/function, or show threading.py:"; head -3 "$tmp/out"; fail=1; }
expect 0 "^<gilt:threading>:[0-9]* \[MainThread\] Thread.start: " -- "$GILT" run --trace-exec=all "$tmp/th.py"
grep -q "^<gilt:threading>:[0-9]* \[Thread-1 (work)\] " "$tmp/out" && grep -q "^$tmp/th.py:3 \[Thread-1 (work)\] work: " "$tmp/out" ||
    { echo "FAIL: --trace-exec=all leaves out the frames of threading"; fail=1; }
expect 2 "^gilt: --trace-exec takes no value, or =all .*, not 'some'$" -- "$GILT" run --trace-exec=some "$tmp/th.py"
# An output that cannot be written is a usage error found before the
# program runs (the files themselves are written at the end).
printf 'print("ran")\n' >"$tmp/ran.py"
for o in --stats --hist --trace; do
    expect 2 "cannot write '/nonexistent/x.json': No such file or directory" -- \
        "$GILT" run $o /nonexistent/x.json "$tmp/ran.py"
    ! grep -q ran "$tmp/out" || { echo "FAIL: the program ran despite a bad $o"; fail=1; }
done
expect 2 "cannot write '$tmp': Is a directory" -- "$GILT" run --stats "$tmp" "$tmp/ran.py"
! grep -q ran "$tmp/out" || { echo "FAIL: the program ran despite --stats DIR"; fail=1; }
ls "$tmp" | grep -q '\.tmp' && { echo "FAIL: the check before the run left a file"; fail=1; }
expect 0 "42" -- "$GILT" run --stats "$tmp/s.csv" --hist "$tmp/h.csv" --trace "$tmp/t.json" "$tmp/p.py"
for f in s.csv h.csv t.json; do
    if [ ! -s "$tmp/$f" ] || ls "$tmp" | grep -q "^$f\.tmp"; then
        echo "FAIL: $f not written whole"; fail=1
    fi
done
head -1 "$tmp/s.csv" | grep -q '^policy,switch_interval_s' || { echo "FAIL: stats header"; fail=1; }
# An output file replaces only what it names: a symbolic link stays a link
# (the file it leads to is written, also when it does not exist yet, also
# through a relative link from another directory), and a device or a FIFO
# is written directly, with its errors reported.  The devices are reached
# through links in $tmp, so that a gilt that renames over its outputs
# replaces a link, never /dev/full itself.
mkdir "$tmp/links"
: >"$tmp/real.csv"
ln -s "$tmp/real.csv" "$tmp/links/abs.csv"
ln -s ../new.csv "$tmp/links/rel.csv"
ln -s ../real.json "$tmp/links/t.json"
ln -s /dev/full "$tmp/links/full"
ln -s /dev/null "$tmp/links/null"
expect 0 "^42$" -- "$GILT" run --stats "$tmp/links/abs.csv" --hist "$tmp/links/rel.csv" \
    --trace "$tmp/links/t.json" "$tmp/p.py"
for l in abs.csv rel.csv t.json; do
    [ -L "$tmp/links/$l" ] || { echo "FAIL: --stats/--hist/--trace replaced the link $l"; fail=1; }
done
head -1 "$tmp/real.csv" | grep -q '^policy,' && head -1 "$tmp/new.csv" | grep -q '^policy,.*,kind,name,count,' &&
    grep -q traceEvents "$tmp/real.json" && ! ls "$tmp" "$tmp/links" | grep -q '\.tmp' ||
    { echo "FAIL: the files behind the links are not written whole"; fail=1; }
for o in --stats --hist --trace; do
    expect 1 "cannot write '$tmp/links/full': No space left on device" -- \
        "$GILT" run $o "$tmp/links/full" "$tmp/p.py"
    expect 0 "^42$" -- "$GILT" run $o "$tmp/links/null" "$tmp/p.py"
done
[ -L "$tmp/links/full" ] && [ -L "$tmp/links/null" ] && [ -c /dev/full ] && [ -c /dev/null ] ||
    { echo "FAIL: a device output was replaced"; fail=1; }
mkfifo "$tmp/fifo"
timeout 10 cat "$tmp/fifo" >"$tmp/fifo.out" &
reader=$!
expect 0 "^42$" -- timeout 10 "$GILT" run --stats "$tmp/fifo" "$tmp/p.py"
wait $reader
[ -p "$tmp/fifo" ] && head -1 "$tmp/fifo.out" | grep -q '^policy,' ||
    { echo "FAIL: --stats FIFO was replaced or not written"; fail=1; }
# "-" is standard output (after the program's own output).
for o in --stats --hist --trace; do
    (cd "$tmp" && "$GILT" run $o - p.py) >"$tmp/dash.out" 2>&1 &&
        [ "$(head -1 "$tmp/dash.out")" = 42 ] && [ "$(wc -l <"$tmp/dash.out")" -ge 3 ] &&
        [ ! -e "$tmp/-" ] || { echo "FAIL: $o - does not write to standard output"; fail=1; }
done

# A failing standard output is an error, as in CPython (run without
# PYTHONUNBUFFERED): output still buffered at exit -> "Exception ignored"
# and status 120, also over a SystemExit status; a print whose buffer
# flush fails raises OSError (status 1 when uncaught).  CPython, when
# there, must agree on every status but one: after print(flush=True)
# failed, it keeps the line buffered and its exit fails on it again (120).
full() { # full STATUS PATTERN CODE [CPYTHON-STATUS]: CODE with stdout on /dev/full
    "$GILT" run -c "$3" >/dev/full 2>"$tmp/full.err"
    got=$?
    if [ "$got" != "$1" ] || ! grep -q -- "$2" "$tmp/full.err"; then
        echo "FAIL: $3 >/dev/full -> status $got (want $1):"; sed 's/^/    /' "$tmp/full.err" | head -5
        fail=1
    else
        echo "ok: $3 >/dev/full"
    fi
    if [ -n "${PYTHON3:-}" ]; then
        env -u PYTHONUNBUFFERED "$PYTHON3" -c "$3" >/dev/full 2>/dev/null
        py=$?
        [ "$py" = "${4:-$1}" ] || { echo "FAIL: CPython gives $py for $3 >/dev/full, not ${4:-$1}"; fail=1; }
    fi
}
full 120 "^OSError: \[Errno 28\] No space left on device$" 'print(1)'
full 120 "^Exception ignored in: <_io.TextIOWrapper name='<stdout>'" 'print(1); raise SystemExit(3)'
# ... also when the flush before a traceback already failed (and glibc
# dropped the data): the reason is the first failure's.
full 120 "^OSError: \[Errno 28\] No space left on device$" 'print(1); 1/0'
full 1 "^OSError: \[Errno 28\] No space left on device$" 'for i in range(100000): print(i)'
full 1 "^OSError: \[Errno 28\] No space left on device$" 'print("x", flush=True)' 120
full 0 "^caught \\[Errno 28\\] No space left on device$" '
import sys
try:
    for i in range(100000): print(i)
except OSError as e:
    sys.stderr.write("caught %s\n" % e)'

# An uncaught KeyboardInterrupt ends the run as CPython's does: the
# traceback, then killed by SIGINT (status 130); a subclass of it is an
# exception like any other (1), and SystemExit keeps its code.  CPython,
# when there, must agree on stderr and status.
printf 'def f():\n    raise KeyboardInterrupt\nprint("before")\nf()\n' >"$tmp/ki.py"
interrupt() { # interrupt STATUS PATTERN -c CODE | FILE
    st=$1 pt=$2
    shift 2
    expect "$st" "$pt" -- "$GILT" run "$@"
    if [ -n "${PYTHON3:-}" ]; then
        "$PYTHON3" "$@" >"$tmp/py.out" 2>"$tmp/py.err"
        py=$?
        "$GILT" run "$@" >"$tmp/gilt.out" 2>"$tmp/gilt.err"
        [ "$py" = "$st" ] && cmp -s "$tmp/py.err" "$tmp/gilt.err" && cmp -s "$tmp/py.out" "$tmp/gilt.out" ||
            { echo "FAIL: CPython says $py and other output for $*:"; diff "$tmp/py.err" "$tmp/gilt.err" | head -5; fail=1; }
    fi
}
interrupt 130 "^KeyboardInterrupt$" -c 'raise KeyboardInterrupt'
interrupt 130 "^KeyboardInterrupt: stop$" -c 'raise KeyboardInterrupt("stop")'
interrupt 130 '^    raise KeyboardInterrupt$' "$tmp/ki.py"
interrupt 1 "^K$" -c 'class K(KeyboardInterrupt): pass
raise K'
interrupt 130 "^bye$" -c 'print("bye"); raise SystemExit(130)'
interrupt 3 "^finally$" -c 'try:
    raise KeyboardInterrupt
finally:
    print("finally")
    raise SystemExit(3)'
interrupt 0 "^caught$" -c 'try:
    raise KeyboardInterrupt
except KeyboardInterrupt:
    print("caught")'
# ... killed by the signal, not exit(130), also with a daemon thread still
# running; a KeyboardInterrupt in another thread is that thread's.
if [ -n "${PYTHON3:-}" ]; then
    "$PYTHON3" -c 'import subprocess, sys
sys.exit(subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL).returncode != -2)' \
        "$GILT" run -c 'raise KeyboardInterrupt' ||
        { echo "FAIL: an uncaught KeyboardInterrupt does not end gilt by SIGINT"; fail=1; }
fi
expect 130 "^KeyboardInterrupt$" -- "$GILT" run -c 'import threading, time
threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
raise KeyboardInterrupt'
expect 0 "^done$" -- "$GILT" run -c 'import threading
def f(): raise KeyboardInterrupt
t = threading.Thread(target=f)
t.start(); t.join(); print("done")'

# --sim: virtual time; a 100 s sleep costs no wall time and runs replay.
printf 'import time, random\nt = time.monotonic()\ntime.sleep(100)\nprint(round(time.monotonic() - t, 3), random.random())\n' >"$tmp/sim.py"
expect 0 "^100.0 0.844421851525048" -- timeout 10 "$GILT" run --sim "$tmp/sim.py"
"$GILT" run --sim --seed 3 "$tmp/sim.py" >"$tmp/a" && "$GILT" run --sim --seed 3 "$tmp/sim.py" >"$tmp/b" &&
    cmp -s "$tmp/a" "$tmp/b" || { echo "FAIL: two --sim runs with one seed differ"; fail=1; }
# --sim runs threads on virtual cores: 16 threads on 16 cores of this
# small machine, replayed byte for byte (stdout and --stats).
printf 'import threading, time\ndef work(n):\n    while n > 0:\n        n -= 1\nts = [threading.Thread(target=work, args=(20000,)) for _ in range(16)]\nt0 = time.monotonic()\nfor t in ts: t.start()\nfor t in ts: t.join()\nprint(len(ts), time.monotonic() - t0)\n' >"$tmp/sim16.py"
expect 0 "^16 " -- timeout 60 "$GILT" run --sim --cores 16 --gil none "$tmp/sim16.py"
"$GILT" run --sim --cores 16 --stats "$tmp/s1.csv" "$tmp/sim16.py" >"$tmp/a" &&
    "$GILT" run --sim --cores 16 --stats "$tmp/s2.csv" "$tmp/sim16.py" >"$tmp/b" &&
    cmp -s "$tmp/a" "$tmp/b" && cmp -s "$tmp/s1.csv" "$tmp/s2.csv" ||
    { echo "FAIL: two --sim runs of 16 threads differ"; fail=1; }
# --stats and --hist: every row has the header's columns, the same in both
# modes (costs is quoted and holds spaces, no commas), and each figure of
# the OS model is a column of its own: a number in --sim, empty in real
# mode.
printf '{"format": "gilt-costs-1", "origin": "a, \\"quoted\\" origin"}' >"$tmp/origin.json"
# col FILE NAME ROW: the cell of column NAME in data row ROW
col() { awk -F, -v c="$2" -v r="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
    NR == r + 1 { print (k ? $k : "NO-COLUMN") }' "$1"; }
for m in "" "--sim --timer-slack 70us" "--sim --cost-file $tmp/origin.json"; do
    # shellcheck disable=SC2086
    "$GILT" run $m --stats "$tmp/cols.csv" --hist "$tmp/hcols.csv" "$tmp/sim16.py" >/dev/null &&
        awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$tmp/cols.csv" &&
        awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$tmp/hcols.csv" ||
        { echo "FAIL: --stats or --hist rows and header disagree ($m)"; fail=1; }
    head -1 "$tmp/cols.csv" | awk -F, '{ print NF }' >>"$tmp/ncols"
    got="$(col "$tmp/cols.csv" os_timer_slack_ns 1) $(col "$tmp/hcols.csv" os_timer_slack_ns 1)"
    case "$m" in
    "") want=" " ;;
    *70us) want="70000 70000" ;;
    *) want=$(echo "$got" | grep -x '[0-9][0-9]* [0-9][0-9]*')
       col "$tmp/cols.csv" costs 1 | grep -q "a; 'quoted' origin" ||
           { echo "FAIL: the costs column lacks the cost file's origin"; fail=1; } ;;
    esac
    [ "$got" = "$want" ] || { echo "FAIL: os_timer_slack_ns is '$got' ($m)"; fail=1; }
done
[ "$(sort -u "$tmp/ncols" | wc -l)" = 1 ] || { echo "FAIL: --stats has more columns in one mode"; fail=1; }
# The OS-model options need --sim, take durations with units, and bad
# cost files are refused with a clear message.
expect 2 "need --sim" -- "$GILT" run --cores 4 "$tmp/sim.py"
# Virtual time never wraps: an OS model of absurd durations is refused
# (and the simulator saturates its sums, tests/check_sim.c).
expect 2 "timer-slack wants a duration .* up to 3600s, e.g. 50us, not '999999999s'" -- \
    "$GILT" run --sim --timer-slack 999999999s -c 'import time; [time.sleep(1) for _ in range(3)]; print(time.time() > 0)'
expect 0 "^True True$" -- "$GILT" run --sim --timer-slack 3600s \
    -c 'import time; [time.sleep(1) for _ in range(30)]; print(time.time() > 0, time.time_ns() > 0)'
# Sleeping past the end of virtual time (some 146 years) ends the run; a
# timeout just as long that is cut short by another thread does not.
expect 1 "virtual time ran out" -- timeout 10 "$GILT" run --sim -c 'import time; time.sleep(9e9); print("woke")'
printf 'import threading\nl = threading.Lock()\nl.acquire()\nt = threading.Timer(1, l.release)\nt.start()\nprint(l.acquire(timeout=9e9))\n' >"$tmp/longwait.py"
expect 0 "^True$" -- timeout 10 "$GILT" run --sim "$tmp/longwait.py"

# One duration parser for every option: units everywhere (ns, us, ms, s);
# a bare --switch-interval is seconds, as sys.setswitchinterval; the OS
# model's durations need a unit, and the message says so with an example.
expect 0 "^0.005$" -- "$GILT" run --switch-interval 5ms -c 'import sys; print(sys.getswitchinterval())'
expect 0 "^0.00025$" -- "$GILT" run --switch-interval 250us -c 'import sys; print(sys.getswitchinterval())'
expect 0 "^0.5$" -- "$GILT" run --switch-interval 0.5 -c 'import sys; print(sys.getswitchinterval())'
expect 0 "^0.002$" -- "$GILT" run --sim --switch-interval 2e6ns -c 'import sys; print(sys.getswitchinterval())'
for bad in 5m -5ms 0x10 " 5ms" 5ms5 ms; do
    expect 2 "switch-interval wants a positive duration up to 3600s: .*, not '$bad'" -- \
        "$GILT" run --switch-interval "$bad" "$tmp/p.py"
done
expect 2 "^gilt: --timer-slack wants a unit on its duration (ns, us, ms or s), e.g. --timer-slack 50us, not '50'$" -- \
    "$GILT" run --sim --timer-slack 50 "$tmp/sim.py"
expect 2 "^gilt: --timeslice wants a unit on its duration (ns, us, ms or s), e.g. --timeslice 5ms, not '5'$" -- \
    "$GILT" run --sim --timeslice 5 "$tmp/sim.py"
expect 2 "wake-latency wants a unit on MIN and MEAN .*, e.g. --wake-latency 5us,30us, not '5us,30'" -- \
    "$GILT" run --sim --wake-latency 5us,30 "$tmp/sim.py"
expect 2 "wake-tail wants a unit on MEAN .*, e.g. --wake-tail 10%,200us, not '10%,200'" -- \
    "$GILT" run --sim --wake-tail 10%,200 "$tmp/sim.py"
expect 2 "wake-fast wants a unit on LATENCY and IDLE" -- "$GILT" run --sim --wake-fast 2,50us "$tmp/sim.py"
for o in ctx-switch syscall-cost lookahead; do
    expect 2 "$o wants a unit on its duration" -- "$GILT" run --sim --$o 3 "$tmp/sim.py"
    expect 0 "^100.0 " -- "$GILT" run --sim --$o 0.5us "$tmp/sim.py"
done
expect 2 "--cores wants an integer" -- "$GILT" run --sim --cores 0 "$tmp/sim.py"
expect 2 "--wake-tail wants SHARE%,MEAN" -- "$GILT" run --sim --wake-tail 2,500us "$tmp/sim.py"
expect 2 "--wake-fast wants LATENCY,IDLE" -- "$GILT" run --sim --wake-fast 2us "$tmp/sim.py"
printf '{"format": "gilt-costs-1", "opcodes_ps": {"LOAD_FASTER": 3}}' >"$tmp/bad.json"
expect 2 "unknown opcode \"LOAD_FASTER\"" -- "$GILT" run --sim --cost-file "$tmp/bad.json" "$tmp/sim.py"
printf '{"format": ' >"$tmp/bad2.json"
expect 2 "not valid JSON" -- "$GILT" run --sim --cost-file "$tmp/bad2.json" "$tmp/sim.py"
expect 2 "cannot open cost file" -- "$GILT" run --sim --cost-file "$tmp/nope.json" "$tmp/sim.py"
# The options and the cost file meet the same checks (sim_config_validate).
printf '{"format": "gilt-costs-1", "os": {"wake_tail_ppm": 5000000}}' >"$tmp/bad3.json"
expect 2 "bad3.json: os: wake_tail_ppm is 5000000, more than 1000000" -- \
    "$GILT" run --sim --cost-file "$tmp/bad3.json" "$tmp/sim.py"
expect 2 "wake_mean_ns (3000) is below wake_min_ns (5000)" -- \
    "$GILT" run --sim --wake-latency 5us,3us "$tmp/sim.py"
expect 2 "timeslice_ns is 0" -- "$GILT" run --sim --timeslice 0s "$tmp/sim.py"
# gilt calibrate: bad options and an unwritable output fail at once.
expect 2 "calibrate --help" -- "$GILT" calibrate --bogus
expect 2 "unexpected argument 'extra'" -- "$GILT" calibrate extra
expect 1 "cannot write '/nonexistent/dir/c.json'" -- "$GILT" calibrate -o /nonexistent/dir/c.json
expect 0 "Usage: gilt calibrate" -- "$GILT" calibrate --help
# ... and a quick calibration writes a cost file that --cost-file loads
# (only its shape is checked: the figures are this machine's).
expect 0 "wrote $tmp/cal.json" -- "$GILT" calibrate --quick -o "$tmp/cal.json"
grep -q '^fit (wall time' "$tmp/out" && grep -q '^OS figures (ns): wake_min [1-9]' "$tmp/out" ||
    { echo "FAIL: calibrate did not print its fit and OS figures"; fail=1; }
"$GILT" run --sim --cost-file "$tmp/cal.json" --stats "$tmp/cal.csv" "$tmp/sim.py" >/dev/null &&
    col "$tmp/cal.csv" costs 1 | grep -q "^\"$tmp/cal.json (gilt calibrate --quick on " &&
    [ "$(grep -c '"[A-Z][A-Z_]*": *[0-9]' "$tmp/cal.json")" -ge 100 ] ||
    { echo "FAIL: a calibrated cost file does not load or lacks opcodes"; fail=1; }
# A virtual trace says what produced it.
"$GILT" run --sim --seed 5 --trace "$tmp/t.json" "$tmp/sim16.py" >/dev/null &&
    grep -q '"mode": "sim", "seed": 5, "cores": 4, "os_model": "cores=4 seed=5 ' "$tmp/t.json" ||
    { echo "FAIL: --sim --trace lacks the run's model"; fail=1; }
# A thread that cannot start (GILT_FAIL_THREAD_START=1 is a test hook of
# vm/lib/mod_thread.c) raises RuntimeError and is not left registered, as
# in CPython; with recording on, too.
printf 'import threading\nt = threading.Thread(target=print)\ntry:\n    t.start()\nexcept RuntimeError as e:\n    print("failed:", e)\nprint("after:", threading.active_count(), len(threading.enumerate()), t.is_alive())\n' >"$tmp/nostart.py"
for m in "" "--sim"; do
    # shellcheck disable=SC2086
    expect 0 "^after: 1 1 False$" -- env GILT_FAIL_THREAD_START=1 "$GILT" run $m \
        --trace "$tmp/nostart.json" "$tmp/nostart.py"
    grep -q "^failed: can't start new thread" "$tmp/out" || { echo "FAIL: no RuntimeError ($m)"; fail=1; }
done

# A deadlock in virtual time is reported, not a hang.
printf 'import socket\na, b = socket.socketpair()\nb.recv(10)\n' >"$tmp/dead.py"
expect 1 "deadlock" -- timeout 10 "$GILT" run --sim "$tmp/dead.py"
# ... also when the main thread joins a thread that waits on a socket
# nobody writes to (the main thread's Ctrl-C slices must not keep a dead
# simulation busy).
printf 'import socket, threading\na, b = socket.socketpair()\nt = threading.Thread(target=a.recv, args=(10,))\nt.start()\nt.join()\n' >"$tmp/dead2.py"
expect 1 "waits for data on a socket" -- timeout 10 "$GILT" run --sim "$tmp/dead2.py"

# Ctrl-C in real mode while the main thread blocks: in a socket recv
# (vm/cli/run.c installs the SIGINT handler without SA_RESTART, so recv
# returns EINTR and vm/lib/mod_socket.c raises), in lock.acquire() with
# another thread alive (not a deadlock: it could release the lock), and in
# time.sleep.  Each must end soon with KeyboardInterrupt on stderr.
# CPython (3.11 here) ends such a run with status 130, re-raising SIGINT on
# itself; gilt exits 1 for every uncaught exception, and may come to use
# 130 for this one: both are accepted.  The run is in the background (a
# non-interactive shell starts it with SIGINT ignored, which gilt's
# handler replaces), and a watchdog kills it 5 s after the signal, so a
# lost signal fails the test instead of hanging it.
interrupt() { # interrupt WHAT PROGRAM
    printf '%s' "$2" >"$tmp/int.py"
    : >"$tmp/int.out"
    "$GILT" run "$tmp/int.py" >"$tmp/int.out" 2>"$tmp/int.err" &
    pid=$!
    # It prints "waiting" just before it blocks.
    n=0
    while ! grep -q waiting "$tmp/int.out" && [ $n -lt 100 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    sleep 0.5
    kill -INT $pid
    (sleep 5; kill -KILL $pid) >/dev/null 2>&1 &
    dog=$!
    wait $pid
    st=$?
    kill $dog 2>/dev/null
    if { [ $st = 1 ] || [ $st = 130 ]; } && grep -q '^KeyboardInterrupt$' "$tmp/int.err"; then
        echo "ok: Ctrl-C during $1: KeyboardInterrupt, status $st"
    else
        echo "FAIL: Ctrl-C during $1: status $st (want 1 or 130; 137 is the watchdog), stderr:"
        sed 's/^/    /' "$tmp/int.err" | head -5
        fail=1
    fi
}
interrupt "socket recv" 'import socket
a, b = socket.socketpair()
print("waiting", flush=True)
b.recv(10)
'
interrupt "lock.acquire in the main thread" 'import threading, time
lock = threading.Lock()
lock.acquire()
def holder():
    time.sleep(100)
    lock.release()
threading.Thread(target=holder, daemon=True).start()
print("waiting", flush=True)
lock.acquire()
'
interrupt "time.sleep(100)" 'import time
print("waiting", flush=True)
time.sleep(100)
'

exit $fail
