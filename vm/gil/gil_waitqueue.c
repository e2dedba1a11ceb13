/*
 * vm/gil/gil_waitqueue.c - ranked hand-off lock shared by the fifo, iopri and
 * bfs policies (see vm/gil/gil_waitqueue.h for the protocol).
 */
#include "vm/gil/gil_waitqueue.h"

#include <stdio.h>
#include <stdlib.h>

#include "vm/record/record.h"

void gil_wq_init(WaitQueue *q, VmShared *vm) {
    vm_mutex_init(&q->mutex, &vm->platform);
    vm_cond_init(&q->cond, &vm->platform);
    q->locked = false;
    q->holder = q->granted = NULL;
    q->switches = 0;
    q->drop_pending = false;
    q->nwaiters = 0;
    q->vm = vm;
}

void gil_wq_fini(WaitQueue *q) {
    vm_cond_fini(&q->cond);
    vm_mutex_fini(&q->mutex);
}

static int best_waiter(const WaitQueue *q) {
    int best = -1;
    for (int i = 0; i < q->nwaiters; i++)
        if (best < 0 || q->ranks[i] < q->ranks[best]) best = i;
    return best;
}

static void remove_waiter(WaitQueue *q, VmThread *th) {
    for (int i = 0; i < q->nwaiters; i++)
        if (q->waiters[i] == th) {
            q->waiters[i] = q->waiters[q->nwaiters - 1];
            q->ranks[i] = q->ranks[q->nwaiters - 1];
            q->nwaiters--;
            return;
        }
}

/* th asks whoever holds the lock to drop it at its next safe point; if it
 * is in flight to a grantee, the grantee is asked when it arrives. */
static void ask_drop(WaitQueue *q, VmThread *th) {
    if (q->holder) {
        vm_record_drop_asked(th, q->holder);
        atomic_fetch_or(&q->holder->eval_breaker, VM_BREAK_GIL_DROP);
    } else if (q->locked) {
        vm_record_drop_asked(th, q->granted);
        q->drop_pending = true;
    }
}

void gil_wq_acquire(WaitQueue *q, VmThread *th, uint64_t rank, bool urgent,
                    uint64_t quantum_ns) {
    vm_mutex_lock(&q->mutex);
    if (!q->locked && q->nwaiters == 0) {
        q->locked = true;
        q->holder = th;
        vm_mutex_unlock(&q->mutex);
        return;
    }
    if (q->nwaiters == WQ_MAX_WAITERS) {
        fprintf(stderr, "gilt: fatal: more than %d threads waiting for the GIL\n",
                WQ_MAX_WAITERS);
        abort();
    }
    q->waiters[q->nwaiters] = th;
    q->ranks[q->nwaiters] = rank;
    q->nwaiters++;
    if (urgent) ask_drop(q, th);
    while (q->granted != th) {
        if (!q->locked) {
            /* Free and nobody granted (the holder released with no
             * waiters, then we arrived): take it if we rank first. */
            int b = best_waiter(q);
            if (b >= 0 && q->waiters[b] == th) break;
        }
        int b = best_waiter(q);
        if (b >= 0 && q->waiters[b] == th && q->locked) {
            uint64_t seen = q->switches;
            int timed_out = vm_cond_timedwait(&q->cond, &q->mutex, quantum_ns);
            if (timed_out && q->locked && q->switches == seen && q->granted != th)
                ask_drop(q, th);
        } else {
            vm_cond_wait(&q->cond, &q->mutex);
        }
    }
    remove_waiter(q, th);
    if (q->granted == th) q->granted = NULL;
    q->locked = true;
    q->holder = th;
    q->switches++;
    if (q->drop_pending && q->nwaiters > 0) {
        /* Someone asked while the lock was on its way here. */
        atomic_fetch_or(&th->eval_breaker, VM_BREAK_GIL_DROP);
    } else {
        /* A drop request aimed at an earlier hold is stale. */
        atomic_fetch_and(&th->eval_breaker, ~(uint32_t)VM_BREAK_GIL_DROP);
    }
    q->drop_pending = false;
    /* Whoever ranks first now must start timing its wait (it may have
     * gone to sleep untimed while this thread ranked above it). */
    if (q->nwaiters > 0) vm_cond_broadcast(&q->cond);
    vm_mutex_unlock(&q->mutex);
}

void gil_wq_release(WaitQueue *q, VmThread *th) {
    (void)th;
    vm_mutex_lock(&q->mutex);
    q->holder = NULL;
    int b = best_waiter(q);
    if (b >= 0) {
        /* Hand off: the lock never becomes free for the releaser to grab. */
        q->granted = q->waiters[b];
        q->locked = true;
    } else {
        q->locked = false;
    }
    vm_cond_broadcast(&q->cond);
    vm_mutex_unlock(&q->mutex);
}
