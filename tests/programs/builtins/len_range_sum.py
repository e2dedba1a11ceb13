print(len([1, 2]), len('abc'), len({}), len(range(10)), sum([1, 2, 3]), sum([0.5, 0.25]), sum([[1], [2]], []), sum(range(101)))
print(range(5), range(1, 10, 2), list(range(-3)), range(10)[2], range(10)[-1], len(range(0, 10, 3)))
