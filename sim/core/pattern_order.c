/* pattern_order.c: bond-orientational order of nearest-neighbour bonds, patch by patch.
 *
 * Why this measure. The candidates were the structure factor's peaks (a Fourier transform
 * per patch), bond-orientational order over Delaunay neighbours, and the same over
 * nearest-neighbour bonds. The nearest-neighbour bonds come free from the spacing metric
 * (spatial_all_nearest), cost O(n) more and need no triangulation; on generated patterns
 * they separate natural from ordered as clearly as the others within the jitter that
 * matters (tests/test_pattern_order.c prints the curve). They also say which order it is,
 * which is what a trainee can act on: m = 2 for rows, 4 for a square grid, 6 for a
 * hexagonal one (rows score on all three, a grid on its own m only).
 *
 * Why patches. A head is curved and the chart bends directions, and a hand's grid drifts;
 * a patch of about 12 spacings is long enough to see a lattice's direction and short
 * enough that it stays one direction. Each patch's bonds are measured on the skin: chart
 * offsets times the chart's scales at the patch's centre.
 *
 * The estimator. For a patch with c bonds of phasors z_k = exp(i m theta_k), |sum z|^2 has
 * the expectation c^2 psi^2 + c (1 - psi^2); (|sum z|^2 - c) / (c (c - 1)) is an unbiased
 * estimate of psi^2, so random bonds average to 0 instead of the 1/sqrt(c) a plain |mean|
 * gives, and the figure does not depend on the patch size or dot count. Patches are
 * pooled weighted by their bonds; psi_m is the square root of the pooled estimate (0 when
 * noise makes it negative). A pair that are each other's nearest neighbour is one bond,
 * counted once. */
#include "pattern_order.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *pattern_order_kind_name(int kind)
{
    switch (kind) {
    case PATTERN_ORDER_NONE:   return "none";
    case PATTERN_ORDER_ROWS:   return "rows";
    case PATTERN_ORDER_SQUARE: return "square";
    case PATTERN_ORDER_HEX:    return "hex";
    default:                   return "?";
    }
}

typedef struct patch {
    int64_t tu, tv;
    double su, sv;       /* skin mm per chart mm */
    double re[3], im[3]; /* sums of exp(i m theta), m = 2, 4, 6 */
    size_t bonds;
} patch;

#define COORD_MAX 1.0e15 /* patch coordinates are clamped here: keys stay integers */
#define SLOT_FREE UINT32_MAX

static int64_t patch_coord(double x, double patch_mm)
{
    double c = floor(x / patch_mm);
    if (c > COORD_MAX) c = COORD_MAX;
    if (c < -COORD_MAX) c = -COORD_MAX;
    return (int64_t)c;
}

/* Patches in a growing array, found through an open-addressing table of their numbers
 * sized by the patches there are (not by the dots: a few hundred patches for 50,000). */
typedef struct patch_set {
    patch *p;
    size_t n, cap;
    uint32_t *slot;
    size_t mask;
} patch_set;

static size_t slot_home(const patch_set *ps, int64_t tu, int64_t tv)
{
    uint64_t h = (uint64_t)tu * 0x9E3779B97F4A7C15ULL ^ (uint64_t)tv * 0xC2B2AE3D27D4EB4FULL;
    return (size_t)(h ^ (h >> 29)) & ps->mask;
}

static int rehash(patch_set *ps, size_t slots)
{
    uint32_t *ns = malloc(slots * sizeof *ns);
    if (!ns)
        return -1;
    memset(ns, 0xff, slots * sizeof *ns);
    free(ps->slot);
    ps->slot = ns;
    ps->mask = slots - 1;
    for (size_t k = 0; k < ps->n; k++) {
        size_t s = slot_home(ps, ps->p[k].tu, ps->p[k].tv);
        while (ps->slot[s] != SLOT_FREE)
            s = (s + 1) & ps->mask;
        ps->slot[s] = (uint32_t)k;
    }
    return 0;
}

/* The patch (tu, tv), made when new; SLOT_FREE out of memory. */
static uint32_t patch_find(patch_set *ps, int64_t tu, int64_t tv, double patch_mm, pattern_scale_fn scale,
                           void *ctx)
{
    size_t s = slot_home(ps, tu, tv);
    for (; ps->slot[s] != SLOT_FREE; s = (s + 1) & ps->mask) {
        const patch *p = &ps->p[ps->slot[s]];
        if (p->tu == tu && p->tv == tv)
            return ps->slot[s];
    }
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 64;
        patch *np = realloc(ps->p, cap * sizeof *np);
        if (!np)
            return SLOT_FREE;
        ps->p = np;
        ps->cap = cap;
    }
    patch *p = &ps->p[ps->n];
    memset(p, 0, sizeof *p);
    p->tu = tu;
    p->tv = tv;
    p->su = p->sv = 1.0;
    if (scale) {
        double su = 1.0, sv = 1.0;
        scale(ctx, ((double)tu + 0.5) * patch_mm, ((double)tv + 0.5) * patch_mm, &su, &sv);
        if (su > 0.0 && isfinite(su) && sv > 0.0 && isfinite(sv)) {
            p->su = su;
            p->sv = sv;
        }
    }
    ps->slot[s] = (uint32_t)ps->n++;
    if (2 * ps->n > ps->mask + 1 && rehash(ps, 2 * (ps->mask + 1)) != 0)
        return SLOT_FREE;
    return (uint32_t)(ps->n - 1);
}

