/*
 * vm/object/bigint.c - arbitrary-precision int arithmetic on GMP.
 *
 * GMP does the arithmetic; this file converts between Values and mpz_t,
 * normalises results that fit int64 back to the inline form, and keeps
 * GMP's memory inside the VM heap funnel so --max-heap counts big ints.
 * GMP aborts when an allocation fails, so operations whose result could be
 * huge (*, **, <<) estimate the result size first and raise MemoryError
 * over the heap limit instead of letting GMP try.
 */
#include "vm/object/bigint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm/runtime/memory.h"
#include "vm/object/str.h"
#include "vm/runtime/vm.h"

/* GMP's allocation hooks are process-wide; the heap they count on is the
 * one of the VM whose thread is calling into GMP right now. */
static __thread VmHeap *gmp_heap;

static void *gmp_alloc(size_t n) { return vm_realloc(gmp_heap, NULL, 0, n); }
static void *gmp_realloc(void *p, size_t old, size_t n) {
    return vm_realloc(gmp_heap, p, old, n);
}
static void gmp_free(void *p, size_t n) { vm_realloc(gmp_heap, p, n, 0); }

static void use_heap(VmShared *vm) {
    static bool installed;
    if (!installed) {
        mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
        installed = true;
    }
    gmp_heap = &vm->heap;
}

/* Temporaries live in the C frame; their limbs are on the VM heap. */
static void load(Value v, mpz_t z) {
    if (vm_is_bigint(v))
        mpz_init_set(z, ((ObjBigInt *)v.as.o)->z);
    else
        mpz_init_set_si(z, v.type == VAL_BOOL ? (long)v.as.b : (long)v.as.i);
}

static const mpz_t *peek(Value v, mpz_t tmp) {
    if (vm_is_bigint(v)) return (const mpz_t *)&((ObjBigInt *)v.as.o)->z;
    mpz_init_set_si(tmp, v.type == VAL_BOOL ? (long)v.as.b : (long)v.as.i);
    return (const mpz_t *)tmp;
}

/* Consumes z: an inline int when it fits, else a new ObjBigInt owning z. */
static Value finish(VmShared *vm, mpz_t z) {
    if (mpz_fits_slong_p(z)) {
        Value r = VM_INT((int64_t)mpz_get_si(z));
        mpz_clear(z);
        return r;
    }
    ObjBigInt *b = (ObjBigInt *)vm_obj_alloc(vm, sizeof(ObjBigInt), OBJ_BIGINT,
                                             vm->cls.int_);
    memcpy(b->z, z, sizeof(mpz_t)); /* take over the limbs */
    return VM_OBJ(b);
}

void vm_bigint_free(VmShared *vm, ObjBigInt *b) {
    use_heap(vm);
    mpz_clear(b->z);
}

/* MemoryError when a result of `bits` bits could not be held under the heap
 * limit (or by GMP at all, whose sizes are ints of limbs). */
static bool check_bits(VmThread *th, double bits) {
    double bytes = bits / 8 + 16;
    if (bytes > (double)INT32_MAX * 8 || bytes > (double)th->vm->heap.max_heap)
        return vm_raise(th, th->vm->cls.MemoryError, "%s", "");
    return vm_heap_check(th, (size_t)bytes);
}

static double nbits(const mpz_t z) {
    return mpz_sgn(z) == 0 ? 0 : (double)mpz_sizeinbase(z, 2);
}

static int zero_div(VmThread *th, Opcode op) {
    const char *msg = op == OP_BINARY_MOD ? "integer modulo by zero"
                      : op == OP_BINARY_TRUEDIV ? "division by zero"
                                                : "integer division or modulo by zero";
    vm_raise(th, th->vm->cls.ZeroDivisionError, "%s", msg);
    return -1;
}

/* |a| / |b| correctly rounded (round-half-even) as CPython's true division:
 * take a quotient of 55..64 significant bits, fold the remainder into a
 * sticky low bit, and let the hardware round that uint64 to 53 bits. */
