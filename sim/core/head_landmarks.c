/* head_landmarks.c: the head's named landmarks and measurements (see head_landmarks.h).
 *
 * Each landmark is found on the skin by ray casts, from its definition:
 *   glabella, nasion   the midline profile seen from the front: the nasion is its deepest
 *                      point between the forehead and the nose (y 0..30 mm), the glabella
 *                      its most forward point in the 25 mm above the nasion;
 *   vertex             the highest point of the midline profile seen from above;
 *   opisthocranion     the most posterior point of the midline profile seen from behind;
 *   occipital protuberance, tragions: where the head was built with them (head_shape.c);
 *   brow crease        35 mm of skin above the glabella on the midline (the chart is true
 *                      arc length along the front midline);
 *   temple peaks       the natural hairline's corners, at 45 degrees either side of the
 *                      midline in the chart, where the frontal hairline turns down into
 *                      the temporal one;
 *   crown whorl        the centre of the crown (the chart's VERTEX region);
 *   nape               where the back of the skull meets the neck: going down the back of
 *                      the head, the first point where the skin turns vertical (the neck)
 *                      after curving under the occiput. */
#include "head_landmarks.h"
#include "head_shape.h"
#include "vec3.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LM_PI 3.14159265358979323846
#define BROW_CREASE_ABOVE_GLABELLA_MM 35.0
#define TEMPLE_ALPHA_DEG 45.0

static const char *const LANDMARK_NAMES[LANDMARK_COUNT] = {
    "glabella", "nasion", "brow_crease", "temple_l", "temple_r", "vertex", "crown_whorl",
    "occipital_protuberance", "opisthocranion", "tragion_l", "tragion_r", "nape",
};

const char *landmark_name(head_landmark lm)
{
    if ((int)lm < 0 || lm >= LANDMARK_COUNT)
        return "none";
    return LANDMARK_NAMES[lm];
}

head_landmark landmark_from_name(const char *name)
{
    if (!name)
        return LANDMARK_COUNT;
    for (int i = 0; i < LANDMARK_COUNT; i++)
        if (strcmp(name, LANDMARK_NAMES[i]) == 0)
            return (head_landmark)i;
    return LANDMARK_COUNT;
}

/* The skin hit by a ray from far along -dir through p (dir unit): 1 on a hit. */
static int cast_toward(const surface *s, const double p[3], const double dir[3], surface_hit *h)
{
    double o[3];
    vec3_muladds(p, dir, -500.0, o);
    return surface_raycast(s, o, dir, h);
}

static void fill(const surface *s, const double pos[3], landmark_point *lp)
{
    vec3_copy(pos, lp->pos_mm);
    lp->on_chart = surface_chart_of_point(s, pos, lp->chart_mm);
}

static int from_chart(const surface *s, double u, double v, landmark_point *lp)
{
    surface_hit h;
    if (!surface_chart_point(s, u, v, &h))
        return 0;
    vec3_copy(h.pos_mm, lp->pos_mm);
    lp->chart_mm[0] = u;
    lp->chart_mm[1] = v;
    lp->on_chart = 1;
    return 1;
}

/* The nape at x: scanning down the back of the head, the first point where the skin
 * turns vertical again after curving under the occiput. */
static int nape_at(const surface *s, double x, double pos[3])
{
    const double dir[3] = { 0.0, 0.0, 1.0 };
    int under = 0;
    for (double y = 40.0; y > -100.0; y -= 0.25) {
        double p[3] = { x, y, 0.0 };
        surface_hit h;
        if (!cast_toward(s, p, dir, &h))
            continue;
        if (h.normal[1] < -0.25)
            under = 1;
        else if (under && h.normal[1] > -0.05) {
            vec3_copy(h.pos_mm, pos);
            return 1;
        }
    }
    return 0;
}