int pattern_order_measure(const double *uv_mm, const size_t *nn_index, size_t n, double patch_mm,
                          pattern_scale_fn scale, void *scale_ctx, pattern_order *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (n == 0)
        return 0;
    if (!uv_mm || !nn_index || !(patch_mm > 0.0) || !isfinite(patch_mm) || n >= UINT32_MAX)
        return -1;
    patch_set ps = { 0 };
    uint32_t *patch_of = malloc(n * sizeof *patch_of);
    if (!patch_of || rehash(&ps, 256) != 0)
        goto fail;
    /* each dot's patch, and each patch's scales, once */
    for (size_t i = 0; i < n; i++) {
        double u = uv_mm[2 * i], v = uv_mm[2 * i + 1];
        patch_of[i] = SLOT_FREE;
        if (!isfinite(u) || !isfinite(v))
            continue;
        patch_of[i] = patch_find(&ps, patch_coord(u, patch_mm), patch_coord(v, patch_mm), patch_mm, scale, scale_ctx);
        if (patch_of[i] == SLOT_FREE)
            goto fail;
    }
    /* the bonds: phasor z = (dx + i dy) / |d|; z^2, z^4 = (z^2)^2, z^6 = z^4 z^2 */
    for (size_t i = 0; i < n; i++) {
        size_t j = nn_index[i];
        if (patch_of[i] == SLOT_FREE || j >= n || j == i || patch_of[j] == SLOT_FREE)
            continue;
        if (nn_index[j] == i && j < i) /* a mutual pair is one bond */
            continue;
        patch *p = &ps.p[patch_of[i]];
        double dx = (uv_mm[2 * j] - uv_mm[2 * i]) * p->su, dy = (uv_mm[2 * j + 1] - uv_mm[2 * i + 1]) * p->sv;
        double len2 = dx * dx + dy * dy;
        if (!(len2 > 0.0) || !isfinite(len2))
            continue; /* coincident dots have no direction */
        double c2 = (dx * dx - dy * dy) / len2, s2 = 2.0 * dx * dy / len2;
        double c4 = c2 * c2 - s2 * s2, s4 = 2.0 * c2 * s2;
        double c6 = c4 * c2 - s4 * s2, s6 = c4 * s2 + s4 * c2;
        p->re[0] += c2;
        p->im[0] += s2;
        p->re[1] += c4;
        p->im[1] += s4;
        p->re[2] += c6;
        p->im[2] += s6;
        p->bonds++;
    }
    /* pooled unbiased estimates of psi^2, in slot order (fixed for the input) */
    double num[3] = {0.0, 0.0, 0.0}, den = 0.0;
    for (size_t k = 0; k < ps.n; k++) {
        const patch *p = &ps.p[k];
        if (p->bonds == 0)
            continue;
        out->bonds += p->bonds;
        out->patches++;
        if (p->bonds < 2)
            continue;
        double c = (double)p->bonds;
        for (int m = 0; m < 3; m++)
            num[m] += (p->re[m] * p->re[m] + p->im[m] * p->im[m] - c) / (c - 1.0);
        den += c;
    }
    free(ps.p);
    free(ps.slot);
    free(patch_of);
    if (out->bonds < PATTERN_ORDER_MIN_BONDS || den == 0.0)
        return 0;
    for (int m = 0; m < 3; m++) {
        double e = num[m] / den;
        out->psi[m] = e > 0.0 ? fmin(1.0, sqrt(e)) : 0.0;
    }
    /* psi2 alone is not order: a natural pattern stretched 3:2 (a chart's leftover
     * anisotropy, a hand that spaces more tightly one way) has psi2 about 0.2 but psi4
     * about 0.04. Rows have all three high; they are told apart by psi2 leading. */
    out->order = fmax(out->psi[1], out->psi[2]);
    if (out->order >= PATTERN_ORDER_THRESHOLD) {
        if (out->psi[0] >= out->order)
            out->kind = PATTERN_ORDER_ROWS;
        else
            out->kind = out->psi[1] >= out->psi[2] ? PATTERN_ORDER_SQUARE : PATTERN_ORDER_HEX;
    }
    return 0;

fail:
    free(ps.p);
    free(ps.slot);
    free(patch_of);
    memset(out, 0, sizeof *out);
    return -1;
}

/* --- the score's use ------------------------------------------------------------------- */

static void chart_scales(void *ctx, double u_mm, double v_mm, double *su, double *sv)
{
    surface_chart_scales(ctx, u_mm, v_mm, su, sv);
}

int pattern_order_of_dots(const dot *dots, const size_t *zone_idx, const size_t *nn_index, size_t m,
                          double spacing_mm, const surface *s, pattern_order *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (m == 0)
        return 0;
    double *uv = malloc(2 * m * sizeof *uv);
    if (!uv)
        return -1;
    for (size_t k = 0; k < m; k++) {
        uv[2 * k] = dots[zone_idx[k]].chart_mm[0];
        uv[2 * k + 1] = dots[zone_idx[k]].chart_mm[1];
    }
    double patch_mm = 12.0 * (spacing_mm > 0.0 && isfinite(spacing_mm) ? spacing_mm : 2.0);
    int rc = pattern_order_measure(uv, nn_index, m, patch_mm, s ? chart_scales : NULL, (void *)s, out);
    free(uv);
    return rc;
}

double pattern_order_factor(double order)
{
    const double t = PATTERN_ORDER_THRESHOLD;
    if (!(order > t))
        return 1.0;
    return order >= 2.0 * t ? 0.0 : 1.0 - (order - t) / t;
}

const char *pattern_order_advice(int kind)
{
    switch (kind) {
    case PATTERN_ORDER_ROWS:
        return "your dots line up in rows; vary the angle and spacing from dot to dot";
    case PATTERN_ORDER_SQUARE:
        return "your dots sit on a square grid; place each dot at a new angle and distance from the last, "
               "never along lines";
    case PATTERN_ORDER_HEX:
        return "your dots sit on an even honeycomb grid; break the lines it makes by varying angle and "
               "distance from dot to dot";
    default:
        return "";
    }
}
