/* test_scalp_features.c: the client's existing hair and scars made from a lesson. On the
 * practice skin (chart mm = skin mm, so areas are exact): follicular units at the lesson's
 * density over the hair polygon, the hairs-per-unit mix of smp-reference.md, the same hairs
 * from the same seed and others from another, no follicle in scar tissue; FUE punches as
 * many as asked, inside their polygon, never overlapping; scar coverage 1 on a scar and 0
 * past its soft edge. On the head (lesson 05: hair drawn by regions), the hair fades across
 * the regions' edge: full density well inside, thinning over the last 5 mm, a few units up
 * to 5 mm outside and none further, never off the scalp; the distance to the edge is found
 * here by searching round each point, not with the code's own distance field. Expected
 * figures come from the lesson's own numbers. */
#include "scalp_features.h"
#include "check.h"
#include "edge_field.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HAIR_POLY "[[10,10],[90,10],[90,60],[10,60]]"

static void lesson_text(int seed, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "{\"format\":\"stipple-lesson/1\",\"id\":\"f\",\"title\":\"f\",\"version\":1,"
             "\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
             "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
             "\"zones\":[{\"name\":\"z\",\"polygon_mm\":[[10,10],[90,10],[90,60],[10,60]]}],"
             "\"existing_hair\":{\"polygon_mm\":" HAIR_POLY ",\"density_per_cm2\":40,\"length_mm\":0.8,"
             "\"colour\":\"black\",\"seed\":%d},"
             "\"scars\":[{\"kind\":\"strip\",\"path_mm\":[[10,35],[50,37],[90,35]],\"width_mm\":2},"
             "{\"kind\":\"fue\",\"polygon_mm\":[[20,15],[80,15],[80,25],[20,25]],\"count\":200,\"diameter_mm\":0.85,"
             "\"seed\":4}],"
             "\"session\":{\"number\":1,\"density_per_cm2\":30},"
             "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},"
             "\"pigment\":{\"target_shade\":8,\"allowed_shades\":[6,12]},"
             "\"weights\":{\"spacing\":1},\"sources\":[\"test\"]}",
             seed);
}

static double polygon_area_mm2(const chart_point *p, size_t n)
{
    double a = 0.0;
    for (size_t i = 0, j = n - 1; i < n; j = i++)
        a += p[j].u_mm * p[i].v_mm - p[i].u_mm * p[j].v_mm;
    return fabs(0.5 * a);
}

/* Signed distance (mm, + inside) from (u, v) to the edge of the lesson's hair area, by
 * rings of 64 points every 0.25 mm out to 8 mm (first a ring at 8 mm: all on one side
 * there, the point reads as 8 mm or further). */
static double edge_distance(const lesson *l, const surface *s, double u, double v)
{
    const lesson_zone *a = &l->hair.area;
    int me = lesson_area_contains(a, u, v, surface_region_at_chart(s, u, v));
    int mixed = 0;
    for (int k = 0; k < 64 && !mixed; k++) {
        double t = k * (2.0 * 3.14159265358979 / 64);
        double x = u + 8.0 * cos(t), y = v + 8.0 * sin(t);
        mixed = lesson_area_contains(a, x, y, surface_region_at_chart(s, x, y)) != me;
    }
    double d = 8.0;
    for (double r = 0.25; mixed && r <= 8.0; r += 0.25) {
        int found = 0;
        for (int k = 0; k < 64 && !found; k++) {
            double t = k * (2.0 * 3.14159265358979 / 64);
            double x = u + r * cos(t), y = v + r * sin(t);
            found = lesson_area_contains(a, x, y, surface_region_at_chart(s, x, y)) != me;
        }
        if (found) {
            d = r - 0.125;
            break;
        }
    }
    return me ? d : -d;
}

/* Lesson 05's client: stubble on regions of the head, with a strip and punch scars in it.
 * Units per cm2 by distance from the area's edge, against the lesson's density: the
 * chart area of each band is measured by random points (on the scalp, not in a scar). */
