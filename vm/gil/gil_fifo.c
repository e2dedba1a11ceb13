/*
 * vm/gil/gil_fifo.c - the "fifo" policy: Ruby MRI's GVL.
 *
 * Waiters queue in arrival order and the lock is handed to the one that
 * has waited longest; a thread that gives the lock up at the end of its
 * quantum goes to the back of the queue.  The quantum is 100 ms as in MRI
 * (its timer thread), unless --switch-interval / sys.setswitchinterval set
 * one.  Hand-off itself is vm/gil_waitqueue.c.
 */
#include "vm/gil/gil_waitqueue.h"
#include "vm/runtime/memory.h"

typedef struct {
    WaitQueue q;
    uint64_t ticket;  /* arrival counter, under q.mutex's protection by use */
} FifoGil;

/* Ruby's 100 ms timer quantum, unless a switch interval was set. */
static uint64_t quantum_ns(VmShared *vm) { return vm_switch_interval_ns(vm, 100000000u); }

static void *fifo_init(VmShared *vm) {
    FifoGil *g = (FifoGil *)vm_realloc(NULL, NULL, 0, sizeof *g);
    gil_wq_init(&g->q, vm);
    g->ticket = 0;
    return g;
}

static void fifo_acquire(void *gil, VmThread *th) {
    FifoGil *g = (FifoGil *)gil;
    uint64_t t = __atomic_add_fetch(&g->ticket, 1, __ATOMIC_RELAXED);
    gil_wq_acquire(&g->q, th, t, false, quantum_ns(g->q.vm));
}

static void fifo_release(void *gil, VmThread *th) {
    gil_wq_release(&((FifoGil *)gil)->q, th);
}

static bool fifo_yield(void *gil, VmThread *th) {
    fifo_release(gil, th);
    fifo_acquire(gil, th);
    return true;
}

static void fifo_fini(VmShared *vm, void *gil) {
    (void)vm;
    FifoGil *g = (FifoGil *)gil;
    gil_wq_fini(&g->q);
    vm_realloc(NULL, g, sizeof *g, 0);
}

const GilOps gil_fifo_ops = {
    "fifo", fifo_init, fifo_acquire, fifo_release, fifo_yield, fifo_fini,
    GIL_SWITCH_AT_SAFE_POINTS,
};
