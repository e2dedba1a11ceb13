/*
 * vm/object/value.h - the Value: what a variable, a stack slot or a list item holds.
 *
 * A Value is a 16-byte tagged union, like Lua's TValue: small immediates
 * (None, bool, 64-bit int, float) live inline and everything else is a
 * pointer to a heap object (vm/object/object.h).  VAL_UNDEF is not a Python value: it
 * marks an unbound local, an empty dict slot, or "no self" in a method call.
 *
 * An int that fits 64 bits is always inline; arithmetic that overflows
 * grows into a heap big int (vm/object/bigint.h), and a big result that
 * fits again comes back inline, so each int has one representation.
 */
#ifndef GILT_VM_OBJECT_VALUE_H
#define GILT_VM_OBJECT_VALUE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Obj Obj;

typedef enum {
    VAL_UNDEF = 0, /* unbound / empty; never visible to Python code */
    VAL_NONE,
    VAL_BOOL,
    VAL_INT,
    VAL_FLOAT,
    VAL_OBJ,
} ValueType;

typedef struct {
    uint8_t type; /* a ValueType */
    union {
        bool b;
        int64_t i;
        double f;
        Obj *o;
    } as;
} Value;

#define VM_UNDEF ((Value){VAL_UNDEF, {.i = 0}})
#define VM_NONE ((Value){VAL_NONE, {.i = 0}})
#define VM_BOOL(x) ((Value){VAL_BOOL, {.b = (x)}})
#define VM_TRUE VM_BOOL(true)
#define VM_FALSE VM_BOOL(false)
#define VM_INT(x) ((Value){VAL_INT, {.i = (x)}})
#define VM_FLOAT(x) ((Value){VAL_FLOAT, {.f = (x)}})
#define VM_OBJ(x) ((Value){VAL_OBJ, {.o = (Obj *)(x)}})

#define VM_IS_UNDEF(v) ((v).type == VAL_UNDEF)
#define VM_IS_NONE(v) ((v).type == VAL_NONE)
#define VM_IS_BOOL(v) ((v).type == VAL_BOOL)
#define VM_IS_INT(v) ((v).type == VAL_INT)
#define VM_IS_FLOAT(v) ((v).type == VAL_FLOAT)
#define VM_IS_OBJ(v) ((v).type == VAL_OBJ)

#define VM_AS_BOOL(v) ((v).as.b)
#define VM_AS_INT(v) ((v).as.i)
#define VM_AS_FLOAT(v) ((v).as.f)
#define VM_AS_OBJ(v) ((v).as.o)

/* A growable array of Values (clox's ValueArray): count/capacity/pointer. */
typedef struct {
    int count;
    int capacity;
    Value *values;
} ValueArray;

struct VmHeap;
void vm_value_array_init(ValueArray *a);
void vm_value_array_write(struct VmHeap *heap, ValueArray *a, Value v);
void vm_value_array_fini(struct VmHeap *heap, ValueArray *a);

/* Identity (the `is` operator): same immediate, or same object. */
bool vm_value_is(Value a, Value b);

#endif /* GILT_VM_OBJECT_VALUE_H */
