/*
 * sim/event.c - the (time, seq) event heap (see sim/event.h).
 */
#include "sim/event.h"

#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"

void sim_event_heap_init(SimEventHeap *h) { memset(h, 0, sizeof *h); }

void sim_event_heap_fini(SimEventHeap *h) {
    free(h->items);
    sim_event_heap_init(h);
}

static bool before(const SimEvent *a, const SimEvent *b) {
    return a->time_ns < b->time_ns || (a->time_ns == b->time_ns && a->seq < b->seq);
}

static void swap(SimEvent *a, SimEvent *b) {
    SimEvent t = *a;
    *a = *b;
    *b = t;
}

uint64_t sim_event_push(SimEventHeap *h, uint64_t time_ns, int kind, void *target) {
    if (h->count == h->capacity) {
        int64_t cap = h->capacity ? h->capacity * 2 : 64;
        h->items = sim_realloc(h->items, sizeof(SimEvent) * (size_t)cap);
        h->capacity = cap;
    }
    int64_t i = h->count++;
    h->items[i] = (SimEvent){time_ns, h->next_seq++, kind, target};
    while (i > 0) {
        int64_t parent = (i - 1) / 2;
        if (!before(&h->items[i], &h->items[parent])) break;
        swap(&h->items[i], &h->items[parent]);
        i = parent;
    }
    return h->items[i].seq;
}

bool sim_event_peek(const SimEventHeap *h, SimEvent *out) {
    if (h->count == 0) return false;
    *out = h->items[0];
    return true;
}

bool sim_event_pop(SimEventHeap *h, SimEvent *out) {
    if (h->count == 0) return false;
    *out = h->items[0];
    h->items[0] = h->items[--h->count];
    int64_t i = 0;
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->count && before(&h->items[l], &h->items[m])) m = l;
        if (r < h->count && before(&h->items[r], &h->items[m])) m = r;
        if (m == i) break;
        swap(&h->items[i], &h->items[m]);
        i = m;
    }
    return true;
}
