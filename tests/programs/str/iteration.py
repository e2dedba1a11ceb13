for ch in 'héy':
    print(ch, end='.')
print()
print(list('abc'), [c * 2 for c in 'xy'], dict(enumerate('ab')))
