/*
 * sim/alloc.c - the simulator's host allocations (see sim/alloc.h).
 */
#include "sim/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void out_of_host_memory(size_t size) {
    fprintf(stderr,
            "gilt: fatal: the host is out of memory (an allocation of %zu "
            "bytes failed)\n",
            size);
    exit(1);
}

void *sim_alloc_zeroed(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p) out_of_host_memory(n && size > SIZE_MAX / n ? SIZE_MAX : n * size);
    return p;
}

void *sim_realloc(void *ptr, size_t size) {
    void *p = realloc(ptr, size);
    if (!p && size) out_of_host_memory(size);
    return p;
}
