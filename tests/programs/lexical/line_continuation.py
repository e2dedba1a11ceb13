total = 1 + \
    2 + \
    3
items = [
    1,
    2,  # inside brackets newlines are free
    3,
]
print(total, items, (4 +
                     5))
