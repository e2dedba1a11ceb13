/*
 * sim/rng.h - the simulator's one seeded PRNG (xoshiro256**, seeded through
 * splitmix64).  It lives in the simulator state, never in a global, and the
 * seed is recorded with every run (CONVENTIONS.md item 9).
 */
#ifndef GILT_SIM_RNG_H
#define GILT_SIM_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
    uint64_t seed;      /* what the run was seeded with, for the record */
} SimRng;

void sim_rng_seed(SimRng *r, uint64_t seed);
uint64_t sim_rng_next(SimRng *r);
/* Uniform double in [0, 1). */
double sim_rng_double(SimRng *r);
/* Uniform integer in [0, n), without modulo bias; n > 0. */
uint64_t sim_rng_below(SimRng *r, uint64_t n);
/* Exponentially distributed with the given mean (wake-up latencies). */
double sim_rng_exponential(SimRng *r, double mean);

#endif /* GILT_SIM_RNG_H */
