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
 * these wrappers for itself, so no lock is needed.  Each transition reads
 * the clock once and ends one state where the next begins, so that the
 * statistics and the trace of a thread add up and its spans never overlap. */
static void begin_hold(VmThread *th, uint64_t waited_since) {
    uint64_t now = vm_now_ns(th->vm);
    uint64_t previous = atomic_exchange(&th->vm->last_gil_holder, th->ident);
    /* The recorder draws who handed the lock over; without a lock
     * (--gil none) nothing is handed over. */
    vm_record_acquired(th, now,
                       th->vm->gil_ops->switch_points == GIL_SWITCH_ANYWHERE ? 0 : previous);
    th->gil_stats.wait_ns += now - waited_since;
    th->gil_stats.acquisitions++;
    th->gil_stats.acquired_at_ns = now;
    if (previous != th->ident) th->gil_stats.switched_in++;
    th->holds_gil = true;
    /* The funnel asks the holder to collect.  Without a lock (none) every
     * thread "holds" it at once, and the collector runs only when one
     * thread is left: the pointer stays on the main thread, which outlives
     * the others, instead of racing between threads that free themselves. */
    if (!th->vm->heap.concurrent) th->vm->heap.alloc_breaker = &th->eval_breaker;
}

static void end_hold(VmThread *th, uint64_t now) {
    vm_record_released(th, th->gil_stats.acquired_at_ns, now);
    th->gil_stats.held_ns += now - th->gil_stats.acquired_at_ns;
    th->holds_gil = false;
}

/* Wait for the lock from t0 on (the caller's last transition). */
static void acquire_since(VmThread *th, uint64_t t0) {
    vm_record_wait_begin(th, t0);
    th->vm->gil_ops->acquire(th->vm->gil, th);
    begin_hold(th, t0);
}

static void release_at(VmThread *th, uint64_t now) {
    end_hold(th, now);
    th->vm->gil_ops->release(th->vm->gil, th);
}

void vm_gil_acquire(VmThread *th) { acquire_since(th, vm_now_ns(th->vm)); }

void vm_gil_release(VmThread *th) { release_at(th, vm_now_ns(th->vm)); }

void vm_gil_yield(VmThread *th) {
    /* Without a lock (none) there is nothing to let go: the hold goes on. */
    if (th->vm->gil_ops->switch_points == GIL_SWITCH_ANYWHERE) return;
    /* Every policy with a lock lets go here.  The hold ends before it
     * does, so that a run that ends while this thread waits to get the
     * lock back (a daemon thread) counts it as waiting, not holding. */
    uint64_t now = vm_now_ns(th->vm);
    end_hold(th, now);
    vm_record_drop(th, now);
    th->gil_stats.drop_requests++;
    vm_record_wait_begin(th, now);
    th->vm->gil_ops->yield(th->vm->gil, th);
    begin_hold(th, now);
}

void vm_blocking_begin(VmThread *th, VmBlockOn on) {
    if (th->holds_gil) {
        uint64_t now = vm_now_ns(th->vm);
        vm_record_blocking_begin(th, on, now);
        th->gil_stats.io_releases++;
        release_at(th, now);
    }
}

void vm_blocking_end(VmThread *th) {
    if (!th->holds_gil) {
        uint64_t now = vm_now_ns(th->vm);
        vm_record_blocking_end(th, now);
        th->gil_from_io = true;
        acquire_since(th, now);
        th->gil_from_io = false;
    }
}
