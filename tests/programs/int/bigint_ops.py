x = 1
for i in range(1, 30): x *= i
print(x, -x, x // 7, x % 7, x / 3, float(x), abs(-x), divmod(x, 1000), divmod(-x, 7))
print(hex(x), oct(-x), bin(2**70), int('123456789012345678901234567890'), int('-ff_ff_ff_ff_ff_ff_ff_ff_ff', 16))
print(pow(3, -1, 2**61), pow(2**100, 2**50, 10**9+7), pow(-5, 3, -2**70), round(2**70+123456, -3), round(12345, -20))
try: float(2**1024)
except OverflowError as e: print(e)
try: [1,2][2**64]
except IndexError as e: print(e)
except OverflowError as e: print(e)
try: str(10**5000)
except ValueError as e: print(e)
try: int('9' * 5000)
except ValueError as e: print(e)
print(2**64 > 1.8e19, 2**64 == 18446744073709551616.0, 2**53 + 1 == 2.0**53, float('nan') < 2**100, 2**1000 < float('inf'))
print(sorted([2**65, 3, -2**70, 1.5]), max(2**64, 3), sum([2**63, 2**63]), min(-2**64, 0))
print(-(-2**63), 2**63 - 1 + 1 - 1, type(2**64 - 2**64), (2**64) ** -1)
print(True + 2**64, 7 ** 0, (-1) ** (2**70), 0 ** (2**70), 2 ** 100 % 7, 2**100 // -3, -(2**100) % 3)
print(2**64, 2**1000)
x = 1
for i in range(1, 30): x *= i
print(x, -x, x // 7, x % 7, x / 3, float(x))
print(hash(2**64), hash(2**64) == hash(float(2**64)), 2**64 == 2.0**64, 2**64 < 1e300)
print(9223372036854775807 + 1, -9223372036854775807 - 2, (2**64) - (2**64) + 5, type(2**70))
d = {2**64: 'a'}; print(d[2**64], 1 << 100, (1 << 100) >> 99, ~(2**65), -(2**63))
print(pow(3, 200), (2**100) & (2**100 - 1), (2**100) | 1, 10**30 / 10**10)
