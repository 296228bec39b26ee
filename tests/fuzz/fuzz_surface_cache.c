/* fuzz_surface_cache.c: libFuzzer target for the cached surface's loader (surface_cache.h).
 * The input is a whole file; before loading, the harness writes the expected key into its
 * header and a right BLAKE2b hash over its end, as a hand-made file could have, so the
 * fuzzer reaches the checks past the hash: counts, sizes, indices, the BVH's shape. Any
 * input must load (and then survive ray casts) or be refused with a message that names the
 * file; never crash, leak, loop or read out of bounds.
 * Seeds: tests/fuzz/corpus/fuzz_surface_cache/ (a 10 x 10 mm practice skin, saved). */
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "surface_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY_AT 8
#define KIND_AT (KEY_AT + SURFACE_CACHE_KEY_BYTES)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz-surface-cache-%d.surface", (int)getpid());
    uint8_t key[SURFACE_CACHE_KEY_BYTES];
    memset(key, 0, sizeof key);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    uint32_t kind = 0;
    double w = 0.0, h = 0.0;
    if (size >= KIND_AT + 24 + 32) {
        memcpy(buf + KEY_AT, key, sizeof key);
        memcpy(&kind, buf + KIND_AT, 4);
        memcpy(&w, buf + KIND_AT + 8, 8);
        memcpy(&h, buf + KIND_AT + 16, 8);
        crypto_generichash(buf + size - 32, 32, buf, size - 32, NULL, 0);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, size, f) != size)
        abort();
    fclose(f);
    free(buf);
    char err[512];
    surface *s = surface_cache_load(path, kind ? SURFACE_HEAD : SURFACE_PRACTICE_SKIN, w, h, key, err, sizeof err);
    if (!s) {
        if (strncmp(err, path, strlen(path)) != 0 && strcmp(err, "out of memory") != 0)
            abort();
        return 0;
    }
    /* rays from all round towards the middle of its box */
    double lo[3], hi[3];
    surface_bounds(s, lo, hi);
    for (int i = 0; i < 16; i++) {
        double d[3] = { (i & 1) ? 1.0 : -1.0, (i & 2) ? 0.7 : -0.7, (i & 4) ? 0.3 : -0.5 };
        double n = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]), o[3];
        for (int a = 0; a < 3; a++) {
            d[a] /= n;
            o[a] = 0.5 * (lo[a] + hi[a]) - d[a] * (1.0 + (hi[a] - lo[a]));
        }
        surface_hit hit;
        surface_raycast(s, o, d, &hit);
    }
    uint8_t dg[32];
    surface_digest(s, dg);
    surface_free(s);
    return 0;
}
