/* rng.h: explicit, seedable random numbers (xoshiro256** seeded by splitmix64).
 * The core has no global RNG: every random choice takes an rng_state the caller owns,
 * so the same seed gives the same numbers on every run. */
#ifndef STIPPLE_RNG_H
#define STIPPLE_RNG_H

#include <stdint.h>

typedef struct rng_state { uint64_t s[4]; } rng_state;

void     rng_seed(uint64_t seed, rng_state *dest);
uint64_t rng_next_u64(rng_state *rng);
/* Uniform in [0, 1). */
double   rng_uniform(rng_state *rng);
/* Uniform in [lo, hi). */
double   rng_range(rng_state *rng, double lo, double hi);
/* Standard normal (Box-Muller; no cached spare, so the state alone defines the stream). */
double   rng_normal(rng_state *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint32_t rng_below(rng_state *rng, uint32_t n);

#endif
