/*
 * sim/virtual.h - the virtual clock of --sim (first stage: one thread).
 *
 * Virtual time advances only by what the program does: every executed
 * bytecode costs a fixed number of picoseconds (the cost table of the full
 * simulator will refine this per opcode), and a sleep or a blocking call
 * advances the clock by its duration at once, costing no wall time.  Since
 * nothing real enters the clock, the same program gives the same times on
 * every run.  Threads are not simulated yet: the scheduler of virtual cores
 * is the next stage (issue 5).
 */
#ifndef GILT_SIM_VIRTUAL_H
#define GILT_SIM_VIRTUAL_H

#include <stdint.h>

#include "sim/clock.h"

typedef struct {
    const uint64_t *bytecodes;  /* the running thread's counter */
    uint64_t cost_ps;           /* virtual picoseconds per bytecode */
    uint64_t slept_ns;          /* virtual time spent blocked */
    uint64_t epoch_ns;          /* what realtime_ns reports at time zero */
    SimClockBackend backend;
} SimVirtualClock;

/* Default cost per bytecode: about what this VM takes on a 2020s x86 core. */
#define SIM_DEFAULT_COST_PS 3000

void sim_virtual_init(SimVirtualClock *c, const uint64_t *bytecodes, uint64_t cost_ps);
/* Virtual nanoseconds since the start of the run. */
uint64_t sim_virtual_now_ns(const SimVirtualClock *c);

#endif /* GILT_SIM_VIRTUAL_H */
