/*
 * sim/clock.h - the one source of time in gilt (CONVENTIONS.md item 8).
 *
 * Nothing else in the tree calls clock_gettime, gettimeofday or nanosleep.
 * The real backend reads CLOCK_MONOTONIC / CLOCK_REALTIME and sleeps on the
 * host; the simulator installs a virtual backend whose clock advances only
 * when the simulator says so, which is what makes --sim runs reproducible.
 */
#ifndef GILT_SIM_CLOCK_H
#define GILT_SIM_CLOCK_H

#include <stdint.h>

typedef struct SimClockBackend {
    const char *name;                    /* "real", "virtual" */
    uint64_t (*monotonic_ns)(void *ctx); /* never goes backwards */
    uint64_t (*realtime_ns)(void *ctx);  /* nanoseconds since the epoch */
    void (*sleep_ns)(void *ctx, uint64_t ns);
    /* Keep this thread's CPU busy for ns (a long C call). */
    void (*burn_ns)(void *ctx, uint64_t ns);
    void *ctx;
} SimClockBackend;

/* Monotonic time in nanoseconds (time.monotonic, perf_counter, GIL waits). */
uint64_t sim_clock_now_ns(void);
/* Wall-clock time in nanoseconds since the epoch (time.time). */
uint64_t sim_clock_realtime_ns(void);
/* Sleep (or, in virtual time, advance this thread's clock). */
void sim_clock_sleep_ns(uint64_t ns);
/* Busy the CPU for ns: spin in real time, occupy a virtual core in --sim. */
void sim_clock_burn_ns(uint64_t ns);
/* Install a backend (NULL restores the real one); returns the previous. */
const SimClockBackend *sim_clock_set_backend(const SimClockBackend *b);
const SimClockBackend *sim_clock_real_backend(void);
/* True while a backend other than the real one is installed (--sim). */
int sim_clock_is_virtual(void);

#endif /* GILT_SIM_CLOCK_H */
