s = 'Hello World'
print(s.upper(), s.lower(), s.swapcase(), s.title(), 'hello world'.capitalize())
print('abc'.isalpha(), '123'.isdigit(), 'a1'.isalnum(), '  '.isspace(), 'ABC'.isupper(), 'abc'.islower(), 'x_1'.isidentifier())