static void head_hair_fades_at_region_edges(void)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/lessons/05-fut-scar.json", STIPPLE_SOURCE_DIR);
    lesson l;
    if (lesson_load_file(path, &l, err, sizeof err) != 0) {
        CHECK(0, "lesson 05 loads: %s", err);
        return;
    }
    surface *s = surface_create(SURFACE_HEAD, 0.0, 0.0);
    scalp_features f;
    if (!s || scalp_features_make(&l, s, &f) != 0) {
        CHECK(0, "lesson 05's features made");
        surface_free(s);
        lesson_free(&l);
        return;
    }
    CHECK(l.hair.area.polygon == NULL && l.hair.area.region_mask != 0, "lesson 05's hair is drawn by regions");
    /* bands of signed distance: [far outside, (-5,-2.5), (-1,1), (2.5,5), far inside] */
    static const double lo[5] = { -99.0, -5.0, -1.0, 2.5, 6.5 }, hi[5] = { -6.2, -2.5, 1.0, 5.0, 99.0 };
    double units[5] = { 0 }, area_mm2[5] = { 0 };
    double box[4] = { INFINITY, INFINITY, -INFINITY, -INFINITY };
    size_t off_scalp = 0;
    for (size_t i = 0; i < f.hair_count; i++) {
        const scalp_hair *h = &f.hairs[i];
        box[0] = fmin(box[0], h->u_mm - 12.0);
        box[1] = fmin(box[1], h->v_mm - 12.0);
        box[2] = fmax(box[2], h->u_mm + 12.0);
        box[3] = fmax(box[3], h->v_mm + 12.0);
        if (i > 0 && h->u_mm == f.hairs[i - 1].u_mm && h->v_mm == f.hairs[i - 1].v_mm)
            continue;    /* the unit's other hairs */
        off_scalp += !region_is_scalp(surface_region_at_chart(s, h->u_mm, h->v_mm));
        double d = edge_distance(&l, s, h->u_mm, h->v_mm);
        for (int b = 0; b < 5; b++)
            units[b] += d > lo[b] && d < hi[b];
    }
    CHECK(off_scalp == 0, "%zu units off the scalp", off_scalp);
    /* the distance field the hairs use, against the distance searched for here */
    edge_field ef = { 0 };
    CHECK(edge_field_make(&l.hair.area, s, box, 1.0, 5.0, &ef) == 0, "the edge's distance field is made");
    double field_worst = 0.0;
    size_t field_n = 0;
    rng_state rng;
    rng_seed(77, &rng);
    const int samples = 40000;
    double box_mm2 = (box[2] - box[0]) * (box[3] - box[1]);
    for (int k = 0; k < samples; k++) {
        double u = box[0] + rng_uniform(&rng) * (box[2] - box[0]), v = box[1] + rng_uniform(&rng) * (box[3] - box[1]);
        surface_hit hit;
        if (!region_is_scalp(surface_region_at_chart(s, u, v)) || scalp_scar_at(&l, &f, u, v, NULL) > 0.0 ||
            !surface_chart_point(s, u, v, &hit))
            continue;
        double d = edge_distance(&l, s, u, v);
        for (int b = 0; b < 5; b++)
            area_mm2[b] += (d > lo[b] && d < hi[b]) * box_mm2 / samples;
        if (fabs(d) < 4.5) {
            field_worst = fmax(field_worst, fabs(edge_field_at(&ef, u, v) - d));
            field_n++;
        }
    }
    /* within a node step (1 mm) and the search's own 0.25 mm rings */
    CHECK(field_n > 1000 && field_worst < 1.25, "the distance field within %.2f mm of the searched distance at %zu points",
          field_worst, field_n);
    edge_field_free(&ef);
    double share[5];
    for (int b = 0; b < 5; b++)
        share[b] = area_mm2[b] > 0.0 ? units[b] / (area_mm2[b] / 100.0 * l.hair.density_per_cm2) : 0.0;
    /* the smooth step's mean over each band: 0 / 0.06 / 0.5 / 0.94 / 1 */
    CHECK(units[0] == 0.0, "%.0f units more than 6 mm outside the area", units[0]);
    CHECK(share[1] > 0.02 && share[1] < 0.2, "2.5-5 mm outside: %.2f of the density (a few strays)", share[1]);
    CHECK(share[2] > 0.35 && share[2] < 0.65, "within 1 mm of the edge: %.2f of the density (about half)", share[2]);
    CHECK(share[3] > 0.85 && share[3] < 0.975, "2.5-5 mm inside: %.2f of the density (thinning)", share[3]);
    CHECK(fabs(share[4] - 1.0) < 0.06, "further inside: %.3f of the density (%.0f units on %.0f cm2)", share[4],
          units[4], area_mm2[4] / 100.0);
    scalp_features_free(&f);
    surface_free(s);
    lesson_free(&l);
}

