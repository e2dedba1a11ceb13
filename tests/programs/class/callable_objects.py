class Multiplier:
    def __init__(self, k):
        self.k = k
    def __call__(self, x):
        return x * self.k
m = Multiplier(3)
print(m(4), callable(m), callable(3), list(map(m, [1, 2])))
