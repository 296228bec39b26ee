/* surface.c: the practice skin and the generated adult head: meshes, a BVH for ray
 * casts, the scalp chart and the named regions.
 *
 * ---- The head model -------------------------------------------------------------------
 * Head frame as in surface.h (mm, +y up, +z forward, +x subject's left, origin between
 * the ears at ear-canal height). The head's shape is head_shape.c: a union of closed,
 * star-shaped parts (cranium, face, ears, neck), each meshed here on its own (the parts
 * overlap; ray casts see the outermost skin). Only the cranium is charted.
 *
 * ---- The chart ------------------------------------------------------------------------
 * The cranium is parametrised from its centre (HEAD_CRANIUM_CENTRE) by polar angle theta (from +y) and azimuth alpha
 * (0 = +z front, +90 deg = +x, the subject's left): d = (sin th sin al, cos th, sin th cos al).
 * A chart point (u, v) has rho = |(u, v)| and alpha = atan2(u, v). Along each meridian
 * (alpha fixed) the surface arc length s from the vertex is tabulated, and
 *     s = S(rho, alpha) = rho                 for rho <= CHART_RHO0 (45 mm) or in front,
 * while on the sides and behind (|alpha| > 60 deg; blended from 20 deg) dS/drho rises
 * smoothly to CHART_K (1.23) at CHART_RHO1 (100 mm). So the chart is exactly azimuthal
 * equidistant over the crown and along the front midline (hairline and brow distances are
 * true arc lengths), and lower down trades some radial stretch for less sideways squeeze.
 * The squeeze cannot be avoided: the head is at most 160 mm wide, so a chart circle of
 * radius rho about the vertex, which is 2 pi rho long, goes round a head whose horizontal
 * girth there is at most about 2 pi 80 mm. Measured (tests/test_surface.c): 1 chart mm is
 * 0.82 .. 1.22 skin mm over frontal, mid-scalp, crown and parietal, and 0.72 .. 1.23 mm
 * over temporal and occipital (low on the sides, where the chart runs out).
 * Each mesh vertex stores its chart (u, v) (for the non-cranium parts: the chart of the
 * cranium point in the same direction from HEAD_CRANIUM_CENTRE), and ray hits interpolate them.
 *
 * ---- Regions (a product choice lesson authors rely on) -------------------------------
 * All in chart millimetres, alpha in degrees, |alpha| meaning either side:
 *   domain      rho <= rho_max(alpha) (domain_rho_max below): down to the brows in front
 *               (v = 139 on the midline, where the brow ridge's fillet begins, about 35 mm above the ear
 *               canals), to about
 *               55 mm above the ear canals on the sides (rho 110; about 20 mm above the
 *               ears), and over the occipital bulge behind (rho 139, about 38 mm up).
 *               Outside it surface_chart_point() returns 0 and the region is NONE.
 *   FOREHEAD    in front of the natural anterior hairline rho_h(alpha): rho_h = 100 on the
 *               midline, (u, v) ~ (50, 84) at |alpha| = 30, then the temporal points: the
 *               hairline runs down to the domain edge between |alpha| 45 and 70.
 *   VERTEX      the crown: the disc of radius 45 about (u, v) = (0, -30).
 *   FRONTAL     |alpha| < 45, v >= 55, behind the hairline.
 *   MID_SCALP   10 <= v < 55, |u| < 45.
 *   TEMPORAL_L/R 45 <= |alpha| < 125 and rho >= rho_t(alpha) (the temporal line, 86 at
 *               |alpha| = 45 rising to 98 at 125): the low sides in front of and above
 *               the ears. L is u > 0.
 *   OCCIPITAL   |alpha| >= 125: the back, behind and below the crown.
 *   PARIETAL_L/R the rest: the upper sides between mid-scalp/crown and the temporal line.
 *   (Tests check these in this order of precedence: forehead, vertex, frontal, mid-scalp,
 *   occipital, temporal, parietal.)
 * Mesh triangles take the region of the chart at their centroid; cranium triangles
 * outside the chart domain are FACE (|alpha| < 100) or NECK (behind); the other parts
 * are FACE, EAR or NECK. A ray hit on the cranium takes the region of its interpolated
 * chart point (so hits and surface_region_at_chart() agree), else its triangle's. So
 * region_is_scalp(hit.region) implies that surface_chart_point() works at hit.chart_mm.
 *
 * ---- Practice skin --------------------------------------------------------------------
 * The rectangle z = 0, [0, w] x [0, h], normal +z, chart (u, v) = (x, y), region PRACTICE,
 * meshed as a grid of about 10 mm cells. Widths/heights that are not finite and positive
 * (or above 10 m) make surface_create() return NULL.
 *
 * ---- Ray casts ------------------------------------------------------------------------
 * A binned-SAH BVH over triangles, iterative traversal, Moller-Trumbore in double
 * precision, nearest hit with t > 1e-9 mm; normals are the interpolated vertex normals
 * (analytic normals of each part) normalised, pointing out of the skin. */
#include "surface.h"
#include "surface_internal.h"
#include "head_shape.h"
#include "vec3.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SURF_PI 3.14159265358979323846
#define DEG (SURF_PI / 180.0)

/* ---- chart parameters ----------------------------------------------------------------- */
#define CHART_RHO0     45.0
#define CHART_RHO1    100.0
#define CHART_K         1.23   /* on the sides and behind; 1 in front */

/* ---- region parameters ---------------------------------------------------------------- */
#define HAIRLINE_MID      100.0
#define VERTEX_V          (-30.0)
#define VERTEX_R           45.0
#define FRONTAL_V          55.0
#define MID_V              10.0
#define MID_U              45.0
#define SIDE_ALPHA         45.0
#define BACK_ALPHA        125.0

#define PRACTICE_CELL 10.0



/* ======================================================================================
 * Regions by name
 * ====================================================================================== */
static const char *const REGION_NAMES[REGION_COUNT] = {
    "none", "practice", "frontal", "mid_scalp", "vertex", "temporal_l", "temporal_r",
    "parietal_l", "parietal_r", "occipital", "forehead", "face", "ear", "neck",
};

