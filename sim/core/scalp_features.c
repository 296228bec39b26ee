/* scalp_features.c: see scalp_features.h.
 * Hairs: follicular units on a jittered grid at the lesson's density (one unit a cell,
 * anywhere in it: no visible lattice), 1-4 hairs a unit in the Caucasian mix of
 * smp-reference.md (20/45/30/5 %), each hair a stubble of the lesson's length leaving the
 * skin at ~35 degrees (so ~0.82 of it shows along the skin), combed away from the crown's
 * whorl as scalp hair grows. Where the hair's area is drawn by regions or a Norwood stage,
 * its edge is a line on the chart that no real fringe follows: there the units thin out
 * over HAIR_FEATHER_MM either side of it, as hair thins at the edge of a fringe. Strays
 * outside the area grow only on the scalp, so where the area ends at the scalp's own limit
 * (the hairline above the forehead, the chart's edge at the nape) the hair thins inwards
 * only, as a natural hairline does. A polygon, a lesson's own drawing, is kept as drawn.
 * Punch scars: dart throwing in the scar's polygon. */
#include "scalp_features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edge_field.h"
#include "rng.h"

#define PI 3.14159265358979323846
#define HAIR_EXIT_COS 0.82           /* cos(35 deg): the part of a stubble hair seen along the skin */
#define SCAR_EDGE_MM 0.1             /* half-width of a scar's soft edge */
#define HAIR_FEATHER_MM 5.0          /* half-width of the thinning at a region-drawn edge */
#define HAIR_FEATHER_STEP_MM 1.0     /* the edge's distance field's node spacing */

static double smooth01(double e0, double e1, double x)
{
    double t = (x - e0) / (e1 - e0);
    t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    return t * t * (3.0 - 2.0 * t);
}

/* Bounding box of an area: its polygon's, or (regions only) of the chart points in it. */
static int area_box(const surface *s, const lesson_zone *a, double box[4])
{
    if (a->polygon && a->polygon_count >= 3) {
        lesson_points_box(a->polygon, a->polygon_count, 0.0, box);
        return 1;
    }
    double dom[4];
    surface_chart_bounds(s, dom);
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    const double step = 2.0;
    for (double v = dom[1]; v <= dom[3]; v += step)
        for (double u = dom[0]; u <= dom[2]; u += step)
            if (lesson_area_contains(a, u, v, surface_region_at_chart(s, u, v))) {
                box[0] = fmin(box[0], u - step);
                box[1] = fmin(box[1], v - step);
                box[2] = fmax(box[2], u + step);
                box[3] = fmax(box[3], v + step);
            }
    return box[0] <= box[2];
}

/* The crown's whorl: the middle of the vertex region (hair is combed away from it); on the
 * practice skin, none (hair lies along -v). */
static int whorl(const lesson *l, const surface *s, double out[2])
{
    if (l->surface == SURFACE_PRACTICE_SKIN)
        return 0;
    double dom[4], su = 0.0, sv = 0.0;
    size_t n = 0;
    surface_chart_bounds(s, dom);
    for (double v = dom[1]; v <= dom[3]; v += 4.0)
        for (double u = dom[0]; u <= dom[2]; u += 4.0)
            if (surface_region_at_chart(s, u, v) == REGION_VERTEX) {
                su += u;
                sv += v;
                n++;
            }
    if (!n)
        return 0;
    out[0] = su / (double)n;
    out[1] = sv / (double)n;
    return 1;
}

/* The share of units kept at signed distance d from a feathered edge (+ inside): half at
 * the edge, rising smoothly to all HAIR_FEATHER_MM inside and falling to none as far
 * outside (so a straight edge between scalp regions keeps the area's count:
 * p(d) + p(-d) = 1). */
static double feather_keep(double d_mm)
{
    return smooth01(-HAIR_FEATHER_MM, HAIR_FEATHER_MM, d_mm);
}

