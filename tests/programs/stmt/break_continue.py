out = []
for i in range(10):
    if i % 2:
        continue
    if i > 6:
        break
    out.append(i)
print(out)
i = 0
while i < 10:
    i += 1
    if i < 8:
        continue
    print('i', i)
