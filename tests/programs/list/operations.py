a = [1, 2] + [3]
print(a, a * 2, 2 in a, len(a), min(a), max(a), sum(a), [1, 2] == [1, 2], [1, 2] < [1, 3], list(reversed(a)))
print(list(range(5)), list(range(2, 10, 3)), list(range(10, 0, -2)), list('ab'), list((1, 2)))
