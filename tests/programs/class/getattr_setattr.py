class Obj:
    pass
o = Obj()
setattr(o, 'x', 5)
print(getattr(o, 'x'), getattr(o, 'y', 'default'), hasattr(o, 'x'), hasattr(o, 'y'))
delattr(o, 'x')
print(hasattr(o, 'x'))
try:
    getattr(o, 'missing')
except AttributeError as e:
    print(e)
