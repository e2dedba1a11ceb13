/*
 * vm/object/ops.c - the object protocol (see vm/object/ops.h): arithmetic, comparison,
 * hashing, truth, repr/str, attributes, items, iteration and length for
 * every kind of value.
 *
 * Each operation handles the numeric kinds and the hot containers directly,
 * then falls back to the dunder methods of the value's class, which is how
 * built-in types (whose behaviour is registered as natives in their class
 * dict) and user classes share one path.
 */
#include "vm/object/ops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vm/object/bigint.h"
#include "vm/object/class.h"
#include "vm/runtime/cstack.h"
#include "vm/object/dict.h"
#include "vm/object/format.h"
#include "vm/runtime/interp.h"
#include "vm/object/list.h"
#include "vm/object/str.h"

/* ---- helpers ----------------------------------------------------------- */

bool vm_class_lookup(ObjClass *cls, ObjStr *name, Value *out) {
    for (ObjClass *c = cls; c; c = c->base)
        if (c->dict && vm_dict_get_str(c->dict, name, out)) return true;
    return false;
}

bool vm_is_subclass(ObjClass *cls, ObjClass *base) {
    for (ObjClass *c = cls; c; c = c->base)
        if (c == base) return true;
    return false;
}

bool vm_isinstance(VmShared *vm, Value v, ObjClass *cls) {
    return vm_is_subclass(vm_value_class(vm, v), cls);
}

static ObjStr *intern(VmThread *th, const char *s) {
    return vm_str_intern_cstr(th->vm, s);
}

/* Call dunder `name` of v's class with v as self: 1 called, 0 missing,
 * -1 raised. */
static int call_dunder(VmThread *th, Value v, ObjStr *name, Value *args,
                       int nargs, Value *out) {
    Value fn;
    if (!vm_class_lookup(vm_value_class(th->vm, v), name, &fn)) return 0;
    if (VM_IS_NONE(fn)) return 0; /* __hash__ = None and the like */
    Value *base = th->stack_top;
    if (base + nargs + 2 > th->stack_limit) {
        vm_raise(th, th->vm->cls.RecursionError,
                 "maximum recursion depth exceeded");
        return -1;
    }
    base[0] = v;
    for (int i = 0; i < nargs; i++) base[1 + i] = args[i];
    th->stack_top += nargs + 1;
    bool ok;
    if (vm_is_kind(fn, OBJ_PROPERTY)) {
        Value bound;
        ok = vm__bind_attribute(th, fn, v, vm_value_class(th->vm, v), &bound) &&
             vm_call(th, bound, base + 1, nargs, NULL, out);
    } else {
        ok = vm_call(th, fn, base, nargs + 1, NULL, out);
    }
    th->stack_top = base;
    return ok ? 1 : -1;
}

static bool is_number(Value v) {
    return v.type == VAL_INT || v.type == VAL_FLOAT || v.type == VAL_BOOL;
}

static int64_t as_int(Value v) { return v.type == VAL_BOOL ? v.as.b : v.as.i; }

static double as_double(Value v) {
    if (v.type == VAL_FLOAT) return v.as.f;
    return (double)as_int(v);
}

/* ---- truth ----------------------------------------------------------------- */

int vm_truthy(VmThread *th, Value v) {
    switch ((ValueType)v.type) {
    case VAL_UNDEF:
    case VAL_NONE: return 0;
    case VAL_BOOL: return v.as.b;
    case VAL_INT: return v.as.i != 0;
    case VAL_FLOAT: return v.as.f != 0.0;
    case VAL_OBJ: break;
    }
    switch (v.as.o->kind) {
    case OBJ_STR: return VM_AS_STR(v)->length != 0;
    case OBJ_LIST: return VM_AS_LIST(v)->count != 0;
    case OBJ_TUPLE: return VM_AS_TUPLE(v)->count != 0;
    case OBJ_DICT: return VM_AS_DICT(v)->count != 0;
    default: break;
    }
    Value r;
    int c = call_dunder(th, v, th->vm->names.bool_, NULL, 0, &r);
    if (c < 0) return -1;
    if (c > 0) {
        if (!VM_IS_BOOL(r)) {
            vm_raise(th, th->vm->cls.TypeError,
                     "__bool__ should return bool, returned %s",
                     vm_value_type_name(th->vm, r));
            return -1;
        }
        return VM_AS_BOOL(r);
    }
    c = call_dunder(th, v, th->vm->names.len, NULL, 0, &r);
    if (c < 0) return -1;
    if (c > 0) {
        int64_t n;
        if (!vm_to_int64(th, r, &n)) return -1;
        return n != 0;
    }
    return 1;
}

/* ---- repr and str ------------------------------------------------------ */

static const char *module_prefix(ObjClass *c, char *buf, size_t size) {
    const char *m = c->module_name ? c->module_name->chars : "builtins";
    if (strcmp(m, "builtins") == 0) {
        buf[0] = '\0';
    } else {
        snprintf(buf, size, "%s.", m);
    }
    return buf;
}

static bool default_repr(VmThread *th, Value v, ObjStr **out) {
    VmShared *vm = th->vm;
    char mod[128];
    if (v.type != VAL_OBJ) {
        *out = vm_str_from_cstr(vm, "?");
        return true;
    }
    Obj *o = v.as.o;
    switch (o->kind) {
    case OBJ_CLASS: {
        ObjClass *c = (ObjClass *)o;
        module_prefix(c, mod, sizeof mod);
        *out = vm_str_printf(vm, "<class '%s%s'>", mod,
                             (c->qualname ? c->qualname : c->name)->chars);
        return true;
    }
    case OBJ_FUNCTION: {
        ObjFunction *f = (ObjFunction *)o;
        *out = vm_str_printf(vm, "<function %s at %p>",
                             (f->qualname ? f->qualname : f->name)->chars,
                             (void *)o);
        return true;
    }
    case OBJ_NATIVE:
        *out = vm_str_printf(vm, "<built-in function %s>",
                             ((ObjNative *)o)->name->chars);
        return true;
    case OBJ_BOUND_METHOD: {
        ObjBoundMethod *b = (ObjBoundMethod *)o;
        if (o->cls == vm->cls.super_) {
            *out = vm_str_printf(vm, "<super: <class '%s'>, <%s object>>",
                                 VM_AS_CLASS(b->callable)->name->chars,
                                 vm_value_type_name(vm, b->self));
            return true;
        }
        ObjStr *self_repr;
        if (!vm_repr(th, b->self, &self_repr)) return false;
        const char *name = "?";
        if (VM_IS_FUNCTION(b->callable)) {
            ObjFunction *f = VM_AS_FUNCTION(b->callable);
            name = (f->qualname ? f->qualname : f->name)->chars;
            *out = vm_str_printf(vm, "<bound method %s of %s>", name,
                                 self_repr->chars);
        } else {
            name = VM_AS_NATIVE(b->callable)->name->chars;
            *out = vm_str_printf(vm, "<built-in method %s of %s object at %p>",
                                 name, vm_value_type_name(vm, b->self),
                                 (void *)VM_AS_OBJ(b->self));
        }
        return true;
    }
    case OBJ_MODULE:
        *out = vm_str_printf(vm, "<module '%s' (built-in)>",
                             ((ObjModule *)o)->name->chars);
        return true;
    case OBJ_CODE:
        *out = vm_str_printf(vm, "<code object %s>", ((ObjCode *)o)->name->chars);
        return true;
    case OBJ_GENERATOR:
        *out = vm_str_printf(vm, "<generator object %s at %p>",
                             ((ObjGenerator *)o)->name->chars, (void *)o);
        return true;
    case OBJ_EXCEPTION: {
        ObjException *e = (ObjException *)o;
        ObjStr *args;
        if (e->args && e->args->count == 1) {
            if (!vm_repr(th, e->args->items[0], &args)) return false;
            *out = vm_str_printf(vm, "%s(%s)", o->cls->name->chars, args->chars);
            return true;
        }
        if (!e->args || e->args->count == 0) {
            *out = vm_str_printf(vm, "%s()", o->cls->name->chars);
            return true;
        }
        if (!vm_repr(th, VM_OBJ(e->args), &args)) return false;
        *out = vm_str_printf(vm, "%s%s", o->cls->name->chars, args->chars);
        return true;
    }
    case OBJ_SLICE: {
        ObjSlice *s = (ObjSlice *)o;
        ObjStr *a, *b, *c;
        if (!vm_repr(th, s->start, &a) || !vm_repr(th, s->stop, &b) ||
            !vm_repr(th, s->step, &c))
            return false;
        *out = vm_str_printf(vm, "slice(%s, %s, %s)", a->chars, b->chars,
                             c->chars);
        return true;
    }
    default: break;
    }
    if (o->cls == vm->cls.not_implemented_type) {
        *out = vm_str_intern_cstr(vm, "NotImplemented");
        return true;
    }
    module_prefix(o->cls, mod, sizeof mod);
    *out = vm_str_printf(vm, "<%s%s object at %p>", mod,
                         (o->cls->qualname ? o->cls->qualname : o->cls->name)->chars,
                         (void *)o);
    return true;
}

