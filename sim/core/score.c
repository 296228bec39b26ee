/* score.c: grades a session's dots against a lesson (model-defaults.md, "Density and
 * spacing", "Pigment depth", "Hairlines", "Pigment and colour").
 *
 * Pure: no globals, no caches, no randomness; the same lesson, surface and dots give the
 * same numbers bit for bit (every loop runs in a fixed order). Nothing here may return a
 * NaN or an infinity: an undefined figure (no dots, no area, one dot) is reported as 0 and
 * its metric scores 0.
 *
 * How the raw figures become 0..100 scores is a product choice, to be validated by
 * instructors; every choice is written out next to its code in score_metrics() below.
 */
#include "score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern_order.h"
#include "pigment.h"
#include "report_text.h"
#include "scalp_features.h"
#include "shade_rule.h"
#include "spatial.h"

/* --- names ----------------------------------------------------------------------- */

const char *score_flag_name(uint32_t single_flag)
{
    switch (single_flag) {
    case SF_OUTSIDE_ZONE: return "outside_zone";
    case SF_TOO_CLOSE:    return "too_close";
    case SF_SHED:         return "shed";
    case SF_BLOWOUT:      return "blowout";
    case SF_OUT_OF_BAND:  return "out_of_band";
    case SF_WRONG_COLOUR: return "wrong_colour";
    case SF_IN_FRONT:     return "in_front";
    case SF_DRAGGED:      return "dragged";
    case SF_SIZE_OUTLIER: return "size_outlier";
    case SF_OFF_SCALP:    return "off_scalp";
    case SF_WRONG_NEEDLE: return "wrong_needle";
    default:              return "?";
    }
}

const char *spacing_pattern_name(int p)
{
    switch (p) {
    case PATTERN_NATURAL: return "natural";
    case PATTERN_GRID:    return "grid";
    case PATTERN_CLUMPED: return "clumped";
    case PATTERN_ROWS:    return "rows";
    default:              return "unknown";
    }
}

/* --- small helpers --------------------------------------------------------------- */

static double clamp01(double x)
{
    if (!(x > 0.0))       /* also maps NaN to 0 */
        return 0.0;
    return x > 1.0 ? 1.0 : x;
}

