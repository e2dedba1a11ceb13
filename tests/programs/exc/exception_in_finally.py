def f():
    try:
        raise ValueError('first')
    finally:
        print('in finally')
try:
    f()
except ValueError as e:
    print('caught', e)