const char *region_name(region_id r)
{
    if ((int)r < 0 || (int)r >= REGION_COUNT)
        return "none";
    return REGION_NAMES[r];
}

region_id region_from_name(const char *name)
{
    if (!name)
        return REGION_NONE;
    for (int i = 1; i < REGION_COUNT; i++)
        if (strcmp(name, REGION_NAMES[i]) == 0)
            return (region_id)i;
    return REGION_NONE;
}

int region_is_scalp(region_id r)
{
    switch (r) {
    case REGION_PRACTICE: case REGION_FRONTAL: case REGION_MID_SCALP: case REGION_VERTEX:
    case REGION_TEMPORAL_L: case REGION_TEMPORAL_R: case REGION_PARIETAL_L:
    case REGION_PARIETAL_R: case REGION_OCCIPITAL:
        return 1;
    default:
        return 0;
    }
}

static double smoothstep01(double x)
{
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    return x * x * (3.0 - 2.0 * x);
}

/* ======================================================================================
 * Chart: arc-length table and S(rho)
 * ====================================================================================== */
/* The chart's radial stretch at azimuth alpha: 1 in front (|alpha| < 20 deg), CHART_K on
 * the sides and behind (|alpha| > 60 deg). */
static double chart_K(double alpha)
{
    return 1.0 + (CHART_K - 1.0) * smoothstep01((fabs(alpha) / DEG - 20.0) / 40.0);
}

/* Arc length from the vertex for chart radius rho on meridian alpha: S(rho) = rho up to
 * CHART_RHO0, then dS/drho rises smoothly to K at CHART_RHO1 and stays there. */
static double chart_S(double rho, double alpha)
{
    const double L = CHART_RHO1 - CHART_RHO0;
    double x = (rho - CHART_RHO0) / L, F;
    if (x <= 0.0) F = 0.0;
    else if (x >= 1.0) F = x - 0.5;
    else F = x * x * x - 0.5 * x * x * x * x;
    return rho + (chart_K(alpha) - 1.0) * L * F;
}

static double chart_S_deriv(double rho, double alpha)
{
    return 1.0 + (chart_K(alpha) - 1.0) * smoothstep01((rho - CHART_RHO0) / (CHART_RHO1 - CHART_RHO0));
}

static double chart_S_inv(double s, double alpha)
{
    if (s <= CHART_RHO0)
        return s;
    double rho = s;   /* S(rho) >= rho, so the root is at most s; Newton from above converges */
    for (int i = 0; i < 60; i++) {
        double step = (chart_S(rho, alpha) - s) / chart_S_deriv(rho, alpha);
        rho -= step;
        if (fabs(step) < 1e-12)
            break;
    }
    return rho;
}

static int build_arc_table(surface *s)
{
    s->stab = malloc(sizeof(double) * (TAB_NA + 1) * (TAB_NT + 1));
    if (!s->stab)
        return 0;
    part cr = head_cranium_part();
    for (int j = 0; j <= TAB_NA; j++) {
        double alpha = 2.0 * SURF_PI * (double)(j % TAB_NA) / TAB_NA;
        double *row = s->stab + (size_t)j * (TAB_NT + 1);
        double prev[3], d[3];
        head_dir_from_angles(0.0, alpha, d);
        part_point(&cr, d, prev);
        row[0] = 0.0;
        for (int k = 1; k <= TAB_NT; k++) {
            double cur[3];
            head_dir_from_angles(SURF_PI * (double)k / TAB_NT, alpha, d);
            part_point(&cr, d, cur);
            row[k] = row[k - 1] + vec3_distance(prev, cur);
            vec3_copy(cur, prev);
        }
    }
    return 1;
}

static void alpha_index(double alpha, int *j, double *w)
{
    double a = alpha / (2.0 * SURF_PI);
    a -= floor(a);
    double x = a * TAB_NA;
    int jj = (int)floor(x);
    if (jj < 0) jj = 0;
    if (jj >= TAB_NA) jj = TAB_NA - 1;
    *j = jj;
    *w = x - jj;
}

/* Meridian arc length from the vertex to polar angle theta at azimuth alpha. */
static double arc_at(const surface *s, double theta, double alpha)
{
    int j;
    double w;
    alpha_index(alpha, &j, &w);
    double x = theta / SURF_PI * TAB_NT;
    if (x < 0.0) x = 0.0;
    if (x > TAB_NT) x = TAB_NT;
    int k = (int)floor(x);
    if (k >= TAB_NT) k = TAB_NT - 1;
    double f = x - k;
    const double *r0 = s->stab + (size_t)j * (TAB_NT + 1), *r1 = r0 + (TAB_NT + 1);
    double a0 = r0[k] + (r0[k + 1] - r0[k]) * f;
    double a1 = r1[k] + (r1[k + 1] - r1[k]) * f;
    return a0 + (a1 - a0) * w;
}

/* Polar angle at arc length sa on meridian alpha (the inverse of arc_at). */
static double theta_at(const surface *s, double sa, double alpha)
{
    int j;
    double w;
    alpha_index(alpha, &j, &w);
    const double *r0 = s->stab + (size_t)j * (TAB_NT + 1), *r1 = r0 + (TAB_NT + 1);
#define ARCW(k) (r0[k] + (r1[k] - r0[k]) * w)
    if (sa <= 0.0)
        return 0.0;
    if (sa >= ARCW(TAB_NT))
        return SURF_PI;
    int lo = 0, hi = TAB_NT;    /* ARCW(lo) <= sa < ARCW(hi) */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (ARCW(mid) <= sa) lo = mid;
        else hi = mid;
    }
    double a0 = ARCW(lo), a1 = ARCW(hi);
#undef ARCW
    double f = (a1 > a0) ? (sa - a0) / (a1 - a0) : 0.0;
    return SURF_PI * (lo + f) / TAB_NT;
}

/* Cranium point for chart (u, v), any (u, v). */
static void head_chart_map(const surface *s, double u, double v, double pos[3], double dir[3])
{
    double rho = sqrt(u * u + v * v);
    double alpha = atan2(u, v);
    double theta = theta_at(s, chart_S(rho, alpha), alpha);
    part cr = head_cranium_part();
    head_dir_from_angles(theta, alpha, dir);
    part_point(&cr, dir, pos);
}

