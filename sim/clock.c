/*
 * sim/clock.c - the host's clocks (see sim/clock.h).
 */
#include "sim/clock.h"

#include <errno.h>
#include <time.h>

static uint64_t timespec_ns(const struct timespec *ts) {
    return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

uint64_t sim_clock_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return timespec_ns(&ts);
}

uint64_t sim_clock_realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return timespec_ns(&ts);
}

void sim_clock_sleep_ns(uint64_t ns) {
    struct timespec req = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    /* Restart after signals so a sleep lasts as long as asked; the caller
     * polls for KeyboardInterrupt afterwards. */
    while (nanosleep(&req, &req) == -1 && errno == EINTR) {
    }
}

void sim_clock_burn_ns(uint64_t ns) {
    /* Spin on the clock: the thread really occupies its core, as a long C
     * computation would. */
    uint64_t end = sim_clock_now_ns() + ns;
    while (sim_clock_now_ns() < end) {
    }
}
