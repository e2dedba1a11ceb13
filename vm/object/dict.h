/*
 * vm/object/dict.h - insertion-ordered hash tables (CPython 3.6+ compact dict:
 * a dense entries array in insertion order plus a sparse index table of
 * int32 entry numbers, open addressing with perturbed probing).
 *
 * The generic functions take a VmThread because hashing and comparing user
 * objects may run Python code (__hash__, __eq__) and may raise.  The _str
 * variants are for C code and the VM's own tables (module slots, attribute
 * dicts, the intern table) whose keys are strings: they cannot fail.
 */
#ifndef GILT_VM_OBJECT_DICT_H
#define GILT_VM_OBJECT_DICT_H

#include "vm/object/object.h"
#include "vm/runtime/vm.h"

ObjDict *vm_dict_new(VmShared *vm);

/* 1 found (*out set), 0 absent, -1 raised (unhashable key, __eq__ raised). */
int vm_dict_get(VmThread *th, ObjDict *d, Value key, Value *out);
bool vm_dict_set(VmThread *th, ObjDict *d, Value key, Value value);
/* 1 deleted (*old set if old != NULL), 0 absent, -1 raised. */
int vm_dict_delete(VmThread *th, ObjDict *d, Value key, Value *old);

/* String-keyed fast paths: compare by pointer, then by bytes. */
bool vm_dict_get_str(ObjDict *d, ObjStr *key, Value *out);
void vm_dict_set_str(VmShared *vm, ObjDict *d, ObjStr *key, Value value);
bool vm_dict_delete_str(ObjDict *d, ObjStr *key);
/* Find a string key by its bytes (the intern table uses this). */
ObjStr *vm_dict_find_string(ObjDict *d, const char *chars, int64_t length,
                            uint64_t hash);

/* Iterate: start with *pos = 0; returns false at the end. */
bool vm_dict_next(ObjDict *d, int64_t *pos, Value *key, Value *value);
void vm_dict_clear(VmShared *vm, ObjDict *d);
ObjDict *vm_dict_copy(VmShared *vm, ObjDict *d);
/* d.update(other) for a dict or an iterable of pairs. */
bool vm_dict_update(VmThread *th, ObjDict *d, Value other);

/* Register dict methods/dunders and the view types (vm/object/dict.c). */
void vm__dict_methods_init(VmShared *vm);

#endif /* GILT_VM_OBJECT_DICT_H */
