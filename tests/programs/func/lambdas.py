sq = lambda x: x * x
print(sq(7), (lambda a, b=2: a + b)(1), (lambda *a: len(a))(1, 2, 3))
pairs = [(1, 'one'), (3, 'three'), (2, 'two')]
print(sorted(pairs, key=lambda p: p[1]))
print(list(map(lambda x: x + 1, [1, 2, 3])), list(filter(lambda x: x % 2, range(7))))
