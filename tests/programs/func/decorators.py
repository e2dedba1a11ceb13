def trace(f):
    def wrapper(*args):
        print('calling', f.__name__, args)
        return f(*args)
    return wrapper
@trace
def add(a, b):
    return a + b
print(add(2, 3))
def times(n):
    def deco(f):
        def w(x):
            return [f(x) for _ in range(n)]
        return w
    return deco
@times(3)
def ident(x):
    return x
print(ident('z'))
