/*
 * sim/clock.h - the host's clocks: the one place that reads them.
 *
 * Nothing else in the tree calls clock_gettime, gettimeofday or nanosleep
 * (CONVENTIONS.md item 8).  The VM never calls these directly either: it
 * asks its platform (vm/platform/platform.h), whose real implementation
 * comes here and whose virtual one reads the simulator's clock instead.
 * The simulator itself uses the host clock only for its progress lines,
 * and gilt's CLI for wall time and calibration.
 */
#ifndef GILT_SIM_CLOCK_H
#define GILT_SIM_CLOCK_H

#include <stdint.h>

/* Host monotonic time in nanoseconds (CLOCK_MONOTONIC). */
uint64_t sim_clock_now_ns(void);
/* Host wall-clock time in nanoseconds since the epoch. */
uint64_t sim_clock_realtime_ns(void);
/* Sleep on the host for ns (restarted after signals). */
void sim_clock_sleep_ns(uint64_t ns);
/* Spin the calling thread's CPU for ns. */
void sim_clock_burn_ns(uint64_t ns);

#endif /* GILT_SIM_CLOCK_H */
