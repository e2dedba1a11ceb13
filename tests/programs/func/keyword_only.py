def f(a, *, b, c=10):
    return a + b + c
print(f(1, b=2), f(1, b=2, c=3))
try:
    f(1, 2)
except TypeError as e:
    print(e)
try:
    f(1)
except TypeError as e:
    print(e)
