/*
 * vm/lib/mod_math.c - the math module: constants and the functions teaching
 * programs use, with CPython's error behaviour ("math domain error").
 */
#include <math.h>
#include <string.h>

#include "vm/lib/builtins.h"
#include "vm/object/list.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

static bool one_double(VmThread *th, const char *name, Value *a, int n,
                       ObjTuple *kw, double *x) {
    if (kw && kw->count)
        return vm_raise(th, th->vm->cls.TypeError, "%s() takes no keyword arguments", name);
    if (n != 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "math.%s() takes exactly one argument (%d given)", name, n);
    return vm_to_double(th, a[0], x);
}

static bool domain(VmThread *th) {
    return vm_raise(th, th->vm->cls.ValueError, "math domain error");
}

static bool result(VmThread *th, double y, Value *r) {
    if (isinf(y))
        return vm_raise(th, th->vm->cls.OverflowError, "math range error");
    *r = VM_FLOAT(y);
    return true;
}

#define UNARY(fname, expr, domain_check)                                      \
    static bool m_##fname(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) { \
        double x;                                                             \
        if (!one_double(th, #fname, a, n, kw, &x)) return false;              \
        if (domain_check) return domain(th);                                  \
        double y = (expr);                                                    \
        if (isinf(y) && !isinf(x)) return result(th, y, r);                   \
        *r = VM_FLOAT(y);                                                     \
        return true;                                                          \
    }
UNARY(sqrt, sqrt(x), x < 0)
UNARY(exp, exp(x), false)
UNARY(sin, sin(x), isinf(x))
UNARY(cos, cos(x), isinf(x))
UNARY(tan, tan(x), isinf(x))
UNARY(asin, asin(x), x < -1 || x > 1)
UNARY(acos, acos(x), x < -1 || x > 1)
UNARY(atan, atan(x), false)
UNARY(sinh, sinh(x), false)
UNARY(cosh, cosh(x), false)
UNARY(tanh, tanh(x), false)
UNARY(log2, log2(x), x <= 0)
UNARY(log10, log10(x), x <= 0)
UNARY(log1p, log1p(x), x <= -1)
UNARY(fabs, fabs(x), false)
UNARY(degrees, x * 180.0 / M_PI, false)
UNARY(radians, x * M_PI / 180.0, false)
#undef UNARY

static bool to_int_result(VmThread *th, double y, Value *r) {
    if (isnan(y)) return vm_raise(th, th->vm->cls.ValueError, "cannot convert float NaN to integer");
    if (isinf(y)) return vm_raise(th, th->vm->cls.OverflowError, "cannot convert float infinity to integer");
    if (y >= 9.2233720368547758e18 || y < -9.2233720368547758e18)
        return vm_raise(th, th->vm->cls.OverflowError, "integer overflow: gilt ints are 64-bit");
    *r = VM_INT((int64_t)y);
    return true;
}

#define ROUNDING(fname, fn)                                                   \
    static bool m_##fname(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) { \
        if (n == 1 && (VM_IS_INT(a[0]) || VM_IS_BOOL(a[0]))) {                \
            return vm_to_int64(th, a[0], &r->as.i) && ((r->type = VAL_INT), true); \
        }                                                                     \
        double x;                                                             \
        if (!one_double(th, #fname, a, n, kw, &x)) return false;              \
        return to_int_result(th, fn(x), r);                                   \
    }
ROUNDING(floor, floor)
ROUNDING(ceil, ceil)
ROUNDING(trunc, trunc)
#undef ROUNDING

static bool m_log(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    if (n < 1 || n > 2)
        return vm_raise(th, th->vm->cls.TypeError, "log expected 1 or 2 arguments, got %d", n);
    (void)kw;
    double x, b = M_E;
    if (!vm_to_double(th, a[0], &x)) return false;
    if (n == 2 && !vm_to_double(th, a[1], &b)) return false;
    if (x <= 0 || (n == 2 && (b <= 0 || b == 1))) {
        if (n == 2 && b == 1 && x > 0)
            return vm_raise(th, th->vm->cls.ZeroDivisionError, "float division by zero");
        return domain(th);
    }
    *r = VM_FLOAT(n == 2 ? log(x) / log(b) : log(x));
    return true;
}

static bool two_doubles(VmThread *th, const char *name, Value *a, int n, double *x, double *y) {
    if (n != 2)
        return vm_raise(th, th->vm->cls.TypeError, "%s expected 2 arguments, got %d", name, n);
    return vm_to_double(th, a[0], x) && vm_to_double(th, a[1], y);
}

static bool m_pow(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    double x, y;
    if (!two_doubles(th, "pow", a, n, &x, &y)) return false;
    if ((x == 0 && y < 0) || (x < 0 && y != floor(y) && isfinite(y))) return domain(th);
    return result(th, pow(x, y), r) || false;
}

static bool m_atan2(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    double x, y;
    if (!two_doubles(th, "atan2", a, n, &y, &x)) return false;
    *r = VM_FLOAT(atan2(y, x));
    return true;
}

static bool m_copysign(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    double x, y;
    if (!two_doubles(th, "copysign", a, n, &x, &y)) return false;
    *r = VM_FLOAT(copysign(x, y));
    return true;
}

static bool m_fmod(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    double x, y;
    if (!two_doubles(th, "fmod", a, n, &x, &y)) return false;
    if (y == 0 || isinf(x)) return domain(th);
    *r = VM_FLOAT(fmod(x, y));
    return true;
}

static bool m_hypot(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    double acc = 0;
    for (int i = 0; i < n; i++) {
        double x;
        if (!vm_to_double(th, a[i], &x)) return false;
        acc = hypot(acc, x);
    }
    *r = VM_FLOAT(acc);
    return true;
}

static bool m_isclose(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    static const char *const names[] = {"a", "b", "rel_tol", "abs_tol", NULL};
    Value v[4];
    if (!vm_parse_args(th, "isclose", a, n, kw, names, 2, 2, v)) return false;
    double x, y, rel = 1e-09, abs_tol = 0.0;
    if (!vm_to_double(th, v[0], &x) || !vm_to_double(th, v[1], &y)) return false;
    if (!VM_IS_UNDEF(v[2]) && !vm_to_double(th, v[2], &rel)) return false;
    if (!VM_IS_UNDEF(v[3]) && !vm_to_double(th, v[3], &abs_tol)) return false;
    if (rel < 0 || abs_tol < 0)
        return vm_raise(th, th->vm->cls.ValueError, "tolerances must be non-negative");
    if (x == y) { *r = VM_TRUE; return true; }
    if (isinf(x) || isinf(y)) { *r = VM_FALSE; return true; }
    double diff = fabs(y - x);
    *r = VM_BOOL(diff <= fabs(rel * y) || diff <= fabs(rel * x) || diff <= abs_tol);
    return true;
}

#define FLOAT_PRED(fname, expr)                                               \
    static bool m_##fname(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) { \
        double x;                                                             \
        if (!one_double(th, #fname, a, n, kw, &x)) return false;              \
        *r = VM_BOOL(expr);                                                   \
        return true;                                                          \
    }
FLOAT_PRED(isnan, isnan(x))
FLOAT_PRED(isinf, isinf(x))
FLOAT_PRED(isfinite, isfinite(x))
#undef FLOAT_PRED

static int64_t gcd64(int64_t a, int64_t b) {
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static bool m_gcd(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    int64_t g = 0;
    for (int i = 0; i < n; i++) {
        int64_t x;
        if (!vm_to_int64(th, a[i], &x)) return false;
        g = gcd64(g, x);
    }
    *r = VM_INT(g);
    return true;
}

static bool m_lcm(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    int64_t l = 1;
    for (int i = 0; i < n; i++) {
        int64_t x;
        if (!vm_to_int64(th, a[i], &x)) return false;
        if (x == 0) { l = 0; break; }
        int64_t g = gcd64(l, x);
        if (__builtin_mul_overflow(l / g, x < 0 ? -x : x, &l))
            return vm_raise(th, th->vm->cls.OverflowError, "integer overflow: gilt ints are 64-bit");
    }
    *r = VM_INT(n == 0 ? 1 : l);
    return true;
}

static bool m_factorial(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return vm_raise(th, th->vm->cls.TypeError, "factorial() takes exactly one argument (%d given)", n);
    if (VM_IS_FLOAT(a[0]))
        return vm_raise(th, th->vm->cls.TypeError, "'float' object cannot be interpreted as an integer");
    int64_t x;
    if (!vm_to_int64(th, a[0], &x)) return false;
    if (x < 0) return vm_raise(th, th->vm->cls.ValueError, "factorial() not defined for negative values");
    int64_t f = 1, i = 2, next;
    for (; i <= x && !__builtin_mul_overflow(f, i, &next); i++) f = next;
    /* Beyond int64: the rest of the product (i..x) in big ints, which
     * ops.c grows into.  Collections happen only at safe points, so the
     * partial product is safe in a C local. */
    Value acc = VM_INT(f);
    for (; i <= x; i++)
        if (!vm_binary_op(th, OP_BINARY_MUL, acc, VM_INT(i), &acc)) return false;
    *r = acc;
    return true;
}

static bool comb_perm(VmThread *th, Value *a, int n, bool comb, Value *r) {
    int64_t N, k;
    if (n < 1 || n > 2) return vm_raise(th, th->vm->cls.TypeError, "expected 1 or 2 arguments");
    if (!vm_to_int64(th, a[0], &N)) return false;
    k = N;
    if (n == 2 && !VM_IS_NONE(a[1]) && !vm_to_int64(th, a[1], &k)) return false;
    if (N < 0) return vm_raise(th, th->vm->cls.ValueError, "n must be a non-negative integer");
    if (k < 0) return vm_raise(th, th->vm->cls.ValueError, "k must be a non-negative integer");
    if (k > N) { *r = VM_INT(0); return true; }
    if (comb && k > N - k) k = N - k;
    /* res * (N - i) / (i + 1) stays an integer at every step (it is
     * comb(N, i + 1)); ops.c grows it into a big int when it must. */
    Value res = VM_INT(1);
    for (int64_t i = 0; i < k; i++) {
        if (!vm_binary_op(th, OP_BINARY_MUL, res, VM_INT(N - i), &res)) return false;
        if (comb && !vm_binary_op(th, OP_BINARY_FLOORDIV, res, VM_INT(i + 1), &res)) return false;
    }
    *r = res;
    return true;
}

static bool m_comb(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) { (void)kw; return comb_perm(th, a, n, true, r); }
static bool m_perm(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) { (void)kw; return comb_perm(th, a, n, false, r); }

static bool m_prod(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    static const char *const names[] = {"iterable", "start", NULL};
    Value v[2];
    if (!vm_parse_args(th, "prod", a, n, kw, names, 1, 1, v)) return false;
    Value acc = VM_IS_UNDEF(v[1]) ? VM_INT(1) : v[1];
    ObjList *items;
    if (!vm_list_from_iterable(th, v[0], &items)) return false;
    vm_push_root(th, VM_OBJ(items));
    bool ok = true;
    for (int64_t i = 0; ok && i < items->count; i++)
        ok = vm_binary_op(th, OP_BINARY_MUL, acc, items->items[i], &acc);
    vm_pop_roots(th, 1);
    *r = acc;
    return ok;
}

/* Shewchuk's exact summation, as CPython's math.fsum (msum). */
static bool m_fsum(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return vm_raise(th, th->vm->cls.TypeError, "fsum() takes exactly one argument");
    ObjList *items;
    if (!vm_list_from_iterable(th, a[0], &items)) return false;
    double partials[64];
    int np = 0;
    for (int64_t i = 0; i < items->count; i++) {
        double x;
        if (!vm_to_double(th, items->items[i], &x)) return false;
        int k = 0;
        for (int j = 0; j < np; j++) {
            double y = partials[j];
            if (fabs(x) < fabs(y)) { double t = x; x = y; y = t; }
            double hi = x + y, lo = y - (hi - x);
            if (lo != 0.0) partials[k++] = lo;
            x = hi;
        }
        if (k < 64) partials[k++] = x;
        np = k;
    }
    double hi = 0.0;
    if (np > 0) {
        hi = partials[--np];
        while (np > 0) {
            double x = hi, y = partials[--np];
            hi = x + y;
            double lo = y - (hi - x);
            if (lo != 0.0) {
                if (np > 0 && ((lo < 0 && partials[np - 1] < 0) || (lo > 0 && partials[np - 1] > 0))) {
                    y = lo * 2;
                    x = hi + y;
                    if (y == x - hi) hi = x;
                }
                break;
            }
        }
    }
    *r = VM_FLOAT(hi);
    return true;
}

/* ---- CPython 3.11 functions beyond the basics ----------------------------- */

/* A float result of libm: ValueError for NaN from non-NaN input, OverflowError
 * for infinity from finite input, as CPython's math_1 does. */
static bool libm_result(VmThread *th, double x, double y, Value *r) {
    if (isnan(y) && !isnan(x)) return domain(th);
    if (isinf(y) && isfinite(x)) return result(th, y, r);
    *r = VM_FLOAT(y);
    return true;
}

#define LIBM(fname, expr, domain_check)                                       \
    static bool m_##fname(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) { \
        double x;                                                             \
        if (!one_double(th, #fname, a, n, kw, &x)) return false;              \
        if (domain_check) return domain(th);                                  \
        return libm_result(th, x, (expr), r);                                 \
    }
LIBM(expm1, expm1(x), false)
LIBM(exp2, exp2(x), false)
LIBM(cbrt, cbrt(x), false)
LIBM(erf, erf(x), false)
LIBM(erfc, erfc(x), false)
LIBM(asinh, asinh(x), false)
LIBM(acosh, acosh(x), x < 1)
LIBM(atanh, atanh(x), x <= -1 || x >= 1)
#undef LIBM

static bool m_isqrt(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return vm_raise(th, th->vm->cls.TypeError, "math.isqrt() takes exactly one argument (%d given)", n);
    if (!VM_IS_INT(a[0]) && !VM_IS_BOOL(a[0]))
        return vm_raise(th, th->vm->cls.TypeError, "'%s' object cannot be interpreted as an integer",
                        vm_value_type_name(th->vm, a[0]));
    int64_t x;
    if (!vm_to_int64(th, a[0], &x)) return false;
    if (x < 0) return vm_raise(th, th->vm->cls.ValueError, "isqrt() argument must be nonnegative");
    /* Start from the float estimate and correct it exactly in integers. */
    uint64_t s = (uint64_t)sqrt((double)x);
    while (s > 0 && (unsigned __int128)s * s > (unsigned __int128)x) s--;
    while ((unsigned __int128)(s + 1) * (s + 1) <= (unsigned __int128)x) s++;
    *r = VM_INT((int64_t)s);
    return true;
}

static bool m_frexp(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    double x;
    if (!one_double(th, "frexp", a, n, kw, &x)) return false;
    int e = 0;
    double m = (isnan(x) || isinf(x) || x == 0) ? x : frexp(x, &e);
    Value items[2] = {VM_FLOAT(m), VM_INT(e)};
    *r = VM_OBJ(vm_tuple_from(th->vm, items, 2));
    return true;
}

static bool m_modf(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    double x;
    if (!one_double(th, "modf", a, n, kw, &x)) return false;
    double ip, fp;
    if (isinf(x)) { ip = x; fp = copysign(0.0, x); }
    else fp = modf(x, &ip);
    Value items[2] = {VM_FLOAT(fp), VM_FLOAT(ip)};
    *r = VM_OBJ(vm_tuple_from(th->vm, items, 2));
    return true;
}

static bool m_ldexp(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return vm_raise(th, th->vm->cls.TypeError, "ldexp expected 2 arguments, got %d", n);
    double x;
    if (!vm_to_double(th, a[0], &x)) return false;
    if (!VM_IS_INT(a[1]) && !VM_IS_BOOL(a[1]))
        return vm_raise(th, th->vm->cls.TypeError, "Expected an int as second argument to ldexp.");
    int64_t e;
    if (!vm_to_int64(th, a[1], &e)) return false;
    if (x == 0 || !isfinite(x)) { *r = VM_FLOAT(x); return true; }
    if (e > 100000) e = 100000;      /* far past overflow either way */
    if (e < -100000) e = -100000;
    double y = ldexp(x, (int)e);
    if (isinf(y)) return result(th, y, r);
    *r = VM_FLOAT(y);
    return true;
}

static bool m_nextafter(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    double x, y;
    (void)kw;
    if (!two_doubles(th, "nextafter", a, n, &x, &y)) return false;
    *r = VM_FLOAT(nextafter(x, y));
    return true;
}

static bool m_ulp(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    double x;
    if (!one_double(th, "ulp", a, n, kw, &x)) return false;
    if (isnan(x)) { *r = VM_FLOAT(x); return true; }
    x = fabs(x);
    if (isinf(x)) { *r = VM_FLOAT(x); return true; }
    double up = nextafter(x, INFINITY);
    /* The largest float has no successor: measure down from it instead. */
    *r = VM_FLOAT(isinf(up) ? x - nextafter(x, -INFINITY) : up - x);
    return true;
}

static bool m_remainder(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    double x, y;
    (void)kw;
    if (!two_doubles(th, "remainder", a, n, &x, &y)) return false;
    if (isnan(x) || isnan(y)) { *r = VM_FLOAT(NAN); return true; }
    if (isinf(x) || y == 0) return domain(th);
    *r = VM_FLOAT(isinf(y) ? x : remainder(x, y));
    return true;
}

ObjModule *vm__mod_math_init(VmShared *vm) {
    ObjModule *m = vm_module_new(vm, "math");
    vm_module_set(vm, m, "pi", VM_FLOAT(M_PI));
    vm_module_set(vm, m, "e", VM_FLOAT(M_E));
    vm_module_set(vm, m, "tau", VM_FLOAT(2 * M_PI));
    vm_module_set(vm, m, "inf", VM_FLOAT(INFINITY));
    vm_module_set(vm, m, "nan", VM_FLOAT(NAN));
    static const struct {
        const char *name;
        VmNativeFn fn;
    } fns[] = {
        {"sqrt", m_sqrt}, {"exp", m_exp}, {"sin", m_sin}, {"cos", m_cos},
        {"tan", m_tan}, {"asin", m_asin}, {"acos", m_acos}, {"atan", m_atan},
        {"sinh", m_sinh}, {"cosh", m_cosh}, {"tanh", m_tanh}, {"log2", m_log2},
        {"log10", m_log10}, {"log1p", m_log1p}, {"fabs", m_fabs},
        {"degrees", m_degrees}, {"radians", m_radians}, {"floor", m_floor},
        {"ceil", m_ceil}, {"trunc", m_trunc}, {"log", m_log}, {"pow", m_pow},
        {"atan2", m_atan2}, {"copysign", m_copysign}, {"fmod", m_fmod},
        {"hypot", m_hypot}, {"isclose", m_isclose}, {"isnan", m_isnan},
        {"isinf", m_isinf}, {"isfinite", m_isfinite}, {"gcd", m_gcd},
        {"lcm", m_lcm}, {"factorial", m_factorial}, {"comb", m_comb},
        {"perm", m_perm}, {"prod", m_prod}, {"fsum", m_fsum},
        {"expm1", m_expm1}, {"exp2", m_exp2}, {"cbrt", m_cbrt}, {"erf", m_erf},
        {"erfc", m_erfc}, {"asinh", m_asinh}, {"acosh", m_acosh},
        {"atanh", m_atanh},
        {"isqrt", m_isqrt}, {"frexp", m_frexp}, {"modf", m_modf},
        {"ldexp", m_ldexp}, {"nextafter", m_nextafter}, {"ulp", m_ulp},
        {"remainder", m_remainder},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        vm_module_set(vm, m, fns[i].name, VM_OBJ(vm_native_new(vm, fns[i].name, fns[i].fn)));
    return m;
}
