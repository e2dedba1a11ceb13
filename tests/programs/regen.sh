#!/bin/sh
# tests/programs/regen.sh - record the expected output of golden programs
# from Debian's CPython (the oracle).  Usage: regen.sh [FILE.py...]
# (default: every program outside gilt_only/).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON3:-/usr/bin/python3}
if [ $# -eq 0 ]; then
    set -- $(find "$here" -name '*.py' -not -path '*/gilt_only/*' | LC_ALL=C sort)
fi
for f in "$@"; do
    case "$f" in /*) ;; *) f=$(pwd)/$f ;; esac
    dir=$(dirname "$f")
    name=$(basename "$f")
    base=${f%.py}
    set +e
    (cd "$dir" && timeout 60 "$PY" "$name" >"$base.out" 2>"$base.stderr")
    st=$?
    set -e
    if [ $st -ne 0 ]; then
        printf 'exit: %s\nlast: %s\n' "$st" \
            "$(grep -v '^[[:space:]]*$' "$base.stderr" | tail -1)" >"$base.err"
    else
        rm -f "$base.err"
    fi
    rm -f "$base.stderr"
done