static bool check_str_result(VmThread *th, Value r, const char *what,
                             ObjStr **out) {
    if (!VM_IS_STR(r))
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s returned non-string (type %s)", what,
                        vm_value_type_name(th->vm, r));
    *out = VM_AS_STR(r);
    return true;
}

bool vm_repr(VmThread *th, Value v, ObjStr **out) {
    VmShared *vm = th->vm;
    char buf[64];
    switch ((ValueType)v.type) {
    case VAL_UNDEF:
        *out = vm_str_intern_cstr(vm, "<undefined>");
        return true;
    case VAL_NONE: *out = vm_str_intern_cstr(vm, "None"); return true;
    case VAL_BOOL:
        *out = vm_str_intern_cstr(vm, v.as.b ? "True" : "False");
        return true;
    case VAL_INT:
        vm_format_int(v.as.i, buf, sizeof buf);
        *out = vm_str_from_cstr(vm, buf);
        return true;
    case VAL_FLOAT:
        vm_format_float_repr(v.as.f, buf, sizeof buf);
        *out = vm_str_from_cstr(vm, buf);
        return true;
    case VAL_OBJ: break;
    }
    if (VM_IS_STR(v)) {
        *out = vm_str_repr(vm, VM_AS_STR(v));
        return true;
    }
    if (vm_is_bigint(v)) return vm_bigint_str(th, v, out);
    Value r;
    Value fn;
    if (v.as.o->kind != OBJ_CLASS &&
        vm_class_lookup(v.as.o->cls, vm->names.repr, &fn)) {
        if (!vm_enter_recursive_call(th, " while getting the repr of an object"))
            return false;
        int c = call_dunder(th, v, vm->names.repr, NULL, 0, &r);
        vm_leave_recursive_call(th);
        if (c < 0) return false;
        return check_str_result(th, r, "__repr__", out);
    }
    return default_repr(th, v, out);
}

static bool str_object(VmThread *th, Value v, ObjStr **out) {
    VmShared *vm = th->vm;
    Obj *o = v.as.o;
    Value fn;
    if (o->kind != OBJ_CLASS && vm_class_lookup(o->cls, vm->names.str, &fn)) {
        Value r;
        int c = call_dunder(th, v, vm->names.str, NULL, 0, &r);
        if (c < 0) return false;
        return check_str_result(th, r, "__str__", out);
    }
    if (o->kind == OBJ_EXCEPTION) {
        ObjException *e = (ObjException *)o;
        if (!e->args || e->args->count == 0) {
            *out = vm_str_intern_cstr(vm, "");
            return true;
        }
        if (e->args->count == 1) {
            if (vm_is_subclass(o->cls, vm->cls.KeyError))
                return vm_repr(th, e->args->items[0], out);
            return vm_str(th, e->args->items[0], out);
        }
        return vm_repr(th, VM_OBJ(e->args), out);
    }
    return vm_repr(th, v, out);
}

bool vm_str(VmThread *th, Value v, ObjStr **out) {
    if (VM_IS_STR(v)) {
        *out = VM_AS_STR(v);
        return true;
    }
    if (v.type != VAL_OBJ) return vm_repr(th, v, out);
    /* An exception's str is its argument's: a chain of them recurses. */
    if (!vm_enter_recursive_call(th, " while getting the str of an object"))
        return false;
    bool ok = str_object(th, v, out);
    vm_leave_recursive_call(th);
    return ok;
}

/* ---- equality, ordering, hashing --------------------------------------- */

static ObjStr *cmp_dunder(VmThread *th, Opcode op) {
    VmNames *n = &th->vm->names;
    switch (op) {
    case OP_COMPARE_LT: return n->lt;
    case OP_COMPARE_LE: return n->le;
    case OP_COMPARE_GT: return n->gt;
    case OP_COMPARE_GE: return n->ge;
    case OP_COMPARE_EQ: return n->eq;
    default: return n->ne;
    }
}

static Opcode cmp_reflected(Opcode op) {
    switch (op) {
    case OP_COMPARE_LT: return OP_COMPARE_GT;
    case OP_COMPARE_LE: return OP_COMPARE_GE;
    case OP_COMPARE_GT: return OP_COMPARE_LT;
    case OP_COMPARE_GE: return OP_COMPARE_LE;
    default: return op;
    }
}

static const char *cmp_symbol(Opcode op) {
    switch (op) {
    case OP_COMPARE_LT: return "<";
    case OP_COMPARE_LE: return "<=";
    case OP_COMPARE_GT: return ">";
    case OP_COMPARE_GE: return ">=";
    case OP_COMPARE_EQ: return "==";
    default: return "!=";
    }
}

/* Exact comparison of an int64 with a double. */
static int cmp_int_double(int64_t i, double d) {
    if (isnan(d)) return 2; /* unordered */
    if (d >= 9223372036854775808.0) return -1;
    if (d < -9223372036854775808.0) return 1;
    double fl = floor(d);
    int64_t di = (int64_t)fl;
    if (i < di) return -1;
    if (i > di) return 1;
    return fl == d ? 0 : -1;
}

/* The answer of comparison op given a three-way result c (<0, 0, >0). */
static bool order_answers(Opcode op, int c) {
    switch (op) {
    case OP_COMPARE_LT: return c < 0;
    case OP_COMPARE_LE: return c <= 0;
    case OP_COMPARE_GT: return c > 0;
    case OP_COMPARE_GE: return c >= 0;
    case OP_COMPARE_EQ: return c == 0;
    default: return c != 0;
    }
}

static bool numeric_compare(Opcode op, Value a, Value b) {
    int c;
    if (a.type != VAL_FLOAT && b.type != VAL_FLOAT) {
        int64_t x = as_int(a), y = as_int(b);
        c = (x > y) - (x < y);
    } else if (a.type == VAL_FLOAT && b.type == VAL_FLOAT) {
        double x = a.as.f, y = b.as.f;
        if (isnan(x) || isnan(y)) return op == OP_COMPARE_NE;
        c = (x > y) - (x < y);
    } else if (a.type == VAL_FLOAT) {
        c = cmp_int_double(as_int(b), a.as.f);
        if (c == 2) return op == OP_COMPARE_NE;
        c = -c;
    } else {
        c = cmp_int_double(as_int(a), b.as.f);
        if (c == 2) return op == OP_COMPARE_NE;
    }
    return order_answers(op, c);
}

