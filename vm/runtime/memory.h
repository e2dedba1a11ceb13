/*
 * vm/runtime/memory.h - the one allocation funnel of the VM.
 *
 * Every byte the VM allocates goes through vm_realloc(), as in clox's
 * reallocate() and Lua's frealloc, so the heap can count live bytes, decide
 * when to collect, and enforce --max-heap.  Real allocation failure (the host
 * is out of memory) is fatal with a clear message: MemoryError for a Python
 * program comes from the heap limit, checked at safe points and by natives
 * that are asked to build something huge (vm_heap_check_request).
 */
#ifndef GILT_VM_RUNTIME_MEMORY_H
#define GILT_VM_RUNTIME_MEMORY_H

#include <stddef.h>
#include <stdint.h>

struct VmHeap;

/* Resize a block.  old_size and new_size are in bytes; new_size 0 frees.  The
 * heap may be NULL for allocations that belong to no VM (the compiler's
 * scratch space); those are not counted. */
void *vm_realloc(struct VmHeap *heap, void *ptr, size_t old_size, size_t new_size);

/* Test hook: make every allocation after `count` more fail (fatally).  -1
 * turns it off.  Used by the memory unit tests. */
void vm_memory_fail_after(long count);

#define VM_ALLOCATE(heap, type, n) \
    ((type *)vm_realloc((heap), NULL, 0, sizeof(type) * (size_t)(n)))
#define VM_FREE(heap, type, ptr) vm_realloc((heap), (ptr), sizeof(type), 0)
#define VM_GROW_CAPACITY(cap) ((cap) < 8 ? 8 : (cap) * 2)
#define VM_GROW_ARRAY(heap, type, ptr, old_n, new_n)                        \
    ((type *)vm_realloc((heap), (ptr), sizeof(type) * (size_t)(old_n),      \
                        sizeof(type) * (size_t)(new_n)))
#define VM_FREE_ARRAY(heap, type, ptr, n) \
    vm_realloc((heap), (ptr), sizeof(type) * (size_t)(n), 0)

/* memcpy/memmove that accept a zero length with NULL pointers (an empty
 * list has no items array), which the C library calls do not. */
#include <string.h>
static inline void safe_memcpy(void *dst, const void *src, size_t n) {
    if (n) memcpy(dst, src, n);
}
static inline void safe_memmove(void *dst, const void *src, size_t n) {
    if (n) memmove(dst, src, n);
}

#endif /* GILT_VM_RUNTIME_MEMORY_H */
