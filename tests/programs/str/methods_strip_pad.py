print(repr('  x  '.strip()), repr('xxhixx'.strip('x')), repr('  a'.lstrip()), repr('b  '.rstrip()))
print('5'.zfill(3), '-5'.zfill(4), 'ab'.center(6, '*'), 'ab'.ljust(5, '.'), 'ab'.rjust(5), 'abc'.center(6))
