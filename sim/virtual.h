/*
 * sim/virtual.h - the clock backend of --sim: time is the simulator's.
 *
 * time.monotonic() reads the calling simulated thread's virtual clock,
 * time.time() adds a fixed epoch to it (so it replays too), a sleep blocks
 * the simulated thread off its core, and a long C call (gilt.native) keeps
 * its virtual core busy.  No host time enters a virtual run.
 */
#ifndef GILT_SIM_VIRTUAL_H
#define GILT_SIM_VIRTUAL_H

#include <stdint.h>

#include "sim/clock.h"
#include "sim/sched.h"

typedef struct {
    Sim *sim;
    uint64_t epoch_ns;          /* what realtime_ns reports at time zero */
    SimClockBackend backend;
} SimVirtualClock;

/* The epoch of every virtual run: 2026-01-01T00:00:00Z. */
#define SIM_EPOCH_NS (1767225600ull * 1000000000ull)

void sim_virtual_init(SimVirtualClock *c, Sim *sim);

#endif /* GILT_SIM_VIRTUAL_H */
