#!/bin/sh
# tests/cli.sh - the gilt command line (vm/cli/main.c): usage errors exit 2 with
# a message, --help/--version, dis, --trace-exec, and the output options
# write whole files.  Environment: GILT (the binary).
set -u
GILT=${GILT:-build/gilt}
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
expect 2 "positive number of seconds, not '0'" -- "$GILT" run --switch-interval 0 "$tmp/p.py"
expect 2 "bad --max-heap size 'lots'" -- "$GILT" run --max-heap lots "$tmp/p.py"
expect 2 "can't open file" -- "$GILT" run "$tmp/missing.py"
expect 2 "missing FILE.py" -- "$GILT" run
expect 0 "^42$" -- "$GILT" run "$tmp/p.py"
expect 0 "^3$" -- "$GILT" run -c "print(1 + 2)"
expect 0 "BINARY_ADD" -- "$GILT" dis "$tmp/p.py"
# A NUL byte is a SyntaxError at its position (CPython 3.11.4+), not the
# end of the source.
printf 'print(1)\nprint(2)\0print(3)\n' >"$tmp/nul.py"
expect 1 "nul.py:2:9: SyntaxError: source code cannot contain null bytes" -- "$GILT" run "$tmp/nul.py"
expect 1 "nul.py:2:9: SyntaxError: source code cannot contain null bytes" -- "$GILT" dis "$tmp/nul.py"
expect 0 "RETURN_VALUE" -- "$GILT" run --trace-exec "$tmp/p.py"
expect 1 "cannot write '/nonexistent-dir/s.csv'" -- "$GILT" run --stats /nonexistent-dir/s.csv "$tmp/p.py"
expect 0 "42" -- "$GILT" run --stats "$tmp/s.csv" --hist "$tmp/h.csv" --trace "$tmp/t.json" "$tmp/p.py"
for f in s.csv h.csv t.json; do
    if [ ! -s "$tmp/$f" ] || [ -e "$tmp/$f.tmp" ]; then
        echo "FAIL: $f not written whole"; fail=1
    fi
done
head -1 "$tmp/s.csv" | grep -q '^policy,switch_interval_s' || { echo "FAIL: stats header"; fail=1; }

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
# --stats: every row has the header's columns, in both modes (os_model is
# quoted and holds spaces, no commas).
printf '{"format": "gilt-costs-1", "origin": "a, \\"quoted\\" origin"}' >"$tmp/origin.json"
for m in "" "--sim" "--sim --cost-file $tmp/origin.json"; do
    # shellcheck disable=SC2086
    "$GILT" run $m --stats "$tmp/cols.csv" "$tmp/sim16.py" >/dev/null &&
        awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$tmp/cols.csv" ||
        { echo "FAIL: --stats rows and header disagree ($m)"; fail=1; }
done
# The OS-model options need --sim, take durations with units, and bad
# cost files are refused with a clear message.
expect 2 "need --sim" -- "$GILT" run --cores 4 "$tmp/sim.py"
expect 2 "wants a duration with a unit" -- "$GILT" run --sim --timer-slack 50 "$tmp/sim.py"
expect 2 "--cores wants an integer" -- "$GILT" run --sim --cores 0 "$tmp/sim.py"
expect 2 "--wake-tail wants SHARE%,MEAN" -- "$GILT" run --sim --wake-tail 2,500us "$tmp/sim.py"
expect 2 "--wake-fast wants LATENCY,IDLE" -- "$GILT" run --sim --wake-fast 2us "$tmp/sim.py"
printf '{"format": "gilt-costs-1", "opcodes_ps": {"LOAD_FASTER": 3}}' >"$tmp/bad.json"
expect 2 "unknown opcode \"LOAD_FASTER\"" -- "$GILT" run --sim --cost-file "$tmp/bad.json" "$tmp/sim.py"
printf '{"format": ' >"$tmp/bad2.json"
expect 2 "not valid JSON" -- "$GILT" run --sim --cost-file "$tmp/bad2.json" "$tmp/sim.py"
expect 2 "cannot open cost file" -- "$GILT" run --sim --cost-file "$tmp/nope.json" "$tmp/sim.py"
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
    grep -q "costs=$tmp/cal.json (gilt calibrate --quick on " "$tmp/cal.csv" &&
    [ "$(grep -c '"[A-Z][A-Z_]*": *[0-9]' "$tmp/cal.json")" -ge 100 ] ||
    { echo "FAIL: a calibrated cost file does not load or lacks opcodes"; fail=1; }
# A virtual trace says what produced it.
"$GILT" run --sim --seed 5 --trace "$tmp/t.json" "$tmp/sim16.py" >/dev/null &&
    grep -q '"mode": "sim", "seed": 5, "cores": 4, "os_model": "cores=4 seed=5 ' "$tmp/t.json" ||
    { echo "FAIL: --sim --trace lacks the run's model"; fail=1; }
# A deadlock in virtual time is reported, not a hang.
printf 'import socket\na, b = socket.socketpair()\nb.recv(10)\n' >"$tmp/dead.py"
expect 1 "deadlock" -- timeout 10 "$GILT" run --sim "$tmp/dead.py"
# ... also when the main thread joins a thread that waits on a socket
# nobody writes to (the main thread's Ctrl-C slices must not keep a dead
# simulation busy).
printf 'import socket, threading\na, b = socket.socketpair()\nt = threading.Thread(target=a.recv, args=(10,))\nt.start()\nt.join()\n' >"$tmp/dead2.py"
expect 1 "waits for data on a socket" -- timeout 10 "$GILT" run --sim "$tmp/dead2.py"

exit $fail
