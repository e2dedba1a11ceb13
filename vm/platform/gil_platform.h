/*
 * vm/platform/gil_platform.h - the small platform interface the lock policies (and
 * the _thread module's locks) are written against: mutex, condition
 * variable, timed wait and clock.
 *
 * It has two implementations behind one set of functions
 * (vm/platform/gil_platform.c): pthreads in real mode, and the simulator's virtual
 * mutex and condition variable (sim/sched.h) once gil_platform_use_sim()
 * has been called, before any of these objects is created.  A policy's
 * code is the same in both modes.  Contract of timedwait, as CPython's
 * condvar.h: 0 means woken (or spuriously returned), 1 means the timeout
 * expired; callers re-check their predicate either way.
 */
#ifndef GILT_VM_PLATFORM_GIL_PLATFORM_H
#define GILT_VM_PLATFORM_GIL_PLATFORM_H

#include <pthread.h>
#include <stdint.h>

#include "sim/sched.h"

typedef union {
    pthread_mutex_t m;   /* real mode */
    SimMutex v;          /* --sim */
} GilMutex;

typedef union {
    pthread_cond_t c;
    SimCond v;
} GilCond;

/* Switch every later GilMutex/GilCond to the simulator (NULL: back to
 * pthreads).  Objects must not outlive the mode they were made in. */
void gil_platform_use_sim(Sim *sim);
/* The simulator in use, or NULL in real mode. */
Sim *gil_platform_sim(void);

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

#endif /* GILT_VM_PLATFORM_GIL_PLATFORM_H */
