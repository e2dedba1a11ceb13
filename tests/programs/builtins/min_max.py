print(min(3, 1, 2), max([4, 9, 2]), min('b', 'a'), max([1, 2], key=lambda x: -x), min([], default='empty'), max((1, 'a'), (1, 'b')))
try:
    max([])
except ValueError as e:
    print(e)
