x: int = 5
y: list = [1]
def f(a: int, b: str = 'x') -> str:
    return b * a
print(x, y, f(3))
