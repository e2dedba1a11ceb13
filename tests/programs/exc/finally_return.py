def f():
    try:
        return 'try'
    finally:
        print('cleanup')
def g():
    for i in range(3):
        try:
            if i == 1:
                break
        finally:
            print('finally', i)
    return i
print(f(), g())
