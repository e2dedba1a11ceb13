class V:
    def __init__(self, a):
        self.a = a
    def __repr__(self):
        return 'V(%r)' % (self.a,)
    def __str__(self):
        return 'vector ' + str(self.a)
v = V([1, 2])
print(v, repr(v), str(v), [v], f'{v}', f'{v!r}')
class OnlyRepr:
    def __repr__(self):
        return '<OnlyRepr>'
print(OnlyRepr(), str(OnlyRepr()))
