/*
 * sim/alloc.c - the simulator's host allocations (see sim/alloc.h).
 */
#include "sim/alloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Process-wide test hook, not simulator state (as vm_memory_fail_after in
 * vm/runtime/memory.c): tests/check_sim.c makes one of sim_new's
 * allocations fail to see the clean exit. */
static long fail_countdown = -1;

void sim_alloc_fail_after(long count) { fail_countdown = count; }

static bool fail_now(void) { return fail_countdown >= 0 && fail_countdown-- == 0; }

static void out_of_host_memory(size_t size) {
    fprintf(stderr,
            "gilt: fatal: the host is out of memory (an allocation of %zu "
            "bytes failed)\n",
            size);
    exit(1);
}

void *sim_alloc_zeroed(size_t n, size_t size) {
    void *p = fail_now() ? NULL : calloc(n, size);
    if (!p) out_of_host_memory(n && size > SIZE_MAX / n ? SIZE_MAX : n * size);
    return p;
}

void *sim_realloc(void *ptr, size_t size) {
    void *p = fail_now() ? NULL : realloc(ptr, size);
    if (!p && size) out_of_host_memory(size);
    return p;
}
