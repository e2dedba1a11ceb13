def f(x):
    try:
        r = 10 / x
    except ZeroDivisionError:
        print('error')
        return 'err'
    else:
        print('no error')
        return r
    finally:
        print('finally', x)
print(f(2))
print(f(0))
