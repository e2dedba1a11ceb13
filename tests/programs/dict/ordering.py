d = {}
for k in ['zeta', 'alpha', 'mid']:
    d[k] = len(k)
print(d)
del d['alpha']
d['alpha'] = 0
print(list(d))
d['zeta'] = 99
print(d)
