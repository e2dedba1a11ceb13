import math
print(math.pi, math.e, math.sqrt(16), math.floor(2.7), math.ceil(2.1), math.trunc(-2.7), math.fabs(-3))
print(math.log(math.e), math.log(8, 2), math.log10(1000), math.log2(8), math.exp(0), math.pow(2, 3))
print(math.sin(0), math.cos(0), round(math.tan(math.pi / 4), 10), math.atan2(1, 1), math.hypot(3, 4))
print(math.gcd(12, 18), math.factorial(10), math.isclose(0.1 + 0.2, 0.3), math.isnan(math.nan), math.isinf(math.inf))
print(math.degrees(math.pi), math.radians(180), math.comb(5, 2), math.perm(5, 2), math.fsum([0.1] * 10), math.prod([1, 2, 3, 4]))
try:
    math.sqrt(-1)
except ValueError as e:
    print(e)
