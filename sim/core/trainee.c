/* trainee.c: virtual trainees that hold a pen.
 *
 * A trainee plans where its dots go (in chart mm), splits the zone into hand-sized
 * patches, and for each patch turns the view to face it, then for each dot: hovers over
 * (minimum-jerk motion at 200 Hz), lowers the pen, presses to the pressure that, through
 * its own calibration, gives the depth it means, holds, lifts. Every so often it lifts out
 * of proximity, switches the machine off and rests. The profile changes one habit. */
#include "trainee.h"

#include "score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hairline_score.h"
#include "pigment.h"
#include "rng.h"
#include "score.h"
#include "shade_rule.h"
#include "vec3.h"
#include "view.h"

#define SAMPLE_US 5000          /* 200 Hz */
#define PATCH_MM 12.0           /* a patch is what the trainee works without moving the view */
#define WORK_FIELD_MM 30.0      /* working magnification: 30 mm of skin fill the view height */
#define PI 3.14159265358979323846

static const char *const profile_names[TRAINEE_COUNT] = {
    "expert", "deep", "shallow", "grid", "clumped", "sparse", "dragger", "wrong-shade", "hard-hairline",
};

const char *trainee_profile_name(int profile)
{
    return profile >= 0 && profile < TRAINEE_COUNT ? profile_names[profile] : "?";
}

int trainee_profile_from_name(const char *name)
{
    for (int i = 0; name && i < TRAINEE_COUNT; i++)
        if (strcmp(name, profile_names[i]) == 0)
            return i;
    return -1;
}

int trainee_profile_metric(int profile)
{
    switch (profile) {
    case TRAINEE_DEEP:
    case TRAINEE_SHALLOW:       return METRIC_DEPTH;
    case TRAINEE_GRID:
    case TRAINEE_CLUMPED:
    case TRAINEE_SPARSE:        return METRIC_SPACING;
    case TRAINEE_DRAGGER:       return METRIC_QUALITY;
    case TRAINEE_WRONG_SHADE:   return METRIC_PIGMENT;
    case TRAINEE_HARD_HAIRLINE: return METRIC_HAIRLINE;
    default:                    return -1;
    }
}

void trainee_session_header(const lesson *l, int profile, uint64_t seed, session_header *dest)
{
    memset(dest, 0, sizeof *dest);
    dest->format_version = SESSION_FORMAT_VERSION;
    snprintf(dest->program_version, sizeof dest->program_version, "stipple %s", STIPPLE_VERSION);
    snprintf(dest->lesson_id, sizeof dest->lesson_id, "%s", l->id);
    memcpy(dest->lesson_hash, l->content_hash, sizeof dest->lesson_hash);
    snprintf(dest->source, sizeof dest->source, "trainee:%s", trainee_profile_name(profile));
    dest->seed = seed;
    device_desc_virtual(&dest->device);
    pen_calibration_default(&dest->calibration);
    /* Synthetic, with no wall-clock time, so that the same seed gives the same bytes. */
    snprintf(dest->trainee_id, sizeof dest->trainee_id, "virtual:%s", trainee_profile_name(profile));
    dest->origin = SESSION_ORIGIN_SIMULATED;
    dest->synthetic = 1;
    dest->rules_version = SCORE_RULES_VERSION;
}

/* ---- planning --------------------------------------------------------------------- */

typedef struct plan {
    chart_point *pts;
    size_t n, cap;
} plan;

static int plan_push(plan *p, double u, double v)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        chart_point *np = realloc(p->pts, cap * sizeof *np);
        if (!np)
            return -1;
        p->pts = np;
        p->cap = cap;
    }
    p->pts[p->n].u_mm = u;
    p->pts[p->n].v_mm = v;
    p->n++;
    return 0;
}

