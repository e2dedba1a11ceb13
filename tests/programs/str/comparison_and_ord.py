print('a' < 'b', 'abc' < 'abd', 'Z' < 'a', 'apple' == 'apple', ord('A'), chr(97), ord('é'), chr(0x263A))
print(sorted(['banana', 'Apple', 'cherry']), min('hello'), max('hello'))
