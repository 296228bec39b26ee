/* spatial.c: nearest neighbours through a sparse uniform grid.
 *
 * Layout. Every point gets integer cell coordinates (ix, iy, iz) over the bounding box of
 * the points, packed into one key ix | iy << bx | iz << (bx + by), where bx and by are the
 * bit widths of the x and y cell counts. Keys are sorted with an LSD radix sort (stable,
 * so points of one cell stay in original-index order); the index keeps the points in that
 * order (coordinates as separate float arrays, plus their original indices), the sorted
 * list of distinct occupied cells with the [start, end) range of each, and an
 * open-addressing hash from key to cell. Nothing is allocated per empty cell, so a head
 * (a thin surface in a large box) costs memory in proportion to its dots.
 *
 * Because keys are row-major (x fastest), the cells ix-1, ix, ix+1 of one row have
 * consecutive keys, and their points are one contiguous run of the sorted points.
 * spatial_all_nearest walks the occupied cells in key order and keeps one monotone
 * cursor per neighbouring row (dy, dz); each cell's 27 neighbours are thus up to 9
 * contiguous runs found without hashing. A point whose best distance is below what those
 * 27 cells guarantee (its distance to the faces of the 3x3x3 block, less a rounding
 * margin) is done; the few others continue with the shell search from ring 2.
 *
 * The shell search visits rings of cells at Chebyshev distance r = 0, 1, 2, ... around a
 * centre cell (the query's cell clamped into the grid) and stops once the best distance is
 * strictly below the distance from the query to the unexplored region (strictly, so that
 * an equally distant point with a smaller index further out cannot be missed). If the
 * rings grow costly (a far outlier, a cell size far below the spacing) it finishes with a
 * plain scan of all points, so every query terminates and is exact.
 *
 * Distances are computed in double from the float coordinates by one function (dist2),
 * the same in the brute-force reference, so grid and brute force agree bit for bit.
 * Ties go to the smallest original index. Results depend on the input alone. */
#include "spatial.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define AXIS_MAX_CELLS ((int64_t)1 << 20) /* per axis: keys stay within 60 bits */
#define KEY_EMPTY UINT64_MAX
#define CELL_NONE UINT32_MAX

struct spatial_index {
    size_t n;
    size_t m;                 /* occupied cells */
    double origin[3];
    double cell, inv_cell;
    double margin;            /* slack for rounding in cell assignment, mm */
    int64_t ncell[3];         /* cells per axis */
    unsigned bx, by;          /* key bit widths of x and y */
    float *xs, *ys, *zs;      /* points in key order */
    uint32_t *orig;           /* original index of each sorted point */
    uint64_t *ukeys;          /* occupied cell keys, ascending */
    uint32_t *ustart;         /* m + 1 offsets into the sorted points */
    uint64_t *hkeys;          /* hash: key, KEY_EMPTY when free */
    uint32_t *hval;           /* hash: cell number */
    uint64_t hmask;
    unsigned hshift;
};

static inline double dist2(double px, double py, double pz, float x, float y, float z)
{
    double dx = (double)x - px, dy = (double)y - py, dz = (double)z - pz;
    return dx * dx + dy * dy + dz * dz;
}

/* Does a candidate at squared distance d2 with original index o beat (best, best_o)?
 * A point at infinite distance (non-finite coordinates) is nobody's neighbour. */
static inline int better(double d2, uint32_t o, double best, uint32_t best_o)
{
    return d2 < best || (d2 == best && o < best_o && best < INFINITY);
}

static unsigned bit_width(uint64_t v)
{
    unsigned b = 0;
    while (v) {
        b++;
        v >>= 1;
    }
    return b;
}

static int64_t cell_coord(const spatial_index *idx, int axis, double v)
{
    double c = (v - idx->origin[axis]) * idx->inv_cell;
    if (!(c >= 0.0)) /* also NaN */
        return 0;
    if (c >= (double)(idx->ncell[axis] - 1))
        return idx->ncell[axis] - 1;
    return (int64_t)c;
}

static inline uint64_t make_key(const spatial_index *idx, int64_t ix, int64_t iy, int64_t iz)
{
    return (uint64_t)ix | ((uint64_t)iy << idx->bx) | ((uint64_t)iz << (idx->bx + idx->by));
}

