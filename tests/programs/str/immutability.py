s = 'abc'
try:
    s[0] = 'z'
except TypeError as e:
    print(e)
t = s.upper()
print(s, t)
