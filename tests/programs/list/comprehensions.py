print([x * x for x in range(6)], [x for x in range(20) if x % 3 == 0])
print([(x, y) for x in range(3) for y in range(x)], [[j for j in range(i)] for i in range(4)])
print([c.upper() for c in 'abc' if c != 'b'], [x if x % 2 else -x for x in range(5)])