static uint32_t hash_find(const spatial_index *idx, uint64_t key)
{
    uint64_t h = (key * 0x9E3779B97F4A7C15ULL) >> idx->hshift;
    for (;;) {
        uint64_t k = idx->hkeys[h];
        if (k == key)
            return idx->hval[h];
        if (k == KEY_EMPTY)
            return CELL_NONE;
        h = (h + 1) & idx->hmask;
    }
}

/* LSD radix sort of (key, id) pairs on the low `bits` bits of key; stable. */
static int radix_sort(uint64_t *keys, uint32_t *ids, size_t n, unsigned bits)
{
    if (bits == 0 || n < 2)
        return 0;
    unsigned passes = (bits + 11) / 12;
    unsigned digit = (bits + passes - 1) / passes;
    size_t nb = (size_t)1 << digit;
    uint64_t *k2 = malloc(n * sizeof *k2);
    uint32_t *i2 = malloc(n * sizeof *i2);
    size_t *count = calloc(nb * passes, sizeof *count);
    if (!k2 || !i2 || !count) {
        free(k2);
        free(i2);
        free(count);
        return -1;
    }
    uint64_t dmask = nb - 1;
    for (size_t i = 0; i < n; i++)
        for (unsigned p = 0; p < passes; p++)
            count[p * nb + ((keys[i] >> (p * digit)) & dmask)]++;
    uint64_t *ka = keys, *kb = k2;
    uint32_t *ia = ids, *ib = i2;
    for (unsigned p = 0; p < passes; p++) {
        size_t *c = count + p * nb, sum = 0;
        for (size_t b = 0; b < nb; b++) {
            size_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        unsigned sh = p * digit;
        for (size_t i = 0; i < n; i++) {
            size_t at = c[(ka[i] >> sh) & dmask]++;
            kb[at] = ka[i];
            ib[at] = ia[i];
        }
        uint64_t *kt = ka; ka = kb; kb = kt;
        uint32_t *it = ia; ia = ib; ib = it;
    }
    if (ka != keys) {
        memcpy(keys, ka, n * sizeof *keys);
        memcpy(ids, ia, n * sizeof *ids);
    }
    free(k2);
    free(i2);
    free(count);
    return 0;
}

spatial_index *spatial_build(const float *xyz, size_t n, double cell_mm)
{
    if (n == 0 || !xyz || n >= (size_t)UINT32_MAX)
        return NULL;
    spatial_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        return NULL;
    idx->n = n;

    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++) {
            double v = xyz[3 * i + (size_t)a];
            if (isfinite(v)) {
                if (v < lo[a]) lo[a] = v;
                if (v > hi[a]) hi[a] = v;
            }
        }
    double ext = 0.0, mag = 0.0;
    for (int a = 0; a < 3; a++) {
        if (!(lo[a] <= hi[a]))
            lo[a] = hi[a] = 0.0; /* no finite coordinate on this axis */
        if (hi[a] - lo[a] > ext) ext = hi[a] - lo[a];
        if (fabs(lo[a]) > mag) mag = fabs(lo[a]);
        if (fabs(hi[a]) > mag) mag = fabs(hi[a]);
        idx->origin[a] = lo[a];
    }
    double cell = cell_mm;
    if (!(cell > 0.0) || !isfinite(cell)) /* no usable hint: about one point a cell on a plane */
        cell = ext > 0.0 ? ext / sqrt((double)n) : 1.0;
    if (cell < ext / (double)(AXIS_MAX_CELLS - 2))
        cell = ext / (double)(AXIS_MAX_CELLS - 2);
    if (!(cell > 0.0) || !isfinite(cell))
        cell = 1.0;
    idx->cell = cell;
    idx->inv_cell = 1.0 / cell;
    idx->margin = 1e-9 * (cell + ext + mag);
    for (int a = 0; a < 3; a++) {
        double c = floor((hi[a] - lo[a]) * idx->inv_cell) + 1.0;
        idx->ncell[a] = c > (double)AXIS_MAX_CELLS ? AXIS_MAX_CELLS : (int64_t)c;
    }
    idx->bx = bit_width((uint64_t)(idx->ncell[0] - 1));
    idx->by = bit_width((uint64_t)(idx->ncell[1] - 1));
    unsigned bits = idx->bx + idx->by + bit_width((uint64_t)(idx->ncell[2] - 1));

    uint64_t *keys = malloc(n * sizeof *keys);
    uint32_t *ids = malloc(n * sizeof *ids);
    idx->xs = malloc(n * sizeof *idx->xs);
    idx->ys = malloc(n * sizeof *idx->ys);
    idx->zs = malloc(n * sizeof *idx->zs);
    idx->orig = malloc(n * sizeof *idx->orig);
    if (!keys || !ids || !idx->xs || !idx->ys || !idx->zs || !idx->orig)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const float *p = xyz + 3 * i;
        keys[i] = make_key(idx, cell_coord(idx, 0, p[0]), cell_coord(idx, 1, p[1]),
                           cell_coord(idx, 2, p[2]));
        ids[i] = (uint32_t)i;
    }
    if (radix_sort(keys, ids, n, bits) != 0)
        goto fail;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const float *p = xyz + 3 * (size_t)ids[i];
        idx->xs[i] = p[0];
        idx->ys[i] = p[1];
        idx->zs[i] = p[2];
        idx->orig[i] = ids[i];
        if (i == 0 || keys[i] != keys[i - 1])
            m++;
    }
    idx->m = m;
    idx->ukeys = malloc(m * sizeof *idx->ukeys);
    idx->ustart = malloc((m + 1) * sizeof *idx->ustart);
    size_t cap = 16;
    while (cap < 2 * m)
        cap <<= 1;
    idx->hkeys = malloc(cap * sizeof *idx->hkeys);
    idx->hval = malloc(cap * sizeof *idx->hval);
    if (!idx->ukeys || !idx->ustart || !idx->hkeys || !idx->hval)
        goto fail;
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || keys[i] != keys[i - 1]) {
            idx->ukeys[c] = keys[i];
            idx->ustart[c] = (uint32_t)i;
            c++;
        }
    idx->ustart[m] = (uint32_t)n;
    free(keys);
    free(ids);
    keys = NULL;
    ids = NULL;

    idx->hmask = cap - 1;
    idx->hshift = 64 - bit_width(cap - 1);
    for (size_t s = 0; s < cap; s++)
        idx->hkeys[s] = KEY_EMPTY;
    for (size_t k = 0; k < m; k++) {
        uint64_t h = (idx->ukeys[k] * 0x9E3779B97F4A7C15ULL) >> idx->hshift;
        while (idx->hkeys[h] != KEY_EMPTY)
            h = (h + 1) & idx->hmask;
        idx->hkeys[h] = idx->ukeys[k];
        idx->hval[h] = (uint32_t)k;
    }
    return idx;

