/*
 * vm/gil/gil_none.c - the "none" policy: no global lock at all.
 *
 * Only safe for programs whose threads share nothing mutable;
 * with a single thread it is exactly the cost of running without a GIL,
 * which makes it the baseline the lock benchmarks compare against.
 */
#include "vm/gil/gil.h"

static void *none_init(VmShared *vm) {
    (void)vm;
    return NULL;
}

static void none_acquire(void *gil, VmThread *th) { (void)gil; (void)th; }
static void none_release(void *gil, VmThread *th) { (void)gil; (void)th; }
static bool none_yield(void *gil, VmThread *th) {
    (void)gil;
    (void)th;
    return false;
}
static void none_fini(VmShared *vm, void *gil) { (void)vm; (void)gil; }

const GilOps gil_none_ops = {
    "none", none_init, none_acquire, none_release, none_yield, none_fini,
    GIL_SWITCH_ANYWHERE,
};
