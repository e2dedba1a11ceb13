/*
 * vm/gil/gil_legacy.c - the "legacy" policy: the GIL of CPython 2.x and
 * 3.0-3.1.
 *
 * Implementation notes
 * --------------------
 * - The lock is a plain mutex-and-condition lock with no fairness and no
 *   hand-off: `locked` under `mutex`, waiters sleep on `cond`.
 * - Every --check-interval "ticks" the holder releases it and immediately
 *   tries to take it again.  A tick is an instruction, as CPython 2's
 *   _Py_Ticker was decremented at every opcode but the few its loop ran
 *   without checking (constants, local loads and stores, stack shuffles):
 *   the policy asks for the ticked interpreter loop (GIL_SWITCH_AT_
 *   INSTRUCTIONS), which counts vm->gil_ticks down and calls yield when it
 *   runs out - so a switch can fall inside `counter += 1`, between the load
 *   and the store, and updates get lost as they did in Python 2.  Nothing
 *   happens (and no clock is read) at the ticks in between.
 * - The countdown is one for the VM, re-armed only at a check, as
 *   _Py_Ticker was: a thread taking the lock after a blocking call goes on
 *   with the count its predecessor left, so threads running the same loop
 *   check at different places in it (one per-thread count reset at every
 *   acquisition would check every thread at the same instruction).
 * - On a multicore machine the releasing thread usually wins the race to
 *   re-acquire, because the woken waiter needs to be scheduled first: the
 *   waiter wakes up, finds the lock taken again, and goes back to sleep - a
 *   futile wake-up.  That is Beazley's "GIL battle", which this policy exists
 *   to reproduce; the counts are in the thread statistics.
 */
#include <stdatomic.h>

#include "vm/gil/gil.h"
#include "vm/platform/platform.h"
#include "vm/runtime/memory.h"

typedef struct {
    VmMutex mutex;   /* protects locked */
    VmCond cond;     /* signalled on every release */
    bool locked;
    VmShared *vm;
} LegacyGil;

static void *legacy_init(VmShared *vm) {
    LegacyGil *g = (LegacyGil *)vm_realloc(NULL, NULL, 0, sizeof *g);
    vm_mutex_init(&g->mutex, &vm->platform);
    vm_cond_init(&g->cond, &vm->platform);
    g->locked = false;
    g->vm = vm;
    vm->gil_ticks = vm->options.check_interval;
    return g;
}

static void legacy_acquire(void *gil, VmThread *th) {
    LegacyGil *g = (LegacyGil *)gil;
    vm_mutex_lock(&g->mutex);
    bool waited = false;
    uint64_t futile = 0;
    while (g->locked) {
        if (waited) futile++;
        vm_cond_wait(&g->cond, &g->mutex);
        waited = true;
    }
    g->locked = true;
    /* Counted once the lock is ours: --stats reads a live thread's
     * figures holding the GIL. */
    th->gil_stats.futile_wakeups += futile;
    vm_mutex_unlock(&g->mutex);
}

static void legacy_release(void *gil, VmThread *th) {
    (void)th;
    LegacyGil *g = (LegacyGil *)gil;
    vm_mutex_lock(&g->mutex);
    g->locked = false;
    vm_cond_signal(&g->cond);
    vm_mutex_unlock(&g->mutex);
}

/* The ticks ran out (or a stress build asks at every safe point). */
static bool legacy_yield(void *gil, VmThread *th) {
    LegacyGil *g = (LegacyGil *)gil;
    g->vm->gil_ticks = g->vm->options.check_interval;
    legacy_release(gil, th);
    legacy_acquire(gil, th);
    return true;
}

static void legacy_fini(VmShared *vm, void *gil) {
    (void)vm;
    LegacyGil *g = (LegacyGil *)gil;
    vm_cond_fini(&g->cond);
    vm_mutex_fini(&g->mutex);
    vm_realloc(NULL, g, sizeof *g, 0);
}

const GilOps gil_legacy_ops = {
    "legacy", legacy_init, legacy_acquire, legacy_release, legacy_yield,
    legacy_fini, GIL_SWITCH_AT_INSTRUCTIONS,
};