static int make_hairs(const lesson *l, const surface *s, scalp_features *f)
{
    const lesson_hair *h = &l->hair;
    double box[4], crown[2], dom[4];
    surface_chart_bounds(s, dom);
    if (!area_box(s, &h->area, box))
        return 0;
    int feather = !h->area.polygon && l->surface == SURFACE_HEAD;
    if (feather) {
        box[0] -= HAIR_FEATHER_MM;
        box[1] -= HAIR_FEATHER_MM;
        box[2] += HAIR_FEATHER_MM;
        box[3] += HAIR_FEATHER_MM;
    }
    /* nothing grows off the chart (a lesson may draw its polygon past it) */
    if (!lesson_box_clip(box, dom))
        return 0;
    edge_field edge = { 0 };
    if (feather && edge_field_make(&h->area, s, box, HAIR_FEATHER_STEP_MM, HAIR_FEATHER_MM, &edge) != 0)
        return -1;
    int has_crown = whorl(l, s, crown);
    double cell = 10.0 / sqrt(h->density_per_cm2);    /* one unit a cell: density per cm2 */
    int nu = (int)ceil((box[2] - box[0]) / cell), nv = (int)ceil((box[3] - box[1]) / cell);
    size_t cap = (size_t)nu * (size_t)nv * 4 + 4;
    f->hairs = calloc(cap, sizeof *f->hairs);
    if (!f->hairs) {
        edge_field_free(&edge);
        return -1;
    }
    rng_state rng;
    rng_seed(0x4841495200000000ull ^ h->seed, &rng);
    for (int j = 0; j < nv; j++)
        for (int i = 0; i < nu; i++) {
            /* every draw is made whether or not the unit is kept: the pattern in one place
             * does not depend on the area's shape elsewhere */
            double u = box[0] + (i + rng_uniform(&rng)) * cell;
            double v = box[1] + (j + rng_uniform(&rng)) * cell;
            double pick = rng_uniform(&rng);
            int hairs = pick < 0.20 ? 1 : pick < 0.65 ? 2 : pick < 0.95 ? 3 : 4;
            double dir = has_crown ? atan2(v - crown[1], u - crown[0]) : -0.5 * PI;
            dir += 0.35 * rng_normal(&rng);
            double spread[4], len[4], wid[4];
            for (int k = 0; k < 4; k++) {
                spread[k] = 0.21 * rng_normal(&rng);
                len[k] = h->length_mm * HAIR_EXIT_COS * rng_range(&rng, 0.75, 1.25);
                wid[k] = rng_range(&rng, 0.06, 0.09);
            }
            double keep = feather ? rng_uniform(&rng) : 0.0;
            region_id reg = surface_region_at_chart(s, u, v);
            int inside = lesson_area_contains(&h->area, u, v, reg);
            if (feather) {
                if ((!inside && !region_is_scalp(reg)) || keep >= feather_keep(edge_field_at(&edge, u, v)))
                    continue;
            } else if (!inside) {
                continue;
            }
            if (l->scar_count && scalp_scar_at(l, f, u, v, NULL) > 0.0)
                continue;      /* scar tissue has no follicles */
            surface_hit hit;
            if (!surface_chart_point(s, u, v, &hit))
                continue;
            for (int k = 0; k < hairs; k++) {
                scalp_hair *o = &f->hairs[f->hair_count++];
                o->u_mm = u;
                o->v_mm = v;
                o->dir_rad = (float)(dir + spread[k]);
                o->length_mm = (float)len[k];
                o->width_mm = (float)wid[k];
            }
            f->unit_count++;
        }
    edge_field_free(&edge);
    return 0;
}

/* Dart throwing needs "is any punch nearer than gap?" thousands of times: punches so far
 * are chained per cell of a grid at least gap wide (at most 1024 x 1024 cells). */
typedef struct dart_grid {
    double u0, v0, cell;
    int    w, h;
    int32_t *head, *next;
} dart_grid;

static int dart_clear(const dart_grid *g, const scalp_punch *p, double u, double v, double gap)
{
    int cx = (int)((u - g->u0) / g->cell), cy = (int)((v - g->v0) / g->cell);
    for (int y = cy - 1; y <= cy + 1; y++)
        for (int x = cx - 1; x <= cx + 1; x++) {
            if (x < 0 || y < 0 || x >= g->w || y >= g->h)
                continue;
            for (int32_t i = g->head[(size_t)y * (size_t)g->w + (size_t)x]; i >= 0; i = g->next[i]) {
                double du = p[i].u_mm - u, dv = p[i].v_mm - v;
                if (du * du + dv * dv < gap * gap)
                    return 0;
            }
        }
    return 1;
}

