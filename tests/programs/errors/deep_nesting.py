# Containers nested far deeper than the C stack allows recursing into:
# comparing, repr, str, `in` and isinstance raise RecursionError (with
# CPython's messages) instead of crashing, and the program goes on.
N = 100000


def attempt(what, f):
    try:
        print(what, f())
    except RecursionError as e:
        print(what, type(e).__name__, e)


a, b = [], []
for i in range(N):
    a, b = [a], [b]
attempt("list ==", lambda: a == b)
attempt("list <", lambda: a < b)
attempt("list in", lambda: a in [b])
attempt("list repr", lambda: len(repr(a)))
attempt("list str", lambda: len(str(a)))
attempt("list format", lambda: len("{}".format(a)))

d, e = {}, {}
for i in range(N):
    d, e = {"k": d}, {"k": e}
attempt("dict ==", lambda: d == e)
attempt("dict repr", lambda: len(repr(d)))

t = ()
for i in range(N):
    t = (t,)
attempt("tuple repr", lambda: len(repr(t)))
attempt("tuple ==", lambda: t == t[0])

x = Exception("innermost")
for i in range(N):
    x = Exception(x)
attempt("exception str", lambda: len(str(x)))

c = int
for i in range(N):
    c = (c,)
attempt("isinstance", lambda: isinstance(1, c))
attempt("issubclass", lambda: issubclass(bool, c))

# Moderately deep is fine.
a, b = [], []
for i in range(300):
    a, b = [a], [b]
attempt("shallow ==", lambda: a == b)
attempt("shallow repr", lambda: len(repr(a)))
attempt("after", lambda: "still running")
