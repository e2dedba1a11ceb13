/*
 * tests/check_record.c - what a run records (vm/record/record.c, vm/record/stats.c):
 * the --trace file is valid trace-event JSON that Perfetto accepts (parsed
 * with json-c and checked field by field), --hist and --stats have their
 * columns, and every file appears whole.
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/gil/gil.h"
#include "vm/record/record.h"
#include "vm/record/stats.h"

static const char *program =
    "import threading, gilt\n"
    "h = gilt.Histogram('user')\n"
    "def work(i):\n"
    "    gilt.io(0.002)\n"
    "    h.record(0.001 * i)\n"
    "    n = 0\n"
    "    while n < 20000:\n"
    "        n += 1\n"
    "    gilt.mark('done %d' % i)\n"
    "ts = [threading.Thread(target=work, args=(i,)) for i in range(3)]\n"
    "for t in ts: t.start()\n"
    "for t in ts: t.join()\n";

static void run_recorded(const char *hist, const char *trace, const char *stats) {
    VmShared *vm = vm_shared_new(NULL);
    VmThread *th = vm_thread_new(vm);
    vm_record_enable(vm, hist, trace);
    vm_gil_acquire(th);
    ck_assert_int_eq(vm_run_source(th, program, "<record>"), VM_OK);
    ck_assert_int_eq(vm_record_finish(vm), 0);
    ck_assert_int_eq(vm_stats_write(vm, stats, 1000), 0);
    vm_gil_release(th);
    vm_shared_destroy(vm);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_trace_is_valid_trace_event_json) {
    char dir[] = "/tmp/gilt-record-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char hist[256], trace[256], stats[256];
    snprintf(hist, sizeof hist, "%s/h.csv", dir);
    snprintf(trace, sizeof trace, "%s/t.json", dir);
    snprintf(stats, sizeof stats, "%s/s.csv", dir);
    run_recorded(hist, trace, stats);

    json_object *root = json_tokener_parse(slurp(trace));
    ck_assert_ptr_nonnull(root);
    json_object *events;
    ck_assert(json_object_object_get_ex(root, "traceEvents", &events));
    ck_assert(json_object_is_type(events, json_type_array));
    size_t n = json_object_array_length(events);
    int names = 0, holds = 0, waits = 0, blocked = 0, marks = 0, flows = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(events, i), *ph, *pid, *tid, *name, *cat;
        ck_assert(json_object_object_get_ex(e, "ph", &ph));
        ck_assert(json_object_object_get_ex(e, "pid", &pid));
        ck_assert(json_object_object_get_ex(e, "tid", &tid));
        ck_assert(json_object_object_get_ex(e, "name", &name));
        /* Every event has a category, metadata too (trace-model loaders
         * fail on one without). */
        ck_assert(json_object_object_get_ex(e, "cat", &cat));
        const char *p = json_object_get_string(ph);
        const char *nm = json_object_get_string(name);
        const char *ct = json_object_get_string(cat);
        if (strcmp(p, "M") == 0) {
            if (strcmp(nm, "thread_name") == 0) names++;
        } else if (strcmp(p, "X") == 0) {
            json_object *ts, *dur, *args, *at;
            ck_assert(json_object_object_get_ex(e, "ts", &ts));
            ck_assert(json_object_object_get_ex(e, "dur", &dur));
            ck_assert(json_object_get_double(ts) >= 0);
            ck_assert(json_object_get_double(dur) >= 0);
            if (strcmp(nm, "holding the GIL") == 0) {
                ck_assert_str_eq(ct, "gil.holding");
                holds++;
            } else if (strcmp(nm, "waiting for the GIL") == 0) {
                ck_assert_str_eq(ct, "gil.waiting");
                waits++;
            } else if (strcmp(nm, "blocked on gilt.io") == 0) {
                ck_assert_str_eq(ct, "blocked");
                /* Where the program blocked: the gilt.io call, line 4. */
                ck_assert(json_object_object_get_ex(e, "args", &args));
                ck_assert(json_object_object_get_ex(args, "at", &at));
                ck_assert_str_eq(json_object_get_string(at), "<record>:4");
                blocked++;
            }
        } else if (strcmp(p, "i") == 0) {
            if (strncmp(nm, "done ", 5) == 0) marks++;
        } else if (strcmp(p, "s") == 0 || strcmp(p, "f") == 0) {
            flows++;
        } else {
            ck_abort_msg("unexpected phase %s", p);
        }
    }
    ck_assert_int_eq(names, 4); /* main + 3 threads */
    ck_assert_int_ge(holds, 4);
    ck_assert_int_eq(blocked, 3);
    ck_assert_int_eq(marks, 3);
    ck_assert_int_ge(waits, 1);
    ck_assert_int_ge(flows, 2);   /* at least one hand-off: start and finish */
    json_object_put(root);

    char *h = slurp(hist);
    const char *head = "policy,switch_interval_s,check_interval,force_switching,cores,mode,seed,";
    ck_assert(strncmp(h, head, strlen(head)) == 0);
    ck_assert_ptr_nonnull(strstr(h, ",costs,kind,name,count,min_us,p50_us,p90_us,p99_us,p999_us,"
                                    "max_us,mean_us,lower_us,upper_us\n"));
    ck_assert_ptr_nonnull(strstr(h, ",summary,\"gil_wait\","));
    ck_assert_ptr_nonnull(strstr(h, ",bucket,\"gil_wait\","));
    /* Every blocking call that released the GIL (the three gilt.io calls,
     * and lock waits in start/join) returns through the GIL once. */
    char *io = strstr(h, ",summary,\"io_to_running\",");
    ck_assert_ptr_nonnull(io);
    ck_assert_int_ge(atoi(io + strlen(",summary,\"io_to_running\",")), 3);
    ck_assert_ptr_nonnull(strstr(h, ",summary,\"user\",3,"));
    char *s = slurp(stats);
    ck_assert(strncmp(s, "policy,switch_interval_s,", 25) == 0);
    int rows = 0;
    for (char *q = s; *q; q++) rows += *q == '\n';
    ck_assert_int_eq(rows, 5); /* header + 4 threads */
    remove(hist);
    remove(trace);
    remove(stats);
    rmdir(dir);
}
END_TEST

START_TEST(test_unwritable_output_is_an_error) {
    VmShared *vm = vm_shared_new(NULL);
    VmThread *th = vm_thread_new(vm);
    vm_record_enable(vm, "/nonexistent-dir/h.csv", NULL);
    vm_gil_acquire(th);
    ck_assert_int_eq(vm_run_source(th, "x = 1\n", "<record>"), VM_OK);
    ck_assert_int_eq(vm_record_finish(vm), -1);
    ck_assert_int_eq(vm_stats_write(vm, "/nonexistent-dir/s.csv", 1), -1);
    vm_gil_release(th);
    vm_shared_destroy(vm);
}
END_TEST

Suite *record_suite(void) {
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("vm_record_finish");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_trace_is_valid_trace_event_json);
    tcase_add_test(tc, test_unwritable_output_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}
