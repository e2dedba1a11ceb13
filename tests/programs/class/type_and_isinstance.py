class A: pass
class B(A): pass
b = B()
print(type(b) is B, type(b) is A, isinstance(b, A), isinstance(b, (int, A)), issubclass(B, A), issubclass(A, B))
print(type(1).__name__, type('s').__name__, type([]).__name__, type(None).__name__, type(1.5).__name__, type(True).__name__)
print(isinstance(True, int), isinstance(1, float), isinstance('x', str))
