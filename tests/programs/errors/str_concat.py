print('age: ' + 5)
