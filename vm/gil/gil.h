/*
 * vm/gil/gil.h - the global interpreter lock as an ops table.
 *
 * Each policy (gil_none.c now; gil_cpython.c, gil_legacy.c and the others in
 * the threads issue) defines the same set of static functions and exports
 * one GilOps.  The interpreter never calls pthread functions itself: it calls
 * these hooks at the points CONVENTIONS.md item 6 names - the eval breaker
 * (vm__eval_breaker_handle) and the blocking-call hook
 * (vm_blocking_begin/end) - so a policy plugs in without touching run().
 */
#ifndef GILT_VM_GIL_GIL_H
#define GILT_VM_GIL_GIL_H

#include "vm/runtime/vm.h"

/* Where a policy may move the lock from one thread to another, which
 * decides the interpreter loop (vm/runtime/interp_loop.h). */
typedef enum {
    GIL_SWITCH_AT_SAFE_POINTS,  /* back edges and calls (CPython 3.10+) */
    GIL_SWITCH_AT_INSTRUCTIONS, /* between any two ticking instructions
                                   (CPython 2's ticker): vm->gil_ticks counts
                                   down, and yield is called when it runs out */
    GIL_SWITCH_ANYWHERE,        /* no lock: threads run at once, so in
                                   virtual time they must be able to
                                   interleave between any two instructions */
} GilSwitchPoints;

typedef struct GilOps {
    const char *name;
    /* Create the policy's shared state for one VM. */
    void *(*init)(VmShared *vm);
    /* Block until th holds the lock. */
    void (*acquire)(void *gil, VmThread *th);
    /* Give the lock up (th holds it). */
    void (*release)(void *gil, VmThread *th);
    /* The holder saw VM_BREAK_GIL_DROP at a safe point: release, let another
     * thread run, re-acquire.  Returns true if it did release the lock:
     * every policy with a lock does (vm_gil_yield counts on it); none does
     * not, and is not called. */
    bool (*yield)(void *gil, VmThread *th);
    void (*fini)(VmShared *vm, void *gil);
    GilSwitchPoints switch_points;
} GilOps;

/* What the VM calls: these wrap the policy's functions with the timing and
 * counting every policy shares (wait and hold times, acquisitions, drop
 * requests), so a policy only implements its protocol. */
void vm_gil_acquire(VmThread *th);
void vm_gil_release(VmThread *th);
void vm_gil_yield(VmThread *th);

/* The policy called `name`, or NULL. */
const GilOps *gil_ops_find(const char *name);
/* Comma-separated names of every policy, for --help. */
const char *gil_ops_names(void);

extern const GilOps gil_none_ops;
extern const GilOps gil_cpython_ops;
extern const GilOps gil_legacy_ops;
extern const GilOps gil_fifo_ops;
extern const GilOps gil_iopri_ops;
extern const GilOps gil_bfs_ops;

#endif /* GILT_VM_GIL_GIL_H */
