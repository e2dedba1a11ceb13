#!/bin/sh
# tests/deep_inputs.sh - print a Python program that is deep or long in one
# way, for tests/deep.sh (fuzzers never reach these sizes).
#
#   tests/deep_inputs.sh KIND N > prog.py
#
# Source that the compiler walks N deep:
#   add      x = 1+1+...+1, N terms             (left-deep BinOp chain)
#   sub      x[0][0]...[0], N subscripts       (x is a list holding itself)
#   attr     a.a.a...a, N attributes          (a.a is a)
#   call     f()()...(), N calls               (f returns f)
#   elif     if/elif chain of N elifs
# Source that the parser nests N deep:
#   pow      1**1**...**1, N operators          (right-associative)
#   neg      ---...-1, N minus signs
#   not      not not ... True, N nots
#   lambda   lambda: lambda: ... 1, N lambdas
#   ifexp    1 if 1 else 1 if 1 else ..., N conditions
#   paren    ((...(1)...)), N parentheses
#   parneg   (-(-(...-(1)...))), N parentheses each with a minus
# Long source:
#   strs     N adjacent string literals "a" "a" ...
#   stmts    N statements
#   items    a list display of N items
# Run-time nesting N deep (the program builds it in a loop):
#   list_eq      a == b on nested lists  [[[...]]]
#   list_lt      a < b on nested lists
#   dict_eq      a == b on nested dicts  {0: {0: ...}}
#   tuple_hash   hash() of nested tuples ((...),)
#   dict_key     a nested tuple as a dict key
#   repr_list    repr() of nested lists
#   repr_dict    repr() of nested dicts
#   repr_tuple   repr() of nested tuples
#   str_list     str() of nested lists
#   exc_str      str() of an exception whose argument is an exception ...
#   exc_raise    the same exception raised, uncaught (its traceback)
#   isinstance   isinstance() with nested tuples of classes
#   issubclass   issubclass() with nested tuples of classes
#   contains     `in` on nested lists
#   gen          N generator expressions, each iterating over the last
#   user_eq      __eq__ of a user class comparing an attribute of the same class
#   user_repr    __repr__ calling repr() of an attribute
#   getattr      __getattr__ calling getattr() for another missing name
#   sort_key     sorted(key=f) where f sorts again
#   thread_eq    list_eq in a thread (16 MiB stack)
#
# Programs that nest at run time print "RecursionError <message>" when it
# is raised, or the result; the others print their result.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 KIND N" >&2
    exit 2
fi
kind=$1 n=$2

# rep N TEXT: TEXT N times, no newline.
rep() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }

# nested BUILD: a program building x $n deep with BUILD (x is the last one),
# then running the remaining lines of stdin inside a try.
nested() {
    printf 'x = %s\n' "$1"
    printf 'y = %s\n' "$1"
    printf 'for i in range(%s):\n    x = %s\n    y = %s\n' "$n" "$2" "$3"
    printf 'try:\n'
    sed 's/^/    /'
    printf 'except RecursionError as e:\n    print("RecursionError", e)\n'
}

case $kind in
add) printf 'x = 1'; rep "$n" '+1'; printf '\nprint(x)\n' ;;
sub) printf 'x = []\nx.append(x)\nprint(x'; rep "$n" '[0]'; printf ' is x)\n' ;;
attr)
    printf 'class A:\n    pass\na = A()\na.a = a\nprint(a'; rep "$n" '.a'
    printf ' is a)\n' ;;
call) printf 'def f():\n    return f\nprint(f'; rep "$n" '()'; printf ' is f)\n' ;;
elif)
    printf 'x = %s\nif x == 0:\n    print(0)\n' "$n"
    awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "elif x == %d:\n    print(%d)\n", i, i }' ;;
pow) printf 'x = 1'; rep "$n" '**1'; printf '\nprint(x)\n' ;;
neg) printf 'x = '; rep "$n" '-'; printf '1\nprint(x)\n' ;;
not) printf 'x = '; rep "$n" 'not '; printf 'True\nprint(x)\n' ;;
lambda)
    printf 'f = '; rep "$n" 'lambda: '; printf '1\nfor i in range(%s):\n    f = f()\nprint(f)\n' "$n" ;;