int head_nape_line(const surface *s, landmark_point *out, int n)
{
    if (!s || surface_get_kind(s) != SURFACE_HEAD || n < 2)
        return 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        double x = -40.0 + 80.0 * i / (n - 1), p[3];
        if (nape_at(s, x, p))
            fill(s, p, &out[k++]);
    }
    return k;
}

int head_landmarks(const surface *s, landmark_point out[LANDMARK_COUNT])
{
    if (!s || surface_get_kind(s) != SURFACE_HEAD)
        return 0;
    landmark_point lm[LANDMARK_COUNT];
    memset(lm, 0, sizeof lm);
    surface_hit h;

    /* the midline profile from the front */
    const double fwd[3] = { 0.0, 0.0, -1.0 };
    double nasion[3] = { 0.0, 0.0, INFINITY }, glab[3] = { 0.0, 0.0, -INFINITY };
    for (double y = 0.0; y <= 30.0; y += 0.1) {
        double p[3] = { 0.0, y, 0.0 };
        if (cast_toward(s, p, fwd, &h) && h.pos_mm[2] < nasion[2])
            vec3_copy(h.pos_mm, nasion);
    }
    if (!isfinite(nasion[2]))
        return 0;
    for (double y = nasion[1]; y <= nasion[1] + 25.0; y += 0.1) {
        double p[3] = { 0.0, y, 0.0 };
        if (cast_toward(s, p, fwd, &h) && h.pos_mm[2] > glab[2])
            vec3_copy(h.pos_mm, glab);
    }
    if (!isfinite(glab[2]))
        return 0;
    fill(s, nasion, &lm[LANDMARK_NASION]);
    fill(s, glab, &lm[LANDMARK_GLABELLA]);
    /* the brow crease, on the chart's front midline (chart mm = arc mm there) */
    if (!from_chart(s, 0.0, lm[LANDMARK_GLABELLA].chart_mm[1] - BROW_CREASE_ABOVE_GLABELLA_MM,
                    &lm[LANDMARK_BROW_CREASE]))
        return 0;
    /* the temple peaks */
    double a = TEMPLE_ALPHA_DEG * LM_PI / 180.0;
    double rt = surface_hairline_rho(s, TEMPLE_ALPHA_DEG);
    if (!from_chart(s, rt * sin(a), rt * cos(a), &lm[LANDMARK_TEMPLE_L])
        || !from_chart(s, -rt * sin(a), rt * cos(a), &lm[LANDMARK_TEMPLE_R]))
        return 0;
    /* the vertex: the top of the midline profile */
    const double down[3] = { 0.0, -1.0, 0.0 };
    double top[3] = { 0.0, -INFINITY, 0.0 };
    for (double z = -80.0; z <= 60.0; z += 0.1) {
        double p[3] = { 0.0, 0.0, z };
        if (cast_toward(s, p, down, &h) && h.pos_mm[1] > top[1])
            vec3_copy(h.pos_mm, top);
    }
    if (!isfinite(top[1]))
        return 0;
    fill(s, top, &lm[LANDMARK_VERTEX]);
    /* the crown whorl */
    double cc[2], cr;
    surface_crown_disc(s, cc, &cr);
    if (!from_chart(s, cc[0], cc[1], &lm[LANDMARK_CROWN_WHORL]))
        return 0;
    /* the opisthocranion: the back of the midline profile */
    const double back[3] = { 0.0, 0.0, 1.0 };
    double rear[3] = { 0.0, 0.0, INFINITY };
    for (double y = 0.0; y <= 120.0; y += 0.1) {
        double p[3] = { 0.0, y, 0.0 };
        if (cast_toward(s, p, back, &h) && h.pos_mm[2] < rear[2])
            vec3_copy(h.pos_mm, rear);
    }
    if (!isfinite(rear[2]))
        return 0;
    fill(s, rear, &lm[LANDMARK_OPISTHOCRANION]);
    /* the inion, where the protuberance was built */
    double d[3], in[3];
    head_inion_direction(d);
    vec3_scale(d, -1.0, in);
    if (!cast_toward(s, HEAD_CRANIUM_CENTRE, in, &h))
        return 0;
    fill(s, h.pos_mm, &lm[LANDMARK_OCCIPITAL_PROTUBERANCE]);
    /* the tragions */
    for (int left = 0; left <= 1; left++) {
        double o[3], dir[3];
        head_tragion_ray(left, o, dir);
        if (!surface_raycast(s, o, dir, &h))
            return 0;
        fill(s, h.pos_mm, &lm[left ? LANDMARK_TRAGION_L : LANDMARK_TRAGION_R]);
    }
    double np[3];
    if (!nape_at(s, 0.0, np))
        return 0;
    fill(s, np, &lm[LANDMARK_NAPE]);
    memcpy(out, lm, sizeof lm);
    return 1;
}