/* a's __op__(b), then b's reflected one (first if b's class is a subclass
 * of a's, as in CPython): 1 with the answer in *out, 0 when neither
 * exists or both return NotImplemented, -1 raised. */
static int compare_dunders(VmThread *th, Opcode op, Value a, Value b, Value *out) {
    VmShared *vm = th->vm;
    Value args[1] = {b};
    Value r;
    ObjClass *ca = vm_value_class(vm, a), *cb = vm_value_class(vm, b);
    bool rfirst = ca != cb && vm_is_subclass(cb, ca);
    for (int pass = 0; pass < 2; pass++) {
        bool reflected = (pass == 0) == rfirst;
        int c;
        if (!reflected) {
            c = call_dunder(th, a, cmp_dunder(th, op), args, 1, &r);
        } else {
            Value ra[1] = {a};
            c = call_dunder(th, b, cmp_dunder(th, cmp_reflected(op)), ra, 1, &r);
        }
        if (c < 0) return -1;
        if (c > 0 && !vm_value_is(r, vm->not_implemented)) {
            *out = r;
            return 1;
        }
    }
    return 0;
}

static bool big_compare(Opcode op, Value a, Value b) {
    int c = vm_bigint_compare(a, b);
    if (c == 2) return op == OP_COMPARE_NE;
    return order_answers(op, c);
}

/* A big int against another number (int, bool, float, big). */
static bool big_pair(Value a, Value b) {
    return (vm_is_bigint(a) && (is_number(b) || vm_is_bigint(b))) ||
           (vm_is_bigint(b) && is_number(a));
}

bool vm_compare(VmThread *th, Opcode op, Value a, Value b, Value *out) {
    VmShared *vm = th->vm;
    if (big_pair(a, b)) {
        *out = VM_BOOL(big_compare(op, a, b));
        return true;
    }
    if (is_number(a) && is_number(b)) {
        *out = VM_BOOL(numeric_compare(op, a, b));
        return true;
    }
    if (VM_IS_STR(a) && VM_IS_STR(b)) {
        if (op == OP_COMPARE_EQ || op == OP_COMPARE_NE) {
            bool eq = vm_str_equal(VM_AS_STR(a), VM_AS_STR(b));
            *out = VM_BOOL(op == OP_COMPARE_EQ ? eq : !eq);
            return true;
        }
        int c = vm_str_compare(VM_AS_STR(a), VM_AS_STR(b));
        bool r = op == OP_COMPARE_LT   ? c < 0
                 : op == OP_COMPARE_LE ? c <= 0
                 : op == OP_COMPARE_GT ? c > 0
                                       : c >= 0;
        *out = VM_BOOL(r);
        return true;
    }
    if ((a.type != VAL_OBJ || b.type != VAL_OBJ) &&
        (op == OP_COMPARE_EQ || op == OP_COMPARE_NE) &&
        !(a.type == VAL_OBJ && a.as.o->kind == OBJ_INSTANCE) &&
        !(b.type == VAL_OBJ && b.as.o->kind == OBJ_INSTANCE)) {
        bool eq = vm_value_is(a, b);
        *out = VM_BOOL(op == OP_COMPARE_EQ ? eq : !eq);
        return true;
    }
    /* Containers compare their items through here: nesting recurses. */
    if (!vm_enter_recursive_call(th, " in comparison")) return false;
    int c = compare_dunders(th, op, a, b, out);
    vm_leave_recursive_call(th);
    if (c < 0) return false;
    if (c > 0) return true;
    if (op == OP_COMPARE_EQ || op == OP_COMPARE_NE) {
        bool eq = vm_value_is(a, b);
        *out = VM_BOOL(op == OP_COMPARE_EQ ? eq : !eq);
        return true;
    }
    return vm_raise(th, vm->cls.TypeError,
                    "'%s' not supported between instances of '%s' and '%s'",
                    cmp_symbol(op), vm_value_type_name(vm, a),
                    vm_value_type_name(vm, b));
}

int vm_eq(VmThread *th, Value a, Value b) {
    if (vm_value_is(a, b) && a.type != VAL_FLOAT) return 1;
    if (is_number(a) && is_number(b))
        return numeric_compare(OP_COMPARE_EQ, a, b);
    if (big_pair(a, b)) return big_compare(OP_COMPARE_EQ, a, b);
    if (VM_IS_STR(a) && VM_IS_STR(b))
        return vm_str_equal(VM_AS_STR(a), VM_AS_STR(b));
    Value r;
    if (!vm_compare(th, OP_COMPARE_EQ, a, b, &r)) return -1;
    if (VM_IS_BOOL(r)) return VM_AS_BOOL(r);
    return vm_truthy(th, r);
}

int vm_less(VmThread *th, Value a, Value b) {
    if (a.type == VAL_INT && b.type == VAL_INT) return a.as.i < b.as.i;
    Value r;
    if (!vm_compare(th, OP_COMPARE_LT, a, b, &r)) return -1;
    if (VM_IS_BOOL(r)) return VM_AS_BOOL(r);
    return vm_truthy(th, r);
}

static uint64_t hash_int(int64_t i) {
    /* Equal numbers hash equal: ints hash to themselves (like CPython,
     * -1 becomes -2), and integral floats hash like the int. */
    /* CPython's modular hash: sign * (|i| mod (2**61 - 1)). */
    const int64_t mod = ((int64_t)1 << 61) - 1;
    if (i >= mod || i <= -mod) i = i % mod;
    if (i == -1) i = -2;
    return (uint64_t)i;
}

bool vm_hash(VmThread *th, Value v, uint64_t *out) {
    VmShared *vm = th->vm;
    switch ((ValueType)v.type) {
    case VAL_UNDEF:
    case VAL_NONE: *out = 0x9e3779b97f4a7c15ull; return true;
    case VAL_BOOL: *out = hash_int(v.as.b); return true;
    case VAL_INT: *out = hash_int(v.as.i); return true;
    case VAL_FLOAT: {
        double d = v.as.f;
        if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18) {
            *out = hash_int((int64_t)d);
        } else if (isfinite(d)) {
            *out = vm_bigint_hash_double(d); /* == hash(int(d)) */
        } else {
            uint64_t bits;
            memcpy(&bits, &d, sizeof bits);
            *out = bits * 0x9e3779b97f4a7c15ull;
        }
        return true;
    }
    case VAL_OBJ: break;
    }
    if (vm_is_bigint(v)) {
        *out = vm_bigint_hash(v);
        return true;
    }
    Obj *o = v.as.o;
    switch (o->kind) {
    case OBJ_STR: *out = vm_str_hash((ObjStr *)o); return true;
    case OBJ_LIST:
    case OBJ_DICT:
        return vm_raise(th, vm->cls.TypeError, "unhashable type: '%s'",
                        o->cls->name->chars);
    default: break;
    }
    if (o->kind != OBJ_CLASS) {
        Value fn;
        bool has_hash = vm_class_lookup(o->cls, vm->names.hash, &fn);
        if (has_hash && VM_IS_NONE(fn))
            return vm_raise(th, vm->cls.TypeError, "unhashable type: '%s'",
                            o->cls->name->chars);
        if (has_hash) {
            Value r;
            /* A tuple hashes its items through here: nesting recurses. */
            if (!vm_enter_recursive_call(th, "")) return false;
            int c = call_dunder(th, v, vm->names.hash, NULL, 0, &r);
            vm_leave_recursive_call(th);
            if (c < 0) return false;
            if (!VM_IS_INT(r) && !VM_IS_BOOL(r))
                return vm_raise(th, vm->cls.TypeError,
                                "__hash__ method should return an integer");
            *out = hash_int(as_int(r));
            return true;
        }
        /* A user class defining __eq__ without __hash__ is unhashable. */
        Value eq;
        if (!o->cls->builtin && vm_class_lookup(o->cls, vm->names.eq, &eq) &&
            !VM_IS_NATIVE(eq))
            return vm_raise(th, vm->cls.TypeError, "unhashable type: '%s'",
                            o->cls->name->chars);
    }
    *out = (uint64_t)(uintptr_t)o >> 4;
    return true;
}

