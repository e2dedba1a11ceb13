# Hashing a tuple nested 100000 deep recurses once per level: gilt stops
# with RecursionError where CPython has no limit (and crashes when its C
# stack runs out).  Nested generators too: each next() runs the one inside.
def attempt(what, f):
    try:
        print(what, f())
    except RecursionError as e:
        print(what, type(e).__name__, e)


t, u = (), ()
for i in range(100000):
    t, u = (t,), (u,)
attempt("hash", lambda: hash(t))
attempt("dict key", lambda: {t: 1}[u])

g = iter([1])
for i in range(100000):
    g = (v for v in g)
attempt("generators", lambda: list(g))

t, u = (), ()
for i in range(300):
    t, u = (t,), (u,)
attempt("shallow hash", lambda: hash(t) == hash(u))
attempt("shallow key", lambda: {t: 1}[u])
g = iter([1])
for i in range(100):
    g = (v for v in g)
attempt("shallow generators", lambda: list(g))
