/*
 * vm/object/class.h - user classes: the class builder behind `class` statements,
 * instantiation, super objects, and the natives of object, BaseException,
 * property, staticmethod and classmethod.
 */
#ifndef GILT_VM_OBJECT_CLASS_H
#define GILT_VM_OBJECT_CLASS_H

#include "vm/runtime/vm.h"

/* Register the natives above and the `__build_class__` builder. */
void vm__class_init(VmShared *vm);

/* cls(*args): a new instance, with __init__ called.  The built-in types with
 * a construct hook (int, str, list, ...) use the hook instead. */
bool vm__class_instantiate(VmThread *th, ObjClass *cls, Value *args,
                           int nargs, ObjTuple *kwnames, Value *result);

/* super(start, self): an object whose attribute lookups begin after `start`
 * in self's class chain and bind to self. */
Value vm__super_new(VmShared *vm, ObjClass *start, Value self);
/* Attribute lookup on a super object; 1 found, 0 missing, -1 error. */
int vm__super_getattr(VmThread *th, Value super, ObjStr *name, Value *out);
static inline bool vm__is_super(VmShared *vm, Value v) {
    return v.type == VAL_OBJ && v.as.o->cls == vm->cls.super_;
}

/* Bind a class attribute found by lookup to an instance (functions and
 * natives become bound methods, properties are called, static and class
 * methods unwrapped).  Used by ops.c and super lookups alike. */
bool vm__bind_attribute(VmThread *th, Value attr, Value self, ObjClass *cls,
                        Value *out);

#endif /* GILT_VM_OBJECT_CLASS_H */
