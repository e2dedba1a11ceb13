/*
 * tests/check_costs.c - the --sim cost model (vm/platform/costs.c): opcode classes,
 * the default table, and cost files (round trip, and clear errors for bad
 * ones), plus what the interpreter does with the table: the virtual CPU
 * counter grows by exactly the listed cost of each executed instruction.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/platform/costs.h"
#include "vm/gil/gil.h"

static Opcode op_named(const char *name) {
    for (int op = 0; op < OP__COUNT; op++)
        if (strcmp(vm_opcode_name((Opcode)op), name) == 0) return (Opcode)op;
    ck_abort_msg("no opcode %s", name);
    return OP_NOP;
}

START_TEST(test_classes) {
    ck_assert_int_eq(vm_cost_class(op_named("LOAD_FAST")), COST_SIMPLE);
    ck_assert_int_eq(vm_cost_class(op_named("STORE_FAST")), COST_SIMPLE);
    ck_assert_int_eq(vm_cost_class(op_named("BINARY_ADD")), COST_ARITH);
    ck_assert_int_eq(vm_cost_class(op_named("COMPARE_LT")), COST_ARITH);
    ck_assert_int_eq(vm_cost_class(op_named("BINARY_SUBSCR")), COST_ACCESS);
    ck_assert_int_eq(vm_cost_class(op_named("LOAD_ATTR")), COST_ACCESS);
    ck_assert_int_eq(vm_cost_class(op_named("LOAD_GLOBAL")), COST_ACCESS);
    ck_assert_int_eq(vm_cost_class(op_named("JUMP_BACK")), COST_JUMP);
    ck_assert_int_eq(vm_cost_class(op_named("CALL")), COST_CALL);
    ck_assert_int_eq(vm_cost_class(op_named("RETURN_VALUE")), COST_CALL);
    ck_assert_int_eq(vm_cost_class(op_named("BUILD_LIST")), COST_BUILD);
    ck_assert_int_eq(vm_cost_class(op_named("FAST_IMM_ARITH_STORE")), COST_FUSED);
    CostModel m;
    vm_costs_default(&m);
    for (int op = 0; op < OP__COUNT; op++) ck_assert_uint_gt(m.op_ps[op], 0);
    ck_assert_str_eq(m.source, "built-in default");
}
END_TEST

static char path[64];

static void write_file(const char *text) {
    snprintf(path, sizeof path, "/tmp/gilt-costs-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(test_file_round_trip) {
    CostModel a, b;
    vm_costs_default(&a);
    a.op_ps[op_named("CALL")] = 12345;
    a.alloc_ps = 777;
    a.os.wake_min_ns = 42;
    a.os.msg_ns = 4242;
    snprintf(path, sizeof path, "/tmp/gilt-costs-%d.json", (int)getpid());
    ck_assert_int_eq(vm_costs_save(&a, path, "unit test"), 0);
    vm_costs_default(&b);
    char err[256];
    ck_assert_int_eq(vm_costs_load(&b, path, err, sizeof err), 0);
    ck_assert_uint_eq(b.op_ps[op_named("CALL")], 12345);
    ck_assert_uint_eq(b.alloc_ps, 777);
    ck_assert_uint_eq(b.os.wake_min_ns, 42);
    ck_assert_uint_eq(b.os.msg_ns, 4242);
    ck_assert_int_eq(memcmp(a.op_ps, b.op_ps, sizeof a.op_ps), 0);
    ck_assert_ptr_nonnull(strstr(b.source, "unit test"));
    unlink(path);
}
END_TEST

static void assert_load_fails(const char *text, const char *want) {
    write_file(text);
    CostModel m;
    vm_costs_default(&m);
    char err[256] = "";
    ck_assert_int_eq(vm_costs_load(&m, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
    unlink(path);
}

START_TEST(test_bad_files) {
    assert_load_fails("{\"format\": \"gilt-costs-9\"}", "unsupported format");
    assert_load_fails("{\"opcodes_ps\": {\"LOAD_FASTER\": 1}}", "unknown opcode \"LOAD_FASTER\"");
    assert_load_fails("{\"opcodes_ps\": {\"LOAD_FAST\": -1}}", "from 0 to 10000000");
    assert_load_fails("{\"opcodes_ps\": {\"LOAD_FAST\": 20000000}}", "from 0 to 10000000");
    assert_load_fails("{\"os\": {\"wake_latency\": 1}}", "unknown OS figure");
    assert_load_fails("{\"os\": 3}", "must be an object");
    assert_load_fails("{\"speed\": 1}", "unknown key \"speed\"");
    assert_load_fails("[1, 2]", "a cost file is a JSON object");
    assert_load_fails("{\"format\": ", "not valid JSON");
    /* Well-formed but not a model the simulator can run: the same checks
     * as the options (sim_config_validate). */
    assert_load_fails("{\"os\": {\"timeslice_ns\": 0}}", "os: timeslice_ns is 0");
    assert_load_fails("{\"os\": {\"wake_min_ns\": 5000, \"wake_mean_ns\": 3000}}",
                      "os: wake_mean_ns (3000) is below wake_min_ns (5000)");
    /* Only the minimum: the default mean (15 us) is below it. */
    assert_load_fails("{\"os\": {\"wake_min_ns\": 50000}}", "is below wake_min_ns (50000)");
    assert_load_fails("{\"os\": {\"wake_tail_ppm\": 5000000}}",
                      "os: wake_tail_ppm is 5000000, more than 1000000");
    assert_load_fails("{\"os\": {\"timer_slack_ns\": 999999999000000000}}",
                      "os: timer_slack_ns is 999999999000000000 ns, more than an hour");
    assert_load_fails("{\"os\": {\"msg_ns\": 3600000000001}}", "os: msg_ns is 3600000000001 ns");
    CostModel m;
    char err[256];
    ck_assert_int_eq(vm_costs_load(&m, "/nonexistent/costs.json", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot open cost file"));
}
END_TEST

/* The interpreter adds each executed instruction's cost to vtime_ps. */
START_TEST(test_interpreter_charges_costs) {
    TestVm t = test_vm_new();
    VmThread *th = t.th;
    VmShared *vm = t.vm;
    uint32_t table[OP__COUNT];
    for (int op = 0; op < OP__COUNT; op++) table[op] = 1000;
    vm_set_op_costs(vm, table, OP__COUNT);
    uint64_t before_bc = th->bytecodes, before_ps = th->vtime_ps;
    vm_run_source(th, "x = 0\nfor i in range(100):\n    x = x + i\n", "<test>");
    uint64_t executed = th->bytecodes - before_bc;
    ck_assert_uint_gt(executed, 300);
    /* Fused instructions count as several bytecodes but cost one entry,
     * so the cost is at most 1 ns per counted bytecode. */
    ck_assert_uint_le(th->vtime_ps - before_ps, executed * 1000);
    ck_assert_uint_ge(th->vtime_ps - before_ps, executed * 1000 / 4);
    /* Real mode (the plain loop) charges nothing, whatever the table. */
    vm->charge_costs = false;
    before_ps = th->vtime_ps;
    vm_run_source(th, "y = 1\n", "<test>");
    ck_assert_uint_eq(th->vtime_ps, before_ps);
    test_vm_free(&t);
}
END_TEST

Suite *costs_suite(void) {
    Suite *s = suite_create("costs");
    TCase *tc = tcase_create("cost_classes");
    tcase_add_test(tc, test_classes);
    suite_add_tcase(s, tc);
    tc = tcase_create("cost_files");
    tcase_add_test(tc, test_file_round_trip);
    tcase_add_test(tc, test_bad_files);
    suite_add_tcase(s, tc);
    tc = tcase_create("cost_charging");
    tcase_add_test(tc, test_interpreter_charges_costs);
    suite_add_tcase(s, tc);
    return s;
}