/* ---- the standard head's landmarks, for lessons ------------------------------------------
 * Lessons are loaded often (every command that looks through the lessons folder loads them
 * all), and finding the landmarks needs the head built (~0.3 s). So the chart points of the
 * standard head's landmarks are kept here, as head_landmarks() finds them (printed by
 * `stipple head --json`); tests/test_head.c finds them again on a fresh head and fails, with
 * the table to paste here, when the head's shape has moved them. */
static const double STD_CHART[LANDMARK_COUNT][2] = {
    { 0, 153.3812552361685 },   /* glabella */
    { 0, 168.83747051638764 },   /* nasion */
    { 0, 118.3812552361685 },   /* brow_crease */
    { 66.468037431535464, 66.468037431535478 },   /* temple_l */
    { -66.468037431535464, 66.468037431535478 },   /* temple_r */
    { 2.0217100284082493e-15, -16.508515188345264 },   /* vertex */
    { 0, -30 },   /* crown_whorl */
    { 1.8837174575051648e-14, -153.81720336154737 },   /* occipital_protuberance */
    { 1.4973420453727149e-14, -122.26725668292464 },   /* opisthocranion */
    { 149.59755351821352, 9.6585067736997026 },   /* tragion_l */
    { -149.59755351821357, 9.6585067736997061 },   /* tragion_r */
    { 2.3089944137059499e-14, -188.5437021771144 },   /* nape */
};

int head_landmark_chart(head_landmark lm, double chart_mm[2])
{
    if ((int)lm < 0 || lm >= LANDMARK_COUNT)
        return 0;
    chart_mm[0] = STD_CHART[lm][0];
    chart_mm[1] = STD_CHART[lm][1];
    return 1;
}

/* ---- measurements ------------------------------------------------------------------- */
typedef struct pt2 { double a, b; } pt2;

static int cmp_pt2(const void *x, const void *y)
{
    const pt2 *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    if (p->b != q->b) return p->b < q->b ? -1 : 1;
    return 0;
}

static double cross2(pt2 o, pt2 p, pt2 q) { return (p.a - o.a) * (q.b - o.b) - (p.b - o.b) * (q.a - o.a); }

/* Perimeter of the convex hull of the mesh's section (ears left out) by the plane through
 * p0 with unit normal n; e1, e2 span the plane. What a tape pulled round the head reads. */
