print('{} {}'.format(1, 2), '{1} {0}'.format('a', 'b'), '{x}-{y}'.format(x=1, y=2), '{:>8}'.format('r'), '{:^8}'.format('c'))
class P:
    x = 3
print('{0[1]} {1.x}'.format([5, 6], P()), '{:08.3f}'.format(3.14159), '{:,}'.format(10**9), '{!r}'.format('s'))
