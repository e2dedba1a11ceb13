/*
 * vm/object/list.h - tuples and lists: construction, growth, and the helpers other
 * modules use to build them.  Their Python-visible methods and dunders
 * (append, sort, __getitem__, __add__, __repr__, ...) are natives registered
 * on vm->cls.list / vm->cls.tuple by vm__list_methods_init.
 */
#ifndef GILT_VM_OBJECT_LIST_H
#define GILT_VM_OBJECT_LIST_H

#include "vm/object/object.h"
#include "vm/runtime/vm.h"

/* A tuple of `count` items, all VAL_UNDEF for the caller to fill before the
 * tuple is used anywhere (no allocation may happen in between unless it is
 * rooted - but allocation never collects, see vm/object/object.h). */
ObjTuple *vm_tuple_new(VmShared *vm, int64_t count);
ObjTuple *vm_tuple_from(VmShared *vm, const Value *items, int64_t count);

ObjList *vm_list_new(VmShared *vm, int64_t capacity);
ObjList *vm_list_from(VmShared *vm, const Value *items, int64_t count);
void vm_list_append(VmShared *vm, ObjList *l, Value v);
void vm_list_insert(VmShared *vm, ObjList *l, int64_t index, Value v);
/* Remove and return item index (already normalised, in range). */
Value vm_list_remove_at(ObjList *l, int64_t index);
void vm_list_clear(VmShared *vm, ObjList *l);

/* Append every item of an iterable (list.extend / LIST_EXTEND / list(x)). */
bool vm_list_extend(VmThread *th, ObjList *l, Value iterable);
/* tuple(iterable), list(iterable): new containers from any iterable. */
bool vm_tuple_from_iterable(VmThread *th, Value iterable, ObjTuple **out);
bool vm_list_from_iterable(VmThread *th, Value iterable, ObjList **out);

/* Stable sort in place with optional key function (UNDEF for none). */
bool vm_list_sort(VmThread *th, ObjList *l, Value key, bool reverse);

/* Register list, tuple and range methods/dunders (vm/object/list.c). */
void vm__list_methods_init(VmShared *vm);

#endif /* GILT_VM_OBJECT_LIST_H */
