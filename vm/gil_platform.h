/*
 * vm/gil_platform.h - the small platform interface the lock policies are
 * written against: mutex, condition variable, timed wait and clock.
 *
 * Real mode implements it with pthreads (vm/gil_platform.c); the simulator
 * (issue 5) provides a virtual implementation with the same contract, so a
 * policy's code runs unchanged in virtual time.  Contract of timedwait, as
 * CPython's condvar.h: 0 means woken (or spuriously returned), 1 means the
 * timeout expired; callers re-check their predicate either way.
 */
#ifndef GILT_VM_GIL_PLATFORM_H
#define GILT_VM_GIL_PLATFORM_H

#include <pthread.h>
#include <stdint.h>

typedef struct {
    pthread_mutex_t m;
} GilMutex;

typedef struct {
    pthread_cond_t c;
} GilCond;

void gil_mutex_init(GilMutex *m);
void gil_mutex_fini(GilMutex *m);
void gil_mutex_lock(GilMutex *m);
void gil_mutex_unlock(GilMutex *m);

void gil_cond_init(GilCond *c);
void gil_cond_fini(GilCond *c);
void gil_cond_wait(GilCond *c, GilMutex *m);
/* Wait at most `ns` nanoseconds: 0 woken, 1 timed out. */
int gil_cond_timedwait(GilCond *c, GilMutex *m, uint64_t ns);
void gil_cond_signal(GilCond *c);
void gil_cond_broadcast(GilCond *c);

/* Monotonic nanoseconds (through sim/clock.h). */
uint64_t gil_now_ns(void);

#endif /* GILT_VM_GIL_PLATFORM_H */