fail:
    free(keys);
    free(ids);
    spatial_free(idx);
    return NULL;
}

void spatial_free(spatial_index *idx)
{
    if (!idx)
        return;
    free(idx->xs);
    free(idx->ys);
    free(idx->zs);
    free(idx->orig);
    free(idx->ukeys);
    free(idx->ustart);
    free(idx->hkeys);
    free(idx->hval);
    free(idx);
}

/* Scan the points of [b, e) for a better neighbour of q, skipping original index excl. */
static inline void scan_range(const spatial_index *idx, size_t b, size_t e, double px, double py,
                              double pz, uint64_t excl, double *best, uint32_t *best_o)
{
    for (size_t j = b; j < e; j++) {
        double d2 = dist2(px, py, pz, idx->xs[j], idx->ys[j], idx->zs[j]);
        if (d2 <= *best && idx->orig[j] != excl && better(d2, idx->orig[j], *best, *best_o)) {
            *best = d2;
            *best_o = idx->orig[j];
        }
    }
}

/* Distance from q to the nearest face of the cell box [c - r, c + r] through which an
 * unexplored point could lie; sides that already reach the grid's edge do not count.
 * Infinity when the box covers the whole grid. Reduced by the rounding margin. */
static double box_clearance(const spatial_index *idx, const double q[3], const int64_t c[3],
                            int64_t r)
{
    double g = INFINITY;
    for (int a = 0; a < 3; a++) {
        if (c[a] - r > 0) {
            double d = q[a] - (idx->origin[a] + (double)(c[a] - r) * idx->cell);
            if (d < g) g = d;
        }
        if (c[a] + r < idx->ncell[a] - 1) {
            double d = (idx->origin[a] + (double)(c[a] + r + 1) * idx->cell) - q[a];
            if (d < g) g = d;
        }
    }
    if (isnan(g))
        return -INFINITY;
    return g - idx->margin;
}

