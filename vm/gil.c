/*
 * vm/gil.c - the table of GIL policies and the hooks the interpreter calls
 * around blocking operations.
 */
#include "vm/gil.h"

#include <string.h>

static const GilOps *const policies[] = {
    &gil_cpython_ops,
    &gil_legacy_ops,
    &gil_none_ops,
};

const GilOps *gil_ops_find(const char *name) {
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (strcmp(policies[i]->name, name) == 0) return policies[i];
    return NULL;
}

const char *gil_ops_names(void) { return "cpython, legacy, none"; }

void vm_blocking_begin(VmThread *th) {
    VmShared *vm = th->vm;
    if (th->holds_gil) {
        th->holds_gil = false;
        th->gil_stats.io_releases++;
        vm->gil_ops->release(vm->gil, th);
    }
}

void vm_blocking_end(VmThread *th) {
    VmShared *vm = th->vm;
    if (!th->holds_gil) {
        vm->gil_ops->acquire(vm->gil, th);
        th->holds_gil = true;
        vm->heap.alloc_breaker = &th->eval_breaker;
    }
}
