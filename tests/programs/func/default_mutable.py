def f(x, acc=[]):
    acc.append(x)
    return acc
print(f(1), f(2))
def g(x, acc=None):
    if acc is None:
        acc = []
    acc.append(x)
    return acc
print(g(1), g(2))