/* Chart of the cranium point in the direction of p from the cranium's centre. */
static void head_chart_of_point(const surface *s, const double p[3], double chart[2])
{
    double d[3];
    vec3_sub(p, HEAD_CRANIUM_CENTRE, d);
    double horiz = sqrt(d[0] * d[0] + d[2] * d[2]);
    double theta = atan2(horiz, d[1]);
    double alpha = horiz > 0.0 ? atan2(d[0], d[2]) : 0.0;
    double rho = chart_S_inv(arc_at(s, theta, alpha), alpha);
    chart[0] = rho * sin(alpha);
    chart[1] = rho * cos(alpha);
}

/* ======================================================================================
 * Head regions in the chart
 * ====================================================================================== */
/* The chart domain's edge: rho_max as a function of |alpha| in degrees. */
static double domain_rho_max(double aa)
{
    /* Brows 139 in front (the face's brow ridge and its fillet into the forehead cover the
     * cranium below). On the sides and behind the chart stops where a chart millimetre
     * would be squeezed below about 0.7 mm: the head is no wider than 160 mm, so a chart
     * radius of much more than 110 mm cannot go round it. That is about 20 mm above the
     * ears on the sides and over the occipital bulge (about 40 mm above the ear canals)
     * behind. */
    static const double A[] = { 0.0, 20.0, 35.0, 45.0, 52.0, 60.0, 70.0, 90.0, 110.0, 125.0, 140.0, 155.0, 180.0 };
    static const double R[] = { 139.0, 143.5, 144.0, 138.0, 128.0, 115.0, 111.0, 108.0, 112.0, 122.0, 130.0, 131.0, 131.0 };
    const int n = (int)(sizeof A / sizeof A[0]);
    if (aa <= A[0]) return R[0];
    for (int i = 1; i < n; i++) {
        if (aa <= A[i]) {
            double t = smoothstep01((aa - A[i - 1]) / (A[i] - A[i - 1]));
            return R[i - 1] + (R[i] - R[i - 1]) * t;
        }
    }
    return R[n - 1];
}

/* The natural anterior hairline: rho_h(|alpha| in degrees); beyond 70 there is no forehead. */
static double hairline_rho(double aa)
{
    double r = HAIRLINE_MID - 6.0 * (aa / 45.0) * (aa / 45.0);
    if (aa > 45.0) {
        double base = HAIRLINE_MID - 6.0;
        double t = smoothstep01((aa - 45.0) / 25.0);
        r = base + (domain_rho_max(aa) + 1.0 - base) * t;
    }
    return r;
}

static double temporal_rho(double aa)
{
    return 86.0 + 12.0 * (aa - SIDE_ALPHA) / (BACK_ALPHA - SIDE_ALPHA);
}

static region_id head_region(double u, double v)
{
    if (!isfinite(u) || !isfinite(v))
        return REGION_NONE;
    double rho = sqrt(u * u + v * v);
    double aa = fabs(atan2(u, v)) / DEG;
    int left = u > 0.0;
    if (rho > domain_rho_max(aa))
        return REGION_NONE;
    if (aa < 70.0 && rho > hairline_rho(aa))
        return REGION_FOREHEAD;
    if (u * u + (v - VERTEX_V) * (v - VERTEX_V) <= VERTEX_R * VERTEX_R)
        return REGION_VERTEX;
    if (aa < SIDE_ALPHA && v >= FRONTAL_V)
        return REGION_FRONTAL;
    if (fabs(u) < MID_U && v >= MID_V && v < FRONTAL_V)
        return REGION_MID_SCALP;
    if (aa >= BACK_ALPHA)
        return REGION_OCCIPITAL;
    if (aa >= SIDE_ALPHA && rho >= temporal_rho(aa))
        return left ? REGION_TEMPORAL_L : REGION_TEMPORAL_R;
    return left ? REGION_PARIETAL_L : REGION_PARIETAL_R;
}

/* ======================================================================================
 * Mesh building
 * ====================================================================================== */
typedef struct mesh_buf {
    double *pos, *nrm, *chart;
    uint32_t *idx;
    uint8_t *treg, *tcharted;
    size_t nv, nt, cap_v, cap_t;
} mesh_buf;

static int mb_reserve(mesh_buf *m, size_t nv, size_t nt)
{
    if (m->nv + nv > m->cap_v) {
        size_t cap = m->cap_v ? m->cap_v : 1024;
        while (cap < m->nv + nv) cap *= 2;
        double *p = realloc(m->pos, cap * 3 * sizeof(double));
        if (!p) return 0;
        m->pos = p;
        p = realloc(m->nrm, cap * 3 * sizeof(double));
        if (!p) return 0;
        m->nrm = p;
        p = realloc(m->chart, cap * 2 * sizeof(double));
        if (!p) return 0;
        m->chart = p;
        m->cap_v = cap;
    }
    if (m->nt + nt > m->cap_t) {
        size_t cap = m->cap_t ? m->cap_t : 2048;
        while (cap < m->nt + nt) cap *= 2;
        uint32_t *ip = realloc(m->idx, cap * 3 * sizeof(uint32_t));
        if (!ip) return 0;
        m->idx = ip;
        uint8_t *rp = realloc(m->treg, cap);
        if (!rp) return 0;
        m->treg = rp;
        rp = realloc(m->tcharted, cap);
        if (!rp) return 0;
        m->tcharted = rp;
        m->cap_t = cap;
    }
    return 1;
}

static void mb_free(mesh_buf *m)
{
    free(m->pos); free(m->nrm); free(m->chart);
    free(m->idx); free(m->treg); free(m->tcharted);
    memset(m, 0, sizeof *m);
}

static uint32_t mb_vertex(mesh_buf *m, const double p[3], const double n[3], double u, double v)
{
    size_t i = m->nv++;
    vec3_copy(p, m->pos + 3 * i);
    vec3_copy(n, m->nrm + 3 * i);
    m->chart[2 * i] = u;
    m->chart[2 * i + 1] = v;
    return (uint32_t)i;
}

