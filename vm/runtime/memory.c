/*
 * vm/runtime/memory.c - the allocation funnel (see vm/runtime/memory.h).
 *
 * Counting happens here and nowhere else: bytes_allocated grows and shrinks
 * with every call, and crossing the collection threshold only *requests* a
 * collection by setting the GC bit of the running thread's eval breaker.
 * The collector itself runs later, at a safe point of the interpreter, which
 * is why C code never has to worry about an allocation moving or freeing
 * the objects it holds.
 */
#include "vm/runtime/memory.h"

#include <stdio.h>
#include <stdlib.h>

#include "vm/runtime/vm.h"

/* Process-wide test hook, not VM state: the memory unit tests use it to
 * prove that host allocation failure is reported instead of crashing. */
static long fail_countdown = -1;

void vm_memory_fail_after(long count) { fail_countdown = count; }

static void out_of_host_memory(size_t size) {
    fprintf(stderr,
            "gilt: fatal: the host is out of memory (an allocation of %zu "
            "bytes failed)\n",
            size);
    exit(1);
}

void *vm_realloc(struct VmHeap *heap, void *ptr, size_t old_size,
                 size_t new_size) {
    if (heap && heap->concurrent) {
        __atomic_add_fetch(&heap->bytes_allocated, new_size - old_size, __ATOMIC_RELAXED);
    } else if (heap) {
        heap->bytes_allocated += new_size;
        heap->bytes_allocated -= old_size;
    }
    if (heap && new_size > old_size) {
        if (heap->concurrent) __atomic_add_fetch(&heap->allocations, 1, __ATOMIC_RELAXED);
        else heap->allocations++;
        if (heap->alloc_ps) heap->platform.ops->charge_ps(heap->platform.ctx, heap->alloc_ps);
        /* An atomic load (the plain move of before on x86): under
         * --gil none other threads add to the count meanwhile.  next_gc
         * is written only by the collector, with the world stopped, and
         * the breaker pointer stays the main thread's in that mode
         * (begin_hold in vm/gil/gil.c), so both are read plainly. */
        if (__atomic_load_n(&heap->bytes_allocated, __ATOMIC_RELAXED) > heap->next_gc &&
            heap->alloc_breaker)
            atomic_fetch_or(heap->alloc_breaker, VM_BREAK_GC);
    }
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    if (fail_countdown >= 0 && fail_countdown-- == 0)
        out_of_host_memory(new_size);
    void *result = realloc(ptr, new_size);
    if (!result) out_of_host_memory(new_size);
    return result;
}
