/*
 * vm/runtime/cstack.h - the guard on C recursion.
 *
 * What recurses in C on the shape of its input (the compiler's walks of the
 * tree, comparing, hashing, repr and str of nested containers, isinstance
 * on nested tuples, natives calling back into Python) checks here before
 * going one level deeper, so that deep input ends in RecursionError rather
 * than a crash.  Two bounds apply.  A count, th->c_depth against
 * GILT_C_RECURSION_LIMIT (the compiler keeps its own), makes a program
 * behave the same on every machine, as CPython's recursion limit does.  The
 * stack itself is the other: each thread measures its C stack once
 * (pthread_getattr_np: the main thread's follows `ulimit -s`, threads get
 * 16 MiB) and no level starts within a reserve of its end (an eighth of
 * the stack, at most GILT_C_STACK_RESERVE), which keeps a 1 MiB main thread
 * and a sanitizer build's larger frames safe whatever the count allows.
 */
#ifndef GILT_VM_RUNTIME_CSTACK_H
#define GILT_VM_RUNTIME_CSTACK_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/runtime/vm.h"
#include "vm/runtime/vm_config.h"

/* Lowest address a new level may start at on this thread; 0 until
 * measured (by vm__c_stack_measure, which sets and returns it). */
extern _Thread_local uintptr_t vm__c_stack_floor;
uintptr_t vm__c_stack_measure(void);

/* True when the calling thread's C stack is too close to its end for one
 * more level of recursion. */
static inline bool vm_c_stack_low(void) {
    uintptr_t floor = vm__c_stack_floor;
    if (__builtin_expect(floor == 0, 0)) floor = vm__c_stack_measure();
    return (uintptr_t)__builtin_frame_address(0) < floor;
}

/* Raise RecursionError "maximum recursion depth exceeded<where>" and
 * return false. */
bool vm__c_recursion_error(VmThread *th, const char *where);

/* Enter one level of C recursion (CPython's Py_EnterRecursiveCall): false
 * with RecursionError raised, `where` completing the message as in CPython
 * (" in comparison", " while getting the repr of an object", or "").  Each
 * successful call is paired with vm_leave_recursive_call. */
static inline bool vm_enter_recursive_call(VmThread *th, const char *where) {
    if (th->c_depth >= GILT_C_RECURSION_LIMIT || vm_c_stack_low())
        return vm__c_recursion_error(th, where);
    th->c_depth++;
    return true;
}

static inline void vm_leave_recursive_call(VmThread *th) { th->c_depth--; }

#endif /* GILT_VM_RUNTIME_CSTACK_H */
