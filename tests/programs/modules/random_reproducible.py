import random
def draw(seed):
    random.seed(seed)
    return [random.randint(0, 1000) for _ in range(5)]
print(draw(7) == draw(7), draw(7) != draw(8))
print(draw(2 ** 40))