static void zone_bounds(const lesson *l, double lo[2], double hi[2])
{
    int any_regions = 0;
    lo[0] = lo[1] = 1e9;
    hi[0] = hi[1] = -1e9;
    for (size_t z = 0; z < l->zone_count; z++) {
        const lesson_zone *zn = &l->zones[z];
        if (!zn->polygon) {
            any_regions = 1;
            continue;
        }
        for (size_t i = 0; i < zn->polygon_count; i++) {
            lo[0] = fmin(lo[0], zn->polygon[i].u_mm);
            lo[1] = fmin(lo[1], zn->polygon[i].v_mm);
            hi[0] = fmax(hi[0], zn->polygon[i].u_mm);
            hi[1] = fmax(hi[1], zn->polygon[i].v_mm);
        }
    }
    if (any_regions) {
        if (l->surface == SURFACE_PRACTICE_SKIN) {
            lo[0] = fmin(lo[0], 0.0);
            lo[1] = fmin(lo[1], 0.0);
            hi[0] = fmax(hi[0], l->skin_width_mm);
            hi[1] = fmax(hi[1], l->skin_height_mm);
        } else {
            lo[0] = fmin(lo[0], -200.0);
            lo[1] = fmin(lo[1], -200.0);
            hi[0] = fmax(hi[0], 200.0);
            hi[1] = fmax(hi[1], 200.0);
        }
    }
}

/* Where this trainee means to put a dot: inside the zone (or, for the hard hairline,
 * up to 2 mm over the design line), and on the scalp. */
static int wants_point(const lesson *l, const surface *s, int profile, double u, double v)
{
    region_id r = surface_region_at_chart(s, u, v);
    if (r == REGION_NONE)
        return 0;
    if (profile == TRAINEE_HARD_HAIRLINE && l->has_hairline) {
        double off = lesson_hairline_offset_mm(l, u, v);
        if (off > 0.0 && off < 2.0)
            return 1;   /* over the line: the fault */
    }
    if (!region_is_scalp(r))
        return 0;
    return lesson_zone_contains(l, u, v, r);
}

/* The share of the target density this trainee means to put at (u, v): the hairline's
 * feather (front_density_fraction at the line, rising to full over feather_mm), 1 without
 * a hairline. Every profile feathers as asked except the hard hairline, whose one fault is
 * full density right up to (and over) the line. */
static double feather_share(const lesson *l, int profile, double u, double v)
{
    if (!l->has_hairline || profile == TRAINEE_HARD_HAIRLINE)
        return 1.0;
    double behind = -lesson_hairline_offset_mm(l, u, v);
    if (behind < 0.0)
        return 0.0;
    double f = l->hairline.front_density_fraction;
    double t = l->hairline.feather_mm > 0.0 ? behind / l->hairline.feather_mm : 1.0;
    return t >= 1.0 ? 1.0 : f + (1.0 - f) * t;
}

/* Keeps a planned dot with the probability the hairline's feather asks for. */
static int feather_keep(const lesson *l, int profile, double u, double v, rng_state *rng)
{
    double keep = feather_share(l, profile, u, v);
    return keep >= 1.0 || rng_uniform(rng) < keep;
}

/* Skin mm per chart mm along u and along v, averaged over the zone: the chart stretches the
 * head's curved regions (the occiput most, and not equally both ways), and a technician
 * spaces dots by the skin, not by the chart. */
static void zone_stretch(const lesson *l, const surface *s, const double lo[2], const double hi[2], double out[2])
{
    const double step = 2.0;
    double sum[2] = { 0.0, 0.0 };
    size_t n = 0;
    for (double v = lo[1] + 0.5 * step; v < hi[1]; v += step)
        for (double u = lo[0] + 0.5 * step; u < hi[0]; u += step) {
            double su, sv;
            if (!wants_point(l, s, TRAINEE_EXPERT, u, v))
                continue;
            surface_chart_scales(s, u, v, &su, &sv);
            sum[0] += su;
            sum[1] += sv;
            n++;
        }
    out[0] = n ? sum[0] / (double)n : 1.0;
    out[1] = n ? sum[1] / (double)n : 1.0;
}

/* ---- natural placement: dart throwing with a minimum distance -------------------------- */

