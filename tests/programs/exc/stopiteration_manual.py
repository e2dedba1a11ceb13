it = iter([1])
print(next(it))
print(next(it, 'done'))
try:
    next(it)
except StopIteration:
    print('exhausted')
