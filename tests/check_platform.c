/*
 * tests/check_platform.c - the seam between the VM and the world
 * (vm/platform/): the real platform's locks and clock, the simulator's
 * virtual clock as the VM sees it, objects that keep the platform they
 * were made on, and two VMs sharing one simulator's virtual cores.
 */
#include <check.h>
#include <string.h>

#include "sim/sched.h"
#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/gil/gil.h"
#include "vm/platform/costs.h"
#include "vm/platform/platform.h"

START_TEST(test_real_locks_and_clock) {
    VmPlatform p = vm_platform_real();
    VmMutex m;
    VmCond c;
    vm_mutex_init(&m, &p);
    vm_cond_init(&c, &p);
    uint64_t t0 = vm_platform_now_ns(&p);
    vm_mutex_lock(&m);
    ck_assert_int_eq(vm_cond_timedwait(&c, &m, 2000000), 1);  /* times out */
    vm_mutex_unlock(&m);
    ck_assert_uint_ge(vm_platform_now_ns(&p) - t0, 2000000);
    /* A wait longer than a timespec holds is a wait without a deadline,
     * not an overflowed one that returns at once. */
    vm_cond_signal(&c);
    vm_cond_fini(&c);
    vm_mutex_fini(&m);
    VmPlatformReport r;
    p.ops->report(p.ctx, &r);
    ck_assert_str_eq(r.mode, "real");
    ck_assert(!r.virtual_time);
    ck_assert_int_ge(r.cores, 1);
    ck_assert_uint_eq(r.os.timeslice_ns, 0);   /* no model in real mode */
    ck_assert_uint_gt(vm_platform_realtime_ns(&p) / 1000000000ull, 1577836800ull);
}
END_TEST

START_TEST(test_virtual_clock_follows_cpu_and_sleeps) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, 1);
    cfg.timer_slack_ns = 50000;
    Sim *s = sim_new(&cfg);
    VmPlatform p = vm_platform_sim(s);
    uint64_t cpu_ps = 0, horizon_ps = 0;
    p.ops->thread_bind(p.ctx, &cpu_ps, &horizon_ps);
    ck_assert_uint_eq(vm_platform_now_ns(&p), 0);
    cpu_ps = 2000000; /* the interpreter consumed 2 us of CPU */
    ck_assert_uint_eq(vm_platform_now_ns(&p), 2000);
    /* Alone, a thread may run far ahead: its horizon is the next event or
     * the longest segment. */
    ck_assert_uint_ge(horizon_ps, 1000000000ull);
    vm_platform_sleep_ns(&p, 5000000000ull); /* instant in wall time */
    ck_assert_uint_eq(vm_platform_now_ns(&p), 5000052000ull);
    /* time.time() is a fixed epoch (2026-01-01) plus virtual time. */
    ck_assert_uint_eq(vm_platform_realtime_ns(&p),
                      1767225600ull * 1000000000ull + 5000052000ull);
    vm_platform_burn_ns(&p, 1000);
    ck_assert_uint_eq(vm_platform_now_ns(&p), 5000053000ull);
    ck_assert_int_eq(p.ops->getpid(p.ctx), 1000);
    VmPlatformReport r;
    p.ops->report(p.ctx, &r);
    ck_assert_str_eq(r.mode, "sim");
    ck_assert(r.virtual_time);
    ck_assert_int_eq(r.cores, 1);
    ck_assert_ptr_nonnull(strstr(r.os_model, "timer_slack_ns=50000"));
    /* The model figure by figure, as the configuration has them. */
    ck_assert_uint_eq(r.os.timer_slack_ns, 50000);
    ck_assert_uint_eq(r.os.timeslice_ns, cfg.timeslice_ns);
    ck_assert_uint_eq(r.os.wake_mean_ns, cfg.wake_mean_ns);
    ck_assert_uint_eq(r.os.lookahead_ns, cfg.lookahead_ns);
    p.ops->thread_bind(p.ctx, NULL, NULL);
    sim_free(s);
}
END_TEST

START_TEST(test_objects_keep_their_platform) {
    /* A lock made on the simulator stays virtual while a lock made on the
     * host stays a pthread one: no process-wide mode decides. */
    SimConfig cfg;
    test_exact_sim_config(&cfg, 1);
    cfg.timer_slack_ns = 0;
    Sim *s = sim_new(&cfg);
    VmPlatform vp = vm_platform_sim(s), rp = vm_platform_real();
    VmMutex vm_, rm;
    VmCond vc;
    vm_mutex_init(&vm_, &vp);
    vm_cond_init(&vc, &vp);
    vm_mutex_init(&rm, &rp);
    vm_mutex_lock(&rm);
    vm_mutex_lock(&vm_);
    /* A virtual timed wait of 3 s passes 3 s of virtual time, at once. */
    uint64_t host0 = vm_platform_now_ns(&rp);
    ck_assert_int_eq(vm_cond_timedwait(&vc, &vm_, 3000000000ull), 1);
    ck_assert_uint_eq(vm_platform_now_ns(&vp), 3000000000ull);
    ck_assert_uint_lt(vm_platform_now_ns(&rp) - host0, 1000000000ull);
    vm_mutex_unlock(&vm_);
    vm_mutex_unlock(&rm);
    vm_mutex_fini(&rm);
    vm_cond_fini(&vc);
    vm_mutex_fini(&vm_);
    sim_free(s);
}
END_TEST

