x = 5
print(-x, +x, -(-x), ~x, not x, -3.5, +True, -True)
