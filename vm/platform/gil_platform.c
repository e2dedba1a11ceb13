/*
 * vm/platform/gil_platform.c - the two implementations of vm/platform/gil_platform.h:
 * pthreads, and the simulator's virtual objects under --sim.
 *
 * A failing pthread call means the process state is corrupt, so it is
 * fatal, reported with the call that failed (CPython's MUTEX_LOCK macros,
 * libuv's uv_mutex_lock).  Condition variables wait on CLOCK_MONOTONIC so a
 * wall-clock jump cannot stretch or cut a switch interval.
 */
#include "vm/platform/gil_platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/clock.h"

#define CHECK_PTHREAD(call)                                                   \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != 0) {                                                       \
            fprintf(stderr, "gilt: fatal: %s failed: %s\n", #call,            \
                    strerror(rc_));                                           \
            abort();                                                          \
        }                                                                     \
    } while (0)

static Sim *virtual_sim;

void gil_platform_use_sim(Sim *sim) { virtual_sim = sim; }
Sim *gil_platform_sim(void) { return virtual_sim; }

void gil_mutex_init(GilMutex *m) {
    if (virtual_sim) sim_mutex_init(&m->v);
    else CHECK_PTHREAD(pthread_mutex_init(&m->m, NULL));
}

void gil_mutex_fini(GilMutex *m) {
    if (!virtual_sim) CHECK_PTHREAD(pthread_mutex_destroy(&m->m));
}

void gil_mutex_lock(GilMutex *m) {
    if (virtual_sim) sim_mutex_lock(virtual_sim, &m->v);
    else CHECK_PTHREAD(pthread_mutex_lock(&m->m));
}

void gil_mutex_unlock(GilMutex *m) {
    if (virtual_sim) sim_mutex_unlock(virtual_sim, &m->v);
    else CHECK_PTHREAD(pthread_mutex_unlock(&m->m));
}

void gil_cond_init(GilCond *c) {
    if (virtual_sim) {
        sim_cond_init(&c->v);
        return;
    }
    pthread_condattr_t attr;
    CHECK_PTHREAD(pthread_condattr_init(&attr));
    CHECK_PTHREAD(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC));
    CHECK_PTHREAD(pthread_cond_init(&c->c, &attr));
    CHECK_PTHREAD(pthread_condattr_destroy(&attr));
}

void gil_cond_fini(GilCond *c) {
    if (!virtual_sim) CHECK_PTHREAD(pthread_cond_destroy(&c->c));
}

void gil_cond_wait(GilCond *c, GilMutex *m) {
    if (virtual_sim) sim_cond_wait(virtual_sim, &c->v, &m->v, SIM_FOREVER);
    else CHECK_PTHREAD(pthread_cond_wait(&c->c, &m->m));
}

int gil_cond_timedwait(GilCond *c, GilMutex *m, uint64_t ns) {
    if (virtual_sim) return sim_cond_wait(virtual_sim, &c->v, &m->v, ns);
    /* The real clock backend reads CLOCK_MONOTONIC, the clock this
     * condition variable waits on, so the deadline is in its terms. */
    uint64_t deadline = sim_clock_now_ns() + ns;
    struct timespec ts;
    ts.tv_sec = (time_t)(deadline / 1000000000ull);
    ts.tv_nsec = (long)(deadline % 1000000000ull);
    int rc = pthread_cond_timedwait(&c->c, &m->m, &ts);
    if (rc == ETIMEDOUT) return 1;
    CHECK_PTHREAD(rc);
    return 0;
}

void gil_cond_signal(GilCond *c) {
    if (virtual_sim) sim_cond_signal(virtual_sim, &c->v);
    else CHECK_PTHREAD(pthread_cond_signal(&c->c));
}

void gil_cond_broadcast(GilCond *c) {
    if (virtual_sim) sim_cond_broadcast(virtual_sim, &c->v);
    else CHECK_PTHREAD(pthread_cond_broadcast(&c->c));
}

uint64_t gil_now_ns(void) { return sim_clock_now_ns(); }
