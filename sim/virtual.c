/*
 * sim/virtual.c - the --sim clock backend (see sim/virtual.h).
 */
#include "sim/virtual.h"

uint64_t sim_virtual_now_ns(const SimVirtualClock *c) {
    return *c->bytecodes * c->cost_ps / 1000 + c->slept_ns;
}

static uint64_t v_monotonic(void *ctx) {
    return sim_virtual_now_ns((const SimVirtualClock *)ctx);
}

static uint64_t v_realtime(void *ctx) {
    const SimVirtualClock *c = ctx;
    return c->epoch_ns + sim_virtual_now_ns(c);
}

static void v_sleep(void *ctx, uint64_t ns) {
    ((SimVirtualClock *)ctx)->slept_ns += ns;
}

void sim_virtual_init(SimVirtualClock *c, const uint64_t *bytecodes, uint64_t cost_ps) {
    c->bytecodes = bytecodes;
    c->cost_ps = cost_ps;
    c->slept_ns = 0;
    /* A fixed epoch (2026-01-01T00:00:00Z), so time.time() replays too. */
    c->epoch_ns = 1767225600ull * 1000000000ull;
    c->backend.name = "virtual";
    c->backend.monotonic_ns = v_monotonic;
    c->backend.realtime_ns = v_realtime;
    c->backend.sleep_ns = v_sleep;
    c->backend.ctx = c;
}
