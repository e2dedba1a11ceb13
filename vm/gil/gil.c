/*
 * vm/gil/gil.c - the table of GIL policies, the wrappers through which the VM
 * takes and drops the lock (timing and counting what every policy shares),
 * and the hooks around blocking operations.
 */
#include "vm/gil/gil.h"

#include <string.h>

#include "vm/platform/platform.h"
#include "vm/record/record.h"

static const GilOps *const policies[] = {
    &gil_cpython_ops,
    &gil_legacy_ops,
    &gil_fifo_ops,
    &gil_iopri_ops,
    &gil_bfs_ops,
    &gil_none_ops,
};

const GilOps *gil_ops_find(const char *name) {
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (strcmp(policies[i]->name, name) == 0) return policies[i];
    return NULL;
}

const char *gil_ops_names(void) { return "cpython, legacy, fifo, iopri, bfs, none"; }

/* Statistics are the thread's own: only it writes them, and only it runs
 * these wrappers for itself, so no lock is needed. */
static void begin_hold(VmThread *th, uint64_t waited_since) {
    uint64_t now = vm_now_ns(th->vm);
    vm_record_acquired(th, now);
    th->gil_stats.wait_ns += now - waited_since;
    th->gil_stats.acquisitions++;
    th->gil_stats.acquired_at_ns = now;
    if (atomic_exchange(&th->vm->last_gil_holder, th->ident) != th->ident)
        th->gil_stats.switched_in++;
    th->holds_gil = true;
    /* The funnel asks the holder to collect.  Without a lock (none) every
     * thread "holds" it at once, and the collector runs only when one
     * thread is left: the pointer stays on the main thread, which outlives
     * the others, instead of racing between threads that free themselves. */
    if (!th->vm->heap.concurrent) th->vm->heap.alloc_breaker = &th->eval_breaker;
}

static void end_hold(VmThread *th) {
    uint64_t now = vm_now_ns(th->vm);
    vm_record_released(th, th->gil_stats.acquired_at_ns, now);
    th->gil_stats.held_ns += now - th->gil_stats.acquired_at_ns;
    th->holds_gil = false;
}

void vm_gil_acquire(VmThread *th) {
    uint64_t t0 = vm_now_ns(th->vm);
    vm_record_wait_begin(th, t0);
    th->vm->gil_ops->acquire(th->vm->gil, th);
    begin_hold(th, t0);
}

void vm_gil_release(VmThread *th) {
    end_hold(th);
    th->vm->gil_ops->release(th->vm->gil, th);
}

void vm_gil_yield(VmThread *th) {
    /* Account the hold up to now; if the policy keeps the lock (a legacy
     * tick that is not due yet), the hold simply continues. */
    uint64_t before = vm_now_ns(th->vm);
    uint64_t acquired_at = th->gil_stats.acquired_at_ns;
    uint64_t acquisitions = th->gil_stats.acquisitions;
    vm_record_wait_begin(th, before);
    if (th->vm->gil_ops->yield(th->vm->gil, th)) {
        vm_record_released(th, acquired_at, before);
        vm_record_drop(th, before);
        th->gil_stats.drop_requests++;
        th->gil_stats.held_ns += before - acquired_at;
        th->gil_stats.acquisitions = acquisitions;
        begin_hold(th, before);
    }
}

void vm_blocking_begin(VmThread *th) {
    if (th->holds_gil) {
        vm_record_blocking_begin(th, vm_now_ns(th->vm));
        th->gil_stats.io_releases++;
        vm_gil_release(th);
    }
}

void vm_blocking_end(VmThread *th) {
    if (!th->holds_gil) {
        vm_record_blocking_end(th, vm_now_ns(th->vm));
        th->gil_from_io = true;
        vm_gil_acquire(th);
        th->gil_from_io = false;
    }
}
