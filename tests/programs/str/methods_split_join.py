print('a,b,,c'.split(','), ' a  b c '.split(), 'a b c'.split(' ', 1), 'a-b-c'.rsplit('-', 1))
print('-'.join(['x', 'y', 'z']), ''.join(reversed('abc')), 'l1\nl2\r\nl3'.splitlines())
print('k=v'.partition('='), 'a.b.c'.rpartition('.'), 'none'.partition('='))
