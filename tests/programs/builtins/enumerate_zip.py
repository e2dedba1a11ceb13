print(list(enumerate('abc')), list(enumerate('ab', start=1)), list(zip([1, 2, 3], 'ab')), list(zip()))
for i, (a, b) in enumerate(zip('xy', [10, 20])):
    print(i, a, b)
print(dict(zip(['k1', 'k2'], [1, 2])))
