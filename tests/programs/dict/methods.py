d = {'a': 1, 'b': 2}
d['c'] = 3
print(d, len(d), d['b'], d.get('z'), d.get('z', 0), 'a' in d, 'z' not in d)
print(list(d.keys()), list(d.values()), list(d.items()))
print(d.pop('a'), d.pop('zz', 'none'), d)
d.update({'x': 9}, y=8); print(d)
print(d.setdefault('b', 100), d.setdefault('new', 7), d)
print(d.popitem(), d)
e = d.copy(); e.clear(); print(e, d)
print(dict.fromkeys('ab', 0), dict(a=1, b=2), dict([('k', 'v')]))