int main(void)
{
    head_hair_fades_at_region_edges();

    char t1[2048], t2[2048], err[256];
    lesson l, l2;
    lesson_text(7, t1, sizeof t1);
    lesson_text(8, t2, sizeof t2);
    if (lesson_load_mem(t1, strlen(t1), "f", &l, err, sizeof err) != 0 ||
        lesson_load_mem(t2, strlen(t2), "f2", &l2, err, sizeof err) != 0) {
        CHECK(0, "lessons load: %s", err);
        return check_summary("test_scalp_features");
    }
    surface *s = surface_create(SURFACE_PRACTICE_SKIN, l.skin_width_mm, l.skin_height_mm);
    scalp_features f, again, other;
    if (!s || scalp_features_make(&l, s, &f) != 0 || scalp_features_make(&l, s, &again) != 0 ||
        scalp_features_make(&l2, s, &other) != 0) {
        CHECK(0, "features made");
        return check_summary("test_scalp_features");
    }

    /* units at the density over the polygon, less the units that fell in scar tissue */
    double area_cm2 = polygon_area_mm2(l.hair.area.polygon, l.hair.area.polygon_count) / 100.0;
    double expect = l.hair.density_per_cm2 * area_cm2;
    size_t in_scar_cells = 0;
    for (size_t i = 0; i < f.hair_count; i++)
        in_scar_cells += scalp_scar_at(&l, &f, f.hairs[i].u_mm, f.hairs[i].v_mm, NULL) > 0.0;
    CHECK(in_scar_cells == 0, "%zu hairs grow in scar tissue", in_scar_cells);
    /* scar area: the strip's length x width plus the punches' discs */
    double strip_mm2 = 0.0;
    for (size_t i = 0; i + 1 < l.scars[0].point_count; i++)
        strip_mm2 += hypot(l.scars[0].points[i + 1].u_mm - l.scars[0].points[i].u_mm,
                           l.scars[0].points[i + 1].v_mm - l.scars[0].points[i].v_mm) * l.scars[0].width_mm;
    double punch_mm2 = 0.0;
    for (size_t i = 0; i < f.punch_count; i++)
        punch_mm2 += 3.14159265358979 * f.punches[i].radius_mm * f.punches[i].radius_mm;
    double expect_units = expect * (1.0 - (strip_mm2 + punch_mm2) / (area_cm2 * 100.0));
    CHECK(fabs((double)f.unit_count - expect_units) < 0.03 * expect_units, "%zu follicular units, expected %.0f",
          f.unit_count, expect_units);
    double per_unit = (double)f.hair_count / (double)f.unit_count;
    double mix_mean = 1 * 0.20 + 2 * 0.45 + 3 * 0.30 + 4 * 0.05;
    CHECK(fabs(per_unit - mix_mean) < 0.06, "%.3f hairs a unit, expected %.2f", per_unit, mix_mean);
    /* lengths: 0.75-1.25 of the lesson's, ~0.82 of it seen along the skin (scalp_features.c) */
    for (size_t i = 0; i < f.hair_count; i++) {
        const scalp_hair *h = &f.hairs[i];
        if (!lesson_polygon_contains(l.hair.area.polygon, l.hair.area.polygon_count, h->u_mm, h->v_mm) ||
            h->length_mm < 0.6f * (float)l.hair.length_mm || h->length_mm > 1.03f * (float)l.hair.length_mm ||
            h->width_mm < 0.05f || h->width_mm > 0.1f) {
            CHECK(0, "hair %zu at (%.2f, %.2f), %.2f x %.3f mm", i, h->u_mm, h->v_mm, h->length_mm, h->width_mm);
            break;
        }
    }
    /* combed one way on the practice skin (no crown): along -v */
    double sum_sin = 0.0;
    for (size_t i = 0; i < f.hair_count; i++)
        sum_sin += sin((double)f.hairs[i].dir_rad);
    CHECK(sum_sin / (double)f.hair_count < -0.8, "hairs lie along -v (mean sin %.2f)", sum_sin / (double)f.hair_count);
    lab black;
    hair_lab("black", &black);
    CHECK(f.hair_colour.L == black.L && f.hair_colour.a == black.a, "hair colour is the lesson's, not the client's");

    /* same seed, same hairs; another seed, others */
    CHECK(again.hair_count == f.hair_count && memcmp(again.hairs, f.hairs, f.hair_count * sizeof *f.hairs) == 0,
          "same seed, same hairs");
    CHECK(other.hair_count != f.hair_count ||
              memcmp(other.hairs, f.hairs, (f.hair_count < other.hair_count ? f.hair_count : other.hair_count) * sizeof *f.hairs) != 0,
          "another seed, other hairs");

    /* punches: as many as asked, in their polygon, apart */
    const lesson_scar *fue = &l.scars[1];
    CHECK(f.punch_count == (size_t)fue->count, "%zu punches, asked %d", f.punch_count, fue->count);
    size_t outside = 0, overlap = 0;
    for (size_t i = 0; i < f.punch_count; i++) {
        outside += !lesson_polygon_contains(fue->points, fue->point_count, f.punches[i].u_mm, f.punches[i].v_mm);
        for (size_t k = i + 1; k < f.punch_count; k++)
            overlap += hypot(f.punches[i].u_mm - f.punches[k].u_mm, f.punches[i].v_mm - f.punches[k].v_mm) <
                       f.punches[i].radius_mm + f.punches[k].radius_mm;
    }
    CHECK(outside == 0 && overlap == 0, "%zu punches outside, %zu overlapping", outside, overlap);

    /* coverage: 1 on the strip's path and on a punch's centre, 0 past the soft edges */
    int k = -2;
    const lesson_scar *strip = &l.scars[0];
    double mu = 0.5 * (strip->points[0].u_mm + strip->points[1].u_mm);
    double mv = 0.5 * (strip->points[0].v_mm + strip->points[1].v_mm);
    CHECK(scalp_scar_at(&l, &f, mu, mv, &k) == 1.0 && k == 0, "on the strip: scar %d", k);
    double off = lesson_strip_distance_mm(strip, mu, mv + 0.5 * strip->width_mm + 0.2);
    CHECK(off > 0.5 * strip->width_mm + 0.1 && scalp_scar_at(&l, &f, mu, mv + 0.5 * strip->width_mm + 0.2, &k) == 0.0 &&
              k == -1,
          "past the strip's edge (%.2f mm from its path)", off);
    CHECK(scalp_scar_at(&l, &f, f.punches[3].u_mm, f.punches[3].v_mm, &k) == 1.0 && k == 1, "on a punch: scar %d", k);
    /* the raster (drawn images of the scars) is the same coverage, computed near each scar */
    {
        enum { RW = 400, RH = 260 };   /* u 15-55, v 14-40: punches and the strip */
        static float img[RW * RH];
        double ru0 = 15.0, rv0 = 14.0, rt = 0.1;
        scalp_scar_raster(&l, &f, ru0, rv0, rt, RW, RH, img);
        double worst = 0.0, covered = 0.0;
        for (int y = 0; y < RH; y++)
            for (int x = 0; x < RW; x++) {
                double want = scalp_scar_at(&l, &f, ru0 + (x + 0.5) * rt, rv0 + (y + 0.5) * rt, NULL);
                worst = fmax(worst, fabs(want - (double)img[y * RW + x]));
                covered += want;
            }
        CHECK(worst < 1e-6 && covered > 100.0, "raster vs point coverage: worst difference %.2g over %.0f texels of scar",
              worst, covered);
    }
    const double *band, *acc;
    CHECK(scalp_depth_bands(&l, &f, mu, mv, &band, &acc) == 0 && band == l.depth_band_mm,
          "a scar without its own band keeps the session's");

    scalp_features_free(&f);
    scalp_features_free(&again);
    scalp_features_free(&other);
    scalp_features_free(NULL);
    surface_free(s);
    lesson_free(&l);
    lesson_free(&l2);
    return check_summary("test_scalp_features");
}