static double safe_div(double num, double den)
{
    if (den == 0.0 || !isfinite(num) || !isfinite(den))
        return 0.0;
    double q = num / den;
    return isfinite(q) ? q : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Shades 0 .. SHADE_COUNT_MAX - 1 are counted; a session with another is sorted instead. */
#define SHADE_COUNT_MAX 256

/* Puts the k-th smallest of v[0 .. n) at v[k], smaller or equal before it, larger or equal
 * after (finite values; 3-way partitions, the pivot from the middle). */
static void select_kth_double(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        double pv = v[lo + (hi - lo) / 2];
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            double x = v[i];
            if (x < pv) {
                v[i++] = v[lt];
                v[lt++] = x;
            } else if (x > pv) {
                v[i] = v[--gt];
                v[gt] = x;
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return;
    }
}

/* The median of v[0 .. n) (reordered), as sorting would give it: by selection when every
 * value is finite and positive (a sort's order is then the only one), else by the sort. */
static double median_of(double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    int plain = 1;
    for (size_t i = 0; i < n && plain; i++)
        plain = isfinite(v[i]) && v[i] > 0.0;
    if (!plain) {
        qsort(v, n, sizeof *v, cmp_double);
        return (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
    select_kth_double(v, n, n / 2);
    if (n % 2)
        return v[n / 2];
    double below = v[0];   /* the largest of the lower half */
    for (size_t i = 1; i < n / 2; i++)
        below = v[i] > below ? v[i] : below;
    return 0.5 * (below + v[n / 2]);
}

/* Region used for a dot: the one it recorded. */
static region_id dot_region(const dot *d)
{
    if (d->region <= REGION_NONE || d->region >= REGION_COUNT)
        return REGION_NONE;
    return (region_id)d->region;
}

/* Working zones lie on the scalp: a dot (or a chart sample) on the face, ear or neck is
 * never in one, even inside a zone polygon that strays over the region border. */
static int dot_in_zone(const lesson *l, const dot *d)
{
    region_id r = dot_region(d);
    if (r == REGION_NONE || !region_is_scalp(r) || (d->flags & DOT_OFF_SCALP))
        return 0;
    return lesson_zone_contains(l, d->chart_mm[0], d->chart_mm[1], r) != 0;
}

/* The layers a lesson's colours are judged with: the frontal scalp's on a head (where most
 * work and all hairlines are), else the practice skin's. */
static void reference_layers(const lesson *l, skin_layers *layers)
{
    lesson_layers(l, l->surface == SURFACE_HEAD ? REGION_FRONTAL : REGION_PRACTICE, layers);
}

/* The healed colour of a shade at the middle of the lesson's ideal band (rules 1 used the
 * model of the time). */
static void shade_at_mid_band(const lesson *l, int shade, int rules, lab *dest)
{
    skin_layers layers;
    reference_layers(l, &layers);
    double mid = 0.5 * (l->depth_band_mm[0] + l->depth_band_mm[1]);
    if (rules <= 1)
        pigment_healed_lab_v1(shade, mid, l->fitzpatrick, &layers, dest);
    else
        pigment_healed_lab(shade, mid, l->fitzpatrick, &layers, dest);
}

void score_target_lab_rules(const lesson *l, int rules, lab *dest)
{
    if (l->has_target_lab) {
        *dest = l->target_lab;
        return;
    }
    /* rules 2: the client's stubble; rules 1: the lesson's own shade at mid-band */
    if (rules >= 2 && shade_rule_target_lab(l->hair_colour, l->fitzpatrick, l->session_number, dest))
        return;
    shade_at_mid_band(l, l->target_shade, rules, dest);
}

void score_target_lab(const lesson *l, lab *dest)
{
    score_target_lab_rules(l, SCORE_RULES_LATEST, dest);
}

/* --- the zone grid ----------------------------------------------------------------- */

/* Cell-centred samples over the chart covering every working zone. */
typedef struct zone_grid {
    double u0, v0, du, dv;   /* the steps divide the box exactly: rectangles come out exact */
    size_t nu, nv;
} zone_grid;

#define GRID_MAX_SAMPLES 4000000.0

static void grid_setup(const lesson *l, const surface *s, zone_grid *g)
{
    double spacing = l->target_spacing_mm;
    double step = 0.5;
    if (spacing > 0.0 && isfinite(spacing) && spacing / 4.0 < step)
        step = spacing / 4.0;
    if (step < 0.05)
        step = 0.05;

    int region_only = 0;
    double umin = INFINITY, umax = -INFINITY, vmin = INFINITY, vmax = -INFINITY;
    for (size_t i = 0; i < l->zone_count; i++) {
        const lesson_zone *z = &l->zones[i];
        if (!z->polygon || z->polygon_count == 0) {
            region_only = 1;
            continue;
        }
        for (size_t k = 0; k < z->polygon_count; k++) {
            umin = fmin(umin, z->polygon[k].u_mm);
            umax = fmax(umax, z->polygon[k].u_mm);
            vmin = fmin(vmin, z->polygon[k].v_mm);
            vmax = fmax(vmax, z->polygon[k].v_mm);
        }
    }
    if (region_only) {
        /* A zone made of regions only: integrate over the chart's whole domain. */
        if (surface_get_kind(s) == SURFACE_PRACTICE_SKIN) {
            double lo[3], hi[3];
            surface_bounds(s, lo, hi);
            umin = lo[0]; umax = hi[0];
            vmin = lo[1]; vmax = hi[1];
        } else {
            umin = -200.0; umax = 200.0;
            vmin = -200.0; vmax = 200.0;
            if (step < 1.0)
                step = 1.0;   /* the whole head at 0.5 mm would be 640,000 samples */
        }
    }
    if (!(umax > umin) || !(vmax > vmin)) {
        memset(g, 0, sizeof *g);
        return;
    }
    double cells = ((umax - umin) / step) * ((vmax - vmin) / step);
    if (cells > GRID_MAX_SAMPLES)
        step *= sqrt(cells / GRID_MAX_SAMPLES);
    g->u0 = umin;
    g->v0 = vmin;
    g->nu = (size_t)ceil((umax - umin) / step);
    g->nv = (size_t)ceil((vmax - vmin) / step);
    g->du = (umax - umin) / (double)g->nu;
    g->dv = (vmax - vmin) / (double)g->nv;
}

/* Hairline feather bands: behind the line by [0, f/4) and [3f/4, f]. */
static int feather_band(const lesson *l, double offset_mm)
{
    double f = l->hairline.feather_mm;
    double behind = -offset_mm;
    if (!(f > 0.0) || behind < 0.0 || behind > f)
        return -1;
    if (behind < 0.25 * f)
        return 0;
    if (behind >= 0.75 * f)
        return 1;
    return -1;
}

/* The density the lesson asks for at a chart point, as a fraction of its target: 1 without a
 * hairline; with one, 0 in front of the design line, rising from front_density_fraction at
 * the line to 1 at feather_mm behind it (lesson.h). */
static double design_profile(const lesson *l, double u, double v)
{
    if (!l->has_hairline)
        return 1.0;
    double behind = -lesson_hairline_offset_mm(l, u, v);
    if (behind < 0.0)
        return 0.0;
    double f = l->hairline.front_density_fraction;
    if (!(l->hairline.feather_mm > 0.0) || behind >= l->hairline.feather_mm)
        return 1.0;
    return f + (1.0 - f) * behind / l->hairline.feather_mm;
}


/* --- the prepared zone ----------------------------------------------------------------- */

struct score_zone {
    const lesson  *lesson;
    const surface *surface;
    size_t  count;               /* zone samples that have a surface point */
    float  *pos_mm;              /* 3 a sample */
    float  *profile;             /* design density profile at the sample */
    double  zone_area_mm2, profile_area_mm2;
    double  body_area_mm2;       /* where the design asks the full density (behind the feather) */
    double  region_area_mm2[REGION_COUNT];
    double  band_area_mm2[2];    /* chart area of the hairline's feather bands */
    double  band_profile_mm2[2]; /* the design profile integrated over each band */
    double  band_skin_mm2[2];    /* rules 2: the same over skin area (the chart stretches the
                                  * curved front unevenly; dots are placed by the skin) */
    double  band_profile_skin_mm2[2];
    scalp_features features;     /* the lesson's scars (their own depth bands) */
    hairline_zone hairline;      /* rules 3: the design over the feather and the temples */
};

/* The ideal depth band dot i was scored against: its scar's own, or the session's. */
static const double *dot_band(const lesson *l, const int16_t *dot_scar, size_t i)
{
    int k = dot_scar ? dot_scar[i] : -1;
    return k >= 0 && (size_t)k < l->scar_count && l->scars[k].has_depth_band ? l->scars[k].depth_band_mm
                                                                               : l->depth_band_mm;
}

score_zone *score_zone_prepare(const lesson *l, const surface *s)
{
    if (!l || !s)
        return NULL;
    score_zone *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->lesson = l;
    z->surface = s;
    if (scalp_features_make(l, s, &z->features) != 0) {
        free(z);
        return NULL;
    }
    zone_grid g;
    grid_setup(l, s, &g);
    size_t cap = 0;
    for (size_t jv = 0; jv < g.nv; jv++) {
        double v = g.v0 + ((double)jv + 0.5) * g.dv;
        for (size_t iu = 0; iu < g.nu; iu++) {
            double u = g.u0 + ((double)iu + 0.5) * g.du;
            region_id reg = surface_region_at_chart(s, u, v);
            if (reg == REGION_NONE || !region_is_scalp(reg) || !lesson_zone_contains(l, u, v, reg))
                continue;
            double a = surface_chart_area_scale(s, u, v) * g.du * g.dv;
            if (!isfinite(a))
                continue;
            z->zone_area_mm2 += a;
            double prof = design_profile(l, u, v);
            z->profile_area_mm2 += prof * a;
            if (prof >= 1.0)
                z->body_area_mm2 += a;
            if (reg > REGION_NONE && reg < REGION_COUNT)
                z->region_area_mm2[reg] += a;
            if (l->has_hairline) {
                int b = feather_band(l, lesson_hairline_offset_mm(l, u, v));
                if (b >= 0)
                {
                    z->band_area_mm2[b] += g.du * g.dv;   /* chart area (rules 1) */
                    z->band_profile_mm2[b] += prof * g.du * g.dv;
                    z->band_skin_mm2[b] += a;
                    z->band_profile_skin_mm2[b] += prof * a;
                }
                hairline_zone_add(l, u, v, a, prof, fmax(g.du, g.dv), &z->hairline);
            }
            surface_hit hit;
            if (!surface_chart_point(s, u, v, &hit))
                continue;
            if (z->count == cap) {
                cap = cap ? 2 * cap : 4096;
                float *np = realloc(z->pos_mm, 3 * cap * sizeof *np);
                if (!np)
                    goto fail;
                z->pos_mm = np;
                float *pp = realloc(z->profile, cap * sizeof *pp);
                if (!pp)
                    goto fail;
                z->profile = pp;
            }
            for (int k = 0; k < 3; k++)
                z->pos_mm[3 * z->count + (size_t)k] = (float)hit.pos_mm[k];
            z->profile[z->count] = (float)prof;
            z->count++;
        }
    }
    return z;
fail:
    score_zone_free(z);
    return NULL;
}

void score_zone_free(score_zone *z)
{
    if (!z)
        return;
    free(z->pos_mm);
    free(z->profile);
    scalp_features_free(&z->features);
    free(z);
}

int score_session(const lesson *l, const surface *s, const dot *dots, size_t n, score_result *out)
{
    score_zone *z = score_zone_prepare(l, s);
    if (!z)
        return -1;
    int rc = score_session_zone(z, dots, n, out);
    score_zone_free(z);
    return rc;
}

/* --- the metrics' scores ------------------------------------------------------------- */

/* Turns the raw figures into 0..100 scores. Product choices (to validate with instructors):
 *
 *  spacing = 100 * s_density * s_close * s_pattern * s_gap * s_zone
 *    s_density = clamp(1 - |density/expected - 1| / 0.5)  (0 at half or 1.5x the expected)
 *    s_close   = clamp(1 - too_close_fraction / 0.25)     (0 when a quarter would merge)
 *    s_pattern = 1 inside the lesson's natural Clark-Evans range, falling linearly to 0 at
 *                R = 0.8 below and R = 2.0 above (past 1.85 a pattern reads as a grid;
 *                a square grid has R = 2.0, a triangular one 2.149: both score 0)
 *    s_gap     = clamp(1 - (largest_gap_spacings - 2.5) / 2.5)  (1 up to 2.5 spacings, 0 at 5)
 *    Without a hairline, expected = the target density and largest_gap_spacings =
 *    largest_gap / target spacing. With one, both follow the design's density profile
 *    (design_profile): expected = target x the profile's mean over the zone, and each gap
 *    is measured in the local target spacing (spacing / sqrt(profile)), ignoring the area
 *    in front of the line; otherwise a trainee who feathers the front as asked would be
 *    marked down for the sparse front that the lesson itself asks for.
 *    s_zone    = clamp(1 - outside_fraction / 0.15)       (0 when 15 % land outside)
 *  depth = 100 * clamp(in_band + 0.5 * (in_acceptable - in_band) - (shed + blowout) / n)
 *    (a dot in the acceptable but not the ideal band earns half; a shed or blown-out dot
 *    costs one more dot's worth on top of earning nothing)
 *  pigment = piecewise linear in the mean dE00: 100 at <= 3, 60 at 6, 0 at >= 10; capped
 *    at 50 when the most used shade is outside the lesson's allowed shades
 *  hairline = 100 * clamp(1 - in_front_fraction / 0.05) * softness     (rules 1-2)
 *  hairline = 100 * s_front * s_edge * s_temples * s_style            (rules 3: hairline_score.c)
 *  quality = 100 * clamp(1 - dragged_fraction / 0.10) * clamp(1 - wrong_needle_fraction / 0.10)
 *                 * clamp(1 - max(0, cv - 0.10) / 0.30)
 *
 * With no dots every metric scores 0. */
static double s_pattern_of(const lesson *l, double r)
{
    double lo = l->clark_evans_natural[0], hi = l->clark_evans_natural[1];
    const double zero_lo = 0.8, zero_hi = 2.0;
    if (r >= lo && r <= hi)
        return 1.0;
    if (r < lo)
        return lo > zero_lo ? clamp01((r - zero_lo) / (lo - zero_lo)) : 0.0;
    return hi < zero_hi ? clamp01((zero_hi - r) / (zero_hi - hi)) : 0.0;
}

static double pigment_score_of(double mean_de, int suitable)
{
    double sc;
    if (mean_de <= 3.0)
        sc = 100.0;
    else if (mean_de <= 6.0)
        sc = 100.0 - 40.0 * (mean_de - 3.0) / 3.0;
    else if (mean_de < 10.0)
        sc = 60.0 - 60.0 * (mean_de - 6.0) / 4.0;
    else
        sc = 0.0;
    if (!suitable && sc > 50.0)
        sc = 50.0;
    return sc;
}

static void score_metrics(const lesson *l, size_t n, int rules, score_result *r)
{
    for (int m = 0; m < METRIC_COUNT; m++) {
        r->metric_applies[m] = l->weights[m] > 0.0;
        r->metric_score[m] = 0.0;
        r->metric_passed[m] = 0;
    }
    if (!l->has_hairline)
        r->metric_applies[METRIC_HAIRLINE] = 0;
    r->total = 0.0;
    r->passed = 0;
    if (n == 0)
        return;

    const score_spacing *sp = &r->spacing;
    double nd = (double)n;
    double s_density = clamp01(1.0 - fabs(safe_div(sp->density_per_cm2, sp->expected_density_per_cm2) - 1.0) / 0.5);
    double s_close = clamp01(1.0 - sp->too_close_fraction / 0.25);
    double s_pattern = sp->pattern == PATTERN_UNKNOWN ? 0.0 : s_pattern_of(l, sp->clark_evans_r);
    /* rules 2: rows and lattices lose the pattern marks whatever their R (pattern_order.h) */
    if (rules >= 2)
        s_pattern *= pattern_order_factor(sp->order);
    r->spacing.pattern_marks = s_pattern;
    double s_gap = sp->target_spacing_mm > 0.0 ? clamp01(1.0 - (sp->largest_gap_spacings - 2.5) / 2.5) : 0.0;
    /* rules 2: a dot in front of the hairline is the hairline's fault, not also spacing's */
    double outside = (double)sp->dots_outside_zone;
    if (rules >= 2)
        outside -= (double)sp->dots_in_front_outside_zone;
    double s_zone = clamp01(1.0 - (outside / nd) / 0.15);
    r->spacing.other_marks = s_density * s_close * s_gap * s_zone;
    r->metric_score[METRIC_SPACING] = 100.0 * s_density * s_close * s_pattern * s_gap * s_zone;

    const score_depth *dp = &r->depth;
    r->metric_score[METRIC_DEPTH] = 100.0 * clamp01(dp->in_band_fraction
        + 0.5 * (dp->in_acceptable_fraction - dp->in_band_fraction)
        - (double)(dp->shed_count + dp->blowout_count) / nd);

    r->metric_score[METRIC_PIGMENT] = pigment_score_of(r->pigment.delta_e00_mean, r->pigment.shade_suitable);

    if (r->hairline.applies && r->hairline.by_style)
        r->metric_score[METRIC_HAIRLINE] = hairline_judged_score(&r->hairline.style);
    else if (r->hairline.applies)
        r->metric_score[METRIC_HAIRLINE] = 100.0 * clamp01(1.0 - r->hairline.in_front_fraction / 0.05)
                                           * clamp01(r->hairline.softness);

    const score_quality *q = &r->quality;
    r->metric_score[METRIC_QUALITY] = 100.0 * clamp01(1.0 - q->dragged_fraction / 0.10)
                                      * clamp01(1.0 - q->wrong_needle_fraction / 0.10)
                                      * clamp01(1.0 - fmax(0.0, q->diameter_cv - 0.10) / 0.30);

    double wsum = 0.0, acc = 0.0;
    int all = 1;
    for (int m = 0; m < METRIC_COUNT; m++) {
        if (!isfinite(r->metric_score[m]))
            r->metric_score[m] = 0.0;
        r->metric_passed[m] = r->metric_score[m] >= l->pass[m];
        if (!r->metric_applies[m])
            continue;
        wsum += l->weights[m];
        acc += l->weights[m] * r->metric_score[m];
        if (!r->metric_passed[m])
            all = 0;
    }
    r->total = safe_div(acc, wsum);
    r->passed = wsum > 0.0 && all && r->total >= l->pass_total;
}

/* --- scoring ------------------------------------------------------------------------- */

void score_result_free(score_result *r)
{
    if (!r)
        return;
    free(r->regions);
    free(r->dot_flags);
    free(r->dot_nn_mm);
    free(r->dot_delta_e00);
    free(r->dot_scar);
    memset(r, 0, sizeof *r);
}

int score_session_zone(const score_zone *zone, const dot *dots, size_t n, score_result *out)
{
    return score_session_rules(zone, dots, n, SCORE_RULES_LATEST, out);
}

/* Dots within the acceptable depths of their own band (a scar's where they lie in one). */
static int dot_depth_acceptable(double depth_mm, const double acceptable[2])
{
    return depth_mm >= acceptable[0] && depth_mm <= acceptable[1];
}

int score_session_rules(const score_zone *zone, const dot *dots, size_t n, int rules, score_result *out)
{
    if (!zone || !out || (n > 0 && !dots) || rules < SCORE_RULES_OLDEST || rules > SCORE_RULES_LATEST)
        return -1;
    const lesson *l = zone->lesson;
    score_result r;
    memset(&r, 0, sizeof r);
    size_t alloc_n = n ? n : 1;
    unsigned char *in_zone = NULL;
    size_t *zone_idx = NULL;
    double *nn = NULL, *sorted = NULL;
    size_t *nn_ix = NULL;
    int *shades = NULL;
    size_t shade_count[SHADE_COUNT_MAX] = {0};
    unsigned char *judged = NULL;
    spatial_index *idx = NULL;

    r.rules = rules;
    r.dot_count = n;
    r.dot_flags = calloc(alloc_n, sizeof *r.dot_flags);
    r.dot_nn_mm = calloc(alloc_n, sizeof *r.dot_nn_mm);
    r.dot_delta_e00 = calloc(alloc_n, sizeof *r.dot_delta_e00);
    r.dot_scar = calloc(alloc_n, sizeof *r.dot_scar);
    in_zone = calloc(alloc_n, 1);
    zone_idx = calloc(alloc_n, sizeof *zone_idx);
    nn = calloc(alloc_n, sizeof *nn);
    nn_ix = calloc(alloc_n, sizeof *nn_ix);
    /* Fresh memory costs more than anything else here (a page fault a page): the nearest
     * distances' buffer is reused for the sizes once they are copied out, shades are
     * counted, and the index reads the dots' positions in place. */
    sorted = nn;
    judged = calloc(alloc_n, 1);
    if (!judged || !r.dot_flags || !r.dot_nn_mm || !r.dot_delta_e00 || !r.dot_scar || !in_zone || !zone_idx
        || !nn || !nn_ix)
        goto fail;

    double nd = (double)n;
    score_spacing *sp = &r.spacing;
    sp->target_density_per_cm2 = l->target_density_per_cm2;
    sp->target_spacing_mm = l->target_spacing_mm;
    sp->pattern = PATTERN_UNKNOWN;

    /* Zone membership; in-zone dots go into the spatial index. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const dot *d = &dots[i];
        if (d->flags & DOT_OFF_SCALP)
            r.dot_flags[i] |= SF_OFF_SCALP;
        in_zone[i] = (unsigned char)dot_in_zone(l, d);
        if (!in_zone[i]) {
            r.dot_flags[i] |= SF_OUTSIDE_ZONE;
            continue;
        }
        zone_idx[m++] = i;
    }
    sp->dots_in_zone = m;
    sp->dots_outside_zone = n - m;

    double cell = l->target_spacing_mm > 0.0 ? l->target_spacing_mm : 1.0;
    if (m > 0) {
        idx = spatial_build_gather(dots[0].pos_mm, sizeof *dots, zone_idx, m, cell);
        if (!idx)
            goto fail;
    }

    /* Nearest neighbours of the in-zone dots among themselves. */
    if (m >= 2) {
        if (spatial_all_nearest(idx, nn, nn_ix) != 0)
            goto fail;
        double sum = 0.0, sum2 = 0.0;
        size_t close = 0;
        for (size_t k = 0; k < m; k++) {
            double v = isfinite(nn[k]) ? nn[k] : 0.0;
            r.dot_nn_mm[zone_idx[k]] = v;
            sum += v;
            if (v < 0.5 * l->target_spacing_mm) {
                close++;
                r.dot_flags[zone_idx[k]] |= SF_TOO_CLOSE;
            }
        }
        double mean = sum / (double)m;
        for (size_t k = 0; k < m; k++) {
            double dv = r.dot_nn_mm[zone_idx[k]] - mean;
            sum2 += dv * dv;
        }
        sp->nn_mean_mm = mean;
        sp->nn_sd_mm = sqrt(sum2 / (double)m);
        sp->nn_cv = safe_div(sp->nn_sd_mm, mean);
        sp->too_close_fraction = (double)close / (double)m;
    }
    /* Dots outside the zone: distance to the nearest in-zone dot (0 when there is none). */
    if (idx) {
        for (size_t i = 0; i < n; i++) {
            if (in_zone[i])
                continue;
            size_t j;
            double dist;
            if (spatial_nearest(idx, dots[i].pos_mm, SPATIAL_NONE, &j, &dist) && isfinite(dist))
                r.dot_nn_mm[i] = dist;
        }
    }

    /* The largest empty circle: twice the farthest zone sample from any dot, also in
     * local target spacings (spacing grows as 1 / sqrt(design density)). */
    double max_gap_r = 0.0, max_gap_rel = 0.0;
    if (idx) {
        size_t j = SPATIAL_NONE;
        for (size_t k = 0; k < zone->count; k++) {
            const float *p = &zone->pos_mm[3 * k];
            double q[3] = { p[0], p[1], p[2] };
            double prof = (double)zone->profile[k];
            double dist;
            /* Neighbouring samples share nearest dots: the last one bounds this sample's
             * distance from above, and when that bound cannot raise either maximum the
             * search is skipped. */
            if (j != SPATIAL_NONE) {
                const double *dp = dots[zone_idx[j]].pos_mm;   /* as the index holds it */
                double e[3] = { q[0] - (float)dp[0], q[1] - (float)dp[1], q[2] - (float)dp[2] };
                double bound = sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
                double bound_rel = prof > 0.0 ? 2.0 * bound * sqrt(prof) / cell : 0.0;
                if (bound <= max_gap_r && bound_rel <= max_gap_rel)
                    continue;
            }
            if (!spatial_nearest(idx, q, SPATIAL_NONE, &j, &dist) || !isfinite(dist)) {
                j = SPATIAL_NONE;
                continue;
            }
            if (dist > max_gap_r)
                max_gap_r = dist;
            double rel = prof > 0.0 ? 2.0 * dist * sqrt(prof) / cell : 0.0;
            if (rel > max_gap_rel)
                max_gap_rel = rel;
        }
    }
    double zone_area_mm2 = zone->zone_area_mm2, profile_area_mm2 = zone->profile_area_mm2;
    const double *region_area_mm2 = zone->region_area_mm2;
    /* rules 2 measure the feather's bands by skin area, rules 1 by chart area */
    const double *band_area = rules >= 2 ? zone->band_skin_mm2 : zone->band_area_mm2;
    const double *band_profile = rules >= 2 ? zone->band_profile_skin_mm2 : zone->band_profile_mm2;
    sp->zone_area_cm2 = zone_area_mm2 / 100.0;
    sp->density_per_cm2 = safe_div((double)m, sp->zone_area_cm2);
    sp->largest_gap_mm = 2.0 * max_gap_r;
    sp->largest_gap_spacings = max_gap_rel;
    sp->expected_density_per_cm2 = l->target_density_per_cm2 * safe_div(profile_area_mm2, zone_area_mm2);
    sp->density_area_cm2 = sp->zone_area_cm2;
    double nn_for_r = sp->nn_mean_mm;
    if (rules >= 2 && l->has_hairline && zone->body_area_mm2 > 0.0) {
        /* Behind the feather, where the design asks the full density: the feather's
         * gradient is the hairline's to judge, and a pattern statistic assumes one density. */
        size_t body = 0;
        double nn_sum = 0.0;
        for (size_t k = 0; k < m; k++) {
            const dot *d = &dots[zone_idx[k]];
            if (-lesson_hairline_offset_mm(l, d->chart_mm[0], d->chart_mm[1]) >= l->hairline.feather_mm) {
                body++;
                nn_sum += r.dot_nn_mm[zone_idx[k]];
            }
        }
        if (body >= 2) {
            sp->density_behind_feather = 1;
            sp->density_area_cm2 = zone->body_area_mm2 / 100.0;
            sp->density_per_cm2 = safe_div((double)body, sp->density_area_cm2);
            sp->expected_density_per_cm2 = l->target_density_per_cm2;
            nn_for_r = nn_sum / (double)body;
        }
    }
    if (m >= 2 && sp->density_per_cm2 > 0.0) {
        double rr = clark_evans_r(nn_for_r, sp->density_per_cm2 / 100.0);
        sp->clark_evans_r = isfinite(rr) ? rr : 0.0;
        if (sp->clark_evans_r > 1.85)
            sp->pattern = PATTERN_GRID;
        else if (sp->clark_evans_r < 1.0)
            sp->pattern = PATTERN_CLUMPED;
        else
            sp->pattern = PATTERN_NATURAL;
        /* Rows and lattices seen directly: R alone passes a grid with 15 % jitter. Every
         * rule set measures it; from rules 2 it names the pattern and costs marks. */
        pattern_order po;
        if (pattern_order_of_dots(dots, zone_idx, nn_ix, m, l->target_spacing_mm, zone->surface, &po) != 0)
            goto fail;
        sp->order = po.order;
        sp->order_kind = po.kind;
        if (rules >= 2 && po.kind == PATTERN_ORDER_ROWS)
            sp->pattern = PATTERN_ROWS;
        else if (rules >= 2 && po.kind != PATTERN_ORDER_NONE)
            sp->pattern = PATTERN_GRID;
    }

    /* Depth, colour and quality, over every dot. */
    score_depth *dp = &r.depth;
    score_pigment *pg = &r.pigment;
    score_quality *q = &r.quality;
    score_target_lab_rules(l, rules, &pg->target_lab);
    lab stubble_probe;
    pg->target_is_stubble = rules >= 2 && !l->has_target_lab
                            && shade_rule_target_lab(l->hair_colour, l->fitzpatrick, l->session_number, &stubble_probe);
    pg->shade_rule = rules >= 2 ? shade_rule_shade(l->hair_colour, l->fitzpatrick, l->session_number) : -1;
    int shades_counted = 1;
    double dsum = 0.0, dsum2 = 0.0, mae = 0.0, desum = 0.0, demax = 0.0, dia = 0.0, dia2 = 0.0;
    size_t in_band = 0, in_acc = 0, exc = 0, accept = 0;
    for (size_t i = 0; i < n; i++) {
        const dot *d = &dots[i];
        double z = d->depth_mm;
        dsum += z;
        /* the session's band, or a scar's own where the dot is in scar tissue */
        const double *bd, *ac;
        r.dot_scar[i] = (int16_t)scalp_depth_bands(l, &zone->features, d->chart_mm[0], d->chart_mm[1], &bd, &ac);
        int band = z >= bd[0] && z <= bd[1];
        in_band += (size_t)band;
        in_acc += (size_t)(z >= ac[0] && z <= ac[1]);
        mae += fmax(0.0, fmax(bd[0] - z, z - bd[1]));
        if (d->flags & DOT_SHED) {
            dp->shed_count++;
            r.dot_flags[i] |= SF_SHED;
        }
        if (d->flags & DOT_BLOWOUT) {
            dp->blowout_count++;
            r.dot_flags[i] |= SF_BLOWOUT;
        }
        if (!band && !(d->flags & (DOT_SHED | DOT_BLOWOUT)))
            r.dot_flags[i] |= SF_OUT_OF_BAND;

        /* Rules 1: every dot, shed ones as the skin they heal to, each coloured by the model
         * of the time. Rules 2: the colour of the dots within the acceptable depths only;
         * a shed or blown-out dot is a depth fault, not a colour one. */
        lab healed = d->lab_healed;
        if (rules <= 1 && dot_region(d) != REGION_NONE) {
            skin_layers dl;
            lesson_layers(l, dot_region(d), &dl);
            pigment_healed_lab_v1(d->shade, z, l->fitzpatrick, &dl, &healed);
        } else if (rules >= 2 && (z < bd[0] || z > bd[1]) && dot_depth_acceptable(z, ac)) {
            /* Acceptable but outside the ideal band: judged as the shade heals at the
             * nearest edge of the band, for the depth's own effect on the colour (a
             * lighter dot when deeper) is depth's to judge. */
            skin_layers dl;
            lesson_layers(l, dot_region(d) != REGION_NONE ? dot_region(d) : REGION_PRACTICE, &dl);
            pigment_healed_lab(d->shade, z < bd[0] ? bd[0] : bd[1], l->fitzpatrick, &dl, &healed);
        }
        double de = ciede2000(&healed, &pg->target_lab);
        if (!isfinite(de))
            de = 0.0;
        r.dot_delta_e00[i] = de;
        judged[i] = (unsigned char)(rules <= 1 || dot_depth_acceptable(z, ac));
        if (judged[i]) {
            pg->judged_count++;
            desum += de;
            demax = fmax(demax, de);
            exc += (size_t)(de <= 3.0);
            accept += (size_t)(de <= 6.0);
            if (de > 6.0)
                r.dot_flags[i] |= SF_WRONG_COLOUR;
        }
        if (d->shade >= 0 && d->shade < SHADE_COUNT_MAX)
            shade_count[d->shade]++;
        else
            shades_counted = 0;

        dia += d->diameter_fresh_mm;
        if (d->flags & DOT_DRAGGED) {
            q->dragged_count++;
            r.dot_flags[i] |= SF_DRAGGED;
        }
        sorted[i] = d->diameter_fresh_mm;
    }
    if (n > 0) {
        dp->mean_mm = dsum / nd;
        for (size_t i = 0; i < n; i++) {
            double dv = dots[i].depth_mm - dp->mean_mm;
            dsum2 += dv * dv;
        }
        dp->sd_mm = sqrt(dsum2 / nd);
        dp->in_band_fraction = (double)in_band / nd;
        dp->in_acceptable_fraction = (double)in_acc / nd;
        dp->mae_mm = mae / nd;

        /* Most used shade; ties go to the smallest. */
        if (shades_counted) {
            size_t best = 0;
            for (int k = 0; k < SHADE_COUNT_MAX; k++)
                if (shade_count[k] > best) {
                    best = shade_count[k];
                    pg->shade_used = k;
                }
        } else {
            /* a shade past the counts (a hostile file): sorted (the sort puts the smallest
             * of equals first) */
            shades = malloc(n * sizeof *shades);
            if (!shades)
                goto fail;
            for (size_t i = 0; i < n; i++)
                shades[i] = dots[i].shade;
            qsort(shades, n, sizeof *shades, cmp_int);
            size_t best = 0, run = 0;
            for (size_t i = 0; i < n; i++) {
                run = (i > 0 && shades[i] == shades[i - 1]) ? run + 1 : 1;
                if (run > best) {
                    best = run;
                    pg->shade_used = shades[i];
                }
            }
        }
        /* Too few dots at an acceptable depth to judge a colour by (under a quarter, as when
         * nearly every dot shed or blew out): rules 2 judges the shade choice alone. */
        if (pg->judged_count > 0 && (rules <= 1 || 4 * pg->judged_count >= n)) {
            double nj = (double)pg->judged_count;
            pg->delta_e00_mean = desum / nj;
            pg->delta_e00_max = demax;
            pg->excellent_fraction = (double)exc / nj;
            pg->acceptable_fraction = (double)accept / nj;
        } else {
            /* The shade choice alone, as it heals when placed right (rules 2 only; rules 1
             * judges every dot). The dots' own figures stay per dot, unflagged. */
            lab mid;
            shade_at_mid_band(l, pg->shade_used, rules, &mid);
            double de = ciede2000(&mid, &pg->target_lab);
            de = isfinite(de) ? de : 0.0;
            pg->shade_only = 1;
            for (size_t i = 0; i < n; i++)
                r.dot_flags[i] &= ~(uint32_t)SF_WRONG_COLOUR;
            pg->delta_e00_mean = pg->delta_e00_max = de;
            pg->excellent_fraction = de <= 3.0 ? 1.0 : 0.0;
            pg->acceptable_fraction = de <= 6.0 ? 1.0 : 0.0;
        }
        if (pg->shade_rule >= 0)
            pg->shade_suitable = abs(pg->shade_used - pg->shade_rule) <= SHADE_RULE_TOLERANCE;
        else
            pg->shade_suitable = pg->shade_used >= l->allowed_shades[0] && pg->shade_used <= l->allowed_shades[1];

        q->diameter_mean_mm = dia / nd;
        for (size_t i = 0; i < n; i++) {
            double dv = dots[i].diameter_fresh_mm - q->diameter_mean_mm;
            dia2 += dv * dv;
        }
        q->diameter_cv = safe_div(sqrt(dia2 / nd), q->diameter_mean_mm);
        q->dragged_fraction = (double)q->dragged_count / nd;
        q->diameter_median_mm = median_of(sorted, n);
        /* Size is judged against what the lesson's needle makes in a clean stipple at the
         * middle of the band, so a whole session with the wrong needle cannot pass as
         * consistent; the needle itself is checked dot by dot. */
        skin_layers layers;
        lesson_layers(l, l->surface == SURFACE_HEAD ? REGION_FRONTAL : REGION_PRACTICE, &layers);
        q->diameter_expected_mm = needle_fresh_diameter_mm(&l->needle, 100000,
                                                           0.5 * (l->depth_band_mm[0] + l->depth_band_mm[1]), &layers);
        for (size_t i = 0; i < n; i++) {
            if (fabs(dots[i].diameter_fresh_mm - q->diameter_expected_mm) > 0.5 * q->diameter_expected_mm) {
                q->size_outlier_count++;
                r.dot_flags[i] |= SF_SIZE_OUTLIER;
            }
            if (dots[i].needle_config != l->needle.config
                || fabs(dots[i].needle_diameter_mm - (double)l->needle.diameter_mm) > 0.025) {
                q->wrong_needle_count++;
                r.dot_flags[i] |= SF_WRONG_NEEDLE;
            }
        }
        q->wrong_needle_fraction = (double)q->wrong_needle_count / nd;
    } else {
        pg->shade_used = -1;    /* none */
        pg->shade_suitable = 0;
    }

    /* Hairline: dots in front of the design, and the feather's density gradient. */
    score_hairline *hl = &r.hairline;
    hl->applies = l->has_hairline != 0;
    if (l->has_hairline) {
        /* The ratio the design itself has between the feather's front and back quarters. */
        hl->target_density_ratio = safe_div(safe_div(band_profile[0], band_area[0]),
                                            safe_div(band_profile[1], band_area[1]));
        size_t band_count[2] = {0, 0};
        for (size_t i = 0; i < n; i++) {
            double off = lesson_hairline_offset_mm(l, dots[i].chart_mm[0], dots[i].chart_mm[1]);
            if (off > l->hairline.tolerance_mm) {
                hl->in_front_count++;
                r.dot_flags[i] |= SF_IN_FRONT;
                if (!in_zone[i])
                    sp->dots_in_front_outside_zone++;
            } else if (rules >= 3 && off > 0.0 && !in_zone[i]) {
                /* on the line's side of the zone, within the tolerance: where the front
                 * edge sits is the hairline's to judge (rules 3), not also spacing's */
                sp->dots_in_front_outside_zone++;
            }
            if (in_zone[i]) {
                int b = feather_band(l, off);
                if (b >= 0)
                    band_count[b]++;
            }
        }
        hl->in_front_fraction = n ? (double)hl->in_front_count / nd : 0.0;
        /* Ratio of the densities in the front and back quarters of the feather. With no
         * dots at the back it is 0 (no dots at all) or capped at 10 (dots only in front). */
        double front = safe_div((double)band_count[0], band_area[0]);
        double back = safe_div((double)band_count[1], band_area[1]);
        double ratio = back > 0.0 ? front / back : (front > 0.0 ? 10.0 : 0.0);
        hl->front_band_density_ratio = fmin(ratio, 10.0);
        /* Softness: 1 when the ratio equals the design's own (the feather ramp from
         * front_density_fraction at the line to full at feather_mm, averaged over the two
         * bands: 0.42 for f = 0.3), falling linearly with the difference to 0 at
         * max(0.35, 1 - target) away (so a uniform density, ratio 1, scores 0; the 0.35
         * floor keeps a near-1 target from making the scale needlessly steep). With no
         * dots in either band it is 0. */
        double target = hl->target_density_ratio;
        /* Rules 2: a difference within two standard errors of counting (the bands of a thin
         * feather hold few dots) is not held against the trainee. */
        double diff = fabs(hl->front_band_density_ratio - target);
        if (rules >= 2 && band_count[0] > 0 && band_count[1] > 0)
            diff = fmax(0.0, diff - 2.0 * target * sqrt(1.0 / (double)band_count[0] + 1.0 / (double)band_count[1]));
        hl->softness = (band_count[0] + band_count[1]) == 0 ? 0.0 : clamp01(1.0 - diff / fmax(0.35, 1.0 - target));
        /* rules 3: by the lesson's style */
        if (rules >= 3 && hairline_judge(l, &zone->hairline, dots, n, in_zone, hl->in_front_fraction, &hl->style) == 0)
            hl->by_style = 1;
    }

    /* Per region: every region that has zone area or dots, in region order. Dots, NN,
     * in-band and dE00 over all the region's dots; density over its in-zone dots. */
    size_t reg_dots[REGION_COUNT] = {0}, reg_zone_dots[REGION_COUNT] = {0}, reg_band[REGION_COUNT] = {0};
    size_t reg_judged[REGION_COUNT] = {0};
    double reg_nn[REGION_COUNT] = {0}, reg_de[REGION_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        region_id reg = dot_region(&dots[i]);
        reg_dots[reg]++;
        reg_zone_dots[reg] += in_zone[i];
        reg_nn[reg] += r.dot_nn_mm[i];
        if (judged[i]) {
            reg_de[reg] += r.dot_delta_e00[i];
            reg_judged[reg]++;
        }
        const double *bd = dot_band(l, r.dot_scar, i);
        reg_band[reg] += (size_t)(dots[i].depth_mm >= bd[0] && dots[i].depth_mm <= bd[1]);
    }
    size_t rc = 0;
    for (int k = 0; k < REGION_COUNT; k++)
        rc += (reg_dots[k] > 0 || region_area_mm2[k] > 0.0);
    if (rc > 0) {
        r.regions = calloc(rc, sizeof *r.regions);
        if (!r.regions)
            goto fail;
        size_t at = 0;
        for (int k = 0; k < REGION_COUNT; k++) {
            if (!(reg_dots[k] > 0 || region_area_mm2[k] > 0.0))
                continue;
            score_region *sr = &r.regions[at++];
            double rd = (double)reg_dots[k];
            sr->region = k;
            sr->dots = reg_dots[k];
            sr->area_cm2 = region_area_mm2[k] / 100.0;
            sr->density_per_cm2 = safe_div((double)reg_zone_dots[k], sr->area_cm2);
            sr->nn_mean_mm = safe_div(reg_nn[k], rd);
            sr->in_band_fraction = safe_div((double)reg_band[k], rd);
            sr->delta_e00_mean = safe_div(reg_de[k], (double)reg_judged[k]);
        }
        r.region_count = rc;
    }

    score_metrics(l, n, rules, &r);

    spatial_free(idx);
    free(in_zone);
    free(zone_idx);
    free(nn);
    free(nn_ix);
    free(shades);
    free(judged);
    *out = r;
    return 0;

fail:
    spatial_free(idx);
    free(in_zone);
    free(zone_idx);
    free(nn);
    free(nn_ix);
    free(shades);
    free(judged);
    score_result_free(&r);
    return -1;
}

/* --- reasons ------------------------------------------------------------------------- */

/* The sentences live in report_text.c, the one place every report's words are written. */
void score_dot_reason(const score_result *r, const lesson *l, const dot *dots, size_t i, char *buf, size_t buflen)
{
    report_text_dot_reason(r, l, dots, i, buf, buflen);
}
