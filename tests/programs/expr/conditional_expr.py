for i in range(4):
    print('even' if i % 2 == 0 else 'odd', 'big' if i > 2 else 'small' if i > 0 else 'zero')