/* A hand places each dot where it looks empty, keeping a little clear of the dots already
 * there, with no rows or lattice in mind: random sequential placement with a minimum
 * distance (dart throwing). The minimum distance is NATURAL_MIN_DIST / sqrt(local density),
 * a packing fraction of about 0.38, short of jamming (0.55): the pattern is even
 * (Clark-Evans R about 1.6, inside the natural 1.20-1.75, largest gaps about 2-2.7 target
 * spacings) and has no long-range order. 0.70 also keeps every pair apart by more than the
 * half target spacing (0.535 / sqrt(density)) at which dots risk merging. Where the feather asks for a share p of the
 * density, candidates are kept with probability p and the distance grows as 1 / sqrt(p),
 * so every part of the zone fills at the same pace and the density follows the design. */
#define NATURAL_MIN_DIST 0.70
#define NATURAL_SHARE_FLOOR 0.2   /* the distance stops growing below this share */
#define NATURAL_TRIES_PER_DOT 60  /* gives up (a full zone) after this many misses per dot asked for */

typedef struct dart_grid {
    double x0, y0, cell;          /* skin mm */
    long   nx, ny;
    size_t *head;                 /* per cell, first dot + 1 (0 = none) */
    size_t *next;                 /* per dot, next dot in its cell + 1 */
    double *xy;                   /* per dot, skin mm */
    size_t n, cap;
} dart_grid;

/* Whether a dot already lies within r skin mm of chart point (x, y), with su, sv the skin mm
 * per chart mm there. */
static int dart_near(const dart_grid *g, double x, double y, double r, double su, double sv)
{
    long cx = (long)floor((x - g->x0) / g->cell), cy = (long)floor((y - g->y0) / g->cell);
    long reach = (long)ceil(r / fmin(su, sv) / g->cell);
    for (long j = cy - reach; j <= cy + reach; j++) {
        if (j < 0 || j >= g->ny)
            continue;
        for (long i = cx - reach; i <= cx + reach; i++) {
            if (i < 0 || i >= g->nx)
                continue;
            for (size_t k = g->head[j * g->nx + i]; k; k = g->next[k - 1]) {
                double dx = (g->xy[2 * (k - 1)] - x) * su, dy = (g->xy[2 * (k - 1) + 1] - y) * sv;
                if (dx * dx + dy * dy < r * r)
                    return 1;
            }
        }
    }
    return 0;
}

static int dart_add(dart_grid *g, double x, double y)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 1024;
        size_t *nn = realloc(g->next, cap * sizeof *nn);
        if (!nn)
            return -1;
        g->next = nn;
        double *nxy = realloc(g->xy, 2 * cap * sizeof *nxy);
        if (!nxy)
            return -1;
        g->xy = nxy;
        g->cap = cap;
    }
    long cx = (long)floor((x - g->x0) / g->cell), cy = (long)floor((y - g->y0) / g->cell);
    cx = cx < 0 ? 0 : cx >= g->nx ? g->nx - 1 : cx;
    cy = cy < 0 ? 0 : cy >= g->ny ? g->ny - 1 : cy;
    g->xy[2 * g->n] = x;
    g->xy[2 * g->n + 1] = y;
    g->next[g->n] = g->head[cy * g->nx + cx];
    g->head[cy * g->nx + cx] = g->n + 1;
    g->n++;
    return 0;
}

