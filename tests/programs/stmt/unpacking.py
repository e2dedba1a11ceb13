a, b = 1, 2
a, b = b, a
print(a, b)
(x, y), z = (1, 2), 3
print(x, y, z)
first, *rest = [1, 2, 3, 4]
print(first, rest)
*init, last = 'abcd'
print(init, last)
a, *mid, b = range(5)
print(a, mid, b)
for i, (k, v) in enumerate({'p': 1, 'q': 2}.items()):
    print(i, k, v)
[p, q] = [10, 20]
print(p + q)
