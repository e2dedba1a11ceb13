def acc():
    total = 0
    while True:
        x = yield total
        if x is None:
            return total
        total += x
g = acc()
print(next(g), g.send(5), g.send(10))
try:
    g.send(None)
except StopIteration as e:
    print('returned', e.value)
def two():
    yield 1
    yield 2
t = two()
print(next(t), iter(t) is t)
t.close()
print(list(t), next(t, 'closed'))
try:
    acc().send(3)
except TypeError as e:
    print(e)
def r():
    return 'v'
    yield
try:
    next(r())
except StopIteration as e:
    print(repr(e.value), e.args)
