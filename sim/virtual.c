/*
 * sim/virtual.c - the --sim clock backend (see sim/virtual.h).
 */
#include "sim/virtual.h"

static uint64_t v_monotonic(void *ctx) {
    return sim_now(((SimVirtualClock *)ctx)->sim);
}

static uint64_t v_realtime(void *ctx) {
    SimVirtualClock *c = ctx;
    return c->epoch_ns + sim_now(c->sim);
}

static void v_sleep(void *ctx, uint64_t ns) { sim_sleep(((SimVirtualClock *)ctx)->sim, ns); }

static void v_burn(void *ctx, uint64_t ns) { sim_burn(((SimVirtualClock *)ctx)->sim, ns); }

void sim_virtual_init(SimVirtualClock *c, Sim *sim) {
    c->sim = sim;
    c->epoch_ns = SIM_EPOCH_NS;
    c->backend.name = "virtual";
    c->backend.monotonic_ns = v_monotonic;
    c->backend.realtime_ns = v_realtime;
    c->backend.sleep_ns = v_sleep;
    c->backend.burn_ns = v_burn;
    c->backend.ctx = c;
}
