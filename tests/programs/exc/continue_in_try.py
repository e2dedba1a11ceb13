total = 0
for i in range(5):
    try:
        if i % 2:
            continue
        total += i
    finally:
        total += 100
print(total)
