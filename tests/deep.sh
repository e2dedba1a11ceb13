#!/bin/sh
# tests/deep.sh - deep and long input never crashes gilt: the compiler's and
# the runtime's C recursion ends in RecursionError (or the parser's
# SyntaxError), on the main thread with the default stack and with
# `ulimit -s 1024`, and depths CPython accepts still work in both.  The
# programs come from tests/deep_inputs.sh; when $PYTHON3 is set, the
# cases marked "=" must give CPython's answer too.
#
# Environment: GILT (the binary), PYTHON3 (may be empty), top_srcdir.
set -u
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
GILT=${GILT:-$top_srcdir/build/gilt}
PYTHON3=${PYTHON3:-}
gen=$top_srcdir/tests/deep_inputs.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
count=0

# run LABEL STATUS PATTERN SECONDS -- command...: the command's exit status
# and the last non-empty line of its stdout + stderr (an extended regular
# expression), within SECONDS.
run() {
    label=$1 want=$2 pat=$3 secs=$4
    shift 5
    timeout "$secs" "$@" >"$tmp/out" 2>&1
    got=$?
    last=$(grep -v '^[[:space:]]*$' "$tmp/out" | tail -1)
    count=$((count + 1))
    if [ "$got" = 124 ]; then
        echo "FAIL $label: took over ${secs}s"
        fail=1
    elif [ "$got" != "$want" ] || ! printf '%s\n' "$last" | grep -Eq -- "$pat"; then
        echo "FAIL $label: status $got (want $want), last line:"
        echo "    $last"
        echo "    want: $pat"
        fail=1
    fi
}

# check KIND N STATUS PATTERN [=] [SECONDS]: the program of KIND and N
# under gilt with both stacks, and under CPython if marked "=".  With
# $small_pat set, the 1 MiB run must match that instead.
small_pat=
check() {
    kind=$1 n=$2 want=$3 pat=$4 same=${5:-} secs=${6:-60}
    prog=$tmp/${kind}_$n.py
    "$gen" "$kind" "$n" >"$prog" || { echo "FAIL $kind $n: no program"; fail=1; return; }
    run "$kind $n" "$want" "$pat" "$secs" -- "$GILT" run "$prog"
    run "$kind $n (ulimit -s 1024)" "$want" "${small_pat:-$pat}" "$secs" -- \
        sh -c 'ulimit -s 1024 && exec "$0" run "$1"' "$GILT" "$prog"
    if [ "$same" = "=" ] && [ -n "$PYTHON3" ] && [ -x "$PYTHON3" ]; then
        run "$kind $n [python3 oracle]" "$want" "$pat" "$secs" -- "$PYTHON3" "$prog"
    fi
}

# fits KIND N RESULT: depth N works (prints RESULT) with the default
# stack, as in CPython; with 1 MiB it works or is a RecursionError (a
# sanitizer build's frames are several times larger: clang's ASan build
# fits about 100 levels of Python code called from natives there).
fits() {
    small_pat="^($3|$rec maximum recursion depth exceeded.*)\$"
    check "$1" "$2" 0 "^$3\$" =
    small_pat=
}

rec='RecursionError'
comp="$rec: maximum recursion depth exceeded during compilation\$"
nest='SyntaxError: too many nested expressions$'

# The compiler walks these as deep as they are long (CPython's parser
# gives up on 100000 elifs first, with a MemoryError).
for kind in add sub attr call elif; do
    check $kind 2990 0 '^(2991|2990|True)$' =
    check $kind 3100 1 "$comp" =
    check $kind 100000 1 "$comp" $([ $kind = elif ] || echo =)
done
check add 50000 1 "$comp" =

# The parser nests these (CPython's parser gives up later, with a
# MemoryError, hence no oracle for the deep ones).
for kind in pow neg not lambda ifexp; do
    check $kind 399 0 '^(1|-1|False)$' =
    check $kind 30000 1 "$nest"
done
check paren 200 0 '^1$' =
check paren 100000 1 'SyntaxError: too many nested parentheses$' =
check parneg 199 0 '^-1$' =
check parneg 100000 1 'SyntaxError: too many nested parentheses$' =

# Long, not deep: linear time (100k adjacent literals took 48 s once).
check strs 100000 0 '^100000 aaa aaa$' = 5
check stmts 100000 0 '^100000$' = 10
check items 100000 0 '^100000 100000$' = 10

# Nesting built at run time: RecursionError with CPython's message when
# too deep, the answer when not.
for kind in list_eq list_lt dict_eq contains; do
    check $kind 100000 0 "^$rec maximum recursion depth exceeded in comparison\$" =
done
for kind in repr_list repr_dict repr_tuple str_list; do
    check $kind 100000 0 "^$rec maximum recursion depth exceeded while getting the repr of an object\$" =
done
check exc_str 100000 0 "^$rec maximum recursion depth exceeded while getting the str of an object\$" =
check exc_raise 100000 1 '^Exception: <exception str\(\) failed>$' =
check isinstance 100000 0 "^$rec maximum recursion depth exceeded in __instancecheck__\$" =
check issubclass 100000 0 "^$rec maximum recursion depth exceeded in __subclasscheck__\$" =
check thread_eq 100000 0 "^$rec maximum recursion depth exceeded in comparison\$" =
for kind in user_eq user_repr getattr sort_key; do
    check $kind 100000 0 "^$rec maximum recursion depth exceeded" =
done
# CPython hashes deep tuples without a limit and crashes on deep generators.
check tuple_hash 100000 0 "^$rec maximum recursion depth exceeded\$"
check dict_key 100000 0 "^$rec maximum recursion depth exceeded" =
check gen 100000 0 "^$rec maximum recursion depth exceeded\$"

fits list_eq 500 True
fits list_lt 500 False
fits dict_eq 500 True
fits contains 500 True
fits repr_list 500 1002
fits repr_dict 500 2502
fits repr_tuple 500 1502
fits str_list 500 1002
fits exc_str 500 1
fits isinstance 500 True
fits issubclass 500 True
fits tuple_hash 500 True
fits dict_key 500 1
fits gen 300 '\[1\]'
fits user_eq 200 True
fits user_repr 200 601
fits getattr 200 201
fits sort_key 200 '\[200\]'
check thread_eq 700 0 '^True$' =
# ... and shallower ones work with 1 MiB in every build.
for kind in list_eq dict_eq contains isinstance tuple_hash; do
    check $kind 100 0 '^(True|1)$' =
done
check repr_list 100 0 '^202$' =
check exc_str 100 0 '^1$' =
check gen 50 0 '^\[1\]$' =
check user_eq 50 0 '^True$' =
check user_repr 50 0 '^151$' =
check getattr 50 0 '^51$' =
check sort_key 50 0 '^\[50\]$' =

echo "deep inputs: $count runs, $([ $fail = 0 ] && echo "all passed" || echo "some failed")"
exit $fail
