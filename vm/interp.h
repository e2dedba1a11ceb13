/*
 * vm/interp.h - the bytecode interpreter loop (vm/interp.c) and the
 * generator machinery that shares its frames.
 */
#ifndef GILT_VM_INTERP_H
#define GILT_VM_INTERP_H

#include "vm/vm.h"

/* Run a function object with arguments already bound into a new frame; used
 * by vm_call.  Pushes a frame whose return leaves this C call. */
bool vm__run_function(VmThread *th, ObjFunction *fn, Value *args, int nargs,
                      ObjTuple *kwnames, Value *result);

/* Resume a generator, sending `sent` (None for next()).  1: it yielded a
 * value into *out; 0: it finished (StopIteration, consumed); -1: raised. */
int vm__generator_send(VmThread *th, ObjGenerator *gen, Value sent, Value *out);

/* Handle whatever the eval breaker asks for (GC, GIL drop, signals, memory
 * limit).  Returns false with an exception set (KeyboardInterrupt,
 * MemoryError). Called at safe points only. */
bool vm__eval_breaker_handle(VmThread *th);

#endif /* GILT_VM_INTERP_H */
