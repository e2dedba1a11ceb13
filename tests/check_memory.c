/*
 * tests/check_memory.c - the allocation funnel (vm/runtime/memory.c): byte counting,
 * the collection request through the eval breaker, and a clear fatal
 * message instead of a crash when the host runs out of memory.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_suites.h"
#include "vm/runtime/memory.h"
#include "vm/runtime/vm.h"

START_TEST(test_realloc_counts_bytes) {
    VmHeap heap;
    memset(&heap, 0, sizeof heap);
    heap.next_gc = 1u << 30;
    char *p = vm_realloc(&heap, NULL, 0, 100);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(heap.bytes_allocated, 100);
    p = vm_realloc(&heap, p, 100, 300);
    ck_assert_uint_eq(heap.bytes_allocated, 300);
    p = vm_realloc(&heap, p, 300, 50);
    ck_assert_uint_eq(heap.bytes_allocated, 50);
    vm_realloc(&heap, p, 50, 0);
    ck_assert_uint_eq(heap.bytes_allocated, 0);
}
END_TEST

START_TEST(test_realloc_without_heap_is_uncounted) {
    char *p = vm_realloc(NULL, NULL, 0, 64);
    memset(p, 'x', 64);
    p = vm_realloc(NULL, p, 64, 128);
    ck_assert_int_eq(p[63], 'x');
    vm_realloc(NULL, p, 128, 0);
}
END_TEST

START_TEST(test_threshold_requests_gc) {
    VmHeap heap;
    memset(&heap, 0, sizeof heap);
    _Atomic uint32_t breaker = 0;
    heap.alloc_breaker = &breaker;
    heap.next_gc = 1000;
    void *a = vm_realloc(&heap, NULL, 0, 600);
    ck_assert_uint_eq(atomic_load(&breaker) & VM_BREAK_GC, 0);
    void *b = vm_realloc(&heap, NULL, 0, 600);
    ck_assert_uint_ne(atomic_load(&breaker) & VM_BREAK_GC, 0);
    vm_realloc(&heap, a, 600, 0);
    vm_realloc(&heap, b, 600, 0);
}
END_TEST

START_TEST(test_host_failure_is_fatal_not_a_crash) {
    vm_memory_fail_after(0);
    (void)vm_realloc(NULL, NULL, 0, 16);
}
END_TEST

Suite *memory_suite(void) {
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("vm_realloc");
    tcase_add_test(tc, test_realloc_counts_bytes);
    tcase_add_test(tc, test_realloc_without_heap_is_uncounted);
    tcase_add_test(tc, test_threshold_requests_gc);
    /* exit(1) with a message, in a forked child. */
    tcase_add_exit_test(tc, test_host_failure_is_fatal_not_a_crash, 1);
    suite_add_tcase(s, tc);
    return s;
}