static int make_punches(const lesson *l, const surface *s, scalp_features *f)
{
    size_t total = 0;
    for (size_t k = 0; k < l->scar_count; k++)
        if (l->scars[k].kind == SCAR_FUE)
            total += (size_t)l->scars[k].count;
    if (!total)
        return 0;
    f->punches = calloc(total, sizeof *f->punches);
    if (!f->punches)
        return -1;
    for (size_t k = 0; k < l->scar_count; k++) {
        const lesson_scar *sc = &l->scars[k];
        if (sc->kind != SCAR_FUE)
            continue;
        double box[4], dom[4];
        lesson_points_box(sc->points, sc->point_count, 0.0, box);
        surface_chart_bounds(s, dom);
        if (!lesson_box_clip(box, dom))
            continue;       /* off the chart: no punch can land */
        rng_state rng;
        rng_seed(0x5343415200000000ull ^ ((uint64_t)k << 32) ^ sc->seed, &rng);
        double gap = 1.1 * sc->diameter_mm;    /* punches do not overlap (harvesting spreads them) */
        dart_grid g;
        g.u0 = box[0];
        g.v0 = box[1];
        g.cell = fmax(gap, fmax(box[2] - box[0], box[3] - box[1]) / 1024.0);
        g.w = (int)((box[2] - box[0]) / g.cell) + 1;
        g.h = (int)((box[3] - box[1]) / g.cell) + 1;
        g.head = malloc((size_t)g.w * (size_t)g.h * sizeof *g.head);
        g.next = malloc((size_t)sc->count * sizeof *g.next);
        if (!g.head || !g.next) {
            free(g.head);
            free(g.next);
            return -1;
        }
        memset(g.head, 0xff, (size_t)g.w * (size_t)g.h * sizeof *g.head);   /* -1: empty */
        scalp_punch *mine = f->punches + f->punch_count;
        int32_t placed = 0;
        /* an area too small for the count fills up: stop after 32 punches in a row found no
         * room in 60 tries each */
        int missed = 0;
        for (int n = 0; n < sc->count && missed < 32; n++) {
            missed++;
            for (int tries = 0; tries < 60; tries++) {
                double u = rng_range(&rng, box[0], box[2]), v = rng_range(&rng, box[1], box[3]);
                if (!lesson_polygon_contains(sc->points, sc->point_count, u, v) || !dart_clear(&g, mine, u, v, gap))
                    continue;
                scalp_punch *p = &mine[placed];
                p->u_mm = u;
                p->v_mm = v;
                p->radius_mm = 0.5 * sc->diameter_mm * rng_range(&rng, 0.85, 1.15);
                p->scar = (uint32_t)k;
                size_t c = (size_t)((v - g.v0) / g.cell) * (size_t)g.w + (size_t)((u - g.u0) / g.cell);
                g.next[placed] = g.head[c];
                g.head[c] = placed++;
                missed = 0;
                break;
            }
        }
        f->punch_count += (size_t)placed;
        free(g.head);
        free(g.next);
    }
    /* bin by chart cell (counting sort) */
    double box[4] = { INFINITY, INFINITY, -INFINITY, -INFINITY };
    for (size_t i = 0; i < f->punch_count; i++) {
        box[0] = fmin(box[0], f->punches[i].u_mm);
        box[1] = fmin(box[1], f->punches[i].v_mm);
        box[2] = fmax(box[2], f->punches[i].u_mm);
        box[3] = fmax(box[3], f->punches[i].v_mm);
    }
    if (!f->punch_count)
        return 0;
    f->cell_mm = 2.0;
    f->gu0 = box[0] - 4.0;
    f->gv0 = box[1] - 4.0;
    f->gw = (int)ceil((box[2] + 4.0 - f->gu0) / f->cell_mm);
    f->gh = (int)ceil((box[3] + 4.0 - f->gv0) / f->cell_mm);
    size_t ncell = (size_t)f->gw * (size_t)f->gh;
    f->cell_start = calloc(ncell + 1, sizeof *f->cell_start);
    f->cell_items = calloc(f->punch_count, sizeof *f->cell_items);
    if (!f->cell_start || !f->cell_items)
        return -1;
    for (size_t i = 0; i < f->punch_count; i++) {
        int cx = (int)((f->punches[i].u_mm - f->gu0) / f->cell_mm), cy = (int)((f->punches[i].v_mm - f->gv0) / f->cell_mm);
        f->cell_start[(size_t)cy * (size_t)f->gw + (size_t)cx + 1]++;
    }
    for (size_t c = 0; c < ncell; c++)
        f->cell_start[c + 1] += f->cell_start[c];
    uint32_t *fill = calloc(ncell, sizeof *fill);
    if (!fill)
        return -1;
    for (size_t i = 0; i < f->punch_count; i++) {
        int cx = (int)((f->punches[i].u_mm - f->gu0) / f->cell_mm), cy = (int)((f->punches[i].v_mm - f->gv0) / f->cell_mm);
        size_t c = (size_t)cy * (size_t)f->gw + (size_t)cx;
        f->cell_items[f->cell_start[c] + fill[c]++] = (uint32_t)i;
    }
    free(fill);
    return 0;
}

