/*
 * vm/record/hist.h - log-linear latency histograms (HdrHistogram-style, 3
 * significant decimal digits).
 *
 * Values are non-negative integers (nanoseconds).  Below 2048 every value
 * has its own bucket; above, each power of two is split into 1024 linear
 * sub-buckets, so a recorded value is known to within 1/1024 (< 0.1%).
 * Rows are allocated on first use, so an unused histogram costs a few
 * bytes and recording is O(1) with no allocation after warm-up.
 */
#ifndef GILT_VM_RECORD_HIST_H
#define GILT_VM_RECORD_HIST_H

#include <stdbool.h>
#include <stdint.h>

#define VM_HIST_LINEAR 2048
#define VM_HIST_SUB 1024
#define VM_HIST_ROWS 54

typedef struct {
    uint64_t *linear;              /* VM_HIST_LINEAR counters, or NULL */
    uint64_t *rows[VM_HIST_ROWS];  /* VM_HIST_SUB counters each, or NULL */
    uint64_t count;
    uint64_t min, max;
    double sum;
} VmHist;

void vm_hist_init(VmHist *h);
void vm_hist_fini(VmHist *h);
void vm_hist_record(VmHist *h, uint64_t value);
void vm_hist_merge(VmHist *into, const VmHist *from);
/* The value at percentile p (0..100): the highest value equivalent to the
 * bucket holding that rank, as HdrHistogram reports it.  0 when empty. */
uint64_t vm_hist_percentile(const VmHist *h, double p);
double vm_hist_mean(const VmHist *h);
/* The non-empty buckets in increasing order: set *it to 0, then each call
 * gives the next bucket's values, lo..hi inclusive, and how many were
 * recorded there; false after the last.  The percentiles above are
 * min(hi, max) of the bucket that holds their rank. */
bool vm_hist_bucket_next(const VmHist *h, int *it, uint64_t *lo, uint64_t *hi, uint64_t *count);

#endif /* GILT_VM_RECORD_HIST_H */