static void mb_triangle(mesh_buf *m, uint32_t a, uint32_t b, uint32_t c, region_id r, int charted)
{
    size_t i = m->nt++;
    m->idx[3 * i] = a;
    m->idx[3 * i + 1] = b;
    m->idx[3 * i + 2] = c;
    m->treg[i] = (uint8_t)r;
    m->tcharted[i] = (uint8_t)charted;
}

/* Orients triangle (a, b, c) of a star-shaped part so that it faces away from centre. */
static void mb_oriented(mesh_buf *m, const double centre[3], uint32_t a, uint32_t b, uint32_t c,
                        region_id r, int charted)
{
    const double *pa = m->pos + 3 * (size_t)a, *pb = m->pos + 3 * (size_t)b, *pc = m->pos + 3 * (size_t)c;
    double e1[3], e2[3], n[3], g[3];
    vec3_sub(pb, pa, e1);
    vec3_sub(pc, pa, e2);
    vec3_cross(e1, e2, n);
    vec3_add(pa, pb, g);
    vec3_add(g, pc, g);
    vec3_muladds(g, centre, -3.0, g);
    if (vec3_dot(n, g) < 0.0)
        mb_triangle(m, a, c, b, r, charted);
    else
        mb_triangle(m, a, b, c, r, charted);
}

/* Meshes a star-shaped part as rings of constant polar angle about +y, at roughly
 * uniform edge length. Returns 0 on allocation failure. */
static int mesh_part(mesh_buf *m, const surface *s, const part *p)
{
    /* average meridian arc length as a function of theta, over a few azimuths */
    enum { NS = 2048, NAV = 8 };
    double *sbar = malloc(sizeof(double) * (NS + 1));
    if (!sbar)
        return 0;
    sbar[0] = 0.0;
    for (int k = 1; k <= NS; k++) {
        double acc = 0.0;
        for (int j = 0; j < NAV; j++) {
            double al = 2.0 * SURF_PI * (j + 0.5) / NAV, d0[3], d1[3], p0[3], p1[3];
            head_dir_from_angles(SURF_PI * (k - 1) / NS, al, d0);
            head_dir_from_angles(SURF_PI * k / NS, al, d1);
            part_point(p, d0, p0);
            part_point(p, d1, p1);
            acc += vec3_distance(p0, p1);
        }
        sbar[k] = sbar[k - 1] + acc / NAV;
    }
    int nrings = (int)ceil(sbar[NS] / p->edge);
    if (nrings < 4)
        nrings = 4;

    uint32_t prev_first = 0, prev_n = 0;
    int kk = 0, ok = 1;
    for (int i = 0; i <= nrings && ok; i++) {
        double target = sbar[NS] * i / nrings, theta;
        if (i == 0) theta = 0.0;
        else if (i == nrings) theta = SURF_PI;
        else {
            while (kk < NS && sbar[kk + 1] < target) kk++;
            double f = (target - sbar[kk]) / (sbar[kk + 1] - sbar[kk]);
            theta = SURF_PI * (kk + f) / NS;
        }
        uint32_t n;
        if (i == 0 || i == nrings)
            n = 1;
        else {
            double perim = 0.0, pr[3] = { 0.0, 0.0, 0.0 };
            enum { NP = 64 };
            for (int j = 0; j <= NP; j++) {
                double d[3], q[3];
                head_dir_from_angles(theta, 2.0 * SURF_PI * (j % NP) / NP, d);
                part_point(p, d, q);
                if (j > 0)
                    perim += vec3_distance(pr, q);
                vec3_copy(q, pr);
            }
            double nn = ceil(perim / p->edge);
            n = nn < 6.0 ? 6u : (uint32_t)nn;
        }
        if (!mb_reserve(m, n, (size_t)n + prev_n)) { ok = 0; break; }
        uint32_t first_idx = (uint32_t)m->nv;
        double off = (i % 2) ? 0.5 : 0.0;
        for (uint32_t j = 0; j < n; j++) {
            double al = 2.0 * SURF_PI * ((double)j + off) / (double)n, d[3], q[3], nr[3], ch[2];
            head_dir_from_angles(theta, al, d);
            part_point(p, d, q);
            part_normal(p, d, nr);
            if (p->type == PART_CRANIUM) {
                double rho = chart_S_inv(arc_at(s, theta, al), al > SURF_PI ? al - 2.0 * SURF_PI : al);
                ch[0] = rho * sin(al);
                ch[1] = rho * cos(al);
            } else {
                head_chart_of_point(s, q, ch);
            }
            mb_vertex(m, q, nr, ch[0], ch[1]);
        }
        if (i > 0) {
            int charted = p->type == PART_CRANIUM;
            double offp = ((i - 1) % 2) ? 0.5 : 0.0;
            if (prev_n == 1) {
                for (uint32_t b = 0; b < n; b++)
                    mb_oriented(m, p->c, prev_first, first_idx + b, first_idx + (b + 1) % n, p->region, charted);
            } else if (n == 1) {
                for (uint32_t a = 0; a < prev_n; a++)
                    mb_oriented(m, p->c, prev_first + a, prev_first + (a + 1) % prev_n, first_idx, p->region, charted);
            } else {
                uint32_t a = 0, b = 0;
                while (a < prev_n || b < n) {
                    double fa = ((double)a + 1.0 + offp) / (double)prev_n;
                    double fb = ((double)b + 1.0 + off) / (double)n;
                    uint32_t va = prev_first + a % prev_n, vb = first_idx + b % n;
                    if (b >= n || (a < prev_n && fa <= fb)) {
                        mb_oriented(m, p->c, va, prev_first + (a + 1) % prev_n, vb, p->region, charted);
                        a++;
                    } else {
                        mb_oriented(m, p->c, va, vb, first_idx + (b + 1) % n, p->region, charted);
                        b++;
                    }
                }
            }
        }
        prev_first = first_idx;
        prev_n = n;
    }
    free(sbar);
    return ok;
}

/* ======================================================================================
 * BVH
 * ====================================================================================== */
#define BVH_LEAF      4
#define BVH_BINS     16


typedef struct bvh_build {
    const double *tlo, *thi, *cen;   /* per triangle */
    uint32_t *order;
    bvh_node *nodes;
    size_t nnodes;
} bvh_build;

