print(isinstance(1, int), isinstance(1.0, (int, float)), isinstance('s', str), isinstance([], list), isinstance({}, dict), isinstance((), tuple), isinstance(None, type(None)))
print(type(1) == int, type('a') is str, type([]) is list, type(int), issubclass(bool, int), issubclass(int, object))
