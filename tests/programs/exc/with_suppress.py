class Suppress:
    def __init__(self, *types):
        self.types = types
    def __enter__(self):
        return self
    def __exit__(self, t, v, tb):
        return t is not None and issubclass(t, self.types)
with Suppress(ZeroDivisionError):
    1 / 0
print('suppressed')
try:
    with Suppress(KeyError):
        1 / 0
except ZeroDivisionError:
    print('not suppressed')
