/*
 * tests/check_gc.c - the collector (vm/runtime/gc.c): garbage is freed so a long
 * loop runs in bounded memory, everything reachable survives, and the
 * --max-heap limit turns runaway growth into MemoryError.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/runtime/gc.h"

/* Run source in a VM kept alive afterwards so the heap can be inspected. */
static VmResult run_keep(VmShared *vm, const char *source, char **out) {
    size_t len;
    FILE *f = open_memstream(out, &len);
    vm->out = f;
    vm->err = f;
    VmThread *th = vm_thread_new(vm);
    th->holds_gil = true;
    VmResult r = vm_run_source(th, source, "<gc-test>");
    fclose(f);
    vm->out = stdout;
    vm->err = stderr;
    return r;
}

START_TEST(test_garbage_is_collected) {
    VmShared *vm = vm_shared_new(NULL);
    char *out = NULL;
    /* About 400 MB of short-lived lists and strings in total. */
    VmResult r = run_keep(vm,
                          "total = 0\n"
                          "for i in range(200000):\n"
                          "    xs = [str(i), str(i + 1), [i] * 100]\n"
                          "    total += len(xs)\n"
                          "print(total)\n",
                          &out);
    ck_assert_int_eq(r, VM_OK);
    ck_assert_str_eq(out, "600000\n");
    ck_assert_uint_gt(vm->heap.collections, 0);
    /* Live data is tiny; the heap must stay within a few thresholds. */
    ck_assert_uint_lt(vm->heap.bytes_allocated, 64u * 1024 * 1024);
    free(out);
    vm_shared_destroy(vm);
}
END_TEST

START_TEST(test_reachable_objects_survive) {
    VmShared *vm = vm_shared_new(NULL);
    char *out = NULL;
    VmResult r = run_keep(vm,
                          "class Node:\n"
                          "    def __init__(self, v, nxt):\n"
                          "        self.v = v\n"
                          "        self.nxt = nxt\n"
                          "head = None\n"
                          "for i in range(1000):\n"
                          "    head = Node(i, head)\n"
                          "d = {'k%d' % i: (i, [i]) for i in range(1000)}\n"
                          "def gen():\n"
                          "    keep = [1, 2, 3]\n"
                          "    for x in keep:\n"
                          "        yield x\n"
                          "g = gen()\n"
                          "first = next(g)\n"
                          "for j in range(300000):\n"
                          "    junk = [j, str(j)]\n"
                          "s = 0\n"
                          "n = head\n"
                          "while n is not None:\n"
                          "    s += n.v\n"
                          "    n = n.nxt\n"
                          "print(s, d['k999'], first, list(g))\n",
                          &out);
    ck_assert_msg(r == VM_OK, "failed: %s", out);
    ck_assert_str_eq(out, "499500 (999, [999]) 1 [2, 3]\n");
    ck_assert_uint_gt(vm->heap.collections, 0);
    free(out);
    vm_shared_destroy(vm);
}
END_TEST

START_TEST(test_max_heap_raises_memory_error) {
    VmOptions o;
    vm_options_default(&o);
    o.max_heap = 32u * 1024 * 1024;
    TestRun r = test_run_with("xs = []\n"
                              "try:\n"
                              "    while True:\n"
                              "        xs.append([0] * 1000)\n"
                              "except MemoryError:\n"
                              "    n = len(xs)\n"
                              "    xs = None\n"
                              "    print('MemoryError caught', n > 100)\n",
                              &o);
    ck_assert_msg(r.result == VM_OK, "failed: %s", r.err);
    ck_assert_str_eq(r.out, "MemoryError caught True\n");
    test_run_free(&r);
}
END_TEST

Suite *gc_suite(void) {
    Suite *s = suite_create("gc");
    TCase *tc = tcase_create("vm_gc_collect");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_garbage_is_collected);
    tcase_add_test(tc, test_reachable_objects_survive);
    tcase_add_test(tc, test_max_heap_raises_memory_error);
    suite_add_tcase(s, tc);
    return s;
}
