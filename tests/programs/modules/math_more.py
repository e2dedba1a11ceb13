# math functions of CPython 3.11 beyond the basics, with their errors.
import math

print(math.isqrt(0), math.isqrt(1), math.isqrt(15), math.isqrt(16), math.isqrt(True))
print(math.isqrt(9223372036854775807), math.isqrt(10**18))
print(math.comb(10, 3), math.perm(10, 3), math.perm(5), math.prod([1, 2, 3, 4]), math.prod([], start=7))
print(math.hypot(), math.hypot(3, 4), math.hypot(1, 2, 2))
print(math.fsum([0.1] * 10), sum([0.1] * 10))
print(math.isclose(1.0, 1.0 + 1e-10), math.isclose(1.0, 1.1), math.isclose(0.0, 1e-10, abs_tol=1e-9))
print(math.gcd(), math.gcd(12, 18, 27), math.lcm(), math.lcm(4, 6, 10), math.gcd(-4, 6))
print(math.trunc(-3.7), math.trunc(3.7), math.copysign(3, -0.0), math.copysign(-2.5, 1))
print(math.frexp(8.0), math.frexp(0.0), math.frexp(-0.75), math.frexp(math.inf))
print(math.ldexp(0.5, 4), math.ldexp(1.0, -5000), math.ldexp(-3.0, 0))
print(math.modf(-3.5), math.modf(2.25), math.modf(math.inf), math.modf(-math.inf))
print(math.log2(1024), math.log1p(0.0), math.expm1(0.0), math.expm1(1e-10))
print(math.erf(0.0), math.erf(1.0), math.erfc(1.0), math.erf(math.inf))
print(math.inf, -math.inf, math.nan, math.tau, math.isnan(math.nan))
print(math.nextafter(1, 2), math.nextafter(1, 0), math.nextafter(0.0, -1))
print(math.ulp(1.0), math.ulp(0.0), math.ulp(-2.0), math.ulp(math.inf), math.ulp(1e308))
print(math.cbrt(27), math.cbrt(-27), math.cbrt(2), math.exp2(10), math.exp2(-1))
print(math.asinh(1.0), math.acosh(1.0), math.atanh(0.5), math.remainder(7, 2), math.remainder(5, math.inf))

fns = {
    'math.isqrt(-1)': lambda: math.isqrt(-1),
    'math.isqrt(2.0)': lambda: math.isqrt(2.0),
    "math.isqrt('a')": lambda: math.isqrt('a'),
    'math.ldexp(1.0, 2.5)': lambda: math.ldexp(1.0, 2.5),
    'math.ldexp(1.0, 5000)': lambda: math.ldexp(1.0, 5000),
    'math.exp2(2000)': lambda: math.exp2(2000),
    'math.expm1(1000)': lambda: math.expm1(1000),
    'math.acosh(0)': lambda: math.acosh(0),
    'math.atanh(1)': lambda: math.atanh(1),
    'math.remainder(1, 0)': lambda: math.remainder(1, 0),
    'math.remainder(math.inf, 1)': lambda: math.remainder(math.inf, 1),
    'math.log2(0)': lambda: math.log2(0),
    'math.log1p(-1)': lambda: math.log1p(-1),
    'math.comb(-1, 2)': lambda: math.comb(-1, 2),
    'math.perm(3, -1)': lambda: math.perm(3, -1),
    'math.factorial(-1)': lambda: math.factorial(-1),
    'math.factorial(2.0)': lambda: math.factorial(2.0),
}
for expr in fns:
    try:
        print(expr, "->", fns[expr]())
    except (ValueError, TypeError, OverflowError) as e:
        print(expr, "->", type(e).__name__, e)