static double box_area(const double lo[3], const double hi[3])
{
    double dx = hi[0] - lo[0], dy = hi[1] - lo[1], dz = hi[2] - lo[2];
    if (dx < 0.0 || dy < 0.0 || dz < 0.0)
        return 0.0;
    return 2.0 * (dx * dy + dy * dz + dz * dx);
}

static void box_empty(double lo[3], double hi[3])
{
    for (int a = 0; a < 3; a++) { lo[a] = DBL_MAX; hi[a] = -DBL_MAX; }
}

static void box_grow(double lo[3], double hi[3], const double plo[3], const double phi[3])
{
    for (int a = 0; a < 3; a++) {
        if (plo[a] < lo[a]) lo[a] = plo[a];
        if (phi[a] > hi[a]) hi[a] = phi[a];
    }
}

static void bvh_build_node(bvh_build *b, size_t ni, uint32_t first, uint32_t count, int depth)
{
    bvh_node *node = &b->nodes[ni];
    box_empty(node->lo, node->hi);
    double clo[3], chi[3];
    box_empty(clo, chi);
    for (uint32_t i = first; i < first + count; i++) {
        uint32_t t = b->order[i];
        box_grow(node->lo, node->hi, b->tlo + 3 * (size_t)t, b->thi + 3 * (size_t)t);
        box_grow(clo, chi, b->cen + 3 * (size_t)t, b->cen + 3 * (size_t)t);
    }
    node->first = first;
    node->count = count;
    if (count <= BVH_LEAF || depth >= BVH_MAXDEPTH)
        return;
    int axis = 0;
    for (int a = 1; a < 3; a++)
        if (chi[a] - clo[a] > chi[axis] - clo[axis])
            axis = a;
    double extent = chi[axis] - clo[axis];
    if (!(extent > 0.0))
        return;
    /* binned SAH */
    uint32_t bin_n[BVH_BINS] = { 0 };
    double bin_lo[BVH_BINS][3], bin_hi[BVH_BINS][3];
    for (int k = 0; k < BVH_BINS; k++)
        box_empty(bin_lo[k], bin_hi[k]);
    double scale = BVH_BINS / extent;
    for (uint32_t i = first; i < first + count; i++) {
        uint32_t t = b->order[i];
        int k = (int)((b->cen[3 * (size_t)t + (size_t)axis] - clo[axis]) * scale);
        if (k >= BVH_BINS) k = BVH_BINS - 1;
        if (k < 0) k = 0;
        bin_n[k]++;
        box_grow(bin_lo[k], bin_hi[k], b->tlo + 3 * (size_t)t, b->thi + 3 * (size_t)t);
    }
    double right_area[BVH_BINS];
    uint32_t right_n[BVH_BINS];
    double lo[3], hi[3];
    box_empty(lo, hi);
    uint32_t acc = 0;
    for (int k = BVH_BINS - 1; k > 0; k--) {
        box_grow(lo, hi, bin_lo[k], bin_hi[k]);
        acc += bin_n[k];
        right_area[k] = box_area(lo, hi);
        right_n[k] = acc;
    }
    box_empty(lo, hi);
    acc = 0;
    double best_cost = DBL_MAX;
    int best_split = -1;
    for (int k = 1; k < BVH_BINS; k++) {
        box_grow(lo, hi, bin_lo[k - 1], bin_hi[k - 1]);
        acc += bin_n[k - 1];
        if (acc == 0 || right_n[k] == 0)
            continue;
        double cost = box_area(lo, hi) * acc + right_area[k] * right_n[k];
        if (cost < best_cost) {
            best_cost = cost;
            best_split = k;
        }
    }
    if (best_split < 0)
        return;
    double parent_area = box_area(node->lo, node->hi);
    double leaf_cost = (double)count;
    double split_cost = 0.125 + (parent_area > 0.0 ? best_cost / parent_area : 0.0);
    if (split_cost >= leaf_cost && count <= 16)
        return;
    /* partition */
    uint32_t i = first, j = first + count;
    while (i < j) {
        uint32_t t = b->order[i];
        int k = (int)((b->cen[3 * (size_t)t + (size_t)axis] - clo[axis]) * scale);
        if (k >= BVH_BINS) k = BVH_BINS - 1;
        if (k < 0) k = 0;
        if (k < best_split) {
            i++;
        } else {
            j--;
            b->order[i] = b->order[j];
            b->order[j] = t;
        }
    }
    uint32_t nleft = i - first;
    if (nleft == 0 || nleft == count)
        return;
    size_t left = b->nnodes;
    b->nnodes += 2;
    node->first = (uint32_t)left;
    node->count = 0;
    bvh_build_node(b, left, first, nleft, depth + 1);
    bvh_build_node(b, left + 1, first + nleft, count - nleft, depth + 1);
}

static int bvh_create(surface *s)
{
    size_t nt = s->nt;
    double *tlo = malloc(sizeof(double) * 3 * nt);
    double *thi = malloc(sizeof(double) * 3 * nt);
    double *cen = malloc(sizeof(double) * 3 * nt);
    s->tri_order = malloc(sizeof(uint32_t) * nt);
    s->nodes = malloc(sizeof(bvh_node) * 2 * nt);
    int ok = tlo && thi && cen && s->tri_order && s->nodes;
    if (ok) {
        for (size_t t = 0; t < nt; t++) {
            const double *p0 = s->pos + 3 * (size_t)s->idx[3 * t];
            const double *p1 = s->pos + 3 * (size_t)s->idx[3 * t + 1];
            const double *p2 = s->pos + 3 * (size_t)s->idx[3 * t + 2];
            for (int a = 0; a < 3; a++) {
                double lo = fmin(p0[a], fmin(p1[a], p2[a])), hi = fmax(p0[a], fmax(p1[a], p2[a]));
                tlo[3 * t + (size_t)a] = lo;
                thi[3 * t + (size_t)a] = hi;
                cen[3 * t + (size_t)a] = (p0[a] + p1[a] + p2[a]) / 3.0;
            }
            s->tri_order[t] = (uint32_t)t;
        }
        bvh_build b = { tlo, thi, cen, s->tri_order, s->nodes, 1 };
        bvh_build_node(&b, 0, 0, (uint32_t)nt, 0);
        s->nnodes = b.nnodes;
    }
    free(tlo);
    free(thi);
    free(cen);
    return ok;
}

