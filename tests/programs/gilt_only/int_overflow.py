x = 2 ** 64
print(x)
