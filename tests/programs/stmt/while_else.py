n = 0
while n < 5:
    n += 1
else:
    print('done', n)
while True:
    n -= 1
    if n == 2:
        break
else:
    print('not printed')
print(n)
