s = 'the cat sat on the mat'
print(s.find('at'), s.rfind('at'), s.find('dog'), s.index('sat'), s.count('at'), s.count('the'))
print(s.startswith('the'), s.endswith('mat'), s.startswith(('a', 't')), s.find('at', 6), s.count('a', 0, 10))
try:
    s.index('dog')
except ValueError as e:
    print(e)