/* ---- arithmetic -------------------------------------------------------- */

const char *vm_binary_op_symbol(Opcode op) {
    switch (op) {
    case OP_BINARY_ADD: case OP_INPLACE_ADD: return "+";
    case OP_BINARY_SUB: case OP_INPLACE_SUB: return "-";
    case OP_BINARY_MUL: case OP_INPLACE_MUL: return "*";
    case OP_BINARY_TRUEDIV: return "/";
    case OP_BINARY_FLOORDIV: return "//";
    case OP_BINARY_MOD: return "%";
    case OP_BINARY_POW: return "** or pow()";
    case OP_BINARY_LSHIFT: return "<<";
    case OP_BINARY_RSHIFT: return ">>";
    case OP_BINARY_AND: return "&";
    case OP_BINARY_OR: return "|";
    case OP_BINARY_XOR: return "^";
    default: return "?";
    }
}

static const char *dunder_base(Opcode op) {
    switch (op) {
    case OP_BINARY_ADD: case OP_INPLACE_ADD: return "add";
    case OP_BINARY_SUB: case OP_INPLACE_SUB: return "sub";
    case OP_BINARY_MUL: case OP_INPLACE_MUL: return "mul";
    case OP_BINARY_TRUEDIV: return "truediv";
    case OP_BINARY_FLOORDIV: return "floordiv";
    case OP_BINARY_MOD: return "mod";
    case OP_BINARY_POW: return "pow";
    case OP_BINARY_LSHIFT: return "lshift";
    case OP_BINARY_RSHIFT: return "rshift";
    case OP_BINARY_AND: return "and";
    case OP_BINARY_OR: return "or";
    case OP_BINARY_XOR: return "xor";
    default: return "?";
    }
}

/* false with no exception raised when the result needs a big int. */
static bool int_pow(VmThread *th, int64_t base, int64_t exp, Value *out) {
    if (exp < 0) {
        if (base == 0)
            return vm_raise(th, th->vm->cls.ZeroDivisionError,
                            "0.0 cannot be raised to a negative power");
        *out = VM_FLOAT(pow((double)base, (double)exp));
        return true;
    }
    int64_t result = 1;
    while (exp > 0) {
        if (exp & 1) {
            if (__builtin_mul_overflow(result, base, &result)) return false;
        }
        exp >>= 1;
        if (exp > 0 && __builtin_mul_overflow(base, base, &base)) {
            /* Only an overflow if the squared base is still needed. */
            return false;
        }
    }
    *out = VM_INT(result);
    return true;
}

/* Numbers only; returns 0 when the operands are not both numbers. */
static int numeric_binary(VmThread *th, Opcode op, Value a, Value b, Value *out) {
    VmShared *vm = th->vm;
    if (vm_is_bigint(a) || vm_is_bigint(b)) {
        if (vm_is_intlike(a) && vm_is_intlike(b))
            return vm_bigint_binary(th, op, a, b, out);
        /* big op float is float arithmetic, as CPython */
        Value *big = vm_is_bigint(a) ? &a : &b;
        Value other = vm_is_bigint(a) ? b : a;
        if (other.type != VAL_FLOAT) return 0;
        double d;
        if (!vm_bigint_to_double(th, *big, &d)) return -1;
        *big = VM_FLOAT(d);
    }
    if (!is_number(a) || !is_number(b)) return 0;
    switch (op) {
    case OP_INPLACE_ADD: op = OP_BINARY_ADD; break;
    case OP_INPLACE_SUB: op = OP_BINARY_SUB; break;
    case OP_INPLACE_MUL: op = OP_BINARY_MUL; break;
    default: break;
    }
    bool ints = a.type != VAL_FLOAT && b.type != VAL_FLOAT;
    if (ints) {
        int64_t x = as_int(a), y = as_int(b), r;
        switch (op) {
        case OP_BINARY_ADD:
            if (__builtin_add_overflow(x, y, &r))
                return vm_bigint_binary(th, op, a, b, out);
            *out = VM_INT(r);
            return 1;
        case OP_BINARY_SUB:
            if (__builtin_sub_overflow(x, y, &r))
                return vm_bigint_binary(th, op, a, b, out);
            *out = VM_INT(r);
            return 1;
        case OP_BINARY_MUL:
            if (__builtin_mul_overflow(x, y, &r))
                return vm_bigint_binary(th, op, a, b, out);
            *out = VM_INT(r);
            return 1;
        case OP_BINARY_TRUEDIV:
            if (y == 0) {
                vm_raise(th, vm->cls.ZeroDivisionError, "division by zero");
                return -1;
            }
            *out = VM_FLOAT((double)x / (double)y);
            return 1;
        case OP_BINARY_FLOORDIV:
        case OP_BINARY_MOD: {
            if (y == 0) {
                vm_raise(th, vm->cls.ZeroDivisionError,
                         op == OP_BINARY_MOD ? "integer modulo by zero"
                                             : "integer division or modulo by zero");
                return -1;
            }
            if (x == INT64_MIN && y == -1) {
                if (op == OP_BINARY_MOD) {
                    *out = VM_INT(0);
                    return 1;
                }
                return vm_bigint_binary(th, op, a, b, out);
            }
            int64_t q = x / y, m = x % y;
            if (m != 0 && ((m < 0) != (y < 0))) {
                q--;
                m += y;
            }
            *out = VM_INT(op == OP_BINARY_FLOORDIV ? q : m);
            return 1;
        }
        case OP_BINARY_POW:
            if (int_pow(th, x, y, out)) return 1;
            if (y < 0) return -1; /* 0 ** negative raised */
            return vm_bigint_binary(th, op, a, b, out);
        case OP_BINARY_LSHIFT:
            if (y < 0) {
                vm_raise(th, vm->cls.ValueError, "negative shift count");
                return -1;
            }
            if (x == 0) {
                *out = VM_INT(0);
                return 1;
            }
            if (y >= 63 || (x > 0 ? x > (INT64_MAX >> y) : x < (INT64_MIN >> y)))
                return vm_bigint_binary(th, op, a, b, out);
            *out = VM_INT((int64_t)((uint64_t)x << y));
            return 1;
        case OP_BINARY_RSHIFT:
            if (y < 0) {
                vm_raise(th, vm->cls.ValueError, "negative shift count");
                return -1;
            }
            *out = VM_INT(y >= 64 ? (x < 0 ? -1 : 0) : x >> y);
            return 1;
        case OP_BINARY_AND:
            *out = (a.type == VAL_BOOL && b.type == VAL_BOOL) ? VM_BOOL(x & y)
                                                              : VM_INT(x & y);
            return 1;
        case OP_BINARY_OR:
            *out = (a.type == VAL_BOOL && b.type == VAL_BOOL) ? VM_BOOL(x | y)
                                                              : VM_INT(x | y);
            return 1;
        case OP_BINARY_XOR:
            *out = (a.type == VAL_BOOL && b.type == VAL_BOOL) ? VM_BOOL(x ^ y)
                                                              : VM_INT(x ^ y);
            return 1;
        default: return 0;
        }
    }
    double x = as_double(a), y = as_double(b);
    switch (op) {
    case OP_BINARY_ADD: *out = VM_FLOAT(x + y); return 1;
    case OP_BINARY_SUB: *out = VM_FLOAT(x - y); return 1;
    case OP_BINARY_MUL: *out = VM_FLOAT(x * y); return 1;
    case OP_BINARY_TRUEDIV:
        if (y == 0) {
            vm_raise(th, vm->cls.ZeroDivisionError, "float division by zero");
            return -1;
        }
        *out = VM_FLOAT(x / y);
        return 1;
    case OP_BINARY_FLOORDIV:
    case OP_BINARY_MOD: {
        if (y == 0) {
            vm_raise(th, vm->cls.ZeroDivisionError,
                     op == OP_BINARY_MOD ? "float modulo"
                                         : "float floor division by zero");
            return -1;
        }
        double m = fmod(x, y);
        double q = (x - m) / y;
        if (m != 0) {
            if ((y < 0) != (m < 0)) {
                m += y;
                q -= 1.0;
            }
        } else {
            m = copysign(0.0, y);
        }
        double fq = floor(q);
        if (q - fq > 0.5) fq += 1.0;
        if (q == 0) fq = copysign(0.0, x / y);
        *out = VM_FLOAT(op == OP_BINARY_MOD ? m : fq);
        return 1;
    }
    case OP_BINARY_POW: {
        if (x == 0 && y < 0) {
            vm_raise(th, vm->cls.ZeroDivisionError,
                     "0.0 cannot be raised to a negative power");
            return -1;
        }
        if (x < 0 && y != floor(y)) {
            vm_raise(th, vm->cls.ValueError,
                     "math domain error (gilt has no complex numbers)");
            return -1;
        }
        double r = pow(x, y);
        if (isinf(r) && !isinf(x) && !isinf(y)) {
            vm_raise(th, vm->cls.OverflowError,
                     "(34, 'Numerical result out of range')");
            return -1;
        }
        *out = VM_FLOAT(r);
        return 1;
    }
    default: return 0;
    }
}

