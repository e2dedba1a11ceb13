/*
 * tests/check_helpers.c - see check_helpers.h.
 */
#include "tests/check_helpers.h"

#include "sim/sched.h"
#include "vm/gil/gil.h"
#include "vm/platform/costs.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestRun test_run_with(const char *source, const VmOptions *options) {
    return test_run_on(source, options, NULL, NULL, NULL);
}

TestRun test_run_on(const char *source, const VmOptions *options, const SimConfig *simcfg,
                    void (*inspect)(VmShared *vm, void *arg), void *arg) {
    VmOptions o;
    if (options) o = *options;
    else vm_options_default(&o);
    Sim *sim = NULL;
    VmPlatform platform = o.platform ? *o.platform : vm_platform_real();
    if (simcfg) {
        sim = sim_new(simcfg);
        ck_assert_ptr_nonnull(sim);
        platform = vm_platform_sim(sim);
        o.seed_set = true;
    }
    o.platform = &platform;
    TestRun r;
    size_t out_len = 0, err_len = 0;
    memset(&r, 0, sizeof r);
    FILE *out = open_memstream(&r.out, &out_len);
    FILE *err = open_memstream(&r.err, &err_len);
    VmShared *vm = vm_shared_new(&o);
    vm->out = out;
    vm->err = err;
    VmThread *th = vm_thread_new(vm);
    if (sim) {
        static CostModel costs;
        vm_costs_default(&costs);
        vm_set_costs(vm, costs.op_ps, OP__COUNT, costs.alloc_ps, costs.source);
    }
    vm_gil_acquire(th);
    r.result = vm_run_source(th, source, "<test>");
    r.exit_status = vm->exit_status;
    fflush(out);
    if (inspect) inspect(vm, arg);
    vm_gil_release(th);
    vm_shared_destroy(vm);
    if (sim) sim_free(sim);
    fclose(out);
    fclose(err);
    return r;
}

void test_exact_sim_config(SimConfig *c, int cores) {
    sim_config_default(c);
    c->cores = cores;
    c->wake_min_ns = c->wake_mean_ns = 0;
    c->ctx_switch_ns = c->timer_slack_ns = c->syscall_ns = c->lock_ns = c->spawn_ns = 0;
}

TestRun test_run(const char *source) { return test_run_with(source, NULL); }

void test_run_free(TestRun *r) {
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

void test_assert_fails_with(const char *source, const char *last_line) {
    TestRun r = test_run(source);
    ck_assert_msg(r.result != VM_OK, "program should have failed");
    /* The last non-empty line of stderr. */
    char *end = r.err + strlen(r.err);
    while (end > r.err && end[-1] == '\n') *--end = '\0';
    char *start = strrchr(r.err, '\n');
    start = start ? start + 1 : r.err;
    ck_assert_str_eq(start, last_line);
    test_run_free(&r);
}

TestVm test_vm_new(void) {
    TestVm t;
    t.vm = vm_shared_new(NULL);
    t.th = vm_thread_new(t.vm);
    t.th->holds_gil = true;
    return t;
}

void test_vm_free(TestVm *t) {
    vm_shared_destroy(t->vm);
    t->vm = NULL;
    t->th = NULL;
}
