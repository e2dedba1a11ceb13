def make_adder(n):
    def add(x):
        return x + n
    return add
add5 = make_adder(5)
print(add5(1), make_adder(10)(1))
def counter():
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    return inc
c = counter()
print(c(), c(), c())
funcs = []
for i in range(3):
    funcs.append(lambda i=i: i * 10)
print([f() for f in funcs])