bool vm_binary_op(VmThread *th, Opcode op, Value a, Value b, Value *out) {
    VmShared *vm = th->vm;
    int n = numeric_binary(th, op, a, b, out);
    if (n > 0) return true;
    if (n < 0) return false;
    bool inplace = op == OP_INPLACE_ADD || op == OP_INPLACE_SUB ||
                   op == OP_INPLACE_MUL;
    Opcode bop = op == OP_INPLACE_ADD   ? OP_BINARY_ADD
                 : op == OP_INPLACE_SUB ? OP_BINARY_SUB
                 : op == OP_INPLACE_MUL ? OP_BINARY_MUL
                                        : op;
    if (bop == OP_BINARY_ADD && VM_IS_STR(a) && VM_IS_STR(b)) {
        *out = VM_OBJ(vm_str_concat(vm, VM_AS_STR(a), VM_AS_STR(b)));
        return true;
    }
    const char *base = dunder_base(bop);
    char name[32];
    Value r;
    Value arg[1] = {b};
    if (inplace || (a.type == VAL_OBJ && a.as.o->kind == OBJ_LIST &&
                    bop == OP_BINARY_ADD && false)) {
        snprintf(name, sizeof name, "__i%s__", base);
        int c = call_dunder(th, a, intern(th, name), arg, 1, &r);
        if (c < 0) return false;
        if (c > 0 && !vm_value_is(r, vm->not_implemented)) {
            *out = r;
            return true;
        }
    }
    snprintf(name, sizeof name, "__%s__", base);
    int c = call_dunder(th, a, intern(th, name), arg, 1, &r);
    if (c < 0) return false;
    if (c > 0 && !vm_value_is(r, vm->not_implemented)) {
        *out = r;
        return true;
    }
    if (vm_value_class(vm, a) != vm_value_class(vm, b)) {
        snprintf(name, sizeof name, "__r%s__", base);
        Value rarg[1] = {a};
        c = call_dunder(th, b, intern(th, name), rarg, 1, &r);
        if (c < 0) return false;
        if (c > 0 && !vm_value_is(r, vm->not_implemented)) {
            *out = r;
            return true;
        }
    }
    if (bop == OP_BINARY_ADD && VM_IS_STR(a))
        return vm_raise(th, vm->cls.TypeError,
                        "can only concatenate str (not \"%s\") to str",
                        vm_value_type_name(vm, b));
    const char *sym = vm_binary_op_symbol(op);
    char isym[16];
    if (inplace) {
        snprintf(isym, sizeof isym, "%s=", sym);
        sym = isym;
    }
    return vm_raise(th, vm->cls.TypeError,
                    "unsupported operand type(s) for %s: '%s' and '%s'", sym,
                    vm_value_type_name(vm, a), vm_value_type_name(vm, b));
}

bool vm_unary_op(VmThread *th, Opcode op, Value a, Value *out) {
    VmShared *vm = th->vm;
    if (vm_is_bigint(a) && op != OP_UNARY_NOT) {
        if (op == OP_UNARY_POS) {
            *out = a;
            return true;
        }
        return vm_bigint_unary(th, op, a, out);
    }
    switch (op) {
    case OP_UNARY_NEG:
        if (a.type == VAL_FLOAT) {
            *out = VM_FLOAT(-a.as.f);
            return true;
        }
        if (a.type == VAL_INT || a.type == VAL_BOOL) {
            int64_t x = as_int(a);
            if (x == INT64_MIN) return vm_bigint_unary(th, op, a, out);
            *out = VM_INT(-x);
            return true;
        }
        break;
    case OP_UNARY_POS:
        if (a.type == VAL_FLOAT || a.type == VAL_INT) {
            *out = a;
            return true;
        }
        if (a.type == VAL_BOOL) {
            *out = VM_INT(a.as.b);
            return true;
        }
        break;
    case OP_UNARY_INVERT:
        if (a.type == VAL_INT || a.type == VAL_BOOL) {
            *out = VM_INT(~as_int(a));
            return true;
        }
        break;
    case OP_UNARY_NOT: {
        int t = vm_truthy(th, a);
        if (t < 0) return false;
        *out = VM_BOOL(!t);
        return true;
    }
    default: break;
    }
    const char *name = op == OP_UNARY_NEG   ? "__neg__"
                       : op == OP_UNARY_POS ? "__pos__"
                                            : "__invert__";
    int c = call_dunder(th, a, intern(th, name), NULL, 0, out);
    if (c < 0) return false;
    if (c > 0) return true;
    const char *sym = op == OP_UNARY_NEG ? "-" : op == OP_UNARY_POS ? "+" : "~";
    return vm_raise(th, vm->cls.TypeError, "bad operand type for unary %s: '%s'",
                    sym, vm_value_type_name(vm, a));
}

/* ---- attributes --------------------------------------------------------- */

static ObjDict **instance_dict_slot(Value obj) {
    if (obj.type != VAL_OBJ) return NULL;
    switch (obj.as.o->kind) {
    case OBJ_INSTANCE: return &((ObjInstance *)obj.as.o)->dict;
    case OBJ_EXCEPTION: return &((ObjException *)obj.as.o)->dict;
    case OBJ_OPAQUE: return &((ObjOpaque *)obj.as.o)->dict;
    case OBJ_FUNCTION: return &((ObjFunction *)obj.as.o)->dict;
    default: return NULL;
    }
}

