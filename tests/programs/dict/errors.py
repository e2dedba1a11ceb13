d = {'a': 1}
try:
    d['b']
except KeyError as e:
    print('missing', e)
try:
    for k in d:
        d['new'] = 1
except RuntimeError as e:
    print(e)
