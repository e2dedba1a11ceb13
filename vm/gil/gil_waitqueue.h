/*
 * vm/gil/gil_waitqueue.h - the shared machinery of the hand-off policies
 * (fifo, iopri, bfs): a lock that is passed directly to the waiter the
 * policy ranks first, instead of being raced for.
 *
 * Implementation notes
 * --------------------
 * - Waiters register with a rank (lower goes first).  On release, if anyone
 *   waits, the lock is handed to the best-ranked waiter (`granted`) without
 *   ever becoming free, so the releaser cannot win it back: hand-off, not a
 *   battle.  Everybody waits on one condition variable and re-checks
 *   whether it was the one granted.
 * - The best-ranked waiter waits with a timeout of one quantum; if no hand-
 *   off happened meanwhile it sets the holder's drop request, as the new
 *   GIL does.  A policy may also ask for a drop at once (iopri, bfs).
 * - The policies differ only in the rank they give a waiter and in whether
 *   an arriving waiter asks for an immediate drop.
 */
#ifndef GILT_VM_GIL_GIL_WAITQUEUE_H
#define GILT_VM_GIL_GIL_WAITQUEUE_H

#include "vm/gil/gil.h"
#include "vm/platform/platform.h"

#define WQ_MAX_WAITERS 256

typedef struct {
    VmMutex mutex;             /* protects everything below */
    VmCond cond;               /* broadcast on every hand-off/release */
    bool locked;
    VmThread *holder;
    VmThread *granted;          /* waiter the lock was handed to */
    uint64_t switches;          /* hand-offs so far */
    bool drop_pending;          /* a drop was asked while the lock was in
                                   flight to a grantee: it drops on arrival */
    VmThread *waiters[WQ_MAX_WAITERS];
    uint64_t ranks[WQ_MAX_WAITERS];
    int nwaiters;
    VmShared *vm;
} WaitQueue;

void gil_wq_init(WaitQueue *q, VmShared *vm);
void gil_wq_fini(WaitQueue *q);
/* Acquire with the given rank; urgent asks the holder to drop at once. */
void gil_wq_acquire(WaitQueue *q, VmThread *th, uint64_t rank, bool urgent,
                    uint64_t quantum_ns);
void gil_wq_release(WaitQueue *q, VmThread *th);

#endif /* GILT_VM_GIL_GIL_WAITQUEUE_H */
