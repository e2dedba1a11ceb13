x = 1
del x
l = [0, 1, 2, 3, 4, 5]
del l[0]
del l[1:3]
print(l)
d = {'a': 1, 'b': 2}
del d['a']
print(d)
class O:
    pass
o = O()
o.attr = 1
del o.attr
print(hasattr(o, 'attr'))
try:
    print(x)
except NameError as e:
    print('NameError:', e)
