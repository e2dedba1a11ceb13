a = b = c = [1]
b.append(2)
print(a, c, a is c)
x = y = 5
print(x, y)
