/*
 * vm/object/ops.h - the object protocol: what `a + b`, `a == b`, `repr(x)`,
 * `x.name`, `x[k]`, `iter(x)` and `len(x)` mean for any pair of values.
 *
 * Each operation has a fast path for the hot built-in kinds (ints, floats,
 * strings, lists) and otherwise looks up the dunder method on the value's
 * class (__add__/__radd__, __eq__, __repr__, __getitem__, __iter__, ...).
 * Built-in types implement their behaviour as natives with those dunder names
 * in their class dict, so user classes and built-in types go through the same
 * path, and a new built-in type only has to register its dunders.
 *
 * Return conventions: `bool` functions return false with th->exception set;
 * `int` functions return 1 (true/found), 0 (false/absent) or -1 (raised).
 */
#ifndef GILT_VM_OBJECT_OPS_H
#define GILT_VM_OBJECT_OPS_H

#include "vm/object/object.h"
#include "vm/bytecode/opcodes.h"
#include "vm/runtime/vm.h"

/* Truth value (__bool__, then __len__). 1, 0 or -1. */
int vm_truthy(VmThread *th, Value v);

/* repr(v) and str(v) as new (or shared) strings. */
bool vm_repr(VmThread *th, Value v, ObjStr **out);
bool vm_str(VmThread *th, Value v, ObjStr **out);

/* == and the orderings; comparison ops are OP_COMPARE_LT .. OP_COMPARE_GE.
 * vm_eq: 1 equal, 0 not, -1 raised.  vm_compare returns the result as a
 * Value (usually a bool) in *out. */
int vm_eq(VmThread *th, Value a, Value b);
bool vm_compare(VmThread *th, Opcode op, Value a, Value b, Value *out);
/* a < b as a C truth value (for sorting, min, max): 1, 0 or -1. */
int vm_less(VmThread *th, Value a, Value b);

/* hash(v); TypeError for unhashable values (lists, dicts). */
bool vm_hash(VmThread *th, Value v, uint64_t *out);

/* Binary and unary operators; op is an OP_BINARY_*, OP_INPLACE_* or OP_UNARY_*
 * opcode.  Raises TypeError "unsupported operand type(s) for +: 'int' and
 * 'str'" exactly as CPython words it. */
bool vm_binary_op(VmThread *th, Opcode op, Value a, Value b, Value *out);
bool vm_unary_op(VmThread *th, Opcode op, Value a, Value *out);
/* The operator symbol of a binary opcode ("+", "//", "**"). */
const char *vm_binary_op_symbol(Opcode op);

/* Attribute access.  vm_getattr_opt returns 0 (not -1) when the attribute
 * does not exist, without raising: hasattr/getattr(x, n, default). */
bool vm_getattr(VmThread *th, Value obj, ObjStr *name, Value *out);
int vm_getattr_opt(VmThread *th, Value obj, ObjStr *name, Value *out);
bool vm_setattr(VmThread *th, Value obj, ObjStr *name, Value v);
bool vm_delattr(VmThread *th, Value obj, ObjStr *name);
/* Look name up along a class's base chain (no instance dict, no binding). */
bool vm_class_lookup(ObjClass *cls, ObjStr *name, Value *out);

/* Subscription. */
bool vm_getitem(VmThread *th, Value obj, Value key, Value *out);
bool vm_setitem(VmThread *th, Value obj, Value key, Value v);
bool vm_delitem(VmThread *th, Value obj, Value key);
/* `item in container`: 1, 0 or -1. */
int vm_contains(VmThread *th, Value container, Value item);

/* Iteration.  vm_iter_next: 1 with *out set, 0 when exhausted (StopIteration
 * consumed), -1 raised. */
bool vm_get_iter(VmThread *th, Value v, Value *it);
int vm_iter_next(VmThread *th, Value it, Value *out);

/* len(v) */
bool vm_len(VmThread *th, Value v, int64_t *out);

/* isinstance / issubclass on a single class (tuples are handled by callers). */
bool vm_is_subclass(ObjClass *cls, ObjClass *base);
bool vm_isinstance(VmShared *vm, Value v, ObjClass *cls);

/* Conversions with CPython's error messages. */
bool vm_to_int64(VmThread *th, Value v, int64_t *out);   /* __index__-like: int or bool */
bool vm_to_double(VmThread *th, Value v, double *out);   /* int, bool or float */
/* Normalise a sequence index (negative counts from the end); IndexError
 * "<what> index out of range" when outside [0, len). */
bool vm_index_normalize(VmThread *th, Value key, int64_t len, const char *what,
                        int64_t *out);
/* Resolve a slice against a length, as slice.indices(len) does; returns the
 * number of elements selected. */
bool vm_slice_indices(VmThread *th, ObjSlice *s, int64_t len, int64_t *start,
                      int64_t *stop, int64_t *step, int64_t *count);

#endif /* GILT_VM_OBJECT_OPS_H */
