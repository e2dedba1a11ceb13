s = 'abcdefgh'
print(s[0], s[-1], s[2:5], s[:3], s[5:], s[::2], s[::-1], s[-3:], s[1:-1:3], s[10:], s[5:2])
print(len(s), s * 2, 'c' in s, s.upper()[1:3])