/* Entry parameter of the ray into a box, or -1 when it misses within [0, tmax]. */
static double ray_box(const bvh_node *n, const double o[3], const double inv[3], double tmax)
{
    double t0 = 0.0, t1 = tmax;
    for (int a = 0; a < 3; a++) {
        double ta = (n->lo[a] - o[a]) * inv[a], tb = (n->hi[a] - o[a]) * inv[a];
        if (ta > tb) { double x = ta; ta = tb; tb = x; }
        if (ta > t0) t0 = ta;   /* NaN (0 * inf) leaves the bounds as they are */
        if (tb < t1) t1 = tb;
    }
    return t0 <= t1 ? t0 : -1.0;
}

#define TRI_EPS 1e-12

/* Moller-Trumbore; 1 with t, barycentric (b1, b2) on a hit in (tmin, tmax). */
static int ray_triangle(const surface *s, uint32_t t, const double o[3], const double d[3],
                        double tmax, double *tout, double *b1, double *b2)
{
    const double *p0 = s->pos + 3 * (size_t)s->idx[3 * (size_t)t];
    const double *p1 = s->pos + 3 * (size_t)s->idx[3 * (size_t)t + 1];
    const double *p2 = s->pos + 3 * (size_t)s->idx[3 * (size_t)t + 2];
    double e1[3], e2[3], pv[3], tv[3], qv[3];
    vec3_sub(p1, p0, e1);
    vec3_sub(p2, p0, e2);
    vec3_cross(d, e2, pv);
    double det = vec3_dot(e1, pv);
    if (det == 0.0 || !isfinite(det))
        return 0;
    double inv = 1.0 / det;
    vec3_sub(o, p0, tv);
    double u = vec3_dot(tv, pv) * inv;
    if (u < -TRI_EPS || u > 1.0 + TRI_EPS)
        return 0;
    vec3_cross(tv, e1, qv);
    double v = vec3_dot(d, qv) * inv;
    if (v < -TRI_EPS || u + v > 1.0 + TRI_EPS)
        return 0;
    double tt = vec3_dot(e2, qv) * inv;
    if (!(tt > 1e-9) || !(tt < tmax))
        return 0;
    *tout = tt;
    *b1 = u;
    *b2 = v;
    return 1;
}

int surface_raycast(const surface *s, const double origin_mm[3], const double dir[3], surface_hit *out)
{
    if (!s || !origin_mm || !dir || s->nt == 0 || s->nnodes == 0)
        return 0;
    for (int a = 0; a < 3; a++)
        if (!isfinite(origin_mm[a]) || !isfinite(dir[a]))
            return 0;
    if (dir[0] == 0.0 && dir[1] == 0.0 && dir[2] == 0.0)
        return 0;
    double inv[3];
    for (int a = 0; a < 3; a++)
        inv[a] = 1.0 / dir[a];
    uint32_t stack[2 * BVH_MAXDEPTH + 8];
    int sp = 0;
    stack[sp++] = 0;
    double best = DBL_MAX, bu = 0.0, bv = 0.0;
    uint32_t best_t = UINT32_MAX;
    while (sp > 0) {
        const bvh_node *n = &s->nodes[stack[--sp]];
        if (ray_box(n, origin_mm, inv, best) < 0.0)
            continue;
        if (n->count > 0) {
            for (uint32_t i = n->first; i < n->first + n->count; i++) {
                double tt, b1, b2;
                uint32_t t = s->tri_order[i];
                if (ray_triangle(s, t, origin_mm, dir, best, &tt, &b1, &b2)) {
                    best = tt;
                    best_t = t;
                    bu = b1;
                    bv = b2;
                }
            }
        } else {
            uint32_t l = n->first, r = l + 1;
            double tl = ray_box(&s->nodes[l], origin_mm, inv, best);
            double tr = ray_box(&s->nodes[r], origin_mm, inv, best);
            if (tl >= 0.0 && tr >= 0.0) {
                if (tl <= tr) { stack[sp++] = r; stack[sp++] = l; }
                else { stack[sp++] = l; stack[sp++] = r; }
            } else if (tl >= 0.0) {
                stack[sp++] = l;
            } else if (tr >= 0.0) {
                stack[sp++] = r;
            }
        }
    }
    if (best_t == UINT32_MAX)
        return 0;
    if (out) {
        const uint32_t *tri = s->idx + 3 * (size_t)best_t;
        double w0 = 1.0 - bu - bv, w[3] = { w0, bu, bv };
        memset(out, 0, sizeof *out);
        vec3_muladds(origin_mm, dir, best, out->pos_mm);
        for (int k = 0; k < 3; k++) {
            vec3_muladds(out->normal, s->nrm + 3 * (size_t)tri[k], w[k], out->normal);
            out->chart_mm[0] += w[k] * s->chart[2 * (size_t)tri[k]];
            out->chart_mm[1] += w[k] * s->chart[2 * (size_t)tri[k] + 1];
        }
        vec3_normalize(out->normal);
        out->t_mm = best;
        region_id r = (region_id)s->treg[best_t];
        if (s->tcharted[best_t]) {
            region_id rc = head_region(out->chart_mm[0], out->chart_mm[1]);
            if (rc != REGION_NONE)
                r = rc;
        }
        out->region = r;
    }
    return 1;
}

/* ======================================================================================
 * Creation
 * ====================================================================================== */
static int build_practice(mesh_buf *m, double w, double h)
{
    size_t nx = (size_t)ceil(w / PRACTICE_CELL), ny = (size_t)ceil(h / PRACTICE_CELL);
    if (nx < 1) nx = 1;
    if (ny < 1) ny = 1;
    if (!mb_reserve(m, (nx + 1) * (ny + 1), 2 * nx * ny))
        return 0;
    const double n[3] = { 0.0, 0.0, 1.0 };
    for (size_t j = 0; j <= ny; j++) {
        for (size_t i = 0; i <= nx; i++) {
            double x = (i == nx) ? w : w * (double)i / (double)nx;
            double y = (j == ny) ? h : h * (double)j / (double)ny;
            double p[3] = { x, y, 0.0 };
            mb_vertex(m, p, n, x, y);
        }
    }
    for (size_t j = 0; j < ny; j++) {
        for (size_t i = 0; i < nx; i++) {
            uint32_t a = (uint32_t)(j * (nx + 1) + i), b = a + 1;
            uint32_t c = (uint32_t)(a + nx + 1), d = c + 1;
            mb_triangle(m, a, b, d, REGION_PRACTICE, 0);   /* counter-clockwise seen from +z */
            mb_triangle(m, a, d, c, REGION_PRACTICE, 0);
        }
    }
    return 1;
}