static int special_attribute(VmThread *th, Value obj, ObjStr *name, Value *out) {
    VmShared *vm = th->vm;
    const char *n = name->chars;
    if (n[0] != '_' && !(obj.type == VAL_OBJ && obj.as.o->kind == OBJ_EXCEPTION))
        return 0;
    if (name == vm->names.class_) {
        *out = VM_OBJ(vm_value_class(vm, obj));
        return 1;
    }
    if (obj.type != VAL_OBJ) return 0;
    Obj *o = obj.as.o;
    switch (o->kind) {
    case OBJ_CLASS: {
        ObjClass *c = (ObjClass *)o;
        if (name == vm->names.name) {
            *out = VM_OBJ(c->name);
            return 1;
        }
        if (name == vm->names.qualname) {
            *out = VM_OBJ(c->qualname ? c->qualname : c->name);
            return 1;
        }
        if (name == vm->names.module) {
            *out = VM_OBJ(c->module_name);
            return 1;
        }
        if (strcmp(n, "__bases__") == 0) {
            Value base = c->base ? VM_OBJ(c->base) : VM_NONE;
            *out = VM_OBJ(vm_tuple_from(vm, &base, c->base ? 1 : 0));
            return 1;
        }
        if (strcmp(n, "__base__") == 0) {
            *out = c->base ? VM_OBJ(c->base) : VM_NONE;
            return 1;
        }
        if (name == vm->names.dict) {
            *out = VM_OBJ(c->dict);
            return 1;
        }
        if (name == vm->names.doc) {
            if (!vm_dict_get_str(c->dict, name, out)) *out = VM_NONE;
            return 1;
        }
        return 0;
    }
    case OBJ_FUNCTION: {
        ObjFunction *f = (ObjFunction *)o;
        if (name == vm->names.name) {
            *out = VM_OBJ(f->name);
            return 1;
        }
        if (name == vm->names.qualname) {
            *out = VM_OBJ(f->qualname ? f->qualname : f->name);
            return 1;
        }
        if (name == vm->names.module) {
            *out = VM_OBJ(f->module->name);
            return 1;
        }
        if (name == vm->names.doc) {
            *out = VM_NONE;
            return 1;
        }
        return 0;
    }
    case OBJ_NATIVE:
        if (name == vm->names.name || name == vm->names.qualname) {
            *out = VM_OBJ(((ObjNative *)o)->name);
            return 1;
        }
        return 0;
    case OBJ_BOUND_METHOD:
        if (o->cls == vm->cls.method) {
            if (strcmp(n, "__self__") == 0) {
                *out = ((ObjBoundMethod *)o)->self;
                return 1;
            }
            if (strcmp(n, "__func__") == 0) {
                *out = ((ObjBoundMethod *)o)->callable;
                return 1;
            }
            if (name == vm->names.name)
                return vm_getattr(th, ((ObjBoundMethod *)o)->callable, name, out)
                           ? 1
                           : -1;
        }
        return 0;
    case OBJ_MODULE:
        if (name == vm->names.dict) {
            ObjModule *m = (ObjModule *)o;
            ObjDict *d = vm_dict_new(vm);
            for (int i = 0; i < m->values.count; i++)
                if (!VM_IS_UNDEF(m->values.values[i]))
                    vm_dict_set_str(vm, d, VM_AS_STR(m->names.values[i]),
                                    m->values.values[i]);
            *out = VM_OBJ(d);
            return 1;
        }
        return 0;
    case OBJ_EXCEPTION:
        if (name == vm->names.args) {
            *out = VM_OBJ(((ObjException *)o)->args);
            return 1;
        }
        if (strcmp(n, "__traceback__") == 0 || strcmp(n, "__cause__") == 0 ||
            strcmp(n, "__context__") == 0) {
            *out = VM_NONE;
            return 1;
        }
        if (strcmp(n, "value") == 0 && vm_is_subclass(o->cls, vm->cls.StopIteration)) {
            ObjTuple *args = ((ObjException *)o)->args;
            *out = args && args->count ? args->items[0] : VM_NONE;
            return 1;
        }
        return 0;
    case OBJ_GENERATOR:
        if (name == vm->names.name) {
            *out = VM_OBJ(((ObjGenerator *)o)->name);
            return 1;
        }
        return 0;
    case OBJ_RANGE: {
        ObjRange *r = (ObjRange *)o;
        if (strcmp(n, "start") == 0) *out = VM_INT(r->start);
        else if (strcmp(n, "stop") == 0) *out = VM_INT(r->stop);
        else if (strcmp(n, "step") == 0) *out = VM_INT(r->step);
        else return 0;
        return 1;
    }
    default: return 0;
    }
}

static bool raise_no_attribute(VmThread *th, Value obj, ObjStr *name) {
    VmShared *vm = th->vm;
    if (VM_IS_CLASS(obj))
        return vm_raise(th, vm->cls.AttributeError,
                        "type object '%s' has no attribute '%s'",
                        VM_AS_CLASS(obj)->name->chars, name->chars);
    if (vm_is_kind(obj, OBJ_MODULE))
        return vm_raise(th, vm->cls.AttributeError,
                        "module '%s' has no attribute '%s'",
                        ((ObjModule *)VM_AS_OBJ(obj))->name->chars, name->chars);
    return vm_raise(th, vm->cls.AttributeError, "'%s' object has no attribute '%s'",
                    vm_value_type_name(vm, obj), name->chars);
}

int vm_getattr_opt(VmThread *th, Value obj, ObjStr *name, Value *out) {
    VmShared *vm = th->vm;
    if (!name->interned) name = vm_str_intern(vm, name->chars, name->length);
    if (vm__is_super(vm, obj)) return vm__super_getattr(th, obj, name, out);
    if (vm_is_kind(obj, OBJ_MODULE))
        return vm_module_get((ObjModule *)VM_AS_OBJ(obj), name, out) ? 1 : 0;
    int s = special_attribute(th, obj, name, out);
    if (s) return s;
    if (VM_IS_CLASS(obj)) {
        ObjClass *c = VM_AS_CLASS(obj);
        Value attr;
        if (!vm_class_lookup(c, name, &attr)) return 0;
        return vm__bind_attribute(th, attr, obj, c, out) ? 1 : -1;
    }
    ObjClass *cls = vm_value_class(vm, obj);
    Value attr;
    bool in_class = vm_class_lookup(cls, name, &attr);
    /* Properties are data descriptors: they win over the instance dict. */
    if (in_class && vm_is_kind(attr, OBJ_PROPERTY) &&
        ((ObjProperty *)VM_AS_OBJ(attr))->prop_kind == PROP_PROPERTY)
        return vm__bind_attribute(th, attr, obj, cls, out) ? 1 : -1;
    ObjDict **slot = instance_dict_slot(obj);
    if (slot && *slot && vm_dict_get_str(*slot, name, out)) return 1;
    if (in_class) return vm__bind_attribute(th, attr, obj, cls, out) ? 1 : -1;
    /* __getattr__ runs only when normal lookup fails. */
    Value ga;
    if (obj.type == VAL_OBJ && !cls->builtin &&
        vm_class_lookup(cls, vm->names.getattr, &ga)) {
        Value arg[1] = {VM_OBJ(name)};
        int c = call_dunder(th, obj, vm->names.getattr, arg, 1, out);
        if (c < 0) {
            if (vm_exception_matches(th, vm->cls.AttributeError)) {
                return -1;
            }
            return -1;
        }
        return c;
    }
    return 0;
}

bool vm_getattr(VmThread *th, Value obj, ObjStr *name, Value *out) {
    int r = vm_getattr_opt(th, obj, name, out);
    if (r > 0) return true;
    if (r < 0) return false;
    return raise_no_attribute(th, obj, name);
}