static int true_divide(VmThread *th, const mpz_t a, const mpz_t b, Value *out) {
    if (mpz_sgn(b) == 0) return zero_div(th, OP_BINARY_TRUEDIV);
    if (mpz_sgn(a) == 0) {
        *out = VM_FLOAT(mpz_sgn(b) < 0 ? -0.0 : 0.0);
        return 1;
    }
    bool neg = (mpz_sgn(a) < 0) != (mpz_sgn(b) < 0);
    long shift = 64 - ((long)mpz_sizeinbase(a, 2) - (long)mpz_sizeinbase(b, 2)) - 1;
    /* q = |a| * 2**shift / |b| has 63 or 64 bits. */
    mpz_t n, d, q, r;
    mpz_inits(n, d, q, r, NULL);
    mpz_abs(n, a);
    mpz_abs(d, b);
    if (shift > 0)
        mpz_mul_2exp(n, n, (mp_bitcnt_t)shift);
    else if (shift < 0)
        mpz_mul_2exp(d, d, (mp_bitcnt_t)-shift);
    mpz_tdiv_qr(q, r, n, d);
    uint64_t qi = 0;
    mpz_export(&qi, NULL, -1, sizeof qi, 0, 0, q);
    if (mpz_sgn(r) != 0) qi |= 1;
    mpz_clears(n, d, q, r, NULL);
    if (shift > 1100) {
        /* far below the smallest subnormal */
        *out = VM_FLOAT(neg ? -0.0 : 0.0);
        return 1;
    }
    double res = ldexp((double)qi, (int)-shift);
    if (isinf(res)) {
        vm_raise(th, th->vm->cls.OverflowError,
                 "integer division result too large for a float");
        return -1;
    }
    *out = VM_FLOAT(neg ? -res : res);
    return 1;
}

static bool to_double_z(VmThread *th, const mpz_t z, double *out) {
    size_t bits = mpz_sgn(z) == 0 ? 0 : mpz_sizeinbase(z, 2);
    if (bits <= 53) {
        *out = mpz_get_d(z); /* exact */
        return true;
    }
    if (bits > 1024) goto too_large;
    /* Top 64 bits, with a sticky bit for what was cut, rounded by the
     * hardware's uint64 -> double conversion (round-half-even). */
    mpz_t t;
    mpz_init(t);
    mpz_abs(t, z);
    mp_bitcnt_t cut = bits > 64 ? bits - 64 : 0;
    bool sticky = cut > 0 && mpz_scan1(t, 0) < cut;
    mpz_tdiv_q_2exp(t, t, cut);
    uint64_t top = 0;
    mpz_export(&top, NULL, -1, sizeof top, 0, 0, t);
    mpz_clear(t);
    if (sticky) top |= 1;
    double d = ldexp((double)top, (int)cut);
    if (isinf(d)) goto too_large;
    *out = mpz_sgn(z) < 0 ? -d : d;
    return true;
too_large:
    return vm_raise(th, th->vm->cls.OverflowError,
                    "int too large to convert to float");
}

bool vm_bigint_to_double(VmThread *th, Value v, double *out) {
    use_heap(th->vm);
    mpz_t tmp;
    const mpz_t *z = peek(v, tmp);
    bool ok = to_double_z(th, *z, out);
    if (z == (const mpz_t *)tmp) mpz_clear(tmp);
    return ok;
}