/* Rings r0, r0+1, ... around centre cell c (inside the grid), improving (best, best_o). */
static void shell_search(const spatial_index *idx, const double q[3], const int64_t c[3],
                         int64_t r0, uint64_t excl, double *best, uint32_t *best_o)
{
    size_t budget = 64 + idx->n / 16, visited = 0;
    for (int64_t r = r0;; r++) {
        int64_t lo[3], hi[3];
        for (int a = 0; a < 3; a++) {
            lo[a] = c[a] - r < 0 ? 0 : c[a] - r;
            hi[a] = c[a] + r > idx->ncell[a] - 1 ? idx->ncell[a] - 1 : c[a] + r;
        }
        for (int64_t iz = lo[2]; iz <= hi[2]; iz++) {
            int zface = iz == c[2] - r || iz == c[2] + r;
            for (int64_t iy = lo[1]; iy <= hi[1]; iy++) {
                int face = zface || iy == c[1] - r || iy == c[1] + r;
                int64_t step = face || r == 0 ? 1 : 2 * r;
                int64_t x0 = face ? lo[0] : c[0] - r;
                for (int64_t ix = x0; ix <= hi[0]; ix += step) {
                    if (ix < lo[0])
                        continue;
                    visited++;
                    uint32_t k = hash_find(idx, make_key(idx, ix, iy, iz));
                    if (k != CELL_NONE)
                        scan_range(idx, idx->ustart[k], idx->ustart[k + 1], q[0], q[1], q[2],
                                   excl, best, best_o);
                }
            }
        }
        double g = box_clearance(idx, q, c, r);
        if (g == INFINITY || (g > 0.0 && *best < g * g))
            return;
        if (visited > budget) { /* rings are too costly here: finish by brute force */
            scan_range(idx, 0, idx->n, q[0], q[1], q[2], excl, best, best_o);
            return;
        }
    }
}

int spatial_nearest(const spatial_index *idx, const double q_mm[3], size_t exclude,
                    size_t *out_index, double *out_dist_mm)
{
    if (!idx || !q_mm)
        return 0;
    int64_t c[3];
    for (int a = 0; a < 3; a++)
        c[a] = cell_coord(idx, a, q_mm[a]);
    uint64_t excl = exclude == SPATIAL_NONE || exclude >= idx->n ? UINT64_MAX : (uint64_t)exclude;
    double best = INFINITY;
    uint32_t best_o = CELL_NONE;
    shell_search(idx, q_mm, c, 0, excl, &best, &best_o);
    if (best_o == CELL_NONE)
        return 0;
    if (out_index)
        *out_index = best_o;
    if (out_dist_mm)
        *out_dist_mm = sqrt(best);
    return 1;
}

