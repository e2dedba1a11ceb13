/*
 * vm/record/hist.c - log-linear histograms (see vm/record/hist.h).
 */
#include "vm/record/hist.h"

#include <string.h>

#include "vm/runtime/memory.h"

void vm_hist_init(VmHist *h) {
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

void vm_hist_fini(VmHist *h) {
    vm_realloc(NULL, h->linear, 0, 0);
    for (int i = 0; i < VM_HIST_ROWS; i++) vm_realloc(NULL, h->rows[i], 0, 0);
    vm_hist_init(h);
}

static int top_bit(uint64_t v) { return 63 - __builtin_clzll(v); }

/* Bucket of v: (row, index); row -1 is the linear range. */
static void locate(uint64_t v, int *row, int *idx) {
    if (v < VM_HIST_LINEAR) {
        *row = -1;
        *idx = (int)v;
        return;
    }
    int shift = top_bit(v) - 10; /* keep the top 11 bits: 1024..2047 */
    *row = shift - 1;
    *idx = (int)((v >> shift) - VM_HIST_SUB);
}

/* The highest value that lands in the same bucket. */
static uint64_t bucket_high(int row, int idx) {
    if (row < 0) return (uint64_t)idx;
    int shift = row + 1;
    uint64_t lo = ((uint64_t)idx + VM_HIST_SUB) << shift;
    return lo + ((uint64_t)1 << shift) - 1;
}

static uint64_t *counters(VmHist *h, int row) {
    uint64_t **slot = row < 0 ? &h->linear : &h->rows[row];
    if (!*slot) {
        size_t n = row < 0 ? VM_HIST_LINEAR : VM_HIST_SUB;
        *slot = (uint64_t *)vm_realloc(NULL, NULL, 0, n * sizeof(uint64_t));
        memset(*slot, 0, n * sizeof(uint64_t));
    }
    return *slot;
}

void vm_hist_record(VmHist *h, uint64_t v) {
    int row, idx;
    locate(v, &row, &idx);
    counters(h, row)[idx]++;
    h->count++;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
    h->sum += (double)v;
}

void vm_hist_merge(VmHist *into, const VmHist *from) {
    if (from->linear) {
        uint64_t *c = counters(into, -1);
        for (int i = 0; i < VM_HIST_LINEAR; i++) c[i] += from->linear[i];
    }
    for (int r = 0; r < VM_HIST_ROWS; r++) {
        if (!from->rows[r]) continue;
        uint64_t *c = counters(into, r);
        for (int i = 0; i < VM_HIST_SUB; i++) c[i] += from->rows[r][i];
    }
    into->count += from->count;
    into->sum += from->sum;
    if (from->count) {
        if (from->min < into->min) into->min = from->min;
        if (from->max > into->max) into->max = from->max;
    }
}

uint64_t vm_hist_percentile(const VmHist *h, double p) {
    if (h->count == 0) return 0;
    if (p > 100) p = 100;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->count + 0.5);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    if (h->linear)
        for (int i = 0; i < VM_HIST_LINEAR; i++) {
            seen += h->linear[i];
            if (seen >= rank) return (uint64_t)i < h->max ? (uint64_t)i : h->max;
        }
    for (int r = 0; r < VM_HIST_ROWS; r++) {
        if (!h->rows[r]) continue;
        for (int i = 0; i < VM_HIST_SUB; i++) {
            seen += h->rows[r][i];
            if (seen >= rank) {
                uint64_t hi = bucket_high(r, i);
                return hi < h->max ? hi : h->max;
            }
        }
    }
    return h->max;
}

double vm_hist_mean(const VmHist *h) {
    return h->count ? h->sum / (double)h->count : 0.0;
}

bool vm_hist_bucket_next(const VmHist *h, int *it, uint64_t *lo, uint64_t *hi, uint64_t *count) {
    /* One index over every bucket: the linear ones, then row by row. */
    for (; *it < VM_HIST_LINEAR + VM_HIST_ROWS * VM_HIST_SUB; (*it)++) {
        int row = *it < VM_HIST_LINEAR ? -1 : (*it - VM_HIST_LINEAR) / VM_HIST_SUB;
        int idx = row < 0 ? *it : (*it - VM_HIST_LINEAR) % VM_HIST_SUB;
        const uint64_t *c = row < 0 ? h->linear : h->rows[row];
        if (!c) {
            /* A row never used: skip it whole. */
            *it = row < 0 ? VM_HIST_LINEAR - 1 : VM_HIST_LINEAR + (row + 1) * VM_HIST_SUB - 1;
            continue;
        }
        if (!c[idx]) continue;
        *count = c[idx];
        *hi = bucket_high(row, idx);
        *lo = row < 0 ? (uint64_t)idx : ((uint64_t)idx + VM_HIST_SUB) << (row + 1);
        (*it)++;
        return true;
    }
    return false;
}