static double section_girth(const surface *s, const double p0[3], const double n[3],
                            const double e1[3], const double e2[3])
{
    const float *P = surface_positions(s);
    const uint32_t *I = surface_indices(s);
    const uint8_t *R = surface_triangle_regions(s);
    size_t nt = surface_triangle_count(s), np = 0, cap = 4096;
    pt2 *pts = malloc(cap * sizeof *pts);
    if (!pts)
        return 0.0;
    for (size_t t = 0; t < nt; t++) {
        if (R[t] == REGION_EAR)
            continue;
        for (int k = 0; k < 3; k++) {
            double a[3], b[3], da[3], db[3];
            for (int c = 0; c < 3; c++) {
                a[c] = (double)P[3 * (size_t)I[3 * t + (size_t)k] + (size_t)c];
                b[c] = (double)P[3 * (size_t)I[3 * t + (size_t)((k + 1) % 3)] + (size_t)c];
            }
            vec3_sub(a, p0, da);
            vec3_sub(b, p0, db);
            double sa = vec3_dot(da, n), sb = vec3_dot(db, n);
            if ((sa < 0.0) == (sb < 0.0))
                continue;
            double f = sa / (sa - sb), q[3];
            for (int c = 0; c < 3; c++)
                q[c] = da[c] + f * (db[c] - da[c]);
            if (np == cap) {
                cap *= 2;
                pt2 *more = realloc(pts, cap * sizeof *pts);
                if (!more) { free(pts); return 0.0; }
                pts = more;
            }
            pts[np].a = vec3_dot(q, e1);
            pts[np].b = vec3_dot(q, e2);
            np++;
        }
    }
    double per = 0.0;
    pt2 *hull = np >= 3 ? malloc(2 * np * sizeof *hull) : NULL;
    if (hull) {
        qsort(pts, np, sizeof *pts, cmp_pt2);
        size_t k = 0;
        for (size_t i = 0; i < np; i++) {
            while (k >= 2 && cross2(hull[k - 2], hull[k - 1], pts[i]) <= 0.0) k--;
            hull[k++] = pts[i];
        }
        for (size_t i = np - 1, lower = k + 1; i-- > 0;) {
            while (k >= lower && cross2(hull[k - 2], hull[k - 1], pts[i]) <= 0.0) k--;
            hull[k++] = pts[i];
        }
        for (size_t i = 0; i + 1 < k; i++)
            per += hypot(hull[i + 1].a - hull[i].a, hull[i + 1].b - hull[i].b);
        free(hull);
    }
    free(pts);
    return per;
}

int head_measure(const surface *s, head_measurements *out)
{
    landmark_point lm[LANDMARK_COUNT];
    if (!out || !head_landmarks(s, lm))
        return 0;
    const double *g = lm[LANDMARK_GLABELLA].pos_mm, *o = lm[LANDMARK_OPISTHOCRANION].pos_mm;
    double tragion_y = 0.5 * (lm[LANDMARK_TRAGION_L].pos_mm[1] + lm[LANDMARK_TRAGION_R].pos_mm[1]);
    out->length_mm = vec3_distance(g, o);
    out->tragion_vertex_mm = lm[LANDMARK_VERTEX].pos_mm[1] - tragion_y;
    /* the greatest breadth above the ears: the skin's extreme |x| above the ears' tops */
    const float *P = surface_positions(s);
    const uint32_t *I = surface_indices(s);
    const uint8_t *R = surface_triangle_regions(s);
    size_t nt = surface_triangle_count(s);
    double ear_top = -INFINITY;
    for (size_t t = 0; t < nt; t++)
        if (R[t] == REGION_EAR)
            for (int k = 0; k < 3; k++)
                ear_top = fmax(ear_top, (double)P[3 * (size_t)I[3 * t + (size_t)k] + 1]);
    double xl = 0.0, xr = 0.0;
    for (size_t t = 0; t < nt; t++) {
        if (R[t] == REGION_EAR)
            continue;
        for (int k = 0; k < 3; k++) {
            const float *p = P + 3 * (size_t)I[3 * t + (size_t)k];
            if ((double)p[1] < ear_top)
                continue;
            xl = fmax(xl, (double)p[0]);
            xr = fmin(xr, (double)p[0]);
        }
    }
    out->breadth_mm = xl - xr;
    /* the tape: the plane through glabella and opisthocranion, square to the midline */
    double e1[3] = { 1.0, 0.0, 0.0 }, e2[3], n[3];
    vec3_sub(g, o, e2);
    vec3_normalize(e2);
    vec3_cross(e1, e2, n);
    vec3_normalize(n);
    out->circumference_mm = section_girth(s, o, n, e1, e2);
    return out->circumference_mm > 0.0;
}
