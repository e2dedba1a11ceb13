grid = [[0] * 3 for _ in range(3)]
grid[1][1] = 5
print(grid)
alias = [[0] * 2] * 2
alias[0][0] = 1
print(alias)
a = [1, [2, 3]]
b = a[:]
b[1].append(4)
b[0] = 9
print(a, b)
