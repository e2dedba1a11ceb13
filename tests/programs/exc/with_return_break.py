class CM:
    def __init__(self, n):
        self.n = n
    def __enter__(self):
        print('enter', self.n)
    def __exit__(self, *a):
        print('exit', self.n)
def f():
    with CM(1):
        return 'returned'
print(f())
for i in range(3):
    with CM(i):
        if i == 1:
            break
print('after loop', i)