static int plan_natural(const lesson *l, const surface *s, int profile, rng_state *rng, double density_mm2,
                        const double *lo, const double *hi, plan *out)
{
    /* How many dots the design asks for: the density times the share, over the zone's
     * skin area (sampled at a fifth of the spacing; the chart stretches the skin unevenly,
     * so each sample counts its own skin area). */
    double step = 0.2 / sqrt(density_mm2);
    double want = 0.0, box[4] = { hi[0], hi[1], lo[0], lo[1] };   /* of the samples wanted */
    double area_max = 0.0, scale_max = 0.0;
    for (double v = lo[1] + 0.5 * step; v < hi[1]; v += step)
        for (double u = lo[0] + 0.5 * step; u < hi[0]; u += step)
            if (wants_point(l, s, profile, u, v)) {
                double su, sv;
                surface_chart_scales(s, u, v, &su, &sv);
                want += feather_share(l, profile, u, v) * step * step * su * sv;
                area_max = fmax(area_max, su * sv);
                scale_max = fmax(scale_max, fmax(su, sv));
                box[0] = fmin(box[0], u - step);
                box[1] = fmin(box[1], v - step);
                box[2] = fmax(box[2], u + step);
                box[3] = fmax(box[3], v + step);
            }
    size_t target = (size_t)llround(want * density_mm2);
    if (target == 0 || !(area_max > 0.0))
        return 0;
    lo = box;          /* candidates are thrown over the wanted area only */
    hi = box + 2;

    /* the grid is in chart mm, its cells the smallest chart distance a minimum can span */
    dart_grid g;
    memset(&g, 0, sizeof g);
    g.cell = NATURAL_MIN_DIST / sqrt(density_mm2) / scale_max;
    g.x0 = lo[0];
    g.y0 = lo[1];
    g.nx = (long)ceil((hi[0] - lo[0]) / g.cell) + 1;
    g.ny = (long)ceil((hi[1] - lo[1]) / g.cell) + 1;
    g.head = calloc((size_t)(g.nx * g.ny), sizeof *g.head);
    int rc = g.head ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < out->n; i++)   /* dots already planned (a defined edge) */
        rc = dart_add(&g, out->pts[i].u_mm, out->pts[i].v_mm);
    size_t planned = out->n;
    /* misses: candidates kept out by a dot already near (the zone full); off-zone throws
     * are bounded on their own (a zone that is a sliver of its box) */
    size_t misses = 0, throws = 0, max_throws = 1000 * target + 100000;
    while (rc == 0 && out->n - planned < target && misses < NATURAL_TRIES_PER_DOT * target
           && throws++ < max_throws) {
        double u = rng_range(rng, lo[0], hi[0]), v = rng_range(rng, lo[1], hi[1]);
        double share = feather_share(l, profile, u, v);
        if (!wants_point(l, s, profile, u, v) || !(share > 0.0))
            continue;
        /* uniform on the skin: a chart point is kept in proportion to the skin it stands for */
        double su, sv;
        surface_chart_scales(s, u, v, &su, &sv);
        double keep = share * su * sv / area_max;
        if (keep < 1.0 && rng_uniform(rng) >= keep)
            continue;
        double r = NATURAL_MIN_DIST / sqrt(density_mm2) * pow(fmax(share, NATURAL_SHARE_FLOOR), -0.75);
        if (dart_near(&g, u, v, r, su, sv)) {
            misses++;
            continue;
        }
        if (dart_add(&g, u, v) < 0 || plan_push(out, u, v) < 0)
            rc = -1;
    }
    free(g.head);
    free(g.next);
    free(g.xy);
    return rc;
}

/* A defined hairline (edge-up) is set first, as a barber lines up: dots one after another
 * along the design line, just behind it, at the spacing the design asks there (on the skin),
 * then the rest is filled behind. Every profile does this but the hard hairline, whose one
 * fault is working up to and over the line instead. */
#define EDGE_ROW_BEHIND_MM 0.3
#define EDGE_ROW_JITTER_MM 0.05

static int plan_edge_row(const lesson *l, const surface *s, int profile, rng_state *rng, double density_mm2,
                         const double stretch[2], plan *out)
{
    if (!l->has_hairline || !hairline_style_is_defined(l->hairline.style) || profile == TRAINEE_HARD_HAIRLINE
        || l->hairline.line_count < 2)
        return 0;
    double share = fmax(l->hairline.front_density_fraction, 0.05);
    double step = 1.0 / sqrt(density_mm2 * share) / stretch[0];
    double u0 = l->hairline.line[0].u_mm, u1 = l->hairline.line[l->hairline.line_count - 1].u_mm;
    for (double u = u0 + 0.5 * step; u < u1; u += step) {
        double v = -lesson_hairline_offset_mm(l, u, 0.0) - EDGE_ROW_BEHIND_MM;
        double ju = u + EDGE_ROW_JITTER_MM * rng_normal(rng), jv = v + EDGE_ROW_JITTER_MM * rng_normal(rng);
        if (wants_point(l, s, profile, ju, jv) && plan_push(out, ju, jv) < 0)
            return -1;
    }
    return 0;
}

