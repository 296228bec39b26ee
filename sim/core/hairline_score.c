/* hairline_score.c: the hairline judged by its style (hairline_score.h).
 *
 * Sources (../shared/domain/): model-defaults.md, "Hairlines": the styles; the front 5-10 mm
 * sparse, density rising to full over 2-4 cm; the faults "ruler-straight line where a soft
 * one is asked for, no temple fade, too low, too dark, dots in front of the design line".
 * smp-reference.md §5: soft/feathered "temples faded, line staggered; deposits scattered
 * below the line"; defined/edge-up "straight line; barber line-up, temples squared";
 * Shapiro & Shapiro (hairline design): "build in micro- and macro-irregularity"; the front
 * 0.5-1 cm "soft and irregular" (Shapiro, transition zone). Every threshold below is a
 * product choice to validate with instructors, calibrated on generated dot sets in
 * tests/test_hairline_score.c (a feathered line passes soft and fails defined, a hard edge
 * the reverse; dots in front, an edge 3 mm off and untreated temples each fail).
 *
 * The front edge, stretch by stretch. The line is cut across its width into stretches; in
 * each, the edge is the frontmost dot (in front of the line or up to the judged depth
 * behind it; a stretch with none counts as an edge that deep). Where dots are scattered at
 * density rho, the frontmost of a stretch w wide lies about 1 / (rho w) behind the line:
 *   - the edge's distance from the line is the median over stretches 8 spacings wide
 *     (about an eighth of a spacing for random dots: the line is followed);
 *   - its wander is the spread over stretches 2 spacings wide: about a third of a spacing
 *     for dots scattered as a feather is (irregular), near 0 for dots set on the line one
 *     after another (a crisp, ruler-drawn edge).
 * "Spacing" here is the one the design's density asks at the line, 1 / sqrt(density). */
#include "hairline_score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- thresholds (choices; see the head of the file) ------------------------------------ */

#define IN_FRONT_ZERO      0.05   /* in front of the line: marks fall to 0 at 5 % of the dots
                                   * (as rules 1-2) */
#define EDGE_FULL          HAIRLINE_EDGE_FULL_SPACINGS   /* the edge within 3/4 of the spacing at the line keeps every
                                   * mark (1.6 mm at a soft line's 21/cm2, 0.9 mm at an edge-up's
                                   * 70/cm2: the nearer the dots, the closer the line is read) */
#define EDGE_ZERO          1.5    /* 1.5 spacings off: no marks (3.3 mm on a soft line: a third to
                                   * a half of its sparse front 5-10 mm, visibly moved) */
