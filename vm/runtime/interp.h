/*
 * vm/runtime/interp.h - the bytecode interpreter loop (vm/runtime/interp.c) and the
 * generator machinery that shares its frames.
 */
#ifndef GILT_VM_RUNTIME_INTERP_H
#define GILT_VM_RUNTIME_INTERP_H

#include "vm/runtime/vm.h"

/* Run a function object with arguments already bound into a new frame; used
 * by vm_call.  Pushes a frame whose return leaves this C call. */
bool vm__run_function(VmThread *th, ObjFunction *fn, Value *args, int nargs,
                      ObjTuple *kwnames, Value *result);

/* Run a class body function with `ns` as its namespace (frame->ns). */
bool vm__run_class_body(VmThread *th, ObjFunction *body, ObjDict *ns,
                        Value *result);

/* Resume a generator, sending `sent` (None for next()).  1: it yielded a
 * value into *out; 0: it finished (StopIteration, consumed); -1: raised. */
int vm__generator_send(VmThread *th, ObjGenerator *gen, Value sent, Value *out);

/* Handle whatever the eval breaker asks for (GC, GIL drop, signals, memory
 * limit).  Returns false with an exception set (KeyboardInterrupt,
 * MemoryError). Called at safe points only. */
bool vm__eval_breaker_handle(VmThread *th);

/* Record that exc is passing through frame activation `serial` at (code,
 * line); a second call for the same activation (a handler re-raising) keeps
 * the first line, as CPython's traceback does (vm/runtime/exc.c). */
void vm__exc_add_trace(VmShared *vm, Value exc, ObjCode *code, int32_t line,
                       uint64_t serial);

/* The slot of a module global by name, created unbound if missing (vm.c). */
int vm__module_slot(VmShared *vm, ObjModule *m, ObjStr *name);

#endif /* GILT_VM_RUNTIME_INTERP_H */