static int plan_dots(const lesson *l, const surface *s, int profile, rng_state *rng, plan *out)
{
    double lo[2], hi[2];
    zone_bounds(l, lo, hi);
    if (l->has_hairline && profile == TRAINEE_HARD_HAIRLINE)
        hi[1] += 3.0;

    /* The target density; the sparse trainee works at 45 %. */
    double density_mm2 = l->target_density_per_cm2 / 100.0;
    if (profile == TRAINEE_SPARSE)
        density_mm2 *= 0.45;
    double s_tri = sqrt(2.0 / (sqrt(3.0) * density_mm2));
    double stretch[2];
    zone_stretch(l, s, lo, hi, stretch);
    if (plan_edge_row(l, s, profile, rng, density_mm2, stretch, out) < 0)
        return -1;

    if (profile == TRAINEE_GRID) {
        /* rows and columns at the target density (on the skin), squared to the chart, thinned
         * through the hairline's feather as asked: the rows are the one fault */
        double a = 1.0 / sqrt(density_mm2), au = a / stretch[0], av = a / stretch[1];
        /* a defined edge already set: the rows start half a spacing behind it */
        double clear = out->n > 0 ? EDGE_ROW_BEHIND_MM + 0.5 * av : -1.0;
        for (double v = lo[1] + 0.5 * av; v <= hi[1]; v += av)
            for (double u = lo[0] + 0.5 * au; u <= hi[0]; u += au) {
                double ju = u + 0.03 * au * rng_normal(rng), jv = v + 0.03 * av * rng_normal(rng);
                if (clear > 0.0 && -lesson_hairline_offset_mm(l, ju, jv) < clear)
                    continue;
                if (wants_point(l, s, profile, ju, jv) && feather_keep(l, profile, ju, jv, rng))
                    if (plan_push(out, ju, jv) < 0)
                        return -1;
            }
        return 0;
    }

    if (profile == TRAINEE_CLUMPED) {
        /* the same number of dots, four to a tight clump */
        double cell = s_tri * 2.0;   /* one clump per four lattice cells */
        for (double v = lo[1]; v <= hi[1]; v += cell * 0.866)
            for (double u = lo[0]; u <= hi[0]; u += cell) {
                double cu = u + rng_range(rng, 0.0, cell), cv = v + rng_range(rng, 0.0, cell * 0.866);
                for (int k = 0; k < 4; k++) {
                    double pu = cu + 0.22 * s_tri * rng_normal(rng), pv = cv + 0.22 * s_tri * rng_normal(rng);
                    if (wants_point(l, s, profile, pu, pv) && feather_keep(l, profile, pu, pv, rng))
                        if (plan_push(out, pu, pv) < 0)
                            return -1;
                }
            }
        return 0;
    }

    return plan_natural(l, s, profile, rng, density_mm2, lo, hi, out);
}

/* Orders the dots patch by patch (rows of patches, alternating direction, as a hand
 * works across the scalp), nearest-next inside each patch. */
typedef struct keyed { long prow, pcol; size_t idx; } keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->prow != y->prow)
        return x->prow < y->prow ? -1 : 1;
    long xc = (x->prow & 1) ? -x->pcol : x->pcol, yc = (y->prow & 1) ? -y->pcol : y->pcol;
    if (xc != yc)
        return xc < yc ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx ? 1 : 0;
}