#define TEMPLE_FULL        HAIRLINE_TEMPLE_FULL   /* a temple with 60 % of the centre's share of its design's dots */
#define TEMPLE_ZERO        0.25   /* under a quarter: untreated */
#define TEMPLE_WIDTH       0.15   /* each temple strip: the outer 15 % of the line's width */
#define GRADIENT_FULL      HAIRLINE_GRADIENT_FULL   /* the feather rises at 60 % of the design's slope or more */
#define GRADIENT_ZERO      0.20   /* a fifth of it or less: flat */
#define SLOPE_MIN          0.10   /* a design flatter than this has no gradient to follow */
#define IRREGULAR_FULL     HAIRLINE_IRREGULAR_FULL   /* feathered: a front edge wandering a seventh of a spacing or
                                   * more (the virtual expert's feather: 0.21-0.37) */
#define IRREGULAR_ZERO     HAIRLINE_IRREGULAR_ZERO   /* under 0.06 spacings: ruler-straight (dots set along the line) */
#define CRISP_FULL         HAIRLINE_CRISP_FULL   /* defined: wandering up to a fifth of a spacing is crisp */
#define CRISP_ZERO         0.40   /* 0.40 spacings or more: ragged (scattered dots wander ~0.3-0.4) */
#define JUDGED_DEPTH_MIN   5.0    /* the edge and the temples are judged this deep behind the line
                                   * at least (the feather's depth where it is deeper) */
#define EDGE_STRETCH       8.0    /* spacings a stretch for the edge's distance */
#define WANDER_STRETCH     2.0    /* spacings a stretch for a defined edge's wander (a row set at
                                   * the full spacing puts two dots in each) */
#define WANDER_STRETCH_FEATHERED 1.0   /* and for a feathered one's: a row at the full density
                                   * still puts a dot in each, a feather's front far fewer */
#define STRETCHES_MAX      HAIRLINE_STRETCHES_MAX

static double clamp01(double x)
{
    if (!(x > 0.0))
        return 0.0;
    return x > 1.0 ? 1.0 : x;
}

const char *hairline_fault_name(int fault)
{
    static const char *const names[] = { "ok", "in_front", "edge_behind", "edge_forward", "temple", "flat", "straight",
                                         "ragged" };
    return fault >= 0 && fault < (int)(sizeof names / sizeof names[0]) ? names[fault] : "?";
}

int hairline_style_is_defined(int style)
{
    return style == HAIRLINE_EDGE_UP;
}

/* The line's width along u: its first and last points (lesson.h: ordered by u). */
static void line_span(const lesson *l, double *u0, double *u1)
{
    *u0 = l->hairline.line[0].u_mm;
    *u1 = l->hairline.line[l->hairline.line_count - 1].u_mm;
}

static double judged_depth(const lesson *l)
{
    return fmax(l->hairline.feather_mm, JUDGED_DEPTH_MIN);
}

/* 0 right temple, 1 left temple, 2 between. */
static int strip_of(double u, double u0, double u1)
{
    double t = TEMPLE_WIDTH * (u1 - u0);
    if (u < u0 + t)
        return 0;
    if (u > u1 - t)
        return 1;
    return 2;
}

static int band_of(const lesson *l, double behind_mm)
{
    double f = l->hairline.feather_mm;
    if (!(f > 0.0) || behind_mm < 0.0 || behind_mm >= f)
        return -1;
    int b = (int)(behind_mm / f * HAIRLINE_BANDS);
    return b < HAIRLINE_BANDS ? b : HAIRLINE_BANDS - 1;
}

static size_t stretch_count(double span_mm, double stretch_mm, size_t least)
{
    double k = floor(span_mm / stretch_mm);
    if (!(k >= (double)least))
        return least;
    return k > STRETCHES_MAX ? STRETCHES_MAX : (size_t)k;
}

/* The spacing the design's density asks at the line. */
static double spacing_at_line(const lesson *l)
{
    double rho = l->target_density_per_cm2 / 100.0 * fmax(l->hairline.front_density_fraction, 0.05);
    return rho > 0.0 ? 1.0 / sqrt(rho) : 1.0;
}

/* Slices half a spacing at the line wide across the line, at most STRETCHES_MAX; none for a
 * line with no width. */
static size_t slice_count(const lesson *l)
{
    double u0, u1;
    line_span(l, &u0, &u1);
    return u1 > u0 ? stretch_count(u1 - u0, 0.5 * spacing_at_line(l), 16) : 0;
}

static size_t slice_of(double u, double u0, double u1, size_t nb)
{
    size_t b = (size_t)((u - u0) / ((u1 - u0) / (double)nb));
    return b < nb ? b : nb - 1;
}

static void front_add(double *front, unsigned char *seen, size_t b, double offset)
{
    if (!seen[b] || offset > front[b])
        front[b] = offset;
    seen[b] = 1;
}

void hairline_zone_add(const lesson *l, double u_mm, double v_mm, double skin_area_mm2, double profile,
                       double sample_mm, hairline_zone *hz)
{
    if (!l || !l->has_hairline || !hz || l->hairline.line_count < 2)
        return;
    double behind = -lesson_hairline_offset_mm(l, u_mm, v_mm);
    double u0, u1;
    line_span(l, &u0, &u1);
    if (u_mm >= u0 && u_mm <= u1 && u1 > u0) {
        front_add(hz->front_mm, hz->seen, slice_of(u_mm, u0, u1, slice_count(l)), -behind + 0.5 * sample_mm);
    }
    int b = band_of(l, behind);
    if (b >= 0) {
        hz->band_skin_mm2[b] += skin_area_mm2;
        hz->band_profile_mm2[b] += profile * skin_area_mm2;
    }
    if (behind < 0.0 || behind > judged_depth(l) || u_mm < u0 || u_mm > u1)
        return;
    int s = strip_of(u_mm, u0, u1);
    if (s < 2)
        hz->temple_profile_mm2[s] += profile * skin_area_mm2;
    else
        hz->centre_profile_mm2 += profile * skin_area_mm2;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0 .. n) (sorted in place), n >= 1. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The frontmost dot's offset in each slice (-INFINITY: none within depth of the zone). */
static void slice_edges(const lesson *l, const hairline_zone *hz, const dot *dots, size_t n, double u0, double u1,
                        size_t ns, double depth, double *edge)
{
    for (size_t b = 0; b < ns; b++)
        edge[b] = -INFINITY;
    for (size_t i = 0; i < n && ns > 0; i++) {
        double u = dots[i].chart_mm[0];
        if (!(u >= u0 && u <= u1))
            continue;
        size_t b = slice_of(u, u0, u1, ns);
        double off = lesson_hairline_offset_mm(l, u, dots[i].chart_mm[1]);
        if (hz->seen[b] && off >= fmin(0.0, hz->front_mm[b]) - depth && off > edge[b])
            edge[b] = off;
    }
}

/* The front edge's distance behind where the zone lets it be (the line, or the zone's own
 * front where that is behind the line) in stretches of `group` slices, over the stretches
 * with zone: the frontmost dot's, or depth where none is. Returns how many; packed in gap. */
static size_t stretch_gaps(const hairline_zone *hz, const double *edge, size_t ns, size_t group, double depth,
                           double *gap)
{
    size_t k = 0;
    group = group ? group : 1;
    for (size_t a = 0; a < ns; a += group) {
        double ref = -INFINITY, front = -INFINITY;
        for (size_t b = a; b < a + group && b < ns; b++)
            if (hz->seen[b]) {
                ref = fmax(ref, fmin(0.0, hz->front_mm[b]));
                front = fmax(front, edge[b]);
            }
        if (ref == -INFINITY)
            continue;   /* no zone in this stretch: nothing asked */
        gap[k++] = fmin(ref - front, depth);
    }
    return k;
}

/* Slope of y over x = 0.1, 0.3, ..., 0.9 (the bands' middles, in feathers), over y's mean:
 * bands with no area (y < 0) left out. 0 when fewer than two bands or a zero mean. */
static double relative_slope(const double *y)
{
    double sx = 0.0, sy = 0.0, k = 0.0;
    for (int b = 0; b < HAIRLINE_BANDS; b++)
        if (y[b] >= 0.0) {
            sx += (b + 0.5) / HAIRLINE_BANDS;
            sy += y[b];
            k += 1.0;
        }
    if (k < 2.0 || !(sy > 0.0))
        return 0.0;
    double mx = sx / k, my = sy / k, sxy = 0.0, sxx = 0.0;
    for (int b = 0; b < HAIRLINE_BANDS; b++)
        if (y[b] >= 0.0) {
            double dx = (b + 0.5) / HAIRLINE_BANDS - mx;
            sxy += dx * (y[b] - my);
            sxx += dx * dx;
        }
    return sxx > 0.0 ? sxy / sxx / my : 0.0;
}

int hairline_judge(const lesson *l, const hairline_zone *hz, const dot *dots, size_t n,
                   const unsigned char *in_zone, double in_front_fraction, hairline_judged *out)
{
    if (!l || !hz || !out || !l->has_hairline || l->hairline.line_count < 2 || (n > 0 && (!dots || !in_zone)))
        return -1;
    memset(out, 0, sizeof *out);
    out->defined = hairline_style_is_defined(l->hairline.style);
    double u0, u1;
    line_span(l, &u0, &u1);
    double depth = judged_depth(l);
    double s_line = spacing_at_line(l);
    out->spacing_at_line_mm = s_line;

    /* the feather's gradient and the temples, over the dots in the zone */
    size_t band[HAIRLINE_BANDS] = {0}, strip[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        if (!in_zone[i])
            continue;
        double u = dots[i].chart_mm[0];
        double behind = -lesson_hairline_offset_mm(l, u, dots[i].chart_mm[1]);
        int b = band_of(l, behind);
        if (b >= 0)
            band[b]++;
        if (behind >= 0.0 && behind <= depth && u >= u0 && u <= u1)
            strip[strip_of(u, u0, u1)]++;
    }
    double seen[HAIRLINE_BANDS], asked[HAIRLINE_BANDS];
    for (int b = 0; b < HAIRLINE_BANDS; b++) {
        double a = hz->band_skin_mm2[b];
        seen[b] = a > 0.0 ? (double)band[b] / a : -1.0;
        asked[b] = a > 0.0 ? hz->band_profile_mm2[b] / a : -1.0;
    }
    out->design_slope = relative_slope(asked);
    out->gradient = out->design_slope > SLOPE_MIN ? relative_slope(seen) / out->design_slope : 1.0;
    double centre = hz->centre_profile_mm2 > 0.0 ? (double)strip[2] / hz->centre_profile_mm2 : 0.0;

    /* the front edge: its distance from the line, in stretches 8 spacings of the dots placed
     * near the line wide (their share of the design's count, at most 1 and at least a
     * quarter), and its wander in stretches 2 spacings at the line wide */
    double asked_near = hz->centre_profile_mm2 + hz->temple_profile_mm2[0] + hz->temple_profile_mm2[1];
    double rho = l->target_density_per_cm2 / 100.0;
    out->dots_share_at_line = asked_near > 0.0 && rho > 0.0
                                  ? (double)(strip[0] + strip[1] + strip[2]) / (rho * asked_near) : 0.0;
    double share = fmin(1.0, fmax(0.25, out->dots_share_at_line));
    size_t ns = slice_count(l);
    double edge[STRETCHES_MAX], gap[STRETCHES_MAX];
    slice_edges(l, hz, dots, n, u0, u1, ns, depth, edge);
    size_t group = (size_t)lround(EDGE_STRETCH / 0.5 / sqrt(share));
    size_t k = stretch_gaps(hz, edge, ns, ns / group >= 4 ? group : ns / 4, depth, gap);
    out->edge_offset_mm = k ? median(gap, k) : 0.0;
    k = stretch_gaps(hz, edge, ns, (size_t)lround((out->defined ? WANDER_STRETCH : WANDER_STRETCH_FEATHERED) / 0.5),
                     depth, gap);
    if (k) {
        double mid = median(gap, k);
        for (size_t b = 0; b < k; b++)
            gap[b] = fabs(gap[b] - mid);
        out->edge_wander_mm = 1.4826 * median(gap, k);
    }
    out->edge_wander_spacings = out->edge_wander_mm / s_line;
    for (int s = 0; s < 2; s++) {
        out->temple_dots[s] = strip[s];
        if (!(hz->temple_profile_mm2[s] > 0.0))
            out->temple_share[s] = 1.0;   /* the zone asks nothing there */
        else if (centre > 0.0)
            out->temple_share[s] = (double)strip[s] / hz->temple_profile_mm2[s] / centre;
        else
            out->temple_share[s] = strip[s] > 0 ? 1.0 : 0.0;
    }

    /* the marks */
    out->s_front = clamp01(1.0 - in_front_fraction / IN_FRONT_ZERO);
    double off_sp = fabs(out->edge_offset_mm) / s_line;
    out->s_edge = clamp01(1.0 - (off_sp - EDGE_FULL) / (EDGE_ZERO - EDGE_FULL));
    double worst_temple = fmin(out->temple_share[0], out->temple_share[1]);
    out->s_temples = clamp01((worst_temple - TEMPLE_ZERO) / (TEMPLE_FULL - TEMPLE_ZERO));
    double s_shape, s_gradient = 1.0;
    if (out->defined) {
        s_shape = clamp01((CRISP_ZERO - out->edge_wander_spacings) / (CRISP_ZERO - CRISP_FULL));
    } else {
        s_gradient = clamp01((out->gradient - GRADIENT_ZERO) / (GRADIENT_FULL - GRADIENT_ZERO));
        s_shape = clamp01((out->edge_wander_spacings - IRREGULAR_ZERO) / (IRREGULAR_FULL - IRREGULAR_ZERO));
    }
    out->s_style = s_gradient * s_shape;
    if (n == 0)
        out->s_front = out->s_edge = out->s_temples = out->s_style = 0.0;

    /* what cost most: the smallest factor (in this order where equal) */
    double least = 1.0;
    out->fault = HAIRLINE_OK;
    struct { double s; int fault; } f[] = {
        { out->s_front, HAIRLINE_IN_FRONT },
        { out->s_edge, out->edge_offset_mm >= 0.0 ? HAIRLINE_EDGE_BEHIND : HAIRLINE_EDGE_FORWARD },
        { out->s_temples, HAIRLINE_TEMPLE },
        { s_gradient, HAIRLINE_FLAT },
        { s_shape, out->defined ? HAIRLINE_RAGGED : HAIRLINE_STRAIGHT },
    };
    for (size_t j = 0; j < sizeof f / sizeof f[0]; j++)
        if (f[j].s < least) {
            least = f[j].s;
            out->fault = f[j].fault;
        }
    return 0;
}

double hairline_judged_score(const hairline_judged *h)
{
    return 100.0 * clamp01(h->s_front) * clamp01(h->s_edge) * clamp01(h->s_temples) * clamp01(h->s_style);
}
