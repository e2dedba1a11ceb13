/*
 * tests/check_hist.c - log-linear histograms (vm/record/hist.c): exact small
 * values, bounded relative error, percentiles and merging, the buckets.
 */
#include <check.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/record/hist.h"

START_TEST(test_small_values_exact) {
    VmHist h;
    vm_hist_init(&h);
    for (uint64_t v = 1; v <= 100; v++) vm_hist_record(&h, v);
    ck_assert_uint_eq(h.count, 100);
    ck_assert_uint_eq(vm_hist_percentile(&h, 50), 50);
    ck_assert_uint_eq(vm_hist_percentile(&h, 99), 99);
    ck_assert_uint_eq(vm_hist_percentile(&h, 100), 100);
    ck_assert_uint_eq(h.min, 1);
    ck_assert(vm_hist_mean(&h) == 50.5);
    vm_hist_fini(&h);
}
END_TEST

START_TEST(test_relative_error_bounded) {
    VmHist h;
    vm_hist_init(&h);
    uint64_t vals[] = {3000, 123456, 5000000, 987654321, 4000000000ull, 1ull << 50};
    for (size_t i = 0; i < 6; i++) {
        vm_hist_init(&h);
        vm_hist_record(&h, vals[i] - 1);
        vm_hist_record(&h, vals[i]);
        uint64_t p = vm_hist_percentile(&h, 50);
        double err = (double)(p > vals[i] ? p - vals[i] : vals[i] - p) / (double)vals[i];
        ck_assert_msg(err < 0.001, "value %llu reported as %llu", (unsigned long long)vals[i],
                      (unsigned long long)p);
        vm_hist_fini(&h);
    }
}
END_TEST

START_TEST(test_percentiles_and_merge) {
    VmHist a, b;
    vm_hist_init(&a);
    vm_hist_init(&b);
    for (int i = 0; i < 900; i++) vm_hist_record(&a, 1000);       /* 1 us */
    for (int i = 0; i < 100; i++) vm_hist_record(&b, 5000000);    /* 5 ms */
    vm_hist_merge(&a, &b);
    ck_assert_uint_eq(a.count, 1000);
    ck_assert_uint_eq(vm_hist_percentile(&a, 50), 1000);
    ck_assert_uint_eq(vm_hist_percentile(&a, 90), 1000);
    uint64_t p99 = vm_hist_percentile(&a, 99);
    ck_assert_uint_ge(p99, 4995000);
    ck_assert_uint_le(p99, 5005000);
    ck_assert_uint_eq(a.max, 5000000);
    vm_hist_fini(&a);
    vm_hist_fini(&b);
}
END_TEST

START_TEST(test_gilt_histogram_from_python) {
    ck_assert_prints("import gilt\nh = gilt.Histogram('lat')\n"
                     "for i in range(1, 101):\n    h.record(i / 1000)\n"
                     "print(h.name, h.count(), round(h.percentile(50), 4), round(h.max(), 4))\n",
                     "lat 100 0.05 0.1\n");
}
END_TEST

/* The buckets redraw the histogram: they cover every value once, in
 * increasing order, and each percentile is the top of the bucket holding
 * its rank (or the maximum). */
START_TEST(test_buckets_redraw_the_histogram) {
    VmHist h;
    vm_hist_init(&h);
    uint64_t x = 12345;
    for (int i = 0; i < 5000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        vm_hist_record(&h, (x >> 40) % 3000000);   /* 0 .. 3 ms */
    }
    vm_hist_record(&h, 1ull << 45);                /* a lone outlier */
    uint64_t lo, hi, count, seen = 0, last_hi = 0, buckets = 0;
    int it = 0;
    bool first = true;
    while (vm_hist_bucket_next(&h, &it, &lo, &hi, &count)) {
        ck_assert_uint_gt(count, 0);
        ck_assert_uint_le(lo, hi);
        if (!first) ck_assert_uint_gt(lo, last_hi);
        if (first) ck_assert(lo <= h.min && h.min <= hi);
        first = false;
        last_hi = hi;
        seen += count;
        buckets++;
    }
    ck_assert_uint_eq(seen, h.count);
    ck_assert(lo <= h.max && h.max <= hi);   /* the last bucket */
    ck_assert_uint_gt(buckets, 1000);
    static const double pcts[] = {0, 1, 50, 90, 99, 99.9, 100};
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
        uint64_t rank = (uint64_t)(pcts[i] / 100.0 * (double)h.count + 0.5), want = 0;
        if (rank < 1) rank = 1;
        seen = 0;
        it = 0;
        while (vm_hist_bucket_next(&h, &it, &lo, &hi, &count))
            if ((seen += count) >= rank) {
                want = hi < h.max ? hi : h.max;
                break;
            }
        ck_assert_uint_eq(vm_hist_percentile(&h, pcts[i]), want);
    }
    vm_hist_fini(&h);
    vm_hist_init(&h);
    it = 0;
    ck_assert(!vm_hist_bucket_next(&h, &it, &lo, &hi, &count));
    vm_hist_fini(&h);
}
END_TEST

Suite *hist_suite(void) {
    Suite *s = suite_create("hist");
    TCase *tc = tcase_create("vm_hist_record");
    tcase_add_test(tc, test_small_values_exact);
    tcase_add_test(tc, test_relative_error_bounded);
    suite_add_tcase(s, tc);
    tc = tcase_create("vm_hist_percentile");
    tcase_add_test(tc, test_percentiles_and_merge);
    tcase_add_test(tc, test_buckets_redraw_the_histogram);
    suite_add_tcase(s, tc);
    tc = tcase_create("gilt_Histogram");
    tcase_add_test(tc, test_gilt_histogram_from_python);
    suite_add_tcase(s, tc);
    return s;
}