int vm_bigint_binary(VmThread *th, Opcode op, Value a, Value b, Value *out) {
    VmShared *vm = th->vm;
    use_heap(vm);
    switch (op) {
    case OP_INPLACE_ADD: op = OP_BINARY_ADD; break;
    case OP_INPLACE_SUB: op = OP_BINARY_SUB; break;
    case OP_INPLACE_MUL: op = OP_BINARY_MUL; break;
    default: break;
    }
    mpz_t x, y, r;
    load(a, x);
    load(b, y);
    mpz_init(r);
    int ok = 1;
    switch (op) {
    case OP_BINARY_ADD: mpz_add(r, x, y); break;
    case OP_BINARY_SUB: mpz_sub(r, x, y); break;
    case OP_BINARY_MUL:
        if (!check_bits(th, nbits(x) + nbits(y))) ok = -1;
        else mpz_mul(r, x, y);
        break;
    case OP_BINARY_TRUEDIV:
        ok = true_divide(th, x, y, out);
        mpz_clears(x, y, r, NULL);
        return ok;
    case OP_BINARY_FLOORDIV:
    case OP_BINARY_MOD:
        if (mpz_sgn(y) == 0) ok = zero_div(th, op);
        else if (op == OP_BINARY_FLOORDIV) mpz_fdiv_q(r, x, y);
        else mpz_fdiv_r(r, x, y);
        break;
    case OP_BINARY_POW:
        if (mpz_sgn(y) < 0) {
            /* int ** negative int is a float, as CPython. */
            double bx, by;
            if (mpz_sgn(x) == 0) {
                vm_raise(th, vm->cls.ZeroDivisionError,
                         "0.0 cannot be raised to a negative power");
                ok = -1;
            } else if (!to_double_z(th, x, &bx) || !to_double_z(th, y, &by)) {
                ok = -1;
            } else {
                *out = VM_FLOAT(pow(bx, by));
                mpz_clears(x, y, r, NULL);
                return 1;
            }
        } else if (mpz_cmpabs_ui(x, 1) <= 0) {
            /* 0, 1, -1: the result is small whatever the exponent. */
            if (mpz_sgn(x) == 0) mpz_set_ui(r, mpz_sgn(y) == 0 ? 1 : 0);
            else if (mpz_sgn(x) > 0 || mpz_even_p(y)) mpz_set_ui(r, 1);
            else mpz_set_si(r, -1);
        } else if (!mpz_fits_ulong_p(y)) {
            vm_raise(th, vm->cls.MemoryError, "%s", "");
            ok = -1;
        } else if (!check_bits(th, nbits(x) * mpz_get_d(y))) {
            ok = -1;
        } else {
            mpz_pow_ui(r, x, mpz_get_ui(y));
        }
        break;
    case OP_BINARY_LSHIFT:
    case OP_BINARY_RSHIFT:
        if (mpz_sgn(y) < 0) {
            vm_raise(th, vm->cls.ValueError, "negative shift count");
            ok = -1;
        } else if (op == OP_BINARY_RSHIFT) {
            if (mpz_fits_ulong_p(y)) mpz_fdiv_q_2exp(r, x, mpz_get_ui(y));
            else mpz_set_si(r, mpz_sgn(x) < 0 ? -1 : 0);
        } else if (mpz_sgn(x) == 0) {
            mpz_set_ui(r, 0);
        } else if (!mpz_fits_ulong_p(y)) {
            vm_raise(th, vm->cls.OverflowError, "too many digits in integer");
            ok = -1;
        } else if (!check_bits(th, nbits(x) + mpz_get_d(y))) {
            ok = -1;
        } else {
            mpz_mul_2exp(r, x, mpz_get_ui(y));
        }
        break;
    case OP_BINARY_AND: mpz_and(r, x, y); break;
    case OP_BINARY_OR: mpz_ior(r, x, y); break;
    case OP_BINARY_XOR: mpz_xor(r, x, y); break;
    default: ok = 0; break;
    }
    mpz_clears(x, y, NULL);
    if (ok == 1) *out = finish(vm, r);
    else mpz_clear(r);
    return ok;
}

bool vm_bigint_unary(VmThread *th, Opcode op, Value a, Value *out) {
    use_heap(th->vm);
    mpz_t x;
    load(a, x);
    if (op == OP_UNARY_NEG) mpz_neg(x, x);
    else if (op == OP_UNARY_INVERT) mpz_com(x, x);
    *out = finish(th->vm, x);
    return true;
}

