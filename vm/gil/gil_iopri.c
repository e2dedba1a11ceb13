/*
 * vm/gil/gil_iopri.c - the "iopri" policy: priority for threads returning from
 * I/O, the remedy discussed on bpo-7946.
 *
 * A thread coming back from a blocking call goes to the front of the queue
 * and asks the holder to drop at once, so an echo server's request path no
 * longer waits a whole interval behind a CPU-bound thread.  Among equals
 * the order is arrival; the quantum is the switch interval.
 */
#include "vm/gil/gil_waitqueue.h"
#include "vm/runtime/memory.h"

typedef struct {
    WaitQueue q;
    uint64_t ticket;
} IopriGil;

#define CPU_RANK_BASE (UINT64_C(1) << 62)

static void *iopri_init(VmShared *vm) {
    IopriGil *g = (IopriGil *)vm_realloc(NULL, NULL, 0, sizeof *g);
    gil_wq_init(&g->q, vm);
    g->ticket = 0;
    return g;
}

static void iopri_acquire(void *gil, VmThread *th) {
    IopriGil *g = (IopriGil *)gil;
    uint64_t t = __atomic_add_fetch(&g->ticket, 1, __ATOMIC_RELAXED);
    bool io = th->gil_from_io;
    uint64_t q = vm_switch_interval_ns(g->q.vm, VM_DEFAULT_SWITCH_INTERVAL_NS);
    gil_wq_acquire(&g->q, th, io ? t : CPU_RANK_BASE + t, io, q);
}

static void iopri_release(void *gil, VmThread *th) {
    gil_wq_release(&((IopriGil *)gil)->q, th);
}

static bool iopri_yield(void *gil, VmThread *th) {
    iopri_release(gil, th);
    iopri_acquire(gil, th);
    return true;
}

static void iopri_fini(VmShared *vm, void *gil) {
    (void)vm;
    IopriGil *g = (IopriGil *)gil;
    gil_wq_fini(&g->q);
    vm_realloc(NULL, g, sizeof *g, 0);
}

const GilOps gil_iopri_ops = {
    "iopri", iopri_init, iopri_acquire, iopri_release, iopri_yield, iopri_fini,
    GIL_SWITCH_AT_SAFE_POINTS,
};
