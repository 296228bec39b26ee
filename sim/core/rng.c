/* rng.c: xoshiro256** (Blackman and Vigna) with splitmix64 seeding. */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_seed(uint64_t seed, rng_state *dest)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        dest->s[i] = splitmix64(&x);
}

uint64_t rng_next_u64(rng_state *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(rng_state *rng)
{
    /* 53 random bits: exactly representable, never 1.0. */
    return (double)(rng_next_u64(rng) >> 11) * 0x1.0p-53;
}

double rng_range(rng_state *rng, double lo, double hi) { return lo + (hi - lo) * rng_uniform(rng); }

double rng_normal(rng_state *rng)
{
    double u1 = rng_uniform(rng);
    double u2 = rng_uniform(rng);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint32_t rng_below(rng_state *rng, uint32_t n)
{
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t x;
    do
        x = rng_next_u64(rng);
    while (x >= limit);
    return (uint32_t)(x % n);
}
