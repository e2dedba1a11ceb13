/*
 * sim/clock.c - the real clock backend and the dispatch to the installed
 * backend.  See sim/clock.h for why all time goes through here.
 */
#include "sim/clock.h"

#include <errno.h>
#include <stddef.h>
#include <time.h>

static uint64_t timespec_ns(const struct timespec *ts) {
    return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

static uint64_t real_monotonic_ns(void *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return timespec_ns(&ts);
}

static uint64_t real_realtime_ns(void *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return timespec_ns(&ts);
}

static void real_sleep_ns(void *ctx, uint64_t ns) {
    (void)ctx;
    struct timespec req = {(time_t)(ns / 1000000000ull),
                           (long)(ns % 1000000000ull)};
    /* Restart after signals so a sleep lasts as long as asked; the caller
     * polls for KeyboardInterrupt afterwards. */
    while (nanosleep(&req, &req) == -1 && errno == EINTR) {
    }
}

static void real_burn_ns(void *ctx, uint64_t ns) {
    /* Spin on the clock: the thread really occupies its core, as a long C
     * computation would. */
    uint64_t end = real_monotonic_ns(ctx) + ns;
    while (real_monotonic_ns(ctx) < end) {
    }
}

static const SimClockBackend real_backend = {
    "real", real_monotonic_ns, real_realtime_ns, real_sleep_ns, real_burn_ns, NULL,
};

static const SimClockBackend *current = &real_backend;

uint64_t sim_clock_now_ns(void) { return current->monotonic_ns(current->ctx); }

uint64_t sim_clock_realtime_ns(void) {
    return current->realtime_ns(current->ctx);
}

void sim_clock_sleep_ns(uint64_t ns) { current->sleep_ns(current->ctx, ns); }

void sim_clock_burn_ns(uint64_t ns) { current->burn_ns(current->ctx, ns); }

const SimClockBackend *sim_clock_set_backend(const SimClockBackend *b) {
    const SimClockBackend *prev = current;
    current = b ? b : &real_backend;
    return prev;
}

const SimClockBackend *sim_clock_real_backend(void) { return &real_backend; }

int sim_clock_is_virtual(void) { return current != &real_backend; }
