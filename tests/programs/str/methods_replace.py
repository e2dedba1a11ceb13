print('aaa'.replace('a', 'b'), 'aaa'.replace('a', 'b', 2), 'hello'.replace('l', ''), 'ab'.replace('', '-'))
print('prefix_name'.removeprefix('prefix_'), 'file.py'.removesuffix('.py'))
