try:
    raise ValueError('x')
except ValueError as err:
    print('inside', err)
try:
    print(err)
except NameError:
    print('err is gone after the except block')
