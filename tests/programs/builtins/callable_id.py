def f(): pass
print(callable(f), callable(len), callable(1), callable(int), id(f) == id(f), id([]) != 0)