/* ---- two VMs on one simulator ------------------------------------------ */

static const char *const countdown =
    "def count(n):\n"
    "    while n > 0:\n"
    "        n -= 1\n"
    "count(200000)\n";

typedef struct {
    VmPlatform platform;
    uint64_t end_ns;      /* virtual time when its program ended */
    uint64_t bytecodes;
    bool done;
} SecondVm;

static uint64_t run_countdown(const VmPlatform *p, uint64_t *bytecodes) {
    VmOptions o;
    vm_options_default(&o);
    o.platform = p;
    o.seed_set = true;
    VmShared *vm = vm_shared_new(&o);
    VmThread *th = vm_thread_new(vm);
    CostModel costs;
    vm_costs_default(&costs);
    vm_set_costs(vm, costs.op_ps, OP__COUNT, costs.alloc_ps, costs.source);
    vm_gil_acquire(th);
    ck_assert_int_eq(vm_run_source(th, countdown, "<countdown>"), VM_OK);
    uint64_t end = vm_now_ns(vm);
    *bytecodes = th->bytecodes;
    vm_gil_release(th);
    vm_shared_destroy(vm);
    return end;
}

static void *second_vm_main(void *arg) {
    SecondVm *b = arg;
    b->end_ns = run_countdown(&b->platform, &b->bytecodes);
    b->done = true;
    return NULL;
}

/* Run the countdown in two VMs at once on `cores` virtual cores; returns
 * the first VM's end time and stores the second's. */
static uint64_t two_vms(int cores, uint64_t *second_end) {
    SimConfig cfg;
    test_exact_sim_config(&cfg, cores);
    Sim *s = sim_new(&cfg);
    SecondVm b;
    memset(&b, 0, sizeof b);
    b.platform = vm_platform_sim(s);
    ck_assert_ptr_nonnull(sim_thread_start(s, second_vm_main, &b, "second VM", NULL, NULL));
    uint64_t bytecodes = 0;
    uint64_t end_a = run_countdown(&b.platform, &bytecodes);
    while (!b.done) sim_sleep(s, 1000);
    ck_assert_uint_eq(bytecodes, b.bytecodes);
    *second_end = b.end_ns;
    sim_free(s);
    return end_a;
}

START_TEST(test_two_vms_share_the_virtual_cores) {
    /* Each VM has its own heap and its own lock, so on two cores they run
     * in parallel (both end at about the time one alone takes), and on
     * one core they share it (both end at about twice that). */
    uint64_t b2, b1;
    uint64_t a2 = two_vms(2, &b2);
    uint64_t a1 = two_vms(1, &b1);
    ck_assert_uint_gt(a2, 0);
    double parallel = (double)(a2 > b2 ? a2 : b2);
    double shared = (double)(a1 > b1 ? a1 : b1);
    ck_assert_msg(shared / parallel > 1.8 && shared / parallel < 2.2,
                  "one core %.0f ns vs two cores %.0f ns", shared, parallel);
    ck_assert_msg((double)a2 / (double)b2 > 0.95 && (double)a2 / (double)b2 < 1.05,
                  "two cores: %llu vs %llu ns", (unsigned long long)a2,
                  (unsigned long long)b2);
}
END_TEST

START_TEST(test_two_vm_runs_replay) {
    uint64_t b, b_again;
    uint64_t a = two_vms(2, &b);
    uint64_t a_again = two_vms(2, &b_again);
    ck_assert_uint_eq(a, a_again);
    ck_assert_uint_eq(b, b_again);
}
END_TEST

START_TEST(test_program_on_each_platform) {
    const char *src = "import time, os\n"
                      "t = time.monotonic()\n"
                      "time.sleep(2)\n"
                      "print(round(time.monotonic() - t))\n";
    SimConfig cfg;
    test_exact_sim_config(&cfg, 2);
    TestRun r = test_run_on(src, NULL, &cfg, NULL, NULL);
    ck_assert_int_eq(r.result, VM_OK);
    ck_assert_str_eq(r.out, "2\n");
    test_run_free(&r);
    r = test_run_on("import os\nprint(os.getpid())\n", NULL, &cfg, NULL, NULL);
    ck_assert_str_eq(r.out, "1000\n");
    test_run_free(&r);
}
END_TEST

Suite *platform_suite(void) {
    Suite *s = suite_create("platform");
    TCase *tc = tcase_create("vm_platform_real");
    tcase_add_test(tc, test_real_locks_and_clock);
    suite_add_tcase(s, tc);
    tc = tcase_create("vm_platform_sim");
    tcase_add_test(tc, test_virtual_clock_follows_cpu_and_sleeps);
    tcase_add_test(tc, test_objects_keep_their_platform);
    tcase_add_test(tc, test_program_on_each_platform);
    suite_add_tcase(s, tc);
    tc = tcase_create("several_vms_one_sim");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_two_vms_share_the_virtual_cores);
    tcase_add_test(tc, test_two_vm_runs_replay);
    suite_add_tcase(s, tc);
    return s;
}