/* The face, the ears and the neck, meshed into their own buffer (indices from 0) while the
 * caller meshes the cranium: the two halves of the head's meshing on two cores. */
typedef struct parts_job {
    const surface *s;
    const part *parts;
    mesh_buf m;
    int ok;
} parts_job;

static void *mesh_other_parts(void *arg)
{
    parts_job *j = arg;
    j->ok = 1;
    for (int i = 1; i < HEAD_PART_COUNT && j->ok; i++)
        j->ok = mesh_part(&j->m, j->s, &j->parts[i]);
    return NULL;
}

/* Appends b after a, b's vertex indices moved past a's: the arrays meshing b's parts
 * straight after a's would make. Returns 0 on allocation failure. */
static int mb_append(mesh_buf *a, const mesh_buf *b)
{
    if (a->nv + b->nv > UINT32_MAX || !mb_reserve(a, b->nv, b->nt))
        return 0;
    memcpy(a->pos + 3 * a->nv, b->pos, b->nv * 3 * sizeof *a->pos);
    memcpy(a->nrm + 3 * a->nv, b->nrm, b->nv * 3 * sizeof *a->nrm);
    memcpy(a->chart + 2 * a->nv, b->chart, b->nv * 2 * sizeof *a->chart);
    for (size_t i = 0; i < 3 * b->nt; i++)
        a->idx[3 * a->nt + i] = b->idx[i] + (uint32_t)a->nv;
    memcpy(a->treg + a->nt, b->treg, b->nt);
    memcpy(a->tcharted + a->nt, b->tcharted, b->nt);
    a->nv += b->nv;
    a->nt += b->nt;
    return 1;
}

static int build_head(mesh_buf *m, const surface *s)
{
    part parts[HEAD_PART_COUNT];
    head_parts(parts);
    /* the other parts on a second thread (or here, after, when none can be made): the same
     * arrays either way, as every part is meshed on its own */
    parts_job job = { s, parts, { 0 }, 0 };
    pthread_t th;
    int threaded = pthread_create(&th, NULL, mesh_other_parts, &job) == 0;
    size_t t0 = m->nt;
    int ok = mesh_part(m, s, &parts[0]);
    size_t t1 = m->nt;
    for (size_t t = t0; t < t1 && ok; t++) {
        double u = 0.0, v = 0.0;
        for (int k = 0; k < 3; k++) {
            u += m->chart[2 * (size_t)m->idx[3 * t + (size_t)k]] / 3.0;
            v += m->chart[2 * (size_t)m->idx[3 * t + (size_t)k] + 1] / 3.0;
        }
        region_id r = head_region(u, v);
        if (r == REGION_NONE)
            r = fabs(atan2(u, v)) < 100.0 * DEG ? REGION_FACE : REGION_NECK;
        m->treg[t] = (uint8_t)r;
    }
    if (threaded)
        pthread_join(th, NULL);
    else
        mesh_other_parts(&job);
    ok = ok && job.ok && mb_append(m, &job.m);
    mb_free(&job.m);
    return ok;
}

void surface_free(surface *s)
{
    if (!s)
        return;
    free(s->pos_f); free(s->nrm_f); free(s->chart_f);
    free(s->idx); free(s->treg); free(s->tcharted);
    free(s->pos); free(s->nrm); free(s->chart);
    free(s->nodes); free(s->tri_order); free(s->stab);
    free(s);
}

surface *surface_create(surface_kind kind, double width_mm, double height_mm)
{
    if (kind != SURFACE_PRACTICE_SKIN && kind != SURFACE_HEAD)
        return NULL;
    if (kind == SURFACE_PRACTICE_SKIN
        && (!(width_mm > 0.0) || !(height_mm > 0.0) || width_mm > 10000.0 || height_mm > 10000.0))
        return NULL;
    surface *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->kind = kind;
    s->width = kind == SURFACE_PRACTICE_SKIN ? width_mm : 0.0;
    s->height = kind == SURFACE_PRACTICE_SKIN ? height_mm : 0.0;
    mesh_buf m;
    memset(&m, 0, sizeof m);
    int ok;
    if (kind == SURFACE_PRACTICE_SKIN)
        ok = build_practice(&m, width_mm, height_mm);
    else
        ok = build_arc_table(s) && build_head(&m, s);
    if (!ok || m.nt == 0 || m.nv > UINT32_MAX) {
        mb_free(&m);
        surface_free(s);
        return NULL;
    }
    s->nv = m.nv;
    s->nt = m.nt;
    s->pos = m.pos; s->nrm = m.nrm; s->chart = m.chart;
    s->idx = m.idx; s->treg = m.treg; s->tcharted = m.tcharted;
    s->pos_f = malloc(sizeof(float) * 3 * s->nv);
    s->nrm_f = malloc(sizeof(float) * 3 * s->nv);
    s->chart_f = malloc(sizeof(float) * 2 * s->nv);
    if (!s->pos_f || !s->nrm_f || !s->chart_f || !bvh_create(s)) {
        surface_free(s);
        return NULL;
    }
    box_empty(s->bmin, s->bmax);
    for (size_t i = 0; i < s->nv; i++) {
        for (int a = 0; a < 3; a++) {
            s->pos_f[3 * i + (size_t)a] = (float)s->pos[3 * i + (size_t)a];
            s->nrm_f[3 * i + (size_t)a] = (float)s->nrm[3 * i + (size_t)a];
        }
        s->chart_f[2 * i] = (float)s->chart[2 * i];
        s->chart_f[2 * i + 1] = (float)s->chart[2 * i + 1];
        box_grow(s->bmin, s->bmax, s->pos + 3 * i, s->pos + 3 * i);
    }
    return s;
}

