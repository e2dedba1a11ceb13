data = [('b', 2), ('a', 2), ('c', 1), ('d', 3)]
print(sorted(data), sorted(data, key=lambda t: t[1]), sorted(data, key=lambda t: t[1], reverse=True))
words = ['banana', 'Apple', 'cherry', 'date']
words.sort(key=len)
print(words)
words.sort(key=str.lower)
print(words)
print(sorted([3.5, 1, 2.25, -1]), sorted('hello'))
