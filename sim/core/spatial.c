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
 * contiguous runs found without hashing. Each point takes a branch-free minimum over
 * them (then the smallest original index at that distance). A point whose best distance
 * is below what those cells guarantee (its distance to the faces of the 3x3x3 block, less
 * a rounding margin) is done; the others (about 2% of Poisson dots) get a second sweep
 * over the 5x5x5 block, and the rare rest the shell search from ring 3. Results are kept
 * in sorted order and scattered to the caller's order in one pass at the end.
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
#define CELL_NONE UINT32_MAX
#define KEY_PAD 8 /* sentinels after the distinct keys: more than a 5-cell run + 2 */

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
    uint32_t *hcell;          /* hash slots: cell number, CELL_NONE when free */
    uint64_t hmask;
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

/* Home slot of a key: blocks of 8 cells along x hash together to 8 consecutive slots, so
 * short walks along x and the build (which goes in key order) stay in one cache line. */
static inline uint64_t hash_home(const spatial_index *idx, uint64_t key)
{
    uint64_t h = ((key >> 3) + 1) * 0x9E3779B97F4A7C15ULL;
    return ((h ^ (h >> 31)) * 8 + (key & 7)) & idx->hmask;
}

static uint32_t hash_find(const spatial_index *idx, uint64_t key)
{
    for (uint64_t h = hash_home(idx, key);; h = (h + 1) & idx->hmask) {
        uint32_t c = idx->hcell[h];
        if (c == CELL_NONE || idx->ukeys[c] == key)
            return c;
    }
}

