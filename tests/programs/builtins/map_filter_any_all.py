print(list(map(str, [1, 2])), list(map(lambda a, b: a + b, [1, 2], [10, 20])), list(filter(None, [0, 1, '', 'x'])))
print(any([]), all([]), any([0, 0, 1]), all([1, 2, 0]))
