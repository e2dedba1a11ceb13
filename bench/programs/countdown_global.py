n = 50000000
while n > 0:
    n -= 1