/* LSD radix sort of 64-bit words on bits [lo, lo + bits). */
static int radix_sort_packed(uint64_t *w, size_t n, unsigned lo, unsigned bits)
{
    if (bits == 0 || n < 2)
        return 0;
    unsigned passes = (bits + 11) / 12;
    unsigned digit = (bits + passes - 1) / passes;
    size_t nb = (size_t)1 << digit;
    uint64_t *w2 = malloc(n * sizeof *w2);
    size_t *count = calloc(nb * passes, sizeof *count);
    if (!w2 || !count) {
        free(w2);
        free(count);
        return -1;
    }
    uint64_t dmask = nb - 1;
    for (size_t i = 0; i < n; i++)
        for (unsigned p = 0; p < passes; p++)
            count[p * nb + ((w[i] >> (lo + p * digit)) & dmask)]++;
    uint64_t *a = w, *b = w2;
    for (unsigned p = 0; p < passes; p++) {
        size_t *c = count + p * nb, sum = 0;
        for (size_t k = 0; k < nb; k++) {
            size_t t = c[k];
            c[k] = sum;
            sum += t;
        }
        unsigned sh = lo + p * digit;
        for (size_t i = 0; i < n; i++)
            b[c[(a[i] >> sh) & dmask]++] = a[i];
        uint64_t *t = a; a = b; b = t;
    }
    if (a != w)
        memcpy(w, a, n * sizeof *w);
    free(w2);
    free(count);
    return 0;
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
    uint32_t *ids = NULL;
    idx->xs = malloc(n * sizeof *idx->xs);
    idx->ys = malloc(n * sizeof *idx->ys);
    idx->zs = malloc(n * sizeof *idx->zs);
    idx->orig = malloc(n * sizeof *idx->orig);
    if (!keys || !idx->xs || !idx->ys || !idx->zs || !idx->orig)
        goto fail;
    int packed = bits <= 32; /* key << 32 | index in one word: half the sorting traffic */
    if (!packed && !(ids = malloc(n * sizeof *ids)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const float *p = xyz + 3 * i;
        uint64_t k = make_key(idx, cell_coord(idx, 0, p[0]), cell_coord(idx, 1, p[1]),
                              cell_coord(idx, 2, p[2]));
        if (packed) {
            keys[i] = k << 32 | (uint64_t)i;
        } else {
            keys[i] = k;
            ids[i] = (uint32_t)i;
        }
    }
    if ((packed ? radix_sort_packed(keys, n, 32, bits) : radix_sort(keys, ids, n, bits)) != 0)
        goto fail;
    idx->ustart = malloc((n + 1) * sizeof *idx->ustart); /* shrunk to m + 1 below */
    if (!idx->ustart)
        goto fail;
    size_t m = 0;
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t o;
        uint64_t k;
        if (packed) {
            o = (uint32_t)keys[i];
            k = keys[i] >> 32;
        } else {
            o = ids[i];
            k = keys[i];
        }
        const float *p = xyz + 3 * (size_t)o;
        idx->xs[i] = p[0];
        idx->ys[i] = p[1];
        idx->zs[i] = p[2];
        idx->orig[i] = o;
        if (i == 0 || k != prev) {
            keys[m] = k; /* keys[0 .. m): the distinct keys (m <= i, so nothing unread is lost) */
            idx->ustart[m++] = (uint32_t)i;
            prev = k;
        }
    }
    idx->ustart[m] = (uint32_t)n;
    free(ids);
    ids = NULL;
    idx->m = m;
    uint32_t *us = realloc(idx->ustart, (m + 1) * sizeof *us);
    if (us)
        idx->ustart = us;
    size_t cap = 16;
    while (cap < 2 * m)
        cap <<= 1;
    idx->hcell = malloc(cap * sizeof *idx->hcell);
    if (!idx->hcell)
        goto fail;
    /* distinct keys, then KEY_PAD sentinels above every key, so scans need no bounds checks */
    uint64_t *uk = realloc(keys, (m + KEY_PAD) * sizeof *keys);
    if (!uk)
        goto fail;
    keys = NULL;
    idx->ukeys = uk;
    for (size_t k = m; k < m + KEY_PAD; k++)
        uk[k] = UINT64_MAX;

    idx->hmask = cap - 1;
    memset(idx->hcell, 0xff, cap * sizeof *idx->hcell);
    for (size_t k = 0; k < m; k++) {
        uint64_t h = hash_home(idx, idx->ukeys[k]);
        while (idx->hcell[h] != CELL_NONE)
            h = (h + 1) & idx->hmask;
        idx->hcell[h] = (uint32_t)k;
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
    free(idx->hcell);
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

/* First position at or after p whose key is >= k (galloping: cursors mostly move a little). */
static inline size_t advance(const uint64_t *uk, size_t m, size_t p, uint64_t k)
{
    if (p >= m || uk[p] >= k)
        return p;
    size_t lo = p, step = 1; /* uk[lo] < k */
    while (lo + step < m && uk[lo + step] < k) {
        lo += step;
        step *= 2;
    }
    size_t hi = lo + step < m ? lo + step : m; /* uk[hi] >= k or hi == m */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (uk[mid] < k) lo = mid; else hi = mid;
    }
    return hi;
}

#define ROWS_MAX 25 /* rows of a 5 x 5 x 5 block */

/* The point ranges of the block of cells within Chebyshev distance R (1 or 2) of the cell
 * with coordinates c: one contiguous run of sorted points per row (dy, dz). cur holds a
 * cursor per row; calls must come in ascending key order. Also the block's faces, infinite
 * where the block reaches the grid's edge. Returns the number of ranges. */
static int block_ranges(const spatial_index *idx, const int64_t c[3], int64_t R, size_t *cur,
                        size_t *rb, size_t *re, double f_lo[3], double f_hi[3])
{
    const uint64_t *uk = idx->ukeys;
    const uint32_t *us = idx->ustart;
    int nr = 0, row = 0;
    int64_t x0 = c[0] - R < 0 ? 0 : c[0] - R;
    int64_t x1 = c[0] + R > idx->ncell[0] - 1 ? idx->ncell[0] - 1 : c[0] + R;
    for (int64_t dz = -R; dz <= R; dz++)
        for (int64_t dy = -R; dy <= R; dy++, row++) {
            int64_t y = c[1] + dy, z = c[2] + dz;
            if (y < 0 || y >= idx->ncell[1] || z < 0 || z >= idx->ncell[2])
                continue;
            uint64_t klo = make_key(idx, x0, y, z), khi = make_key(idx, x1, y, z);
            size_t p = cur[row];
            p += uk[p] < klo; /* cursors mostly move by a cell or two: no branches for that */
            p += uk[p] < klo;
            if (uk[p] < klo)
                p = advance(uk, idx->m, p, klo);
            cur[row] = p;
            size_t e = p; /* run of at most 2R + 1 cells; keys ascend and a sentinel follows */
            for (int64_t t = 0; t <= 2 * R; t++)
                e += uk[p + (size_t)t] <= khi;
            if (e > p) {
                rb[nr] = us[p];
                re[nr] = us[e];
                nr++;
            }
        }
    for (int a = 0; a < 3; a++) {
        f_lo[a] = c[a] - R > 0 ? idx->origin[a] + (double)(c[a] - R) * idx->cell : -INFINITY;
        f_hi[a] = c[a] + R < idx->ncell[a] - 1 ? idx->origin[a] + (double)(c[a] + R + 1) * idx->cell
                                                : INFINITY;
    }
    return nr;
}

static inline double face_clearance(double px, double py, double pz, const double f_lo[3],
                                    const double f_hi[3], double margin)
{
    double g = px - f_lo[0], t;
    if ((t = f_hi[0] - px) < g) g = t;
    if ((t = py - f_lo[1]) < g) g = t;
    if ((t = f_hi[1] - py) < g) g = t;
    if ((t = pz - f_lo[2]) < g) g = t;
    if ((t = f_hi[2] - pz) < g) g = t;
    return g - margin;
}

/* Best neighbour of sorted point i among the ranges: branch-free minimum of the squared
 * distance, then the smallest original index at that distance. */
static inline void best_in_ranges(const spatial_index *idx, size_t i, int nr, const size_t *rb,
                                  const size_t *re, double *best_out, uint32_t *best_o_out)
{
    const float *xs = idx->xs, *ys = idx->ys, *zs = idx->zs;
    double px = xs[i], py = ys[i], pz = zs[i], best = INFINITY;
    for (int r = 0; r < nr; r++)
        for (size_t j = rb[r]; j < re[r]; j++) {
            double d2 = dist2(px, py, pz, xs[j], ys[j], zs[j]);
            d2 = j == i ? INFINITY : d2;
            best = d2 < best ? d2 : best; /* minsd: no branch */
        }
    uint32_t best_o = CELL_NONE;
    if (best < INFINITY) /* which point(s) were at that distance: smallest index wins */
        for (int r = 0; r < nr; r++)
            for (size_t j = rb[r]; j < re[r]; j++) {
                double d2 = dist2(px, py, pz, xs[j], ys[j], zs[j]);
                if (d2 == best && j != i) {
                    uint32_t o = idx->orig[j];
                    best_o = o < best_o ? o : best_o;
                }
            }
    *best_out = best;
    *best_o_out = best_o;
}

static int push_late(uint32_t **late, size_t *nlate, size_t *cap, size_t i)
{
    if (*nlate == *cap) {
        size_t nc = *cap ? 2 * *cap : 1024;
        uint32_t *a = realloc(*late, nc * sizeof *a);
        if (!a)
            return -1;
        *late = a;
        *cap = nc;
    }
    (*late)[(*nlate)++] = (uint32_t)i;
    return 0;
}

int spatial_all_nearest(const spatial_index *idx, double *out_nn_mm, size_t *out_index)
{
    if (!idx || !out_nn_mm || idx->n < 2)
        return -1;
    const size_t m = idx->m, n = idx->n;
    const uint64_t xmask = ((uint64_t)1 << idx->bx) - 1, ymask = ((uint64_t)1 << idx->by) - 1;
    /* results in sorted order first (squared distance, original index), scattered to the
     * caller's order at the end in one tight pass: far cheaper than scattering as we go */
    double *sd = malloc(n * sizeof *sd);
    uint32_t *so = malloc(n * sizeof *so);
    uint32_t *late = NULL, *late2 = NULL; /* sorted positions still unresolved */
    size_t nlate = 0, caplate = 0, nlate2 = 0, caplate2 = 0;
    size_t cur[ROWS_MAX];
    size_t rb[ROWS_MAX], re[ROWS_MAX];
    double f_lo[3], f_hi[3];
    int rc = -1;
    if (!sd || !so)
        goto out;

    /* 1: every point against the 3 x 3 x 3 block around its cell */
    memset(cur, 0, sizeof cur);
    for (size_t ci = 0; ci < m; ci++) {
        uint64_t key = idx->ukeys[ci];
        int64_t c[3] = {(int64_t)(key & xmask), (int64_t)((key >> idx->bx) & ymask),
                        (int64_t)(key >> (idx->bx + idx->by))};
        int nr = block_ranges(idx, c, 1, cur, rb, re, f_lo, f_hi);
        for (size_t i = idx->ustart[ci]; i < idx->ustart[ci + 1]; i++) {
            best_in_ranges(idx, i, nr, rb, re, &sd[i], &so[i]);
            double g = face_clearance(idx->xs[i], idx->ys[i], idx->zs[i], f_lo, f_hi, idx->margin);
            if (!(g == INFINITY || (g > 0.0 && sd[i] < g * g)) &&
                push_late(&late, &nlate, &caplate, i) != 0)
                goto out;
        }
    }

    /* 2: the few left against the 5 x 5 x 5 block (they come in cell order) */
    memset(cur, 0, sizeof cur);
    int nr = 0;
    uint64_t last_key = UINT64_MAX;
    for (size_t k = 0; k < nlate; k++) {
        size_t i = late[k];
        int64_t c[3];
        for (int a = 0; a < 3; a++)
            c[a] = cell_coord(idx, a, a == 0 ? idx->xs[i] : a == 1 ? idx->ys[i] : idx->zs[i]);
        uint64_t key = make_key(idx, c[0], c[1], c[2]);
        if (key != last_key)
            nr = block_ranges(idx, c, 2, cur, rb, re, f_lo, f_hi);
        last_key = key;
        best_in_ranges(idx, i, nr, rb, re, &sd[i], &so[i]);
        double g = face_clearance(idx->xs[i], idx->ys[i], idx->zs[i], f_lo, f_hi, idx->margin);
        if (!(g == INFINITY || (g > 0.0 && sd[i] < g * g)) &&
            push_late(&late2, &nlate2, &caplate2, i) != 0)
            goto out;
    }

    /* 3: the rare rest (sparse spots, outliers): rings from 3 outwards */
    for (size_t k = 0; k < nlate2; k++) {
        size_t i = late2[k];
        double q[3] = {idx->xs[i], idx->ys[i], idx->zs[i]};
        int64_t c[3];
        for (int a = 0; a < 3; a++)
            c[a] = cell_coord(idx, a, q[a]);
        shell_search(idx, q, c, 3, idx->orig[i], &sd[i], &so[i]);
    }

    const uint32_t *orig = idx->orig;
    for (size_t i = 0; i < n; i++)
        out_nn_mm[orig[i]] = sqrt(sd[i]);
    if (out_index)
        for (size_t i = 0; i < n; i++)
            out_index[orig[i]] = so[i] == CELL_NONE ? SPATIAL_NONE : so[i];
    rc = 0;
out:
    free(late);
    free(late2);
    free(sd);
    free(so);
    return rc;
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