static int order_plan(plan *p, long *patch_of)
{
    keyed *k = malloc((p->n ? p->n : 1) * sizeof *k);
    chart_point *sorted = malloc((p->n ? p->n : 1) * sizeof *sorted);
    if (!k || !sorted) {
        free(k);
        free(sorted);
        return -1;
    }
    for (size_t i = 0; i < p->n; i++) {
        k[i].prow = (long)floor(-p->pts[i].v_mm / PATCH_MM);   /* front (large v) first */
        k[i].pcol = (long)floor(p->pts[i].u_mm / PATCH_MM);
        k[i].idx = i;
    }
    qsort(k, p->n, sizeof *k, cmp_keyed);
    size_t start = 0;
    while (start < p->n) {
        size_t end = start;
        while (end < p->n && k[end].prow == k[start].prow && k[end].pcol == k[start].pcol)
            end++;
        /* nearest-next from the patch's first dot */
        for (size_t a = start; a < end; a++) {
            if (a > start) {
                const chart_point *prev = &p->pts[k[a - 1].idx];
                size_t best = a;
                double bd = 1e300;
                for (size_t b = a; b < end; b++) {
                    const chart_point *q = &p->pts[k[b].idx];
                    double d = hypot(q->u_mm - prev->u_mm, q->v_mm - prev->v_mm);
                    if (d < bd) {
                        bd = d;
                        best = b;
                    }
                }
                keyed t = k[a];
                k[a] = k[best];
                k[best] = t;
            }
        }
        start = end;
    }
    for (size_t i = 0; i < p->n; i++) {
        sorted[i] = p->pts[k[i].idx];
        patch_of[i] = k[i].prow * 100000L + k[i].pcol;
    }
    free(p->pts);
    p->pts = sorted;
    p->cap = p->n;
    free(k);
    return 0;
}

/* ---- acting ----------------------------------------------------------------------- */

typedef struct hand {
    const lesson *l;
    const surface *s;
    const device_desc *dev;
    const pen_calibration *cal;
    trainee_sink sink;
    void *ctx;
    rng_state rng;
    int profile;
    int64_t t_us;
    view_state view;
    double tx, ty;          /* tablet position 0..1 */
    int in_proximity;
    int failed;
} hand;

static void emit(hand *h, const session_event *ev)
{
    if (!h->failed && h->sink(h->ctx, ev) != 0)
        h->failed = 1;
}

static void emit_value(hand *h, int kind, int32_t value)
{
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.t_us = h->t_us;
    ev.u.value = value;
    emit(h, &ev);
}

static int32_t axis_value(const device_axis *a, double f)
{
    double v = (double)a->min + f * ((double)a->max - (double)a->min);
    return (int32_t)lround(v);
}

static void emit_pen(hand *h, double tx, double ty, double pressure_norm, double distance_norm,
                     double tilt_x_deg, double tilt_y_deg, int in_proximity)
{
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_PEN;
    ev.t_us = h->t_us;
    pen_sample *p = &ev.u.pen;
    p->t_us = h->t_us;
    /* hand tremor: about 0.015 mm on the tablet */
    double jx = 1.5 * rng_normal(&h->rng), jy = 1.5 * rng_normal(&h->rng);
    double res_x = h->dev->x.resolution > 0 ? (double)h->dev->x.resolution : 100.0;
    double res_y = h->dev->y.resolution > 0 ? (double)h->dev->y.resolution : 100.0;
    p->x = axis_value(&h->dev->x, tx) + (int32_t)lround(jx * res_x / 100.0);
    p->y = axis_value(&h->dev->y, ty) + (int32_t)lround(jy * res_y / 100.0);
    p->pressure = pressure_norm > 0.0 ? axis_value(&h->dev->pressure, pressure_norm) : h->dev->pressure.min;
    p->distance = axis_value(&h->dev->distance, distance_norm);
    double tres = h->dev->tilt_x.resolution > 0 ? (double)h->dev->tilt_x.resolution * PI / 180.0 : 1.0;
    p->tilt_x = (int32_t)lround(tilt_x_deg * tres);
    p->tilt_y = (int32_t)lround(tilt_y_deg * tres);
    p->flags = in_proximity ? PEN_IN_PROXIMITY : 0;
    if (pressure_norm > 0.0)
        p->flags |= PEN_TOUCH;
    h->tx = tx;
    h->ty = ty;
    h->in_proximity = in_proximity;
    emit(h, &ev);
    h->t_us += SAMPLE_US;
}

static double min_jerk(double t) { return t * t * t * (10.0 + t * (-15.0 + 6.0 * t)); }

/* Hover from where the pen is to (tx, ty), lowering towards the tablet. */
static void hover_to(hand *h, double tx, double ty, double duration_s)
{
    int n = (int)(duration_s * 1e6 / SAMPLE_US);
    if (n < 2)
        n = 2;
    double x0 = h->tx, y0 = h->ty;
    for (int i = 1; i <= n; i++) {
        double f = min_jerk((double)i / n);
        double dist = 0.3 * (1.0 - f) + 0.05;   /* comes down as it arrives */
        emit_pen(h, x0 + (tx - x0) * f, y0 + (ty - y0) * f, 0.0, dist, 0.0, 0.0, 1);
    }
}

