/* fixture.c: ready-made lessons and dots for the benchmarks (stipple bench, practice
 * --bench). The dots are placed straight on the zone, without the pen path, which has its
 * own benchmark (re-simulation). Deterministic for a seed. */
#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pigment.h"
#include "rng.h"

static const char full_scalp_json[] =
    "{\"format\":\"stipple-lesson/1\",\"id\":\"bench-full-scalp\",\"title\":\"Bench: full scalp at full density\","
    "\"version\":1,\"surface\":{\"kind\":\"head\"},\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
    "\"zones\":[{\"name\":\"scalp\",\"regions\":[\"frontal\",\"mid_scalp\",\"vertex\",\"temporal_l\",\"temporal_r\","
    "\"parietal_l\",\"parietal_r\",\"occipital\"]}],"
    "\"session\":{\"number\":3,\"density_per_cm2\":100,\"depth_band_mm\":[0.15,0.45],\"depth_acceptable_mm\":[0.1,0.6]},"
    "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},\"pigment\":{\"target_shade\":6,\"allowed_shades\":[4,10]},"
    "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},"
    "\"sources\":[\"model-defaults.md: full coverage at full density is ~50,000 dots\"]}";

int fixture_full_scalp_lesson(lesson *out, char *err, size_t errlen)
{
    return lesson_load_mem(full_scalp_json, sizeof full_scalp_json - 1, "bench-full-scalp", out, err, errlen);
}

/* The client's own stubble over the back and sides, a FUT strip scar across the occiput and
 * FUE punch scars below it (as lessons/05-fut-scar.json), spliced in before "session". */
static const char features_json[] =
    "\"existing_hair\":{\"regions\":[\"occipital\",\"parietal_l\",\"parietal_r\",\"temporal_l\",\"temporal_r\"],"
    "\"density_per_cm2\":70,\"length_mm\":0.6,\"seed\":5},"
    "\"scars\":[{\"kind\":\"strip\",\"path_mm\":[[-80,-101],[-40,-105],[0,-106],[40,-105],[80,-101]],\"width_mm\":2},"
    "{\"kind\":\"fue\",\"polygon_mm\":[[-60,-125],[60,-125],[60,-109],[-60,-109]],\"count\":400,\"seed\":3}],";

int fixture_full_scalp_features_lesson(lesson *out, char *err, size_t errlen)
{
    const char *at = strstr(full_scalp_json, "\"session\"");
    size_t pre = (size_t)(at - full_scalp_json), n = sizeof full_scalp_json - 1 + sizeof features_json - 1;
    char *text = malloc(n + 1);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(text, full_scalp_json, pre);
    memcpy(text + pre, features_json, sizeof features_json - 1);
    memcpy(text + pre + sizeof features_json - 1, at, sizeof full_scalp_json - pre);
    int rc = lesson_load_mem(text, n, "bench-full-scalp-features", out, err, errlen);
    free(text);
    return rc;
}

/* Up to `want` dots over the lesson's zone, at most `want`, none nearer than 0.8 x the
 * target spacing. */
dot *fixture_dots(const lesson *l, const surface *s, size_t want, uint64_t seed, size_t *count)
{
    dot *dots = calloc(want, sizeof *dots);
    double lo_u = -130, hi_u = 130, lo_v = -150, hi_v = 170;
    if (l->surface == SURFACE_PRACTICE_SKIN) {
        lo_u = 0;
        hi_u = l->skin_width_mm;
        lo_v = 0;
        hi_v = l->skin_height_mm;
    }
    double minsep = 0.6 * l->target_spacing_mm, cellmm = minsep;
    int gw = (int)ceil((hi_u - lo_u) / cellmm), gh = (int)ceil((hi_v - lo_v) / cellmm);
    int32_t *grid = malloc((size_t)gw * (size_t)gh * sizeof *grid);
    if (!dots || !grid) {
        free(dots);
        free(grid);
        return NULL;
    }
    for (size_t i = 0; i < (size_t)gw * (size_t)gh; i++)
        grid[i] = -1;
    rng_state rng;
    rng_seed(seed, &rng);
    size_t n = 0, tries = 0;
    while (n < want && tries < want * 80) {
        tries++;
        double u = rng_range(&rng, lo_u, hi_u), v = rng_range(&rng, lo_v, hi_v);
        region_id r = surface_region_at_chart(s, u, v);
        if (r == REGION_NONE || !lesson_zone_contains(l, u, v, r))
            continue;
        int cx = (int)((u - lo_u) / cellmm), cy = (int)((v - lo_v) / cellmm), ok = 1;
        for (int y = cy - 1; y <= cy + 1 && ok; y++)
            for (int x = cx - 1; x <= cx + 1 && ok; x++) {
                if (x < 0 || y < 0 || x >= gw || y >= gh || grid[y * gw + x] < 0)
                    continue;
                const dot *o = &dots[grid[y * gw + x]];
                if (hypot(o->chart_mm[0] - u, o->chart_mm[1] - v) < minsep)
                    ok = 0;
            }
        surface_hit hit;
        if (!ok || !surface_chart_point(s, u, v, &hit))
            continue;
        dot *d = &dots[n];
        memcpy(d->pos_mm, hit.pos_mm, sizeof d->pos_mm);
        memcpy(d->normal, hit.normal, sizeof d->normal);
        d->chart_mm[0] = u;
        d->chart_mm[1] = v;
        d->region = (int)r;
        d->t_us = (int64_t)n * 1500000;
        d->dwell_us = 80000;
        d->needle_config = l->needle.config;
        d->needle_diameter_mm = (double)l->needle.diameter_mm;
        d->shade = l->target_shade;
        d->depth_mm = 0.3 + 0.05 * rng_normal(&rng);
        d->elongation = 1.0 + fabs(0.03 * rng_normal(&rng));
        skin_layers layers;
        lesson_layers(l, r, &layers);
        d->diameter_fresh_mm = needle_fresh_diameter_mm(&l->needle, d->dwell_us, d->depth_mm, &layers);
        d->diameter_healed_mm = pigment_healed_diameter_mm(d->diameter_fresh_mm, d->depth_mm, &layers);
        pigment_fresh_lab(d->shade, d->depth_mm, l->fitzpatrick, &layers, &d->lab_fresh);
        pigment_healed_lab(d->shade, d->depth_mm, l->fitzpatrick, &layers, &d->lab_healed);
        grid[cy * gw + cx] = (int32_t)n;
        n++;
    }
    free(grid);
    *count = n;
    return dots;
}
