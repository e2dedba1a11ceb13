/*
 * vm/gil/gil_bfs.c - the "bfs" policy: deadline scheduling after the BFS patch
 * proposed on bpo-7946.
 *
 * Every thread carries a virtual deadline.  A thread that used up its
 * slice (10 ms unless --switch-interval sets it) and yields gets a new
 * deadline of now + 8 slices and queues behind earlier deadlines; a thread
 * returning from I/O keeps the deadline it had, which is usually earlier
 * than a CPU-bound thread's, so it is served first and asks the holder to
 * drop at once.  The lock goes to the earliest deadline (EDF).
 */
#include "vm/gil/gil_waitqueue.h"
#include "vm/runtime/memory.h"

typedef struct {
    WaitQueue q;
} BfsGil;

/* BFS's 10 ms slice, unless a switch interval was set. */
static uint64_t slice_ns(VmShared *vm) { return vm_switch_interval_ns(vm, 10000000u); }

static void *bfs_init(VmShared *vm) {
    BfsGil *g = (BfsGil *)vm_realloc(NULL, NULL, 0, sizeof *g);
    gil_wq_init(&g->q, vm);
    return g;
}

static void acquire_with_deadline(BfsGil *g, VmThread *th, bool fresh) {
    uint64_t slice = slice_ns(g->q.vm);
    uint64_t now = vm_now_ns(g->q.vm);
    if (fresh || th->gil_deadline_ns == 0) th->gil_deadline_ns = now + 8 * slice;
    bool urgent = th->gil_from_io;
    gil_wq_acquire(&g->q, th, th->gil_deadline_ns, urgent, slice);
}

static void bfs_acquire(void *gil, VmThread *th) {
    acquire_with_deadline((BfsGil *)gil, th, false);
}

static void bfs_release(void *gil, VmThread *th) {
    gil_wq_release(&((BfsGil *)gil)->q, th);
}

static bool bfs_yield(void *gil, VmThread *th) {
    bfs_release(gil, th);
    /* The slice is used up: a later deadline. */
    acquire_with_deadline((BfsGil *)gil, th, true);
    return true;
}

static void bfs_fini(VmShared *vm, void *gil) {
    (void)vm;
    BfsGil *g = (BfsGil *)gil;
    gil_wq_fini(&g->q);
    vm_realloc(NULL, g, sizeof *g, 0);
}

const GilOps gil_bfs_ops = {
    "bfs", bfs_init, bfs_acquire, bfs_release, bfs_yield, bfs_fini,
    GIL_SWITCH_AT_SAFE_POINTS,
};