int scalp_features_make(const lesson *l, const surface *s, scalp_features *out)
{
    memset(out, 0, sizeof *out);
    if (make_punches(l, s, out) != 0)      /* first: hairs keep out of the scars */
        goto fail;
    if (l->has_hair) {
        if (!hair_lab(l->hair.colour, &out->hair_colour))
            hair_lab(l->hair_colour, &out->hair_colour);
        if (make_hairs(l, s, out) != 0)
            goto fail;
    }
    return 0;
fail:
    scalp_features_free(out);
    return -1;
}

void scalp_features_free(scalp_features *f)
{
    if (!f)
        return;
    free(f->hairs);
    free(f->punches);
    free(f->cell_start);
    free(f->cell_items);
    memset(f, 0, sizeof *f);
}

/* Coverage of scar tissue at distance d from a strip's path, or from a punch's centre. */
static double strip_coverage(const lesson_scar *sc, double d)
{
    double half = 0.5 * sc->width_mm, e = fmin(SCAR_EDGE_MM, 0.5 * half);
    return 1.0 - smooth01(half - e, half + e, d);
}

/* Distance to a strip's path where it can matter (within its half width and soft edge),
 * INFINITY farther: segments whose box is out of reach are not measured. */
static double strip_distance_near(const lesson_scar *sc, double u, double v)
{
    double reach = 0.5 * sc->width_mm + SCAR_EDGE_MM, best = INFINITY;
    for (size_t i = 0; i + 1 < sc->point_count; i++) {
        const chart_point *a = &sc->points[i], *b = &sc->points[i + 1];
        if (u < fmin(a->u_mm, b->u_mm) - reach || u > fmax(a->u_mm, b->u_mm) + reach ||
            v < fmin(a->v_mm, b->v_mm) - reach || v > fmax(a->v_mm, b->v_mm) + reach)
            continue;
        lesson_scar seg = *sc;
        seg.points = (chart_point *)a;
        seg.point_count = 2;
        best = fmin(best, lesson_strip_distance_mm(&seg, u, v));
    }
    return best;
}

static double punch_coverage(const scalp_punch *p, double d)
{
    return 1.0 - smooth01(p->radius_mm - SCAR_EDGE_MM, p->radius_mm + SCAR_EDGE_MM, d);
}

static void raster_max(float *cov, int w, int h, int x, int y, double c)
{
    if (x >= 0 && y >= 0 && x < w && y < h && (float)c > cov[(size_t)y * (size_t)w + (size_t)x])
        cov[(size_t)y * (size_t)w + (size_t)x] = (float)c;
}

