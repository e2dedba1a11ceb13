def a():
    x = 1
    def b():
        def c():
            return x + 1
        return c()
    return b()
print(a())
def shared():
    v = []
    def push(x):
        v.append(x)
    def get():
        return v
    return push, get
push, get = shared()
push(1); push(2)
print(get())
