class MyError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code
class SubError(MyError):
    pass
try:
    raise SubError(42, 'sub failed')
except MyError as e:
    print(type(e).__name__, e.code, e, e.args)
e = MyError(1, 'x')
print(repr(ValueError('v')), str(ValueError()), ValueError(1, 2).args, str(KeyError('k')))