int vm_bigint_compare(Value a, Value b) {
    if (a.type == VAL_FLOAT) {
        int c = vm_bigint_compare(b, a);
        return c == 2 ? 2 : -c;
    }
    /* a is big or int64 here; b is big, int64 or float. */
    mpz_t ta, tb;
    const mpz_t *x = peek(a, ta);
    int c;
    if (b.type == VAL_FLOAT) {
        if (isnan(b.as.f)) c = 2;
        else c = mpz_cmp_d(*x, b.as.f); /* exact, handles inf */
    } else {
        const mpz_t *y = peek(b, tb);
        c = mpz_cmp(*x, *y);
        if (y == (const mpz_t *)tb) mpz_clear(tb);
    }
    if (x == (const mpz_t *)ta) mpz_clear(ta);
    if (c == 2) return 2;
    return (c > 0) - (c < 0);
}

/* CPython's hash of an integer: sign * (|n| mod (2**61 - 1)), -1 -> -2. */
static uint64_t hash_z(const mpz_t z) {
    const unsigned long mod = (1UL << 61) - 1;
    int64_t h = (int64_t)mpz_tdiv_ui(z, mod); /* |z| mod m */
    if (mpz_sgn(z) < 0) h = -h;
    if (h == -1) h = -2;
    return (uint64_t)h;
}

uint64_t vm_bigint_hash(Value v) {
    return hash_z(((ObjBigInt *)v.as.o)->z);
}

uint64_t vm_bigint_hash_double(double d) {
    mpz_t z;
    mpz_init_set_d(z, d); /* d is integral: exact */
    uint64_t h = hash_z(z);
    mpz_clear(z);
    return h;
}

#define MAX_STR_DIGITS 4300

bool vm_bigint_str(VmThread *th, Value v, ObjStr **out) {
    VmShared *vm = th->vm;
    use_heap(vm);
    const mpz_t *z = (const mpz_t *)&((ObjBigInt *)v.as.o)->z;
    /* sizeinbase may overshoot by one: check the exact count afterwards,
     * but refuse early what is clearly over (as CPython does). */
    size_t est = mpz_sizeinbase(*z, 10);
    if (est > MAX_STR_DIGITS + 1)
        goto too_long;
    char buf[MAX_STR_DIGITS + 8];
    mpz_get_str(buf, 10, *z);
    size_t len = strlen(buf);
    if (len - (buf[0] == '-') > MAX_STR_DIGITS) goto too_long;
    *out = vm_str_from_cstr(vm, buf);
    return true;
too_long:
    return vm_raise(th, vm->cls.ValueError,
                    "Exceeds the limit (%d digits) for integer string "
                    "conversion; use sys.set_int_max_str_digits() to "
                    "increase the limit", MAX_STR_DIGITS);
}

bool vm_bigint_parse(VmThread *th, const char *digits, int base, bool neg,
                     Value *out) {
    VmShared *vm = th->vm;
    use_heap(vm);
    size_t n = strlen(digits);
    /* CPython limits only the quadratic (non power-of-two) bases. */
    if ((base & (base - 1)) != 0 && n > MAX_STR_DIGITS)
        return vm_raise(th, vm->cls.ValueError,
                        "Exceeds the limit (%d digits) for integer string "
                        "conversion: value has %zu digits; use "
                        "sys.set_int_max_str_digits() to increase the limit",
                        MAX_STR_DIGITS, n);
    mpz_t z;
    if (mpz_init_set_str(z, digits, base) != 0) {
        mpz_clear(z);
        return vm_raise(th, vm->cls.ValueError, "invalid literal for int()");
    }
    if (neg) mpz_neg(z, z);
    *out = finish(vm, z);
    return true;
}

/* ---- helpers for the builtins (vm/lib/builtins.c) ---------------------- */

