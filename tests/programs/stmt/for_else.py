for i in range(3):
    print(i)
else:
    print('completed')
for i in range(10):
    if i == 3:
        print('found', i)
        break
else:
    print('not found')
