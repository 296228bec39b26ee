/* test_review_unbake.c: a review seeking back takes the later dots out of the dot texture
 * tile by tile (dotmap_unsplat) instead of baking every dot again. The map after taking
 * them out must be, bit for bit, the map that clearing and baking the first dots makes:
 * over a base of the skin's own features, for random dots (some overlapping, some on tile
 * edges, some with a drag tail, some off the map), taking out many, a few, one, none, all,
 * and again after more dots went back in. Also: baking many marks at once on two threads
 * (dotmap_splat_many, the client's hairs at start) gives the texels and dirty tiles of baking
 * them one after another. Needs no GL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"

#ifndef STIPPLE_HAVE_APP
int main(void)
{
    printf("SKIP: built without the app (no renderer)\n");
    return 77;
}
#else
#include "dotmap.h"

#define W 700   /* texels: 11 x 11 tiles, the last ones partial */
#define H 650
#define TEXEL_MM 0.05
#define DOTS 900

static void random_look(rng_state *g, dot_look *L, int hair)
{
    memset(L, 0, sizeof *L);
    /* a little past the map's edges too */
    L->u = (float)(-1.0 + rng_uniform(g) * (W * TEXEL_MM + 2.0));
    L->v = (float)(-1.0 + rng_uniform(g) * (H * TEXEL_MM + 2.0));
    L->su = L->sv = (float)(0.9 + 0.2 * rng_uniform(g));
    L->radius_mm = (float)(hair ? 0.04 : 0.08 + 0.25 * rng_uniform(g));
    L->softness = 0.2f;
    L->elongation = (float)(hair ? 6.0 : 1.0 + 0.5 * rng_uniform(g));
    L->angle = (float)(6.283 * rng_uniform(g));
    if (!hair && rng_uniform(g) < 0.2) {
        L->tail[0] = (float)(0.6 * (rng_uniform(g) - 0.5));
        L->tail[1] = (float)(0.6 * (rng_uniform(g) - 0.5));
    }
    for (int c = 0; c < 3; c++)
        L->rgb[c] = (float)(hair ? 0.02 : 0.01 + 0.1 * rng_uniform(g));
    L->opacity = (float)(0.7 + 0.3 * rng_uniform(g));
    L->visible = rng_uniform(g) > 0.03;   /* a few shed */
}

/* The base: scar tissue painted over a patch, then hairs. */
static void paint_base(dotmap *m, const dot_look *hairs, size_t nh)
{
    enum { PW = 120, PH = 90 };
    static float cov[4 * PW * PH];
    for (int y = 0; y < 2 * PH; y++)
        for (int x = 0; x < 2 * PW; x++)
            cov[y * 2 * PW + x] = (float)((x + y) % 7) / 7.0f;
    const float scar[3] = { 0.6f, 0.4f, 0.35f };
    dotmap_paint(m, 250, 300, PW, PH, cov, scar);
    for (size_t i = 0; i < nh; i++)
        dotmap_splat(m, &hairs[i]);
}

/* A fresh map: the base, then looks[0 .. n). */
static dotmap *baked(const dot_look *hairs, size_t nh, const dot_look *looks, size_t n)
{
    dotmap *m = dotmap_create(0.0, 0.0, W, H, TEXEL_MM);
    if (!m)
        return NULL;
    paint_base(m, hairs, nh);
    for (size_t i = 0; i < n; i++)
        dotmap_splat(m, &looks[i]);
    return m;
}

static int same(const dotmap *a, const dotmap *b)
{
    return memcmp(a->px[0], b->px[0], (size_t)W * H * 4) == 0;
}

int main(void)
{
    rng_state g;
    rng_seed(20261205, &g);
    dot_look hairs[150], *looks = malloc(DOTS * sizeof *looks);
    for (size_t i = 0; i < 150; i++)
        random_look(&g, &hairs[i], 1);
    for (size_t i = 0; i < DOTS; i++)
        random_look(&g, &looks[i], 0);
    dotmap *m = dotmap_create(0.0, 0.0, W, H, TEXEL_MM);
    CHECK(m && looks, "made the map");
    if (!m || !looks)
        return check_summary("test_review_unbake");
    CHECK(dotmap_unsplat(m, looks, 0, 0) == -1, "without a kept base, unsplat refuses (and changes nothing)");
    paint_base(m, hairs, 150);
    CHECK(dotmap_keep_base(m) == 0, "keep the base");
    /* (shown, then back to): seeks back and forth as a review makes them */
    static const size_t steps[][2] = { { 900, 450 }, { 450, 449 }, { 449, 449 }, { 700, 3 }, { 3, 0 }, { 900, 899 }, { 899, 1 } };
    size_t shown = 0, bad = 0;
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        for (; shown < steps[s][0]; shown++)   /* forward: baked on, as render_sync_dots does */
            dotmap_splat(m, &looks[shown]);
        size_t keep = steps[s][1];
        int rc = dotmap_unsplat(m, looks, keep, shown);
        shown = keep;
        dotmap *ref = baked(hairs, 150, looks, keep);
        int ok = rc == 0 && ref && same(m, ref);
        bad += !ok;
        CHECK(ok, "from %zu dots back to %zu: the map equals one baked afresh with %zu dots", steps[s][0], keep, keep);
        dotmap_free(ref);
    }
    /* the taken-out tiles are marked for upload */
    int dirty = 0;
    for (int i = 0; i < m->tw[0] * m->th[0]; i++)
        dirty |= m->dirty[0][i];
    CHECK(dirty && m->any_dirty, "the tiles made again are marked dirty for the next upload");
    /* many at once, on two threads (a band each), against one by one: the hairs and the dots
     * together, overlapping, some across the band's edge, some off the map */
    {
        size_t nall = 150 + DOTS;
        dot_look *all = malloc(nall * sizeof *all);
        dotmap *one = dotmap_create(0.0, 0.0, W, H, TEXEL_MM), *two = dotmap_create(0.0, 0.0, W, H, TEXEL_MM);
        CHECK(all && one && two, "made the maps");
        if (all && one && two) {
            memcpy(all, hairs, 150 * sizeof *all);
            memcpy(all + 150, looks, DOTS * sizeof *all);
            for (size_t i = 0; i < nall; i++)
                dotmap_splat(one, &all[i]);
            dotmap_splat_many(two, all, nall);
            CHECK(same(one, two), "two threads bake the texels of one, bit for bit");
            CHECK(memcmp(one->dirty[0], two->dirty[0], (size_t)one->tw[0] * (size_t)one->th[0]) == 0 &&
                      two->any_dirty, "and mark the same tiles dirty");
            size_t touched = 0;
            for (size_t i = 0; i < (size_t)W * H; i++)
                touched += one->px[0][4 * i + 3] != 0;
            CHECK(touched > (size_t)W * H / 10, "the marks cover the map (%zu texels)", touched);
        }
        dotmap_free(one);
        dotmap_free(two);
        free(all);
    }
    printf("test_review_unbake: %zu seeks back over %d dots (and %d hairs, a scar patch): %s\n",
           sizeof steps / sizeof steps[0], DOTS, 150, bad ? "DIFFER" : "bit-identical to baking afresh");
    dotmap_free(m);
    free(looks);
    return check_summary("test_review_unbake");
}
#endif
