#!/bin/sh
# tests/golden.sh - run the golden programs of tests/programs/ under gilt
# and compare with the expected output recorded from CPython.
#
# For each NAME.py: NAME.out is the expected stdout; NAME.err, when present,
# holds "exit: N" and "last: LINE" (the last line of stderr) for programs
# that fail on purpose.  A SyntaxError/IndentationError expectation (or a
# `last:` without a colon) only requires the class name to appear in gilt's
# last stderr line, since gilt reports FILE:LINE:COL: instead of CPython's
# caret block.  Unless the program is under gilt_only/, the same program is
# also run under $PYTHON3 (Debian's CPython) and must meet the same
# expectations: CPython is the oracle for what a program means.
#
# Environment: GILT (the binary), PYTHON3 (may be empty), top_srcdir,
# GILT_ARGS (extra options for gilt run, e.g. "--gil fifo").
# Arguments: optional directories or files to restrict the run.
set -u

top_srcdir=${top_srcdir:-$(dirname "$0")/..}
GILT=${GILT:-$top_srcdir/build/gilt}
PYTHON3=${PYTHON3:-}
TIMEOUT=${GOLDEN_TIMEOUT:-20}
case "$GILT" in /*) ;; *) GILT=$(pwd)/$GILT ;; esac

if [ $# -eq 0 ]; then
    set -- "$top_srcdir/tests/programs"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

pass=0
fail=0
failed_list=""

# check_run LABEL PROGRAM OUT ERR -- compares one interpreter's run.
check_run() {
    label=$1 prog=$2 out=$3 err=$4 status=$5
    base=${prog%.py}
    want_exit=0
    want_last=""
    if [ -f "$base.err" ]; then
        want_exit=$(sed -n 's/^exit: //p' "$base.err")
        want_last=$(sed -n 's/^last: //p' "$base.err")
    fi
    if [ "$status" = 124 ]; then
        echo "FAIL $label (timed out after ${TIMEOUT}s: a hang)"
        return 1
    fi
    if ! cmp -s "$base.out" "$out"; then
        echo "FAIL $label (stdout differs)"
        diff -u "$base.out" "$out" | head -20 | sed 's/^/    /'
        return 1
    fi
    if [ "$status" != "$want_exit" ]; then
        echo "FAIL $label (exit status $status, expected $want_exit)"
        tail -3 "$err" | sed 's/^/    /'
        return 1
    fi
    if [ -n "$want_last" ]; then
        got_last=$(grep -v '^[[:space:]]*$' "$err" | tail -1)
        cls=${want_last%%:*}
        case "$cls" in
        SyntaxError|IndentationError|"$want_last")
            case "$got_last" in
            *"$cls"*) ;;
            *) echo "FAIL $label (stderr: '$got_last', expected a $cls)"; return 1 ;;
            esac ;;
        *)
            if [ "$got_last" != "$want_last" ]; then
                echo "FAIL $label (last stderr line differs)"
                echo "    expected: $want_last"
                echo "    got:      $got_last"
                return 1
            fi ;;
        esac
    fi
    return 0
}

run_one() {
    prog=$1
    dir=$(dirname "$prog")
    name=$(basename "$prog")
    rel=${prog#"$top_srcdir"/tests/programs/}
    ok=1
    # shellcheck disable=SC2086
    (cd "$dir" && timeout "$TIMEOUT" "$GILT" run ${GILT_ARGS:-} "$name" >"$tmp/out" 2>"$tmp/err")
    st=$?
    check_run "$rel" "$prog" "$tmp/out" "$tmp/err" $st || ok=0
    case "$rel" in
    gilt_only/*) ;;
    *)
        if [ -n "$PYTHON3" ] && [ -x "$PYTHON3" ]; then
            (cd "$dir" && timeout "$TIMEOUT" "$PYTHON3" "$name" >"$tmp/out" 2>"$tmp/err")
            st=$?
            check_run "$rel [python3 oracle]" "$prog" "$tmp/out" "$tmp/err" $st || ok=0
        fi ;;
    esac
    if [ $ok = 1 ]; then
        pass=$((pass + 1))
        [ -n "${GOLDEN_VERBOSE:-}" ] && echo "PASS $rel"
    else
        fail=$((fail + 1))
        failed_list="$failed_list $rel"
    fi
}

for arg in "$@"; do
    if [ -d "$arg" ]; then
        files=$(find "$arg" -name '*.py' | LC_ALL=C sort)
    else
        files=$arg
    fi
    for f in $files; do
        run_one "$f"
    done
done

echo "golden programs: $pass passed, $fail failed"
if [ $fail -ne 0 ]; then
    echo "failed:$failed_list"
    exit 1
fi
exit 0
