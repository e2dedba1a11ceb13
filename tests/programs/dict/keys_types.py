d = {1: 'int', 2.5: 'float', 'k': 'str', (1, 2): 'tuple', None: 'none', True: 'bool?'}
print(d[1], d[2.5], d[(1, 2)], d[None], len(d), d[1.0])
