/*
 * vm/object/bigint.h - arbitrary-precision ints beyond the inline int64.
 *
 * An int that fits int64 is always the inline VAL_INT; only a result that
 * does not fit becomes an ObjBigInt (a GMP mpz on the VM heap, class int).
 * So each value has one representation and ==, hash and dict keys agree.
 * The interpreter's fast paths never come here: ops.c calls in when an
 * operand is big or an int64 operation overflowed.
 */
#ifndef GILT_VM_OBJECT_BIGINT_H
#define GILT_VM_OBJECT_BIGINT_H

#include <gmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm/bytecode/opcodes.h"
#include "vm/object/object.h"

typedef struct {
    Obj obj;
    mpz_t z; /* never fits int64 (normalised on construction) */
} ObjBigInt;

static inline bool vm_is_bigint(Value v) {
    return v.type == VAL_OBJ && v.as.o->kind == OBJ_BIGINT;
}

/* An int or bool or big int: the operands this module works on. */
static inline bool vm_is_intlike(Value v) {
    return v.type == VAL_INT || v.type == VAL_BOOL || vm_is_bigint(v);
}

/* Binary arithmetic where both operands are int-like (one big, or an int64
 * operation overflowed).  1 done, -1 raised. */
int vm_bigint_binary(VmThread *th, Opcode op, Value a, Value b, Value *out);
/* -x, ~x of an int-like value (x big, or -INT64_MIN). */
bool vm_bigint_unary(VmThread *th, Opcode op, Value a, Value *out);
/* Three-way compare of two numbers, at least one big; 2 when a float is nan.
 * Exact against floats, as CPython. */
int vm_bigint_compare(Value a, Value b);
/* CPython's numeric hash (modulo 2**61 - 1) of a big int, and of an integral
 * double too large for int64 so hash(float(n)) == hash(n). */
uint64_t vm_bigint_hash(Value v);
uint64_t vm_bigint_hash_double(double d);
/* float(x): correctly rounded; OverflowError "int too large to convert to
 * float" beyond the double range. */
bool vm_bigint_to_double(VmThread *th, Value v, double *out);
/* str(x) in base 10, with CPython's 4300-digit limit. */
bool vm_bigint_str(VmThread *th, Value v, ObjStr **out);
/* Parse digits (already stripped of sign, prefix and underscores) in base
 * 2..36 into an int; the caller has checked the syntax. */
bool vm_bigint_parse(VmThread *th, const char *digits, int base, bool neg,
                     Value *out);
/* For the builtins: int(float) beyond int64, abs, hex/oct/bin of a big int,
 * pow(b, e, m), round(x, negative). */
bool vm_bigint_from_double(VmThread *th, double d, Value *out);
bool vm_bigint_abs(VmThread *th, Value v, Value *out);
bool vm_bigint_base_repr(VmThread *th, Value v, int base, const char *prefix,
                         Value *out);
bool vm_bigint_powmod(VmThread *th, Value b, Value e, Value m, Value *out);
bool vm_bigint_round(VmThread *th, Value x, int64_t nd, Value *out);
/* Called by the collector when an ObjBigInt dies. */
void vm_bigint_free(VmShared *vm, ObjBigInt *b);

#endif /* GILT_VM_OBJECT_BIGINT_H */
