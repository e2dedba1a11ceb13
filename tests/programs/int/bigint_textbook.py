# Textbook uses of big ints: factorials, comb/perm, Miller-Rabin with pow(a, d, n),
# Fibonacci to 1000, RSA-style modular inverse, mixed float comparisons.
import math
print(math.factorial(30), math.factorial(100) % 1000003, math.factorial(20))
print(math.comb(100, 50), math.perm(40, 20), math.comb(10, 3), math.perm(5))
def is_prime(n):
    if n < 2: return False
    for p in [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]:
        if n % p == 0: return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2; s += 1
    for a in [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]:
        x = pow(a, d, n)
        if x == 1 or x == n - 1: continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1: break
        else:
            return False
    return True
print([p for p in range(2**61 - 50, 2**61) if is_prime(p)], is_prime(2**127 - 1), is_prime(2**128 + 1))
a, b = 0, 1
for _ in range(1000): a, b = b, a + b
print(a % 10**20, len(str(a)))
e, n, d = 65537, 3233 * (2**89 - 1), 0
print(pow(42, e, n), pow(pow(42, e, 2**89-1), pow(e, -1, (2**89-2)), 2**89-1))
print(sum(range(10**6)) * 10**20, 10**30 // 7, -(10**30) // 7, (10**30) % -7, divmod(-10**25, 3))
print(2**64 > 1.8e19, 2**1000 == float(2**1000), 3 * 2**70 < 2**72)