static double intended_depth_mm(hand *h)
{
    const lesson *l = h->l;
    double mid = 0.5 * (l->depth_band_mm[0] + l->depth_band_mm[1]);
    double width = l->depth_band_mm[1] - l->depth_band_mm[0];
    double d;
    switch (h->profile) {
    case TRAINEE_DEEP:    d = l->depth_acceptable_mm[1] + 0.25 + 0.10 * rng_normal(&h->rng); break;
    case TRAINEE_SHALLOW: d = 0.05 + 0.015 * rng_normal(&h->rng); break;
    default:              d = mid + 0.12 * width * rng_normal(&h->rng); break;
    }
    return d < 0.01 ? 0.01 : d;
}

/* Tablet position of a chart point through the current view; 0 if not visible. */
static int chart_to_tablet(hand *h, double u, double v, double *tx, double *ty, double *cos_angle)
{
    surface_hit hit;
    double vx, vy;
    if (!surface_chart_point(h->s, u, v, &hit))
        return 0;
    if (!view_project(&h->view, hit.pos_mm, &vx, &vy))
        return 0;
    if (vx < 0.0 || vx > 1.0 || vy < 0.0 || vy > 1.0)
        return 0;
    double eye[3], right[3], up[3], fwd[3], ray[3];
    view_basis(&h->view, eye, right, up, fwd);
    vec3_sub(hit.pos_mm, eye, ray);
    vec3_normalize(ray);
    *cos_angle = -vec3_dot(ray, hit.normal);
    pen_map_from_viewport(h->dev, (double)h->view.aspect, vx, vy, tx, ty);
    return 1;
}

/* One puncture at chart (u, v). */
static void stipple(hand *h, double u, double v)
{
    double tx, ty, cosang;
    if (!chart_to_tablet(h, u, v, &tx, &ty, &cosang) || cosang < 0.3)
        return;   /* a person would not reach this one from here: skip it */
    double dist = hypot(tx - h->tx, ty - h->ty);
    hover_to(h, tx, ty, 0.16 + 0.6 * dist + 0.04 * rng_uniform(&h->rng));

    double depth = intended_depth_mm(h);
    double p_hold = pen_pressure_for_travel(h->cal, depth / cosang);
    double tilt_x = 2.5 * rng_normal(&h->rng), tilt_y = 2.5 * rng_normal(&h->rng);

    /* the dragger slides 0.5-1 mm of skin while the needle is in */
    double ex = tx, ey = ty;
    if (h->profile == TRAINEE_DRAGGER) {
        double a = rng_range(&h->rng, 0.0, 2.0 * PI), len = rng_range(&h->rng, 0.5, 1.0);
        double c2;
        if (!chart_to_tablet(h, u + len * cos(a), v + len * sin(a), &ex, &ey, &c2)) {
            ex = tx;
            ey = ty;
        }
    }

    int ramp = 3;
    int hold = 10 + (int)rng_below(&h->rng, 6);   /* 50-75 ms */
    int total = 2 * ramp + hold;
    for (int i = 1; i <= total; i++) {
        double p;
        if (i <= ramp)
            p = p_hold * (double)i / ramp;
        else if (i <= ramp + hold)
            p = p_hold * (1.0 + 0.02 * rng_normal(&h->rng));
        else
            p = p_hold * (double)(total - i + 1) / (ramp + 1);
        double f = (double)i / total;
        emit_pen(h, tx + (ex - tx) * f, ty + (ey - ty) * f, p, 0.0, tilt_x, tilt_y, 1);
    }
    /* lift */
    emit_pen(h, ex, ey, 0.0, 0.08, 0.0, 0.0, 1);
}