ifexp) printf 'x = '; rep "$n" '1 if 1 else '; printf '1\nprint(x)\n' ;;
paren) printf 'x = '; rep "$n" '('; printf '1'; rep "$n" ')'; printf '\nprint(x)\n' ;;
parneg) printf 'x = '; rep "$n" '(-'; printf '1'; rep "$n" ')'; printf '\nprint(x)\n' ;;
strs) printf 'x = ""'; rep "$n" ' "a"'; printf '\nprint(len(x), x[:3], x[-3:])\n' ;;
stmts) printf 'x = 0\n'; rep "$n" 'x += 1
'; printf 'print(x)\n' ;;
items) printf 'x = ['; rep "$n" '1, '; printf ']\nprint(len(x), sum(x))\n' ;;
list_eq) echo 'print(x == y)' | nested '[]' '[x]' '[y]' ;;
list_lt) echo 'print(x < y)' | nested '[]' '[x]' '[y]' ;;
dict_eq) echo 'print(x == y)' | nested '{}' '{0: x}' '{0: y}' ;;
tuple_hash) echo 'print(hash(x) == hash(y))' | nested '()' '(x,)' '(y,)' ;;
dict_key) echo 'print({x: 1}[y])' | nested '()' '(x,)' '(y,)' ;;
repr_list) echo 'print(len(repr(x)))' | nested '[]' '[x]' '[y]' ;;
repr_dict) echo 'print(len(repr(x)))' | nested '{}' '{0: x}' '{0: y}' ;;
repr_tuple) echo 'print(len(repr(x)))' | nested '()' '(x,)' '(y,)' ;;
str_list) echo 'print(len(str(x)))' | nested '[]' '[x]' '[y]' ;;
exc_str) echo 'print(len(str(x)))' | nested 'Exception("e")' 'Exception(x)' 'y' ;;
exc_raise)
    printf 'x = Exception("e")\nfor i in range(%s):\n    x = Exception(x)\nraise x\n' "$n" ;;
isinstance) echo 'print(isinstance(1, x))' | nested 'int' '(x,)' 'y' ;;
issubclass) echo 'print(issubclass(bool, x))' | nested 'int' '(x,)' 'y' ;;
contains) echo 'print(x in [y])' | nested '[]' '[x]' '[y]' ;;
gen) echo 'print(list(x))' | nested 'iter([1])' '(v for v in x)' 'y' ;;
user_eq)
    printf 'class A:\n    def __init__(self, v):\n        self.v = v\n'
    printf '    def __eq__(self, other):\n        return self.v == other.v\n'
    echo 'print(x == y)' | nested '0' 'A(x)' 'A(y)' ;;
user_repr)
    printf 'class A:\n    def __init__(self, v):\n        self.v = v\n'
    printf '    def __repr__(self):\n        return "A(" + repr(self.v) + ")"\n'
    echo 'print(len(repr(x)))' | nested '0' 'A(x)' 'y' ;;
getattr)
    printf 'class A:\n    def __getattr__(self, name):\n'
    printf '        if len(name) > %s:\n            return len(name)\n' "$n"
    printf '        return getattr(self, name + "x")\n'
    echo 'print(A().x)' | nested '0' 'x' 'y' ;;
sort_key)
    printf 'def k(v):\n    if v > 0:\n        sorted([v - 1], key=k)\n    return v\n'
    echo "print(sorted([$n], key=k))" | nested '0' 'x' 'y' ;;
thread_eq)
    printf 'import threading\ndef work():\n'
    echo 'print(x == y)' | nested '[]' '[x]' '[y]' | sed 's/^/    /'
    printf 't = threading.Thread(target=work)\nt.start()\nt.join()\n' ;;
*)
    echo "$0: unknown kind '$kind'" >&2
    exit 2 ;;
esac
