def countdown(n):
    while n > 0:
        yield n
        n -= 1
print(list(countdown(5)))
def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
g = fib()
print([next(g) for _ in range(10)])
def pairs(xs):
    for i, x in enumerate(xs):
        yield i, x
print(dict(pairs('abc')))
