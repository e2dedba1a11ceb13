d = {'one': 1, 'two': 2, 'three': 3}
for k in d:
    print(k, d[k])
for k, v in d.items():
    print(k.upper(), v * 10)
print(sorted(d.values()), sum(d.values()), {**d, 'four': 4})
print(d.keys(), d.values(), d.items())
