l = list(range(10))
print(l[2:5], l[:3], l[7:], l[::3], l[::-1], l[-3:-1], l[1:8:2])
l[2:5] = ['a', 'b']
print(l)
l[::2] = [0] * len(l[::2])
print(l)
del l[::3]
print(l)
