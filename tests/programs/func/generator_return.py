def g():
    yield 1
    return
    yield 2
print(list(g()))
def early(n):
    for i in range(n):
        if i == 2:
            return
        yield i
print(list(early(10)))
it = iter(g())
print(next(it))
try:
    next(it)
except StopIteration:
    print('StopIteration')