/* Turns the view to face chart (u, v) at working magnification. */
static void face_patch(hand *h, double u, double v)
{
    surface_hit hit;
    if (!surface_chart_point(h->s, u, v, &hit))
        return;
    view_state vs = h->view;
    view_face(&vs, hit.pos_mm, hit.normal, WORK_FIELD_MM, -90.0, 90.0);
    h->view = vs;
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_VIEW;
    ev.t_us = h->t_us;
    ev.u.view = vs;
    emit(h, &ev);
    h->t_us += 300000;   /* a moment to look */
}

static void rest(hand *h, double seconds)
{
    emit_pen(h, h->tx, h->ty, 0.0, 1.0, 0.0, 0.0, 0);   /* out of proximity */
    emit_value(h, SEV_MACHINE, 0);
    h->t_us += (int64_t)(seconds * 1e6);
    emit_value(h, SEV_MACHINE, 1);
}

/* The expert dilutes by the shade rule for this client and session (shade_rule.h; the
 * lesson's own shade when the rule does not know the hair). The wrong-shade trainee takes
 * whichever end of the range, undiluted or 30 parts of water, heals farther from the
 * target: the one fault of reading the chart backwards. */
static int choose_shade(const lesson *l, int profile)
{
    int rule = shade_rule_shade(l->hair_colour, l->fitzpatrick, l->session_number);
    if (rule < 0)
        rule = l->target_shade;
    if (profile != TRAINEE_WRONG_SHADE)
        return rule;
    lab target, dark, light;
    score_target_lab(l, &target);
    skin_layers layers;
    lesson_layers(l, l->surface == SURFACE_HEAD ? REGION_FRONTAL : REGION_PRACTICE, &layers);
    double mid = 0.5 * (l->depth_band_mm[0] + l->depth_band_mm[1]);
    pigment_healed_lab(0, mid, l->fitzpatrick, &layers, &dark);
    pigment_healed_lab(30, mid, l->fitzpatrick, &layers, &light);
    return ciede2000(&dark, &target) >= ciede2000(&light, &target) ? 0 : 30;
}

int trainee_run(const lesson *l, const surface *s, int profile, uint64_t seed,
                const device_desc *dev, const pen_calibration *cal,
                trainee_sink sink, void *ctx, int64_t *end_t_us)
{
    hand h;
    memset(&h, 0, sizeof h);
    h.l = l;
    h.s = s;
    h.dev = dev;
    h.cal = cal;
    h.sink = sink;
    h.ctx = ctx;
    h.profile = profile;
    rng_seed(seed, &h.rng);
    plan p = { 0 };
    if (plan_dots(l, s, profile, &h.rng, &p) < 0) {
        free(p.pts);
        return -1;
    }
    long *patch = malloc((p.n ? p.n : 1) * sizeof *patch);
    if (!patch || order_plan(&p, patch) < 0) {
        free(patch);
        free(p.pts);
        return -1;
    }

    /* Set up: view, needle, shade, then the machine on. */
    h.view.fov_y_deg = 30.0f;
    h.view.aspect = 1.6f;
    h.tx = 0.5;
    h.ty = 0.5;
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_NEEDLE;
    ev.t_us = h.t_us;
    ev.u.needle = l->needle;
    emit(&h, &ev);
    emit_value(&h, SEV_SHADE, choose_shade(l, profile));
    h.t_us += 500000;

    size_t since_rest = 0;
    for (size_t i = 0; i < p.n && !h.failed; i++) {
        if (i == 0 || patch[i] != patch[i - 1]) {
            if (i > 0)
                emit_pen(&h, h.tx, h.ty, 0.0, 1.0, 0.0, 0.0, 0);
            face_patch(&h, p.pts[i].u_mm, p.pts[i].v_mm);
            if (i == 0)
                emit_value(&h, SEV_MACHINE, 1);
        }
        stipple(&h, p.pts[i].u_mm, p.pts[i].v_mm);
        if (++since_rest >= 400) {
            rest(&h, rng_range(&h.rng, 2.0, 6.0));
            since_rest = 0;
        }
    }
    emit_pen(&h, h.tx, h.ty, 0.0, 1.0, 0.0, 0.0, 0);
    emit_value(&h, SEV_MACHINE, 0);
    *end_t_us = h.t_us;
    free(patch);
    free(p.pts);
    return h.failed ? -1 : 0;
}
