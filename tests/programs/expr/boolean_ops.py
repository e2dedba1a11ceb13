print(True and False, True or False, not True, not 0)
print(0 or 'default', '' or [] or 'last', 1 and 2, 0 and 1/0)
def side(x):
    print('called', x)
    return x
print(side(0) and side(1))
print(side(1) or side(2))
