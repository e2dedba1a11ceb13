a = [1, 2, 3]
b = a
c = [1, 2, 3]
print(a is b, a is c, a == c, a is not c, None is None)
print(2 in a, 5 not in a, 'b' in 'abc', 'k' in {'k': 1}, 3 in range(5))