bool vm_setattr(VmThread *th, Value obj, ObjStr *name, Value v) {
    VmShared *vm = th->vm;
    if (!name->interned) name = vm_str_intern(vm, name->chars, name->length);
    if (vm_is_kind(obj, OBJ_MODULE)) {
        ObjModule *m = (ObjModule *)VM_AS_OBJ(obj);
        int slot = vm__module_slot(vm, m, name);
        m->values.values[slot] = v;
        return true;
    }
    if (VM_IS_CLASS(obj)) {
        ObjClass *c = VM_AS_CLASS(obj);
        if (c->builtin)
            return vm_raise(th, vm->cls.TypeError,
                            "cannot set '%s' attribute of immutable type '%s'",
                            name->chars, c->name->chars);
        vm_dict_set_str(vm, c->dict, name, v);
        return true;
    }
    if (VM_IS_EXCEPTION(obj) && name == vm->names.args) {
        ObjTuple *t;
        if (!vm_tuple_from_iterable(th, v, &t)) return false;
        VM_AS_EXCEPTION(obj)->args = t;
        return true;
    }
    ObjClass *cls = vm_value_class(vm, obj);
    Value attr;
    if (vm_class_lookup(cls, name, &attr) && vm_is_kind(attr, OBJ_PROPERTY) &&
        ((ObjProperty *)VM_AS_OBJ(attr))->prop_kind == PROP_PROPERTY) {
        ObjProperty *p = (ObjProperty *)VM_AS_OBJ(attr);
        if (VM_IS_UNDEF(p->set) || VM_IS_NONE(p->set))
            return vm_raise(th, vm->cls.AttributeError,
                            "property '%s' of '%s' object has no setter",
                            name->chars, cls->name->chars);
        Value args[2] = {obj, v};
        Value *base = th->stack_top;
        base[0] = obj;
        base[1] = v;
        th->stack_top += 2;
        Value ignored;
        bool ok = vm_call(th, p->set, base, 2, NULL, &ignored);
        th->stack_top = base;
        (void)args;
        return ok;
    }
    Value sa;
    if (!cls->builtin && vm_class_lookup(cls, vm->names.setattr, &sa) &&
        !VM_IS_NATIVE(sa)) {
        Value args[2] = {VM_OBJ(name), v};
        Value ignored;
        return call_dunder(th, obj, vm->names.setattr, args, 2, &ignored) > 0;
    }
    ObjDict **slot = instance_dict_slot(obj);
    if (!slot)
        return vm_raise(th, vm->cls.AttributeError,
                        "'%s' object has no attribute '%s'",
                        vm_value_type_name(vm, obj), name->chars);
    if (!*slot) *slot = vm_dict_new(vm);
    vm_dict_set_str(vm, *slot, name, v);
    return true;
}

bool vm_delattr(VmThread *th, Value obj, ObjStr *name) {
    VmShared *vm = th->vm;
    if (!name->interned) name = vm_str_intern(vm, name->chars, name->length);
    if (VM_IS_CLASS(obj) && !VM_AS_CLASS(obj)->builtin) {
        if (vm_dict_delete_str(VM_AS_CLASS(obj)->dict, name)) return true;
        return raise_no_attribute(th, obj, name);
    }
    if (vm_is_kind(obj, OBJ_MODULE)) {
        ObjModule *m = (ObjModule *)VM_AS_OBJ(obj);
        Value idx;
        if (vm_dict_get_str(m->slot_of, name, &idx) &&
            !VM_IS_UNDEF(m->values.values[VM_AS_INT(idx)])) {
            m->values.values[VM_AS_INT(idx)] = VM_UNDEF;
            return true;
        }
        return raise_no_attribute(th, obj, name);
    }
    ObjDict **slot = instance_dict_slot(obj);
    if (slot && *slot && vm_dict_delete_str(*slot, name)) return true;
    return raise_no_attribute(th, obj, name);
}

/* ---- items ---------------------------------------------------------------- */

bool vm_getitem(VmThread *th, Value obj, Value key, Value *out) {
    VmShared *vm = th->vm;
    if (VM_IS_DICT(obj)) {
        int f = vm_dict_get(th, VM_AS_DICT(obj), key, out);
        if (f > 0) return true;
        if (f < 0) return false;
        Value k = key;
        return vm_raise_value(th, vm_exception_new(th, vm->cls.KeyError, &k, 1));
    }
    Value arg[1] = {key};
    if (VM_IS_CLASS(obj)) {
        /* list[int] and friends: typing subscripts are not supported. */
        return vm_raise(th, vm->cls.TypeError, "'type' object is not subscriptable");
    }
    int c = call_dunder(th, obj, vm->names.getitem, arg, 1, out);
    if (c > 0) return true;
    if (c < 0) return false;
    return vm_raise(th, vm->cls.TypeError, "'%s' object is not subscriptable",
                    vm_value_type_name(vm, obj));
}

bool vm_setitem(VmThread *th, Value obj, Value key, Value v) {
    VmShared *vm = th->vm;
    if (VM_IS_DICT(obj)) return vm_dict_set(th, VM_AS_DICT(obj), key, v);
    Value args[2] = {key, v};
    Value ignored;
    int c = VM_IS_CLASS(obj) ? 0 : call_dunder(th, obj, vm->names.setitem, args, 2, &ignored);
    if (c > 0) return true;
    if (c < 0) return false;
    return vm_raise(th, vm->cls.TypeError,
                    "'%s' object does not support item assignment",
                    vm_value_type_name(vm, obj));
}

bool vm_delitem(VmThread *th, Value obj, Value key) {
    VmShared *vm = th->vm;
    Value arg[1] = {key};
    Value ignored;
    int c = VM_IS_CLASS(obj) ? 0 : call_dunder(th, obj, vm->names.delitem, arg, 1, &ignored);
    if (c > 0) return true;
    if (c < 0) return false;
    return vm_raise(th, vm->cls.TypeError,
                    "'%s' object doesn't support item deletion",
                    vm_value_type_name(vm, obj));
}

int vm_contains(VmThread *th, Value container, Value item) {
    VmShared *vm = th->vm;
    if (VM_IS_DICT(container)) {
        Value v;
        return vm_dict_get(th, VM_AS_DICT(container), item, &v);
    }
    Value r;
    Value arg[1] = {item};
    int c = VM_IS_CLASS(container)
                ? 0
                : call_dunder(th, container, vm->names.contains, arg, 1, &r);
    if (c < 0) return -1;
    if (c > 0) return vm_truthy(th, r);
    Value it;
    if (!vm_get_iter(th, container, &it)) {
        if (vm_exception_matches(th, vm->cls.TypeError)) {
            vm_raise(th, vm->cls.TypeError,
                     "argument of type '%s' is not iterable",
                     vm_value_type_name(vm, container));
        }
        return -1;
    }
    vm_push_root(th, it);
    Value x;
    int n, found = 0;
    while ((n = vm_iter_next(th, it, &x)) == 1) {
        int e = vm_value_is(x, item) ? 1 : vm_eq(th, x, item);
        if (e != 0) {
            found = e;
            break;
        }
    }
    vm_pop_roots(th, 1);
    if (n < 0) return -1;
    return found;
}

/* ---- iteration -------------------------------------------------------- */

/* Old-style sequence iteration through __getitem__(0), (1), ... */
static int getitem_iter_next(VmThread *th, ObjIterator *it, Value *out) {
    if (VM_IS_UNDEF(it->source)) return 0;
    Value key = VM_INT(it->index);
    if (!vm_getitem(th, it->source, key, out)) {
        if (vm_exception_matches(th, th->vm->cls.IndexError) ||
            vm_exception_matches(th, th->vm->cls.StopIteration)) {
            vm_clear_exception(th);
            it->source = VM_UNDEF;
            return 0;
        }
        return -1;
    }
    it->index++;
    return 1;
}

static bool is_iterator_object(VmShared *vm, Value v) {
    if (v.type != VAL_OBJ) return false;
    if (v.as.o->kind == OBJ_ITERATOR) return ((ObjIterator *)v.as.o)->next != NULL;
    if (v.as.o->kind == OBJ_GENERATOR) return true;
    Value fn;
    return v.as.o->kind != OBJ_CLASS &&
           vm_class_lookup(v.as.o->cls, vm->names.next, &fn);
}