int spatial_all_nearest(const spatial_index *idx, double *out_nn_mm, size_t *out_index)
{
    if (!idx || !out_nn_mm || idx->n < 2)
        return -1;
    const size_t m = idx->m;
    const uint64_t *uk = idx->ukeys;
    const uint32_t *us = idx->ustart;
    const uint64_t xmask = ((uint64_t)1 << idx->bx) - 1, ymask = ((uint64_t)1 << idx->by) - 1;
    const uint64_t ystep = (uint64_t)1 << idx->bx, zstep = (uint64_t)1 << (idx->bx + idx->by);
    const double cell = idx->cell, margin = idx->margin;
    size_t cur[9] = {0};
    size_t *late = NULL; /* sorted positions still unresolved after the 27 cells */
    double *late_best = NULL;
    uint32_t *late_o = NULL;
    size_t nlate = 0, caplate = 0;

    for (size_t ci = 0; ci < m; ci++) {
        uint64_t key = uk[ci];
        int64_t ix = (int64_t)(key & xmask), iy = (int64_t)((key >> idx->bx) & ymask);
        int64_t iz = (int64_t)(key >> (idx->bx + idx->by));
        size_t rb[9], re[9];
        int nr = 0;
        for (int dz = -1; dz <= 1; dz++) {
            if (iz + dz < 0 || iz + dz >= idx->ncell[2])
                continue;
            for (int dy = -1; dy <= 1; dy++) {
                if (iy + dy < 0 || iy + dy >= idx->ncell[1])
                    continue;
                int row = (dz + 1) * 3 + (dy + 1);
                uint64_t t = key;
                if (dy < 0) t -= ystep;
                if (dy > 0) t += ystep;
                if (dz < 0) t -= zstep;
                if (dz > 0) t += zstep;
                uint64_t klo = ix > 0 ? t - 1 : t, khi = ix < idx->ncell[0] - 1 ? t + 1 : t;
                size_t p = cur[row];
                while (p < m && uk[p] < klo)
                    p++;
                cur[row] = p;
                size_t e = p;
                while (e < m && uk[e] <= khi)
                    e++;
                if (e > p) {
                    rb[nr] = us[p];
                    re[nr] = us[e];
                    nr++;
                }
            }
        }
        /* faces of the 3x3x3 block; infinite where it reaches the grid's edge */
        double f_lo[3], f_hi[3];
        int64_t cc[3] = {ix, iy, iz};
        for (int a = 0; a < 3; a++) {
            f_lo[a] = cc[a] - 1 > 0 ? idx->origin[a] + (double)(cc[a] - 1) * cell : -INFINITY;
            f_hi[a] = cc[a] + 1 < idx->ncell[a] - 1 ? idx->origin[a] + (double)(cc[a] + 2) * cell
                                                    : INFINITY;
        }
        for (size_t i = us[ci]; i < us[ci + 1]; i++) {
            double px = idx->xs[i], py = idx->ys[i], pz = idx->zs[i];
            double best = INFINITY;
            uint32_t best_o = CELL_NONE;
            for (int r = 0; r < nr; r++)
                for (size_t j = rb[r]; j < re[r]; j++) {
                    double d2 = dist2(px, py, pz, idx->xs[j], idx->ys[j], idx->zs[j]);
                    if (d2 <= best && j != i && better(d2, idx->orig[j], best, best_o)) {
                        best = d2;
                        best_o = idx->orig[j];
                    }
                }
            double g = px - f_lo[0];
            double t;
            if ((t = f_hi[0] - px) < g) g = t;
            if ((t = py - f_lo[1]) < g) g = t;
            if ((t = f_hi[1] - py) < g) g = t;
            if ((t = pz - f_lo[2]) < g) g = t;
            if ((t = f_hi[2] - pz) < g) g = t;
            g -= margin;
            if (g == INFINITY || (g > 0.0 && best < g * g)) {
                out_nn_mm[idx->orig[i]] = sqrt(best);
                if (out_index)
                    out_index[idx->orig[i]] = best_o == CELL_NONE ? SPATIAL_NONE : best_o;
                continue;
            }
            if (nlate == caplate) {
                size_t nc = caplate ? 2 * caplate : 1024;
                size_t *a1 = realloc(late, nc * sizeof *a1);
                if (a1) late = a1;
                double *a2 = realloc(late_best, nc * sizeof *a2);
                if (a2) late_best = a2;
                uint32_t *a3 = realloc(late_o, nc * sizeof *a3);
                if (a3) late_o = a3;
                if (!a1 || !a2 || !a3) {
                    free(late);
                    free(late_best);
                    free(late_o);
                    return -1;
                }
                caplate = nc;
            }
            late[nlate] = i;
            late_best[nlate] = best;
            late_o[nlate] = best_o;
            nlate++;
        }
    }

    for (size_t k = 0; k < nlate; k++) {
        size_t i = late[k];
        double q[3] = {idx->xs[i], idx->ys[i], idx->zs[i]};
        int64_t c[3];
        for (int a = 0; a < 3; a++)
            c[a] = cell_coord(idx, a, q[a]);
        double best = late_best[k];
        uint32_t best_o = late_o[k];
        shell_search(idx, q, c, 2, idx->orig[i], &best, &best_o);
        out_nn_mm[idx->orig[i]] = sqrt(best);
        if (out_index)
            out_index[idx->orig[i]] = best_o == CELL_NONE ? SPATIAL_NONE : best_o;
    }
    free(late);
    free(late_best);
    free(late_o);
    return 0;
}

void spatial_all_nearest_brute(const float *xyz, size_t n, double *out_nn_mm, size_t *out_index)
{
    for (size_t i = 0; i < n; i++) {
        double px = xyz[3 * i], py = xyz[3 * i + 1], pz = xyz[3 * i + 2];
        double best = INFINITY;
        size_t best_j = SPATIAL_NONE;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double d2 = dist2(px, py, pz, xyz[3 * j], xyz[3 * j + 1], xyz[3 * j + 2]);
            if (d2 < best) { /* j ascending: the first of equals is the smallest index */
                best = d2;
                best_j = j;
            }
        }
        if (out_nn_mm)
            out_nn_mm[i] = sqrt(best);
        if (out_index)
            out_index[i] = best_j;
    }
}

double clark_evans_r(double mean_nn_mm, double density_per_mm2)
{
    if (!(density_per_mm2 > 0.0) || !isfinite(density_per_mm2))
        return NAN;
    return mean_nn_mm / (0.5 / sqrt(density_per_mm2));
}