void scalp_scar_raster(const lesson *l, const scalp_features *f, double u0, double v0, double texel_mm, int w, int h,
                       float *cov)
{
    memset(cov, 0, (size_t)w * (size_t)h * sizeof *cov);
    /* each strip segment over the texels of its own box, each punch over its own: the
     * work follows the scars' area, not the box around them all */
    for (size_t k = 0; k < l->scar_count; k++) {
        const lesson_scar *sc = &l->scars[k];
        if (sc->kind != SCAR_STRIP)
            continue;
        double reach = 0.5 * sc->width_mm + SCAR_EDGE_MM;
        for (size_t i = 0; i + 1 < sc->point_count; i++) {
            const chart_point *a = &sc->points[i], *b = &sc->points[i + 1];
            int x0 = (int)floor((fmin(a->u_mm, b->u_mm) - reach - u0) / texel_mm);
            int x1 = (int)ceil((fmax(a->u_mm, b->u_mm) + reach - u0) / texel_mm);
            int y0 = (int)floor((fmin(a->v_mm, b->v_mm) - reach - v0) / texel_mm);
            int y1 = (int)ceil((fmax(a->v_mm, b->v_mm) + reach - v0) / texel_mm);
            x0 = x0 < 0 ? 0 : x0;
            y0 = y0 < 0 ? 0 : y0;
            x1 = x1 > w ? w : x1;
            y1 = y1 > h ? h : y1;
            lesson_scar seg = *sc;
            seg.points = (chart_point *)a;
            seg.point_count = 2;
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                    raster_max(cov, w, h, x, y,
                               strip_coverage(sc, lesson_strip_distance_mm(&seg, u0 + (x + 0.5) * texel_mm,
                                                                           v0 + (y + 0.5) * texel_mm)));
        }
    }
    for (size_t i = 0; f && i < f->punch_count; i++) {
        const scalp_punch *p = &f->punches[i];
        double reach = p->radius_mm + SCAR_EDGE_MM;
        int x0 = (int)floor((p->u_mm - reach - u0) / texel_mm), x1 = (int)ceil((p->u_mm + reach - u0) / texel_mm);
        int y0 = (int)floor((p->v_mm - reach - v0) / texel_mm), y1 = (int)ceil((p->v_mm + reach - v0) / texel_mm);
        for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
            for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
                raster_max(cov, w, h, x, y,
                           punch_coverage(p, hypot(u0 + (x + 0.5) * texel_mm - p->u_mm, v0 + (y + 0.5) * texel_mm - p->v_mm)));
    }
}

double scalp_scar_at(const lesson *l, const scalp_features *f, double u, double v, int *scar)
{
    double best = 0.0;
    int which = -1;
    for (size_t k = 0; k < l->scar_count; k++) {
        const lesson_scar *sc = &l->scars[k];
        if (sc->kind != SCAR_STRIP)
            continue;
        double c = strip_coverage(sc, strip_distance_near(sc, u, v));
        if (c > best) {
            best = c;
            which = (int)k;
        }
    }
    if (f && f->punch_count) {
        int cx = (int)floor((u - f->gu0) / f->cell_mm), cy = (int)floor((v - f->gv0) / f->cell_mm);
        for (int y = cy - 2; y <= cy + 2; y++)
            for (int x = cx - 2; x <= cx + 2; x++) {
                if (x < 0 || y < 0 || x >= f->gw || y >= f->gh)
                    continue;
                size_t c = (size_t)y * (size_t)f->gw + (size_t)x;
                for (uint32_t it = f->cell_start[c]; it < f->cell_start[c + 1]; it++) {
                    const scalp_punch *p = &f->punches[f->cell_items[it]];
                    double du = p->u_mm - u, dv = p->v_mm - v;
                    double cov = punch_coverage(p, sqrt(du * du + dv * dv));
                    if (cov > best) {
                        best = cov;
                        which = (int)p->scar;
                    }
                }
            }
    }
    if (scar)
        *scar = best > 0.0 ? which : -1;
    return best;
}

int scalp_depth_bands(const lesson *l, const scalp_features *f, double u, double v, const double **band,
                      const double **acceptable)
{
    int k = -1;
    *band = l->depth_band_mm;
    *acceptable = l->depth_acceptable_mm;
    if (!l->scar_count || scalp_scar_at(l, f, u, v, &k) < 0.5 || k < 0)
        return -1;
    if (l->scars[k].has_depth_band) {
        *band = l->scars[k].depth_band_mm;
        *acceptable = l->scars[k].depth_acceptable_mm;
    }
    return k;
}