bool vm_bigint_from_double(VmThread *th, double d, Value *out) {
    use_heap(th->vm);
    mpz_t z;
    mpz_init_set_d(z, d); /* truncates toward zero, as int(float) */
    *out = finish(th->vm, z);
    return true;
}

bool vm_bigint_abs(VmThread *th, Value v, Value *out) {
    use_heap(th->vm);
    mpz_t z;
    load(v, z);
    mpz_abs(z, z);
    *out = finish(th->vm, z);
    return true;
}

bool vm_bigint_base_repr(VmThread *th, Value v, int base, const char *prefix,
                         Value *out) {
    VmShared *vm = th->vm;
    use_heap(vm);
    const mpz_t *z = (const mpz_t *)&((ObjBigInt *)v.as.o)->z;
    size_t n = mpz_sizeinbase(*z, base) + strlen(prefix) + 3;
    if (!vm_heap_check(th, n)) return false;
    char *buf = vm_realloc(&vm->heap, NULL, 0, n);
    char *p = buf;
    if (mpz_sgn(*z) < 0) *p++ = '-';
    strcpy(p, prefix);
    p += strlen(prefix);
    mpz_t a;
    mpz_init(a);
    mpz_abs(a, *z);
    mpz_get_str(p, base, a);
    mpz_clear(a);
    *out = VM_OBJ(vm_str_from_cstr(vm, buf));
    vm_realloc(&vm->heap, buf, n, 0);
    return true;
}

/* pow(b, e, m) for int-like operands; a negative e takes the modular
 * inverse first (Python 3.8+). */
bool vm_bigint_powmod(VmThread *th, Value bv, Value ev, Value mv, Value *out) {
    VmShared *vm = th->vm;
    use_heap(vm);
    mpz_t b, e, m, r, am;
    load(bv, b);
    load(ev, e);
    load(mv, m);
    mpz_inits(r, am, NULL);
    bool ok = true;
    if (mpz_sgn(m) == 0) {
        ok = vm_raise(th, vm->cls.ValueError, "pow() 3rd argument cannot be 0");
        goto done;
    }
    mpz_abs(am, m);
    if (mpz_sgn(e) < 0) {
        if (mpz_invert(b, b, am) == 0) {
            ok = vm_raise(th, vm->cls.ValueError,
                          "base is not invertible for the given modulus");
            goto done;
        }
        mpz_neg(e, e);
    }
    mpz_powm(r, b, e, am); /* in [0, |m|) */
    /* The result takes the sign of m, as Python's %. */
    if (mpz_sgn(m) < 0 && mpz_sgn(r) != 0) mpz_add(r, r, m);
    *out = finish(vm, r);
    mpz_clears(b, e, m, am, NULL);
    return true;
done:
    mpz_clears(b, e, m, r, am, NULL);
    return ok;
}

/* round(x, nd) for an int x and nd < 0: to a multiple of 10**-nd, ties to
 * even, as CPython. */
bool vm_bigint_round(VmThread *th, Value x, int64_t nd, Value *out) {
    VmShared *vm = th->vm;
    use_heap(vm);
    mpz_t z, p, q, rem, twice;
    load(x, z);
    mpz_inits(p, q, rem, twice, NULL);
    double digits = mpz_sgn(z) == 0 ? 1 : (double)mpz_sizeinbase(z, 10);
    if (nd < -(int64_t)digits - 1) {
        mpz_set_ui(q, 0); /* |x| < 10**-nd / 2 */
    } else {
        mpz_ui_pow_ui(p, 10, (unsigned long)-nd);
        mpz_fdiv_qr(q, rem, z, p);
        mpz_mul_2exp(twice, rem, 1);
        int c = mpz_cmp(twice, p);
        if (c > 0 || (c == 0 && mpz_odd_p(q))) mpz_add_ui(q, q, 1);
        mpz_mul(q, q, p);
    }
    mpz_clears(z, p, rem, twice, NULL);
    *out = finish(vm, q);
    return true;
}