bool vm_get_iter(VmThread *th, Value v, Value *it) {
    VmShared *vm = th->vm;
    if (v.type == VAL_OBJ) {
        if ((v.as.o->kind == OBJ_ITERATOR && ((ObjIterator *)v.as.o)->next) ||
            v.as.o->kind == OBJ_GENERATOR) {
            *it = v;
            return true;
        }
        if (v.as.o->kind != OBJ_CLASS) {
            int c = call_dunder(th, v, vm->names.iter, NULL, 0, it);
            if (c < 0) return false;
            if (c > 0) {
                if (!is_iterator_object(vm, *it))
                    return vm_raise(th, vm->cls.TypeError,
                                    "iter() returned non-iterator of type '%s'",
                                    vm_value_type_name(vm, *it));
                return true;
            }
            Value gi;
            if (vm_class_lookup(v.as.o->cls, vm->names.getitem, &gi)) {
                *it = VM_OBJ(vm_iterator_new(vm, vm->cls.iterator,
                                             getitem_iter_next, v));
                return true;
            }
        }
    }
    return vm_raise(th, vm->cls.TypeError, "'%s' object is not iterable",
                    vm_value_type_name(vm, v));
}

int vm_iter_next(VmThread *th, Value it, Value *out) {
    VmShared *vm = th->vm;
    if (it.type == VAL_OBJ) {
        if (it.as.o->kind == OBJ_ITERATOR && ((ObjIterator *)it.as.o)->next) {
            ObjIterator *i = (ObjIterator *)it.as.o;
            return i->next(th, i, out);
        }
        if (it.as.o->kind == OBJ_GENERATOR)
            return vm__generator_send(th, (ObjGenerator *)it.as.o, VM_NONE, out);
    }
    int c = call_dunder(th, it, vm->names.next, NULL, 0, out);
    if (c > 0) return 1;
    if (c == 0) {
        vm_raise(th, vm->cls.TypeError, "'%s' object is not an iterator",
                 vm_value_type_name(vm, it));
        return -1;
    }
    if (vm_exception_matches(th, vm->cls.StopIteration)) {
        vm_clear_exception(th);
        return 0;
    }
    return -1;
}

bool vm_len(VmThread *th, Value v, int64_t *out) {
    VmShared *vm = th->vm;
    if (v.type == VAL_OBJ) {
        switch (v.as.o->kind) {
        case OBJ_STR: *out = VM_AS_STR(v)->nchars; return true;
        case OBJ_LIST: *out = VM_AS_LIST(v)->count; return true;
        case OBJ_TUPLE: *out = VM_AS_TUPLE(v)->count; return true;
        case OBJ_DICT: *out = VM_AS_DICT(v)->count; return true;
        default: break;
        }
        if (v.as.o->kind != OBJ_CLASS) {
            Value r;
            int c = call_dunder(th, v, vm->names.len, NULL, 0, &r);
            if (c < 0) return false;
            if (c > 0) {
                if (!VM_IS_INT(r) && !VM_IS_BOOL(r))
                    return vm_raise(th, vm->cls.TypeError,
                                    "'%s' object cannot be interpreted as an "
                                    "integer",
                                    vm_value_type_name(vm, r));
                *out = as_int(r);
                if (*out < 0)
                    return vm_raise(th, vm->cls.ValueError,
                                    "__len__() should return >= 0");
                return true;
            }
        }
    }
    return vm_raise(th, vm->cls.TypeError, "object of type '%s' has no len()",
                    vm_value_type_name(vm, v));
}

/* ---- conversions ---------------------------------------------------------- */

bool vm_to_int64(VmThread *th, Value v, int64_t *out) {
    if (v.type == VAL_INT || v.type == VAL_BOOL) {
        *out = as_int(v);
        return true;
    }
    if (vm_is_bigint(v))
        return vm_raise(th, th->vm->cls.OverflowError,
                        "cannot fit 'int' into an index-sized integer");
    if (v.type == VAL_OBJ && v.as.o->kind == OBJ_INSTANCE) {
        Value r;
        int c = call_dunder(th, v, vm_str_intern_cstr(th->vm, "__index__"), NULL,
                            0, &r);
        if (c < 0) return false;
        if (c > 0 && (VM_IS_INT(r) || VM_IS_BOOL(r))) {
            *out = as_int(r);
            return true;
        }
    }
    return vm_raise(th, th->vm->cls.TypeError,
                    "'%s' object cannot be interpreted as an integer",
                    vm_value_type_name(th->vm, v));
}

bool vm_to_double(VmThread *th, Value v, double *out) {
    if (is_number(v)) {
        *out = as_double(v);
        return true;
    }
    if (vm_is_bigint(v)) return vm_bigint_to_double(th, v, out);
    return vm_raise(th, th->vm->cls.TypeError, "must be real number, not %s",
                    vm_value_type_name(th->vm, v));
}

bool vm_index_normalize(VmThread *th, Value key, int64_t len, const char *what,
                        int64_t *out) {
    int64_t i;
    if (VM_IS_INT(key) || VM_IS_BOOL(key)) {
        i = as_int(key);
    } else if (vm_is_bigint(key)) {
        return vm_raise(th, th->vm->cls.IndexError,
                        "cannot fit 'int' into an index-sized integer");
    } else if (vm_is_kind(key, OBJ_INSTANCE)) {
        if (!vm_to_int64(th, key, &i)) return false;
    } else {
        const char *w = what;
        if (strcmp(what, "list assignment") == 0) w = "list";
        if (strcmp(what, "range object") == 0)
            return vm_raise(th, th->vm->cls.TypeError,
                            "range indices must be integers or slices, not %s",
                            vm_value_type_name(th->vm, key));
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s indices must be integers or slices, not %s", w,
                        vm_value_type_name(th->vm, key));
    }
    if (i < 0) i += len;
    if (i < 0 || i >= len)
        return vm_raise(th, th->vm->cls.IndexError, "%s index out of range",
                        what);
    *out = i;
    return true;
}

static bool slice_bound(VmThread *th, Value v, int64_t *out) {
    if (VM_IS_INT(v) || VM_IS_BOOL(v)) {
        *out = as_int(v);
        return true;
    }
    if (vm_is_kind(v, OBJ_INSTANCE)) return vm_to_int64(th, v, out);
    return vm_raise(th, th->vm->cls.TypeError,
                    "slice indices must be integers or None or have an "
                    "__index__ method");
}

bool vm_slice_indices(VmThread *th, ObjSlice *s, int64_t len, int64_t *start,
                      int64_t *stop, int64_t *step, int64_t *count) {
    int64_t st = 1;
    if (!VM_IS_NONE(s->step) && !slice_bound(th, s->step, &st)) return false;
    if (st == 0)
        return vm_raise(th, th->vm->cls.ValueError, "slice step cannot be zero");
    int64_t a, b;
    if (VM_IS_NONE(s->start)) {
        a = st < 0 ? len - 1 : 0;
    } else {
        if (!slice_bound(th, s->start, &a)) return false;
        if (a < 0) {
            a += len;
            if (a < 0) a = st < 0 ? -1 : 0;
        } else if (a >= len) {
            a = st < 0 ? len - 1 : len;
        }
    }
    if (VM_IS_NONE(s->stop)) {
        b = st < 0 ? -1 : len;
    } else {
        if (!slice_bound(th, s->stop, &b)) return false;
        if (b < 0) {
            b += len;
            if (b < 0) b = st < 0 ? -1 : 0;
        } else if (b >= len) {
            b = st < 0 ? len - 1 : len;
        }
    }
    int64_t n = 0;
    if (st < 0) {
        if (b < a) n = (a - b - 1) / (-st) + 1;
    } else {
        if (a < b) n = (b - a - 1) / st + 1;
    }
    *start = a;
    *stop = b;
    *step = st;
    *count = n;
    return true;
}
