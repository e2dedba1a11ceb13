class C:
    x = 1
print(getattr(C, 'x'), hasattr(C, 'y'), getattr(C(), 'x'), getattr(C, 'nope', None))
