# Empty lists and tuples through every operation that copies items: an
# empty list has no items array, so none of them may do pointer arithmetic
# on it (UBSan: "applying zero offset to null pointer").
print(list(()), list([]), [] + [], [1] + [], [] + [2], [] * 3, () * 3, [1] * 0)
x = []
x *= 3
x += []
x.extend([])
x.extend(())
x[:] = []
x[0:0] = []
x[:] = [1, 2]
x[0:2] = []
print(x)
*b, = []
a, *b = [1]
*b, c = [1]
print(a, b, c)
print(sorted([]), list(reversed([])), [][:], [][::-1], tuple([]), "".join([]))
y = []
y.sort()
y.reverse()
print(y, y.copy(), list({}), list({}.keys()), list({}.items()), dict(), dict([]))
print([] == [], [] < [], () == (), repr([]), str(()), min([], default=0), sum([]))
def f(*a, **k):
    return a, k
print(f(*[]), f(*()), f(**{}), list(zip()), list(enumerate([])), list(map(abs, [])))
print("" * 3, "".split(), " ".split(), "".strip(), "abc"[3:], "a".replace("a", ""))
print(list(filter(None, [])), [v for v in []], {k: v for k, v in []}, tuple(v for v in []))
z = [1]
z.pop()
z.extend([])
z.insert(0, 5)
z.remove(5)
print(z, z * 2, z + z, len(z))
print(list(range(0)), [*[], *()], (*[],), {**{}})
print(max([1], default=0), any([]), all([]), str([]).join([]))
