/*
 * vm/gil/gil_cpython.c - the "cpython" policy: the new GIL of CPython 3.2+.
 *
 * Implementation notes (the protocol, after Python/ceval_gil.c)
 * --------------------------------------------------------------
 * - The lock is a boolean `locked` protected by `mutex`; changes are
 *   signalled on `cond`.  The mutex is held only for a few instructions.
 * - A thread that wants the lock waits on `cond` for at most one switch
 *   interval.  If the wait times out and no switch happened meanwhile
 *   (`switch_number` unchanged), it sets VM_BREAK_GIL_DROP in the holder's
 *   eval breaker and waits again.  So the holder is asked to drop only after
 *   a whole interval without a switch.
 * - The holder sees the request at its next safe point (a back edge or a
 *   call) and calls yield: it releases the lock and, with FORCE_SWITCHING,
 *   waits on `switch_cond` until another thread has taken the lock, so it
 *   cannot win the race to re-acquire it (the "GIL battle" of CPython 2
 *   that the legacy policy reproduces).  Then it queues up again.
 * - Blocking calls (sleep, I/O, lock waits) release and re-take the lock
 *   through vm_blocking_begin/end; they never wait on switch_cond.
 * - `last_holder` and `switch_number` let a waiter tell whether anybody ran
 *   while it slept; `holder` is who to send the drop request to.
 * - The FORCE_SWITCHING wait happens only while some thread waits for the
 *   lock (`waiters`): the one that asked is still in its wait loop, since a
 *   waiter leaves it only with the lock.
 *
 * Statistics: a waiter that wakes without timing out and finds the lock
 * taken again had a futile wake-up; a release made because of a drop
 * request is a forced switch.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "vm/gil/gil.h"
#include "vm/platform/platform.h"
#include "vm/record/record.h"
#include "vm/runtime/memory.h"

typedef struct {
    VmMutex mutex;                 /* protects locked, holder, switch_number */
    VmCond cond;                   /* signalled when the lock is released */
    VmMutex switch_mutex;          /* protects the wait on switch_cond */
    VmCond switch_cond;            /* signalled when the lock is taken */
    bool locked;
    int waiters;                    /* threads inside acquire's wait loop */
    VmThread *holder;               /* current holder, or NULL */
    _Atomic(VmThread *) last_holder;
    uint64_t switch_number;         /* incremented at every acquisition */
    VmShared *vm;                   /* for the interval and FORCE_SWITCHING */
} CpythonGil;

static void *cpython_init(VmShared *vm) {
    CpythonGil *g = (CpythonGil *)vm_realloc(NULL, NULL, 0, sizeof *g);
    vm_mutex_init(&g->mutex, &vm->platform);
    vm_cond_init(&g->cond, &vm->platform);
    vm_mutex_init(&g->switch_mutex, &vm->platform);
    vm_cond_init(&g->switch_cond, &vm->platform);
    g->locked = false;
    g->waiters = 0;
    g->holder = NULL;
    atomic_init(&g->last_holder, NULL);
    g->switch_number = 0;
    g->vm = vm;
    return g;
}

static uint64_t interval_ns(CpythonGil *g) {
    return vm_switch_interval_ns(g->vm, VM_DEFAULT_SWITCH_INTERVAL_NS);
}

static void cpython_acquire(void *gil, VmThread *th) {
    CpythonGil *g = (CpythonGil *)gil;
    vm_mutex_lock(&g->mutex);
    if (g->locked) g->waiters++;
    bool waited = g->locked;
    uint64_t futile = 0;
    while (g->locked) {
        uint64_t saved = g->switch_number;
        int timed_out = vm_cond_timedwait(&g->cond, &g->mutex, interval_ns(g));
        if (timed_out && g->locked && g->switch_number == saved) {
            /* A whole interval and nobody switched: ask the holder. */
            vm_record_drop_asked(th, g->holder);
            atomic_fetch_or(&g->holder->eval_breaker, VM_BREAK_GIL_DROP);
        } else if (!timed_out && g->locked) {
            futile++;
        }
    }
    if (waited) g->waiters--;
    g->locked = true;
    g->holder = th;
    /* Counted once the lock is ours: --stats reads a live thread's
     * figures holding the GIL. */
    th->gil_stats.futile_wakeups += futile;
    g->switch_number++;
    /* A request aimed at this thread's previous hold is stale now. */
    atomic_fetch_and(&th->eval_breaker, ~(uint32_t)VM_BREAK_GIL_DROP);
    vm_mutex_lock(&g->switch_mutex);
    atomic_store(&g->last_holder, th);
    vm_cond_broadcast(&g->switch_cond);
    vm_mutex_unlock(&g->switch_mutex);
    vm_mutex_unlock(&g->mutex);
}

/* Free the lock (g->mutex held); returns whether somebody waits for it. */
static bool release_locked(CpythonGil *g) {
    g->locked = false;
    g->holder = NULL;
    vm_cond_signal(&g->cond);
    return g->waiters > 0;
}

static void cpython_release(void *gil, VmThread *th) {
    (void)th;
    CpythonGil *g = (CpythonGil *)gil;
    vm_mutex_lock(&g->mutex);
    release_locked(g);
    vm_mutex_unlock(&g->mutex);
}

static bool cpython_yield(void *gil, VmThread *th) {
    CpythonGil *g = (CpythonGil *)gil;
    vm_mutex_lock(&g->mutex);
    /* As drop_gil, force a switch only for a thread that is waiting: a
     * request nobody waits on any more (a stress build asks at every
     * instruction) would otherwise wait forever for a taker. */
    bool someone_waits = release_locked(g);
    vm_mutex_unlock(&g->mutex);
    bool forced = g->vm->options.force_switching && someone_waits;
    if (forced) {
        /* Wait until somebody else took the lock (the thread that asked). */
        vm_mutex_lock(&g->switch_mutex);
        while (atomic_load(&g->last_holder) == th)
            vm_cond_wait(&g->switch_cond, &g->switch_mutex);
        vm_mutex_unlock(&g->switch_mutex);
    }
    cpython_acquire(gil, th);
    if (forced) th->gil_stats.forced_switches++;   /* holding it again */
    return true;
}

static void cpython_fini(VmShared *vm, void *gil) {
    (void)vm;
    CpythonGil *g = (CpythonGil *)gil;
    vm_cond_fini(&g->switch_cond);
    vm_mutex_fini(&g->switch_mutex);
    vm_cond_fini(&g->cond);
    vm_mutex_fini(&g->mutex);
    vm_realloc(NULL, g, sizeof *g, 0);
}

const GilOps gil_cpython_ops = {
    "cpython", cpython_init, cpython_acquire, cpython_release, cpython_yield,
    cpython_fini,
    GIL_SWITCH_AT_SAFE_POINTS,
};
