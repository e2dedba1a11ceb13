try:
    raise ValueError
except ValueError as e:
    print('instance of', type(e).__name__, repr(e))
try:
    raise TypeError('typed')
except Exception as e:
    print(e)
