/*
 * tests/check_helpers.h - helpers shared by the Check suites: a fresh VM,
 * and running a program with its stdout and stderr captured.
 */
#ifndef GILT_TESTS_CHECK_HELPERS_H
#define GILT_TESTS_CHECK_HELPERS_H

#include "vm/runtime/vm.h"

typedef struct {
    char *out;          /* everything the program printed */
    char *err;          /* tracebacks and compile errors */
    VmResult result;
    int exit_status;
} TestRun;

/* Run `source` as __main__ in a fresh VM (options may be NULL). */
TestRun test_run_with(const char *source, const VmOptions *options);
TestRun test_run(const char *source);
void test_run_free(TestRun *r);

/* The same on a chosen platform: sim NULL runs on options->platform (the
 * real one if that is NULL too), else on a
 * new simulator with that model and the built-in opcode costs.  inspect
 * (may be NULL) sees the VM after the program ended, before it goes. */
struct SimConfig;
TestRun test_run_on(const char *source, const VmOptions *options, const struct SimConfig *sim,
                    void (*inspect)(VmShared *vm, void *arg), void *arg);

/* A simulator model with no OS noise (no wake-up latency, context-switch,
 * timer-slack, system-call, lock or spawn cost), so virtual times are
 * exact; the time slice (3 ms) stays, so threads beyond the number of
 * cores still share them. */
void test_exact_sim_config(struct SimConfig *c, int cores);

/* Assert that source prints exactly `expected` and succeeds. */
#define ck_assert_prints(source, expected)                                    \
    do {                                                                      \
        TestRun r_ = test_run(source);                                        \
        ck_assert_msg(r_.result == VM_OK, "program failed: %s", r_.err);      \
        ck_assert_str_eq(r_.out, expected);                                   \
        test_run_free(&r_);                                                   \
    } while (0)

/* Assert that source fails and the last line of stderr is `last_line`. */
void test_assert_fails_with(const char *source, const char *last_line);

/* A VM and its main thread for tests that call C functions directly. */
typedef struct {
    VmShared *vm;
    VmThread *th;
} TestVm;
TestVm test_vm_new(void);
void test_vm_free(TestVm *t);

#endif /* GILT_TESTS_CHECK_HELPERS_H */
