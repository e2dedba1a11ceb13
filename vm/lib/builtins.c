/*
 * vm/lib/builtins.c - the builtins namespace: print, len, sum, min, max,
 * sorted, enumerate, zip, isinstance, ... and the constructors of int,
 * float, bool and type; plus vm_parse_args, the argument parser natives use.
 */
#include "vm/lib/builtins.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "vm/runtime/cstack.h"
#include "vm/runtime/memory.h"
#include "vm/object/bigint.h"
#include "vm/object/dict.h"
#include "vm/object/format.h"
#include "vm/object/list.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

#define NO_KW(name)                                                           \
    if (kwnames && kwnames->count)                                            \
    return vm_raise(th, th->vm->cls.TypeError,                                \
                    name "() takes no keyword arguments")

static bool exact_args(VmThread *th, const char *name, int nargs, int n) {
    if (nargs == n) return true;
    if (n == 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s() takes exactly one argument (%d given)", name, nargs);
    return vm_raise(th, th->vm->cls.TypeError,
                    "%s expected %d arguments, got %d", name, n, nargs);
}

/* ---- output ---------------------------------------------------------------- */

/* The program's standard output failed (a full disk, /dev/full): raise
 * OSError as CPython's print does, and clear the stream's error so the
 * next write tries again. */
static bool out_failed(VmThread *th, int err) {
    clearerr(th->vm->out);
    if (!err) err = EIO;
    return vm_raise(th, th->vm->cls.OSError, "[Errno %d] %s", err, strerror(err));
}

/* Write a string to a file argument: vm->out/err for None, else call its
 * write method. */
static bool write_to(VmThread *th, Value file, ObjStr *s) {
    if (VM_IS_NONE(file) || VM_IS_UNDEF(file)) {
        errno = 0;
        if (fwrite(s->chars, 1, (size_t)s->length, th->vm->out) != (size_t)s->length) {
            int err = errno;
            /* A write that overflowed the buffer and could not flush it:
             * CPython loses that data (the exit does not fail on it
             * again), so the buffer is dropped here too. */
            __fpurge(th->vm->out);
            return out_failed(th, err);
        }
        return true;
    }
    Value arg = VM_OBJ(s), r;
    return vm_call_method(th, file, vm_str_intern_cstr(th->vm, "write"), &arg, 1,
                          &r) > 0 ||
           (VM_IS_UNDEF(th->exception) &&
            vm_raise(th, th->vm->cls.AttributeError,
                     "'%s' object has no attribute 'write'",
                     vm_value_type_name(th->vm, file)));
}

static bool b_print(VmThread *th, Value *args, int nargs, ObjTuple *kwnames,
                    Value *result) {
    VmShared *vm = th->vm;
    Value sep = VM_NONE, end = VM_NONE, file = VM_NONE, flush = VM_FALSE;
    for (int64_t k = 0; kwnames && k < kwnames->count; k++) {
        const char *n = VM_AS_STR(kwnames->items[k])->chars;
        Value v = args[nargs + k];
        if (strcmp(n, "sep") == 0) sep = v;
        else if (strcmp(n, "end") == 0) end = v;
        else if (strcmp(n, "file") == 0) file = v;
        else if (strcmp(n, "flush") == 0) flush = v;
        else
            return vm_raise(th, vm->cls.TypeError,
                            "print() got an unexpected keyword argument '%s'", n);
    }
    if (!VM_IS_NONE(sep) && !VM_IS_STR(sep))
        return vm_raise(th, vm->cls.TypeError,
                        "sep must be None or a string, not %s",
                        vm_value_type_name(vm, sep));
    if (!VM_IS_NONE(end) && !VM_IS_STR(end))
        return vm_raise(th, vm->cls.TypeError,
                        "end must be None or a string, not %s",
                        vm_value_type_name(vm, end));
    /* Build the whole line first, so a line from one thread is written in
     * one piece. */
    StrBuf b;
    vm_strbuf_init(&b);
    for (int i = 0; i < nargs; i++) {
        if (i) {
            if (VM_IS_NONE(sep)) vm_strbuf_append_char(&b, ' ');
            else vm_strbuf_append_str(&b, VM_AS_STR(sep));
        }
        ObjStr *s;
        if (!vm_str(th, args[i], &s)) {
            vm_strbuf_fini(&b);
            return false;
        }
        vm_strbuf_append_str(&b, s);
    }
    if (VM_IS_NONE(end)) vm_strbuf_append_char(&b, '\n');
    else vm_strbuf_append_str(&b, VM_AS_STR(end));
    ObjStr *line = vm_strbuf_finish(vm, &b);
    vm_push_root(th, VM_OBJ(line));
    bool ok = write_to(th, file, line);
    vm_pop_roots(th, 1);
    if (!ok) return false;
    int t = vm_truthy(th, flush);
    if (t < 0) return false;
    if (t) {
        if (VM_IS_NONE(file)) {
            /* glibc drops what it could not write; CPython keeps it, and
             * its exit fails on it again (status 120 rather than 1). */
            if (fflush(vm->out) != 0) return out_failed(th, errno);
        } else {
            Value r;
            if (vm_call_method(th, file, vm_str_intern_cstr(vm, "flush"), NULL, 0, &r) < 0)
                return false;
        }
    }
    *result = VM_NONE;
    return true;
}

/* ---- simple functions ------------------------------------------------------ */

static bool b_len(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("len");
    if (!exact_args(th, "len", n, 1)) return false;
    int64_t len;
    if (!vm_len(th, a[0], &len)) return false;
    *r = VM_INT(len);
    return true;
}

static bool b_abs(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("abs");
    if (!exact_args(th, "abs", n, 1)) return false;
    Value v = a[0];
    if (vm_is_bigint(v) || (VM_IS_INT(v) && VM_AS_INT(v) == INT64_MIN))
        return vm_bigint_abs(th, v, r);
    if (VM_IS_INT(v)) {
        *r = VM_INT(VM_AS_INT(v) < 0 ? -VM_AS_INT(v) : VM_AS_INT(v));
        return true;
    }
    if (VM_IS_BOOL(v)) {
        *r = VM_INT(VM_AS_BOOL(v));
        return true;
    }
    if (VM_IS_FLOAT(v)) {
        *r = VM_FLOAT(fabs(VM_AS_FLOAT(v)));
        return true;
    }
    int c = vm_call_method(th, v, vm_str_intern_cstr(th->vm, "__abs__"), NULL, 0, r);
    if (c > 0) return true;
    if (c < 0) return false;
    return vm_raise(th, th->vm->cls.TypeError, "bad operand type for abs(): '%s'",
                    vm_value_type_name(th->vm, v));
}

static bool b_repr(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("repr");
    if (!exact_args(th, "repr", n, 1)) return false;
    ObjStr *s;
    if (!vm_repr(th, a[0], &s)) return false;
    *r = VM_OBJ(s);
    return true;
}

static bool b_ascii(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("ascii");
    if (!exact_args(th, "ascii", n, 1)) return false;
    ObjStr *s;
    if (!vm_repr(th, a[0], &s)) return false;
    StrBuf b;
    vm_strbuf_init(&b);
    const char *p = s->chars;
    while (*p) {
        uint32_t cp;
        int k = vm_utf8_decode(p, &cp);
        if (cp < 0x80) vm_strbuf_append_char(&b, (char)cp);
        else if (cp < 0x100) vm_strbuf_printf(&b, "\\x%02x", cp);
        else if (cp < 0x10000) vm_strbuf_printf(&b, "\\u%04x", cp);
        else vm_strbuf_printf(&b, "\\U%08x", cp);
        p += k;
    }
    *r = VM_OBJ(vm_strbuf_finish(th->vm, &b));
    return true;
}

static bool b_hash(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("hash");
    if (!exact_args(th, "hash", n, 1)) return false;
    uint64_t h;
    if (!vm_hash(th, a[0], &h)) return false;
    *r = VM_INT((int64_t)h);
    return true;
}

static bool b_id(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("id");
    if (!exact_args(th, "id", n, 1)) return false;
    if (VM_IS_OBJ(a[0])) *r = VM_INT((int64_t)(uintptr_t)VM_AS_OBJ(a[0]));
    else {
        uint64_t h;
        if (!vm_hash(th, a[0], &h)) return false;
        *r = VM_INT((int64_t)(h & 0x7fffffffffffull));
    }
    return true;
}

static bool b_callable(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("callable");
    if (!exact_args(th, "callable", n, 1)) return false;
    Value v = a[0], fn;
    bool c = false;
    if (VM_IS_OBJ(v)) {
        switch (VM_OBJ_KIND(v)) {
        case OBJ_FUNCTION: case OBJ_NATIVE: case OBJ_BOUND_METHOD: case OBJ_CLASS:
            c = true;
            break;
        default:
            c = vm_class_lookup(VM_AS_OBJ(v)->cls, th->vm->names.call, &fn);
        }
    }
    *r = VM_BOOL(c);
    return true;
}

static bool b_chr(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("chr");
    if (!exact_args(th, "chr", n, 1)) return false;
    int64_t i;
    if (!vm_to_int64(th, a[0], &i)) return false;
    if (i < 0 || i > 0x10FFFF)
        return vm_raise(th, th->vm->cls.ValueError, "chr() arg not in range(0x110000)");
    char enc[4];
    int k = vm_utf8_encode((uint32_t)i, enc);
    *r = VM_OBJ(vm_str_copy(th->vm, enc, k));
    return true;
}

static bool b_ord(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("ord");
    if (!exact_args(th, "ord", n, 1)) return false;
    if (!VM_IS_STR(a[0]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "ord() expected string of length 1, but %s found",
                        vm_value_type_name(th->vm, a[0]));
    ObjStr *s = VM_AS_STR(a[0]);
    if (s->nchars != 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "ord() expected a character, but string of length %lld found",
                        (long long)s->nchars);
    uint32_t cp;
    vm_utf8_decode(s->chars, &cp);
    *r = VM_INT(cp);
    return true;
}

static bool base_repr(VmThread *th, Value v, int base, const char *prefix, Value *r) {
    if (vm_is_bigint(v)) return vm_bigint_base_repr(th, v, base, prefix, r);
    int64_t i;
    if (!vm_to_int64(th, v, &i)) return false;
    uint64_t mag = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    char tmp[70];
    int k = 0;
    do {
        int d = (int)(mag % (uint64_t)base);
        tmp[k++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        mag /= (uint64_t)base;
    } while (mag);
    char out[80];
    int o = 0;
    if (i < 0) out[o++] = '-';
    for (const char *p = prefix; *p; p++) out[o++] = *p;
    while (k) out[o++] = tmp[--k];
    out[o] = '\0';
    *r = VM_OBJ(vm_str_from_cstr(th->vm, out));
    return true;
}

static bool b_hex(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("hex");
    return exact_args(th, "hex", n, 1) && base_repr(th, a[0], 16, "0x", r);
}
static bool b_oct(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("oct");
    return exact_args(th, "oct", n, 1) && base_repr(th, a[0], 8, "0o", r);
}
static bool b_bin(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("bin");
    return exact_args(th, "bin", n, 1) && base_repr(th, a[0], 2, "0b", r);
}

static bool b_divmod(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("divmod");
    if (!exact_args(th, "divmod", n, 2)) return false;
    Value q, m;
    if (VM_IS_FLOAT(a[0]) || VM_IS_FLOAT(a[1])) {
        double y;
        if (vm_to_double(th, a[1], &y) && y == 0)
            return vm_raise(th, th->vm->cls.ZeroDivisionError, "float divmod()");
        vm_clear_exception(th);
    }
    if (!vm_binary_op(th, OP_BINARY_FLOORDIV, a[0], a[1], &q)) return false;
    if (!vm_binary_op(th, OP_BINARY_MOD, a[0], a[1], &m)) return false;
    Value pair[2] = {q, m};
    *r = VM_OBJ(vm_tuple_from(th->vm, pair, 2));
    return true;
}

static bool b_pow(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    static const char *const names[] = {"base", "exp", "mod", NULL};
    Value v[3];
    if (!vm_parse_args(th, "pow", a, n, kwnames, names, 2, 3, v)) return false;
    if (VM_IS_UNDEF(v[2]) || VM_IS_NONE(v[2]))
        return vm_binary_op(th, OP_BINARY_POW, v[0], v[1], r);
    if (vm_is_bigint(v[0]) || vm_is_bigint(v[1]) || vm_is_bigint(v[2]) ||
        (vm_is_intlike(v[0]) && vm_is_intlike(v[1]) && vm_is_intlike(v[2]) &&
         VM_IS_INT(v[1]) && VM_AS_INT(v[1]) < 0)) {
        if (!vm_is_intlike(v[0]) || !vm_is_intlike(v[1]) || !vm_is_intlike(v[2]))
            return vm_raise(th, th->vm->cls.TypeError,
                            "pow() 3rd argument not allowed unless all arguments are integers");
        return vm_bigint_powmod(th, v[0], v[1], v[2], r);
    }
    int64_t b, e, m;
    if (!vm_to_int64(th, v[0], &b) || !vm_to_int64(th, v[1], &e) ||
        !vm_to_int64(th, v[2], &m))
        return vm_raise(th, th->vm->cls.TypeError,
                        "pow() 3rd argument not allowed unless all arguments are integers");
    if (m == 0) return vm_raise(th, th->vm->cls.ValueError, "pow() 3rd argument cannot be 0");
    if (e < 0) return vm_raise(th, th->vm->cls.ValueError, "base is not invertible for the given modulus");
    __int128 result = 1, base = ((b % m) + m) % m, mod = m < 0 ? -m : m;
    while (e > 0) {
        if (e & 1) result = (result * base) % mod;
        base = (base * base) % mod;
        e >>= 1;
    }
    int64_t res = (int64_t)result;
    if (m < 0 && res > 0) res += m;
    *r = VM_INT(res);
    return true;
}

/* Round half to even at `ndigits` decimals, via the exact decimal string of
 * the double (what CPython's round does with its correctly rounded dtoa). */
static double round_float(double x, int64_t nd) {
    if (!isfinite(x)) return x;
    if (nd > 300) return x;
    if (nd < -308) return 0.0 * x;
    char buf[512];
    if (nd >= 0) {
        snprintf(buf, sizeof buf, "%.*f", (int)nd, x);
        return strtod(buf, NULL);
    }
    double p = pow(10.0, (double)-nd);
    double y = x / p;
    double r = nearbyint(y);
    return r * p;
}

static bool b_round(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    static const char *const names[] = {"number", "ndigits", NULL};
    Value v[2];
    if (!vm_parse_args(th, "round", a, n, kwnames, names, 1, 2, v)) return false;
    bool has_nd = !VM_IS_UNDEF(v[1]) && !VM_IS_NONE(v[1]);
    int64_t nd = 0;
    if (has_nd && !vm_to_int64(th, v[1], &nd)) return false;
    Value x = v[0];
    if (vm_is_bigint(x) || (vm_is_intlike(x) && has_nd && nd < -18)) {
        if (!has_nd || nd >= 0) {
            *r = vm_is_bigint(x) ? x : VM_INT(VM_IS_INT(x) ? VM_AS_INT(x) : VM_AS_BOOL(x));
            return true;
        }
        return vm_bigint_round(th, x, nd, r);
    }
    if (VM_IS_INT(x) || VM_IS_BOOL(x)) {
        int64_t i = VM_IS_INT(x) ? VM_AS_INT(x) : VM_AS_BOOL(x);
        if (!has_nd || nd >= 0) {
            *r = VM_INT(i);
            return true;
        }
        if (nd < -18) {
            *r = VM_INT(0);
            return true;
        }
        int64_t p = 1;
        for (int64_t k = 0; k < -nd; k++) p *= 10;
        int64_t q = i / p, rem = i % p;
        if (rem < 0) {
            rem += p;
            q--;
        }
        if (rem * 2 > p || (rem * 2 == p && (q & 1))) q++;
        *r = VM_INT(q * p);
        return true;
    }
    if (VM_IS_FLOAT(x)) {
        double d = VM_AS_FLOAT(x);
        if (!has_nd) {
            if (isnan(d))
                return vm_raise(th, th->vm->cls.ValueError,
                                "cannot convert float NaN to integer");
            if (isinf(d))
                return vm_raise(th, th->vm->cls.OverflowError,
                                "cannot convert float infinity to integer");
            double rd = nearbyint(d); /* default rounding mode: half to even */
            if (rd >= 9.2233720368547758e18 || rd < -9.2233720368547758e18)
                return vm_raise(th, th->vm->cls.OverflowError,
                                "integer overflow: gilt ints are 64-bit");
            *r = VM_INT((int64_t)rd);
            return true;
        }
        *r = VM_FLOAT(round_float(d, nd));
        return true;
    }
    Value args[1] = {v[1]};
    int c = vm_call_method(th, x, vm_str_intern_cstr(th->vm, "__round__"), args,
                           has_nd ? 1 : 0, r);
    if (c > 0) return true;
    if (c < 0) return false;
    return vm_raise(th, th->vm->cls.TypeError,
                    "type %s doesn't define __round__ method",
                    vm_value_type_name(th->vm, x));
}

static bool b_format(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("format");
    if (n < 1 || n > 2)
        return vm_raise(th, th->vm->cls.TypeError,
                        "format expected at most 2 arguments, got %d", n);
    ObjStr *spec = vm_str_intern_cstr(th->vm, "");
    if (n == 2) {
        if (!VM_IS_STR(a[1]))
            return vm_raise(th, th->vm->cls.TypeError,
                            "format() argument 2 must be str, not %s",
                            vm_value_type_name(th->vm, a[1]));
        spec = VM_AS_STR(a[1]);
    }
    ObjStr *s;
    if (!vm_format_value(th, a[0], spec, &s)) return false;
    *r = VM_OBJ(s);
    return true;
}

/* ---- attributes and types -------------------------------------------------- */

static bool attr_name(VmThread *th, const char *fname, Value v, ObjStr **out) {
    if (!VM_IS_STR(v))
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s(): attribute name must be string, not '%s'", fname,
                        vm_value_type_name(th->vm, v));
    *out = VM_AS_STR(v);
    return true;
}

static bool b_getattr(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("getattr");
    if (n < 2 || n > 3)
        return vm_raise(th, th->vm->cls.TypeError,
                        "getattr expected 2 or 3 arguments, got %d", n);
    ObjStr *name;
    if (!attr_name(th, "getattr", a[1], &name)) return false;
    if (n == 2) return vm_getattr(th, a[0], name, r);
    int f = vm_getattr_opt(th, a[0], name, r);
    if (f < 0) {
        if (!vm_exception_matches(th, th->vm->cls.AttributeError)) return false;
        vm_clear_exception(th);
        f = 0;
    }
    if (f == 0) *r = a[2];
    return true;
}

static bool b_hasattr(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("hasattr");
    if (!exact_args(th, "hasattr", n, 2)) return false;
    ObjStr *name;
    if (!attr_name(th, "hasattr", a[1], &name)) return false;
    Value v;
    int f = vm_getattr_opt(th, a[0], name, &v);
    if (f < 0) {
        if (!vm_exception_matches(th, th->vm->cls.AttributeError)) return false;
        vm_clear_exception(th);
        f = 0;
    }
    *r = VM_BOOL(f > 0);
    return true;
}

static bool b_setattr(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("setattr");
    if (!exact_args(th, "setattr", n, 3)) return false;
    ObjStr *name;
    if (!attr_name(th, "setattr", a[1], &name)) return false;
    *r = VM_NONE;
    return vm_setattr(th, a[0], name, a[2]);
}

static bool b_delattr(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("delattr");
    if (!exact_args(th, "delattr", n, 2)) return false;
    ObjStr *name;
    if (!attr_name(th, "delattr", a[1], &name)) return false;
    *r = VM_NONE;
    return vm_delattr(th, a[0], name);
}

/* isinstance / issubclass against a class or (nested) tuple of classes. */
static int class_matches(VmThread *th, ObjClass *cls, Value spec, const char *fname) {
    if (VM_IS_CLASS(spec)) return vm_is_subclass(cls, VM_AS_CLASS(spec));
    if (VM_IS_TUPLE(spec)) {
        bool inst = strcmp(fname, "isinstance") == 0;
        if (!vm_enter_recursive_call(th, inst ? " in __instancecheck__"
                                              : " in __subclasscheck__"))
            return -1;
        ObjTuple *t = VM_AS_TUPLE(spec);
        int m = 0;
        for (int64_t i = 0; i < t->count && m == 0; i++)
            m = class_matches(th, cls, t->items[i], fname);
        vm_leave_recursive_call(th);
        return m;
    }
    vm_raise(th, th->vm->cls.TypeError,
             "%s() arg 2 must be a type, a tuple of types, or a union", fname);
    return -1;
}

static bool b_isinstance(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("isinstance");
    if (!exact_args(th, "isinstance", n, 2)) return false;
    int m = class_matches(th, vm_value_class(th->vm, a[0]), a[1], "isinstance");
    if (m < 0) return false;
    *r = VM_BOOL(m);
    return true;
}

static bool b_issubclass(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("issubclass");
    if (!exact_args(th, "issubclass", n, 2)) return false;
    if (!VM_IS_CLASS(a[0]))
        return vm_raise(th, th->vm->cls.TypeError, "issubclass() arg 1 must be a class");
    int m = class_matches(th, VM_AS_CLASS(a[0]), a[1], "issubclass");
    if (m < 0) return false;
    *r = VM_BOOL(m);
    return true;
}

/* ---- iteration helpers ----------------------------------------------------- */

static bool b_iter(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("iter");
    if (!exact_args(th, "iter", n, 1)) return false;
    return vm_get_iter(th, a[0], r);
}

static bool b_next(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("next");
    if (n < 1 || n > 2)
        return vm_raise(th, th->vm->cls.TypeError, "next expected at least 1 argument, got %d", n);
    if (!(VM_IS_OBJ(a[0]) && (VM_OBJ_KIND(a[0]) == OBJ_ITERATOR || VM_OBJ_KIND(a[0]) == OBJ_GENERATOR))) {
        Value fn;
        if (!VM_IS_OBJ(a[0]) || !vm_class_lookup(VM_AS_OBJ(a[0])->cls, th->vm->names.next, &fn))
            return vm_raise(th, th->vm->cls.TypeError, "'%s' object is not an iterator",
                            vm_value_type_name(th->vm, a[0]));
    }
    int f = vm_iter_next(th, a[0], r);
    if (f < 0) return false;
    if (f == 0) {
        if (n == 2) {
            *r = a[1];
            return true;
        }
        Value v = VM_NONE;
        if (vm_is_kind(a[0], OBJ_GENERATOR) &&
            !VM_IS_UNDEF(((ObjGenerator *)VM_AS_OBJ(a[0]))->return_value))
            v = ((ObjGenerator *)VM_AS_OBJ(a[0]))->return_value;
        th->exception = vm_exception_new(th, th->vm->cls.StopIteration, &v,
                                         VM_IS_NONE(v) ? 0 : 1);
        return false;
    }
    return true;
}

/* enumerate / zip / map / filter / reversed: small iterator objects. */

static int enumerate_next(VmThread *th, ObjIterator *it, Value *out) {
    Value v;
    int f = vm_iter_next(th, it->source, &v);
    if (f <= 0) return f;
    Value pair[2] = {VM_INT(it->index++), v};
    *out = VM_OBJ(vm_tuple_from(th->vm, pair, 2));
    return 1;
}

static bool b_enumerate(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    static const char *const names[] = {"iterable", "start", NULL};
    Value v[2];
    if (!vm_parse_args(th, "enumerate", a, n, kwnames, names, 1, 2, v)) return false;
    int64_t start = 0;
    if (!VM_IS_UNDEF(v[1]) && !vm_to_int64(th, v[1], &start)) return false;
    Value it;
    if (!vm_get_iter(th, v[0], &it)) return false;
    ObjIterator *e = vm_iterator_new(th->vm, th->vm->cls.iterator, enumerate_next, it);
    e->index = start;
    *r = VM_OBJ(e);
    return true;
}

static int zip_next(VmThread *th, ObjIterator *it, Value *out) {
    ObjTuple *its = VM_AS_TUPLE(it->source);
    if (its->count == 0 || it->index < 0) return 0;
    ObjTuple *t = vm_tuple_new(th->vm, its->count);
    vm_push_root(th, VM_OBJ(t));
    for (int64_t i = 0; i < its->count; i++) {
        Value v;
        int f = vm_iter_next(th, its->items[i], &v);
        if (f <= 0) {
            vm_pop_roots(th, 1);
            it->index = -1;
            return f;
        }
        t->items[i] = v;
    }
    vm_pop_roots(th, 1);
    *out = VM_OBJ(t);
    return 1;
}

static bool b_zip(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    bool strict = false;
    for (int64_t k = 0; kwnames && k < kwnames->count; k++) {
        if (strcmp(VM_AS_STR(kwnames->items[k])->chars, "strict") == 0)
            strict = vm_truthy(th, a[n + k]) > 0;
        else
            return vm_raise(th, th->vm->cls.TypeError,
                            "zip() got an unexpected keyword argument '%s'",
                            VM_AS_STR(kwnames->items[k])->chars);
    }
    (void)strict;
    ObjTuple *its = vm_tuple_new(th->vm, n);
    vm_push_root(th, VM_OBJ(its));
    for (int i = 0; i < n; i++) {
        Value it;
        if (!vm_get_iter(th, a[i], &it)) {
            vm_pop_roots(th, 1);
            return false;
        }
        its->items[i] = it;
    }
    vm_pop_roots(th, 1);
    *r = VM_OBJ(vm_iterator_new(th->vm, th->vm->cls.iterator, zip_next, VM_OBJ(its)));
    return true;
}

static int map_next(VmThread *th, ObjIterator *it, Value *out) {
    ObjTuple *its = VM_AS_TUPLE(it->source);
    Value *base = th->stack_top;
    for (int64_t i = 0; i < its->count; i++) {
        Value v;
        int f = vm_iter_next(th, its->items[i], &v);
        if (f <= 0) {
            th->stack_top = base;
            return f;
        }
        *th->stack_top++ = v;
    }
    bool ok = vm_call(th, it->extra, base, (int)its->count, NULL, out);
    th->stack_top = base;
    return ok ? 1 : -1;
}

static bool b_map(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("map");
    if (n < 2) return vm_raise(th, th->vm->cls.TypeError, "map() must have at least two arguments.");
    ObjTuple *its = vm_tuple_new(th->vm, n - 1);
    vm_push_root(th, VM_OBJ(its));
    for (int i = 1; i < n; i++) {
        Value it;
        if (!vm_get_iter(th, a[i], &it)) {
            vm_pop_roots(th, 1);
            return false;
        }
        its->items[i - 1] = it;
    }
    vm_pop_roots(th, 1);
    ObjIterator *m = vm_iterator_new(th->vm, th->vm->cls.iterator, map_next, VM_OBJ(its));
    m->extra = a[0];
    *r = VM_OBJ(m);
    return true;
}

static int filter_next(VmThread *th, ObjIterator *it, Value *out) {
    for (;;) {
        Value v;
        int f = vm_iter_next(th, it->source, &v);
        if (f <= 0) return f;
        int t;
        if (VM_IS_NONE(it->extra)) {
            t = vm_truthy(th, v);
        } else {
            vm_push_root(th, v);
            Value res;
            bool ok = vm_call(th, it->extra, &v, 1, NULL, &res);
            vm_pop_roots(th, 1);
            if (!ok) return -1;
            t = vm_truthy(th, res);
        }
        if (t < 0) return -1;
        if (t) {
            *out = v;
            return 1;
        }
    }
}

static bool b_filter(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("filter");
    if (!exact_args(th, "filter", n, 2)) return false;
    Value it;
    if (!vm_get_iter(th, a[1], &it)) return false;
    ObjIterator *f = vm_iterator_new(th->vm, th->vm->cls.iterator, filter_next, it);
    f->extra = a[0];
    *r = VM_OBJ(f);
    return true;
}

static bool b_reversed(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("reversed");
    if (!exact_args(th, "reversed", n, 1)) return false;
    int c = vm_call_method(th, a[0], vm_str_intern_cstr(th->vm, "__reversed__"), NULL, 0, r);
    if (c > 0) return true;
    if (c < 0) return false;
    /* Sequence protocol: materialise and reverse. */
    int64_t len;
    if (!vm_len(th, a[0], &len)) {
        vm_clear_exception(th);
        return vm_raise(th, th->vm->cls.TypeError, "'%s' object is not reversible",
                        vm_value_type_name(th->vm, a[0]));
    }
    ObjList *l = vm_list_new(th->vm, len);
    vm_push_root(th, VM_OBJ(l));
    for (int64_t i = len - 1; i >= 0; i--) {
        Value v;
        if (!vm_getitem(th, a[0], VM_INT(i), &v)) {
            vm_pop_roots(th, 1);
            return false;
        }
        vm_list_append(th->vm, l, v);
    }
    vm_pop_roots(th, 1);
    return vm_get_iter(th, VM_OBJ(l), r);
}

/* ---- reductions ------------------------------------------------------------ */

static bool b_sum(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    static const char *const names[] = {"iterable", "start", NULL};
    Value v[2];
    if (!vm_parse_args(th, "sum", a, n, kwnames, names, 1, 2, v)) return false;
    Value acc = VM_IS_UNDEF(v[1]) ? VM_INT(0) : v[1];
    if (VM_IS_STR(acc))
        return vm_raise(th, th->vm->cls.TypeError,
                        "sum() can't sum strings [use ''.join(seq) instead]");
    Value it;
    if (!vm_get_iter(th, v[0], &it)) return false;
    vm_push_root(th, it);
    vm_push_root(th, acc);
    Value x;
    int f;
    while ((f = vm_iter_next(th, it, &x)) == 1) {
        if (VM_IS_INT(acc) && VM_IS_INT(x)) {
            int64_t s;
            if (!__builtin_add_overflow(VM_AS_INT(acc), VM_AS_INT(x), &s)) {
                acc = VM_INT(s);
                th->stack_top[-1] = acc;
                continue;
            }
        }
        if (!vm_binary_op(th, OP_BINARY_ADD, acc, x, &acc)) {
            f = -1;
            break;
        }
        th->stack_top[-1] = acc;
    }
    vm_pop_roots(th, 2);
    if (f < 0) return false;
    *r = acc;
    return true;
}

static bool minmax(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r,
                   bool is_max) {
    const char *fname = is_max ? "max" : "min";
    Value key = VM_UNDEF, dflt = VM_UNDEF;
    for (int64_t k = 0; kwnames && k < kwnames->count; k++) {
        const char *kn = VM_AS_STR(kwnames->items[k])->chars;
        if (strcmp(kn, "key") == 0) key = a[n + k];
        else if (strcmp(kn, "default") == 0) dflt = a[n + k];
        else
            return vm_raise(th, th->vm->cls.TypeError,
                            "%s() got an unexpected keyword argument '%s'", fname, kn);
    }
    if (VM_IS_NONE(key)) key = VM_UNDEF;
    if (n == 0)
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s expected at least 1 argument, got 0", fname);
    Value src;
    if (n == 1) {
        src = a[0];
    } else {
        if (!VM_IS_UNDEF(dflt))
            return vm_raise(th, th->vm->cls.TypeError,
                            "Cannot specify a default for %s() with multiple "
                            "positional arguments", fname);
        src = VM_OBJ(vm_tuple_from(th->vm, a, n));
    }
    vm_push_root(th, src);
    Value it;
    if (!vm_get_iter(th, src, &it)) {
        vm_pop_roots(th, 1);
        return false;
    }
    vm_push_root(th, it);
    Value best = VM_UNDEF, best_key = VM_UNDEF, x;
    vm_push_root(th, best);
    vm_push_root(th, best_key);
    int f;
    bool ok = true;
    while ((f = vm_iter_next(th, it, &x)) == 1) {
        Value kx = x;
        if (!VM_IS_UNDEF(key)) {
            vm_push_root(th, x);
            ok = vm_call(th, key, &x, 1, NULL, &kx);
            vm_pop_roots(th, 1);
            if (!ok) break;
        }
        if (VM_IS_UNDEF(best)) {
            best = x;
            best_key = kx;
        } else {
            int lt = is_max ? vm_less(th, best_key, kx) : vm_less(th, kx, best_key);
            if (lt < 0) {
                ok = false;
                break;
            }
            if (lt) {
                best = x;
                best_key = kx;
            }
        }
        th->stack_top[-2] = best;
        th->stack_top[-1] = best_key;
    }
    vm_pop_roots(th, 4);
    if (!ok || f < 0) return false;
    if (VM_IS_UNDEF(best)) {
        if (!VM_IS_UNDEF(dflt)) {
            *r = dflt;
            return true;
        }
        return vm_raise(th, th->vm->cls.ValueError, "%s() arg is an empty sequence", fname);
    }
    *r = best;
    return true;
}

static bool b_max(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    return minmax(th, a, n, kw, r, true);
}
static bool b_min(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    return minmax(th, a, n, kw, r, false);
}

static bool anyall(VmThread *th, Value *a, int n, Value *r, bool any) {
    if (!exact_args(th, any ? "any" : "all", n, 1)) return false;
    Value it;
    if (!vm_get_iter(th, a[0], &it)) return false;
    vm_push_root(th, it);
    Value x;
    int f;
    bool result = !any;
    while ((f = vm_iter_next(th, it, &x)) == 1) {
        int t = vm_truthy(th, x);
        if (t < 0) {
            f = -1;
            break;
        }
        if (t == any) {
            result = any;
            break;
        }
    }
    vm_pop_roots(th, 1);
    if (f < 0) return false;
    *r = VM_BOOL(result);
    return true;
}

static bool b_any(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("any");
    return anyall(th, a, n, r, true);
}
static bool b_all(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("all");
    return anyall(th, a, n, r, false);
}

static bool b_sorted(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    if (n != 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "sorted expected 1 argument, got %d", n);
    Value key = VM_UNDEF;
    bool reverse = false;
    for (int64_t k = 0; kwnames && k < kwnames->count; k++) {
        const char *kn = VM_AS_STR(kwnames->items[k])->chars;
        if (strcmp(kn, "key") == 0) key = a[n + k];
        else if (strcmp(kn, "reverse") == 0) {
            int t = vm_truthy(th, a[n + k]);
            if (t < 0) return false;
            reverse = t;
        } else
            return vm_raise(th, th->vm->cls.TypeError,
                            "sort() got an unexpected keyword argument '%s'", kn);
    }
    ObjList *l;
    if (!vm_list_from_iterable(th, a[0], &l)) return false;
    vm_push_root(th, VM_OBJ(l));
    bool ok = vm_list_sort(th, l, key, reverse);
    vm_pop_roots(th, 1);
    *r = VM_OBJ(l);
    return ok;
}

/* ---- constructors ---------------------------------------------------------- */

static bool parse_int_text(VmThread *th, ObjStr *s, int64_t base, Value *r) {
    VmShared *vm = th->vm;
    const char *p = s->chars, *end = s->chars + s->length;
    while (p < end && isspace((unsigned char)*p)) p++;
    while (end > p && isspace((unsigned char)end[-1])) end--;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    if (base == 0 || base == 16 || base == 8 || base == 2) {
        if (end - p > 1 && p[0] == '0') {
            char c = (char)tolower((unsigned char)p[1]);
            int pb = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
            if (pb && (base == 0 || base == pb)) {
                base = pb;
                p += 2;
                if (p < end && *p == '_') p++;
            }
        }
        if (base == 0) base = 10;
    }
    uint64_t v = 0;
    bool any = false, overflow = false, prev_us = true;
    for (const char *q = p; q < end; q++) {
        if (*q == '_') {
            if (prev_us) goto bad;
            prev_us = true;
            continue;
        }
        int d = isdigit((unsigned char)*q) ? *q - '0'
                : isalpha((unsigned char)*q) ? tolower((unsigned char)*q) - 'a' + 10
                                             : 99;
        if (d >= base) goto bad;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) overflow = true;
        v = v * (uint64_t)base + (uint64_t)d;
        any = true;
        prev_us = false;
    }
    if (!any || prev_us) goto bad;
    if (overflow || v > (uint64_t)INT64_MAX + (neg ? 1 : 0)) {
        /* Too big for int64: GMP parses the digits without underscores. */
        size_t nd = (size_t)(end - p), k = 0;
        if (!vm_heap_check(th, nd + 1)) return false;
        char *digits = vm_realloc(&vm->heap, NULL, 0, nd + 1);
        for (const char *q = p; q < end; q++)
            if (*q != '_') digits[k++] = *q;
        digits[k] = '\0';
        bool ok = vm_bigint_parse(th, digits, (int)base, neg, r);
        vm_realloc(&vm->heap, digits, nd + 1, 0);
        return ok;
    }
    *r = VM_INT(neg ? (int64_t)(0 - v) : (int64_t)v);
    return true;
bad:;
    ObjStr *rep = vm_str_repr(vm, s);
    return vm_raise(th, vm->cls.ValueError,
                    "invalid literal for int() with base %d: %s", (int)base, rep->chars);
}

static bool int_construct(VmThread *th, ObjClass *cls, Value *a, int n,
                          ObjTuple *kwnames, Value *r) {
    (void)cls;
    static const char *const names[] = {"x", "base", NULL};
    Value v[2];
    if (!vm_parse_args(th, "int", a, n, kwnames, names, 0, 2, v)) return false;
    if (VM_IS_UNDEF(v[0])) {
        *r = VM_INT(0);
        return true;
    }
    Value x = v[0];
    if (!VM_IS_UNDEF(v[1])) {
        int64_t base;
        if (!vm_to_int64(th, v[1], &base)) return false;
        if (!VM_IS_STR(x))
            return vm_raise(th, th->vm->cls.TypeError,
                            "int() can't convert non-string with explicit base");
        if (base != 0 && (base < 2 || base > 36))
            return vm_raise(th, th->vm->cls.ValueError,
                            "int() base must be >= 2 and <= 36, or 0");
        return parse_int_text(th, VM_AS_STR(x), base, r);
    }
    if (VM_IS_INT(x) || vm_is_bigint(x)) { *r = x; return true; }
    if (VM_IS_BOOL(x)) { *r = VM_INT(VM_AS_BOOL(x)); return true; }
    if (VM_IS_FLOAT(x)) {
        double d = VM_AS_FLOAT(x);
        if (isnan(d)) return vm_raise(th, th->vm->cls.ValueError, "cannot convert float NaN to integer");
        if (isinf(d)) return vm_raise(th, th->vm->cls.OverflowError, "cannot convert float infinity to integer");
        d = trunc(d);
        if (d >= 9.2233720368547758e18 || d < -9.2233720368547758e18)
            return vm_bigint_from_double(th, d, r);
        *r = VM_INT((int64_t)d);
        return true;
    }
    if (VM_IS_STR(x)) return parse_int_text(th, VM_AS_STR(x), 10, r);
    const char *methods[] = {"__int__", "__index__", "__trunc__"};
    for (int i = 0; i < 3; i++) {
        int c = vm_call_method(th, x, vm_str_intern_cstr(th->vm, methods[i]), NULL, 0, r);
        if (c < 0) return false;
        if (c > 0) return true;
    }
    return vm_raise(th, th->vm->cls.TypeError,
                    "int() argument must be a string, a bytes-like object or a "
                    "real number, not '%s'",
                    vm_value_type_name(th->vm, x));
}

static bool float_construct(VmThread *th, ObjClass *cls, Value *a, int n,
                            ObjTuple *kwnames, Value *r) {
    (void)cls;
    NO_KW("float");
    if (n > 1) return vm_raise(th, th->vm->cls.TypeError, "float expected at most 1 argument, got %d", n);
    if (n == 0) { *r = VM_FLOAT(0.0); return true; }
    Value x = a[0];
    if (VM_IS_FLOAT(x)) { *r = x; return true; }
    if (VM_IS_INT(x)) { *r = VM_FLOAT((double)VM_AS_INT(x)); return true; }
    if (VM_IS_BOOL(x)) { *r = VM_FLOAT(VM_AS_BOOL(x)); return true; }
    if (vm_is_bigint(x)) {
        double d;
        if (!vm_bigint_to_double(th, x, &d)) return false;
        *r = VM_FLOAT(d);
        return true;
    }
    if (VM_IS_STR(x)) {
        ObjStr *s = VM_AS_STR(x);
        char buf[256];
        const char *p = s->chars, *end = s->chars + s->length;
        while (p < end && isspace((unsigned char)*p)) p++;
        while (end > p && isspace((unsigned char)end[-1])) end--;
        size_t k = 0;
        bool prev_digit = false, ok = end > p && (size_t)(end - p) < sizeof buf;
        for (const char *q = p; ok && q < end; q++) {
            if (*q == '_') {
                if (!prev_digit || q + 1 >= end || !isdigit((unsigned char)q[1])) ok = false;
                continue;
            }
            prev_digit = isdigit((unsigned char)*q);
            buf[k++] = *q;
        }
        buf[k] = '\0';
        char *stop;
        double d = ok ? strtod(buf, &stop) : 0;
        if (!ok || *stop || k == 0 || (strchr(buf, 'x') || strchr(buf, 'X'))) {
            ObjStr *rep = vm_str_repr(th->vm, s);
            return vm_raise(th, th->vm->cls.ValueError,
                            "could not convert string to float: %s", rep->chars);
        }
        *r = VM_FLOAT(d);
        return true;
    }
    int c = vm_call_method(th, x, vm_str_intern_cstr(th->vm, "__float__"), NULL, 0, r);
    if (c < 0) return false;
    if (c > 0) return true;
    return vm_raise(th, th->vm->cls.TypeError,
                    "float() argument must be a string or a real number, not '%s'",
                    vm_value_type_name(th->vm, x));
}

static bool bool_construct(VmThread *th, ObjClass *cls, Value *a, int n,
                           ObjTuple *kwnames, Value *r) {
    (void)cls;
    NO_KW("bool");
    if (n > 1) return vm_raise(th, th->vm->cls.TypeError, "bool expected at most 1 argument, got %d", n);
    if (n == 0) { *r = VM_FALSE; return true; }
    int t = vm_truthy(th, a[0]);
    if (t < 0) return false;
    *r = VM_BOOL(t);
    return true;
}

static bool type_construct(VmThread *th, ObjClass *cls, Value *a, int n,
                           ObjTuple *kwnames, Value *r) {
    (void)cls;
    NO_KW("type");
    if (n == 1) {
        *r = VM_OBJ(vm_value_class(th->vm, a[0]));
        return true;
    }
    if (n == 3)
        return vm_raise(th, th->vm->cls.TypeError,
                        "type() with 3 arguments is not supported in gilt");
    return vm_raise(th, th->vm->cls.TypeError, "type() takes 1 or 3 arguments");
}

void vm__builtins_init(VmShared *vm) {
    static const struct {
        const char *name;
        VmNativeFn fn;
    } fns[] = {
        {"print", b_print}, {"len", b_len}, {"abs", b_abs}, {"repr", b_repr},
        {"ascii", b_ascii}, {"hash", b_hash}, {"id", b_id},
        {"callable", b_callable}, {"chr", b_chr}, {"ord", b_ord}, {"hex", b_hex},
        {"oct", b_oct}, {"bin", b_bin}, {"divmod", b_divmod}, {"pow", b_pow},
        {"round", b_round}, {"format", b_format}, {"getattr", b_getattr},
        {"hasattr", b_hasattr}, {"setattr", b_setattr}, {"delattr", b_delattr},
        {"isinstance", b_isinstance}, {"issubclass", b_issubclass},
        {"iter", b_iter}, {"next", b_next}, {"enumerate", b_enumerate},
        {"zip", b_zip}, {"map", b_map}, {"filter", b_filter},
        {"reversed", b_reversed}, {"sum", b_sum}, {"max", b_max}, {"min", b_min},
        {"any", b_any}, {"all", b_all}, {"sorted", b_sorted},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        vm_define_native(vm, vm->builtins, fns[i].name, fns[i].fn);
    vm->cls.int_->construct = int_construct;
    vm->cls.float_->construct = float_construct;
    vm->cls.bool_->construct = bool_construct;
    vm->cls.type->construct = type_construct;
    vm_dict_set_str(vm, vm->builtins, vm_str_intern_cstr(vm, "Ellipsis"), VM_NONE);
}
