/*
 * vm/object/value.c - ValueArray (clox's growable array) and identity of values.
 */
#include "vm/object/value.h"

#include "vm/runtime/memory.h"
#include "vm/object/object.h"

void vm_value_array_init(ValueArray *a) {
    a->count = 0;
    a->capacity = 0;
    a->values = NULL;
}

void vm_value_array_write(struct VmHeap *heap, ValueArray *a, Value v) {
    if (a->count == a->capacity) {
        int old = a->capacity;
        a->capacity = VM_GROW_CAPACITY(old);
        a->values = VM_GROW_ARRAY(heap, Value, a->values, old, a->capacity);
    }
    a->values[a->count++] = v;
}

void vm_value_array_fini(struct VmHeap *heap, ValueArray *a) {
    VM_FREE_ARRAY(heap, Value, a->values, a->capacity);
    vm_value_array_init(a);
}

bool vm_value_is(Value a, Value b) {
    if (a.type != b.type) return false;
    switch ((ValueType)a.type) {
    case VAL_UNDEF:
    case VAL_NONE: return true;
    case VAL_BOOL: return a.as.b == b.as.b;
    case VAL_INT: return a.as.i == b.as.i;
    /* Floats are boxed in CPython, so `x is y` on equal floats is an
     * implementation detail; comparing bits is the closest honest answer. */
    case VAL_FLOAT: return a.as.i == b.as.i;
    case VAL_OBJ: return a.as.o == b.as.o;
    }
    return false;
}
