t = (1, 'two', 3.0)
print(t, t[1], t[-1], t[0:2], len(t), t + (4,), t * 2, (1,), ())
print(t.count(1), t.index('two'), 3.0 in t, tuple([1, 2]), tuple('ab'))
a, b, c = t
print(a, b, c, (1, 2) < (1, 3), hash((1, 2)) == hash((1, 2)))
try:
    t[0] = 5
except TypeError as e:
    print(e)
