/*
 * vm/runtime/gc.h - the mark-sweep garbage collector.
 *
 * Collections happen only at safe points of the interpreter loop, when the
 * allocation funnel has asked for one through the eval breaker (see
 * vm/runtime/memory.c).  Roots are every thread's value stack and frames, its
 * pending and handled exceptions, and the shared state: modules, builtins,
 * built-in classes, the intern table.  The threshold then becomes
 * GILT_GC_GROWTH times the surviving bytes.
 */
#ifndef GILT_VM_RUNTIME_GC_H
#define GILT_VM_RUNTIME_GC_H

#include "vm/runtime/vm.h"

void vm_gc_collect(VmShared *vm);
/* Free every object (VM teardown). */
void vm_gc_free_all(VmShared *vm);
/* Mark a value / object reachable (for ObjOpaque trace callbacks). */
void vm_gc_mark_value(VmShared *vm, Value v);
void vm_gc_mark_object(VmShared *vm, Obj *o);

#endif /* GILT_VM_RUNTIME_GC_H */
