/*
 * sim/alloc.h - the simulator's host allocations.
 *
 * The simulator is a library of its own (libsim.a depends on nothing in
 * vm/), so it does not use the VM's allocation funnel.  Its allocations
 * are small and few (threads, cores, events, socket buffers); when the
 * host cannot give one, the run ends with the same clean message and exit
 * status 1 as the VM's funnel, never with a signal.
 */
#ifndef GILT_SIM_ALLOC_H
#define GILT_SIM_ALLOC_H

#include <stddef.h>

/* Zeroed memory for n objects of size bytes, or exit(1) with a message. */
void *sim_alloc_zeroed(size_t n, size_t size);
/* realloc, or exit(1) with a message. */
void *sim_realloc(void *ptr, size_t size);

/* Test hook: the allocation after `count` more fails as if the host were
 * out of memory (then exit(1)); -1 turns it off.  Used by the unit tests. */
void sim_alloc_fail_after(long count);

#endif /* GILT_SIM_ALLOC_H */
