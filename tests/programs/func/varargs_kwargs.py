def f(*args, **kwargs):
    return args, sorted(kwargs.items())
print(f(), f(1, 2), f(x=1), f(1, y=2, z=3))
def g(a, *rest, sep='-', **opts):
    return sep.join(str(x) for x in (a,) + rest), opts
print(g(1, 2, 3), g(1, sep='+', end='!'))