/* ======================================================================================
 * Queries
 * ====================================================================================== */
surface_kind surface_get_kind(const surface *s) { return s ? s->kind : SURFACE_PRACTICE_SKIN; }

void surface_bounds(const surface *s, double min_mm[3], double max_mm[3])
{
    for (int a = 0; a < 3; a++) {
        if (min_mm) min_mm[a] = s ? s->bmin[a] : 0.0;
        if (max_mm) max_mm[a] = s ? s->bmax[a] : 0.0;
    }
}

region_id surface_region_at_chart(const surface *s, double u_mm, double v_mm)
{
    if (!s || !isfinite(u_mm) || !isfinite(v_mm))
        return REGION_NONE;
    if (s->kind == SURFACE_PRACTICE_SKIN)
        return (u_mm >= 0.0 && u_mm <= s->width && v_mm >= 0.0 && v_mm <= s->height)
            ? REGION_PRACTICE : REGION_NONE;
    return head_region(u_mm, v_mm);
}

int surface_chart_point(const surface *s, double u_mm, double v_mm, surface_hit *out)
{
    region_id r = surface_region_at_chart(s, u_mm, v_mm);
    if (r == REGION_NONE)
        return 0;
    surface_hit h;
    memset(&h, 0, sizeof h);
    h.chart_mm[0] = u_mm;
    h.chart_mm[1] = v_mm;
    h.region = r;
    if (s->kind == SURFACE_PRACTICE_SKIN) {
        vec3_set(u_mm, v_mm, 0.0, h.pos_mm);
        vec3_set(0.0, 0.0, 1.0, h.normal);
    } else {
        double d[3];
        part cr = head_cranium_part();
        head_chart_map(s, u_mm, v_mm, h.pos_mm, d);
        part_normal(&cr, d, h.normal);
    }
    if (out)
        *out = h;
    return 1;
}

double surface_chart_area_scale(const surface *s, double u_mm, double v_mm)
{
    if (!s || !isfinite(u_mm) || !isfinite(v_mm))
        return 0.0;
    if (s->kind == SURFACE_PRACTICE_SKIN)
        return 1.0;
    const double h = 0.25;
    double pu0[3], pu1[3], pv0[3], pv1[3], d[3], eu[3], ev[3], n[3];
    head_chart_map(s, u_mm - h, v_mm, pu0, d);
    head_chart_map(s, u_mm + h, v_mm, pu1, d);
    head_chart_map(s, u_mm, v_mm - h, pv0, d);
    head_chart_map(s, u_mm, v_mm + h, pv1, d);
    vec3_sub(pu1, pu0, eu);
    vec3_sub(pv1, pv0, ev);
    vec3_cross(eu, ev, n);
    return vec3_norm(n) / (4.0 * h * h);
}

void surface_chart_scales(const surface *s, double u_mm, double v_mm, double *su, double *sv)
{
    *su = *sv = 1.0;
    if (!s || s->kind == SURFACE_PRACTICE_SKIN || !isfinite(u_mm) || !isfinite(v_mm))
        return;
    const double h = 0.25;
    double pu0[3], pu1[3], pv0[3], pv1[3], d[3], e[3];
    head_chart_map(s, u_mm - h, v_mm, pu0, d);
    head_chart_map(s, u_mm + h, v_mm, pu1, d);
    head_chart_map(s, u_mm, v_mm - h, pv0, d);
    head_chart_map(s, u_mm, v_mm + h, pv1, d);
    vec3_sub(pu1, pu0, e);
    *su = vec3_norm(e) / (2.0 * h);
    vec3_sub(pv1, pv0, e);
    *sv = vec3_norm(e) / (2.0 * h);
}

void surface_chart_bounds(const surface *s, double box[4])
{
    int skin = s && s->kind == SURFACE_PRACTICE_SKIN;
    box[0] = skin ? 0.0 : -130.0;
    box[1] = skin ? 0.0 : -160.0;
    box[2] = skin ? s->width : 130.0;
    box[3] = skin ? s->height : 180.0;
}

size_t surface_vertex_count(const surface *s) { return s ? s->nv : 0; }
size_t surface_triangle_count(const surface *s) { return s ? s->nt : 0; }
const float *surface_positions(const surface *s) { return s ? s->pos_f : NULL; }
const float *surface_normals(const surface *s) { return s ? s->nrm_f : NULL; }
const float *surface_charts(const surface *s) { return s ? s->chart_f : NULL; }
const uint32_t *surface_indices(const surface *s) { return s ? s->idx : NULL; }
const uint8_t *surface_triangle_regions(const surface *s) { return s ? s->treg : NULL; }

int surface_chart_of_point(const surface *s, const double pos_mm[3], double chart_mm[2])
{
    chart_mm[0] = chart_mm[1] = 0.0;
    if (!s || !pos_mm)
        return 0;
    if (s->kind == SURFACE_PRACTICE_SKIN) {
        chart_mm[0] = pos_mm[0];
        chart_mm[1] = pos_mm[1];
    } else {
        head_chart_of_point(s, pos_mm, chart_mm);
    }
    return surface_region_at_chart(s, chart_mm[0], chart_mm[1]) != REGION_NONE;
}

double head_chart_hairline_rho(double alpha_deg)
{
    if (!isfinite(alpha_deg))
        return 0.0;
    double aa = fmod(fabs(alpha_deg), 360.0);
    return hairline_rho(aa > 180.0 ? 360.0 - aa : aa);
}

void head_chart_crown(double centre_mm[2], double *radius_mm)
{
    centre_mm[0] = 0.0;
    centre_mm[1] = VERTEX_V;
    *radius_mm = VERTEX_R;
}

double surface_hairline_rho(const surface *s, double alpha_deg)
{
    if (!s || s->kind != SURFACE_HEAD)
        return 0.0;
    return head_chart_hairline_rho(alpha_deg);
}

void surface_crown_disc(const surface *s, double centre_mm[2], double *radius_mm)
{
    int head = s && s->kind == SURFACE_HEAD;
    head_chart_crown(centre_mm, radius_mm);
    if (!head) {
        centre_mm[0] = centre_mm[1] = 0.0;
        *radius_mm = 0.0;
    }
}
