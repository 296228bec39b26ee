/* spatial.c: exact nearest neighbours through a uniform grid where the layout is spread,
 * and a k-d tree over the distinct points where it is not (or where the grid cannot answer).
 *
 * Why both. A grid sized for the expected spacing answers a natural stipple's queries from
 * the 27 cells around each point, about twice as fast as the tree (which pays O(n log n)
 * to build). But a grid scans whole cells: a hostile session with 200,000 dots at one spot
 * (or along a micrometre) put every dot in one cell and cost O(n^2), 96 s to grade. So the
 * grid is used only while no cell holds more than GRID_CELL_MAX distinct points, and a
 * query the grid cannot settle within two rings of cells (a point far from the rest, a
 * query outside the dots) goes to the tree, built the first time it is needed. Either way a
 * query costs O(log n) expected or a bounded scan, whatever the layout.
 *
 * Coincident points. Points at exactly the same coordinates are merged first (a hash of
 * their float values, -0 and +0 alike) into one "spot" that keeps the smallest and second
 * smallest original index of its points. A point on a shared spot has its nearest
 * neighbour at distance 0, the smallest other index there, with no search at all; grid and
 * tree hold each spot once, so 200,000 dots at one point make one spot.
 * Points with a non-finite coordinate are nobody's neighbour and have none (distance
 * infinity, index SPATIAL_NONE), as in the brute-force reference.
 *
 * The grid. Cells of the expected spacing over the spots' bounding box, grown by 2^(1/3)
 * until there are at most about two cells a spot (a head is a thin shell in a large box);
 * the spots are counting-sorted by cell (x fastest), so a row of neighbouring cells is one
 * contiguous run. A query scans the 3x3x3 block around its cell, then 5x5x5, and is done
 * once the best distance is strictly below the distance from the query to the unscanned
 * cells (the block's faces, less a rounding margin; a face on the grid's edge has nothing
 * beyond it). Strictly, so an equally distant point with a smaller index is never missed.
 *
 * The tree. Spots are reordered: each node splits its range at the middle position along
 * the widest axis of its bounding box (a 3-way quickselect with a fixed pseudo-random
 * pivot: expected linear time on any input, repeated values included), down to leaves of
 * at most LEAF_MAX spots. Node n's children are 2n+1 and 2n+2; every node keeps the float
 * bounding box of its spots. A query descends depth first, the nearer child first, a node
 * skipped when the distance from the query to its box is above the best so far (strictly,
 * as above). Box distances are computed with the same rounding as point distances (dist2),
 * and rounding is monotone, so a box is never skipped that holds a point at or below the
 * best.
 *
 * Results are exact and equal the brute force bit for bit; ties go to the smallest original
 * index; they depend on the input alone, never on which structure answered. */
#include "spatial.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define LEAF_MAX 8
#define NONE32 UINT32_MAX
/* The grid is used while no cell holds more distinct points than this (a query scans 27
 * cells: at most 27 x 32 distances), and only for this many spots or more. */
#define GRID_CELL_MAX 32
#define GRID_MIN_SPOTS 64

typedef struct spot {
    float p[3];
    uint32_t first, second; /* smallest and second smallest original index here (or NONE32) */
} spot;

typedef struct kd_tree {
    spot *spots;       /* in tree order */
    float (*box)[6];   /* per node: lo x y z, hi x y z */
    size_t nodes;
} kd_tree;

struct spatial_index {
    size_t n;          /* points given */
    size_t ns;         /* distinct finite spots */
    spot *spots;       /* in grid order when there is a grid, else the tree's own array */
    uint32_t *spot_of; /* per original point: its position in spots, NONE32 when non-finite */
    /* the grid (cell_start NULL when the layout does not suit one) */
    uint32_t *cell_start;  /* cells + 1 offsets into spots */
    int64_t nc[3];         /* cells per axis */
    double origin[3], cell, inv_cell, margin;
    /* the tree: built with the index when there is no grid, else the first time a query
     * needs it (an index is not shared between threads); its spots are a copy then */
    kd_tree tree;
    int tree_state;    /* 0 not built, 1 built, -1 could not be built (out of memory) */
};

static inline double dist2(double px, double py, double pz, float x, float y, float z)
{
    double dx = (double)x - px, dy = (double)y - py, dz = (double)z - pz;
    return dx * dx + dy * dy + dz * dz;
}

/* Squared distance from q to a box; never above dist2 to a point inside it (see top). */
static inline double box_dist2(const float b[6], const double q[3])
{
    double s = 0.0;
    for (int a = 0; a < 3; a++) {
        double d = 0.0;
        if (q[a] < (double)b[a])
            d = (double)b[a] - q[a];
        else if (q[a] > (double)b[3 + a])
            d = q[a] - (double)b[3 + a];
        s += d * d;
    }
    return s;
}

/* --- where the points come from ---------------------------------------------------------- */

/* The caller's points: packed floats, or doubles read in place (a selection of records of
 * stride bytes), rounded to float as they are stored. Either way point i is the same
 * three floats, so the index does not depend on how it was given them. */
typedef struct point_source {
    const float *xyz;            /* packed, or NULL */
    const unsigned char *base;   /* else: point i at base + sel[i] * stride (3 doubles) */
    size_t stride;
    const size_t *sel;
} point_source;

static inline void source_point(const point_source *in, size_t i, float p[3])
{
    if (in->xyz) {
        memcpy(p, in->xyz + 3 * i, 3 * sizeof *p);
        return;
    }
    double d[3];
    memcpy(d, in->base + in->sel[i] * in->stride, sizeof d);
    for (int a = 0; a < 3; a++)
        p[a] = (float)d[a];
}

/* --- merging coincident points ------------------------------------------------------- */

static inline uint32_t float_bits(float v)
{
    v += 0.0f; /* -0 becomes +0: equal values, equal bits */
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static inline uint64_t spot_hash(const float *p)
{
    uint64_t h = float_bits(p[0]) * 0x9E3779B97F4A7C15ULL;
    h ^= (h >> 29) + float_bits(p[1]) * 0xC2B2AE3D27D4EB4FULL;
    h ^= (h >> 31) + float_bits(p[2]) * 0x165667B19E3779F9ULL;
    return h ^ (h >> 32);
}

/* Fills idx->spots (in first-seen order) and idx->spot_of. 0, or -1 out of memory. */
static int merge_spots(spatial_index *idx, const point_source *in)
{
    size_t n = idx->n, cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    uint32_t *slot = malloc(cap * sizeof *slot);
    idx->spots = malloc(n * sizeof *idx->spots);
    idx->spot_of = malloc(n * sizeof *idx->spot_of);
    if (!slot || !idx->spots || !idx->spot_of) {
        free(slot);
        return -1;
    }
    memset(slot, 0xff, cap * sizeof *slot);
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        float p[3];
        source_point(in, i, p);
        if (!isfinite(p[0]) || !isfinite(p[1]) || !isfinite(p[2])) {
            idx->spot_of[i] = NONE32;
            continue;
        }
        size_t h = (size_t)spot_hash(p) & (cap - 1);
        for (;; h = (h + 1) & (cap - 1)) {
            uint32_t s = slot[h];
            if (s == NONE32) {
                slot[h] = (uint32_t)ns;
                spot *sp = &idx->spots[ns];
                memcpy(sp->p, p, sizeof sp->p);
                sp->first = (uint32_t)i;
                sp->second = NONE32;
                idx->spot_of[i] = (uint32_t)ns++;
                break;
            }
            spot *sp = &idx->spots[s];
            if (sp->p[0] == p[0] && sp->p[1] == p[1] && sp->p[2] == p[2]) {
                if (sp->second == NONE32)
                    sp->second = (uint32_t)i; /* points come in index order */
                idx->spot_of[i] = s;
                break;
            }
        }
    }
    free(slot);
    idx->ns = ns;
    return 0;
}

/* --- building the tree ----------------------------------------------------------------- */

static inline void swap_spot(spot *a, spot *b)
{
    spot t = *a;
    *a = *b;
    *b = t;
}

/* Puts the k-th smallest (by axis a) of s[0 .. n) at position k, smaller before, larger
 * after. 3-way partitions, so runs of equal values cost nothing extra. */
static void select_kth(spot *s, size_t n, size_t k, int a, uint64_t *rng)
{
    size_t lo = 0, hi = n; /* the k-th lies in [lo, hi) */
    while (hi - lo > 1) {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        float pv = s[lo + (size_t)(*rng % (hi - lo))].p[a];
        size_t lt = lo, i = lo, gt = hi; /* [lo,lt) < pv, [lt,i) == pv, [gt,hi) > pv */
        while (i < gt) {
            float v = s[i].p[a];
            if (v < pv)
                swap_spot(&s[lt++], &s[i++]);
            else if (v > pv)
                swap_spot(&s[i], &s[--gt]);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return;
    }
}

static void build_node(kd_tree *t, size_t node, size_t lo, size_t hi, uint64_t *rng)
{
    float *b = t->box[node];
    for (int a = 0; a < 3; a++) {
        b[a] = INFINITY;
        b[3 + a] = -INFINITY;
    }
    for (size_t i = lo; i < hi; i++)
        for (int a = 0; a < 3; a++) {
            float v = t->spots[i].p[a];
            if (v < b[a]) b[a] = v;
            if (v > b[3 + a]) b[3 + a] = v;
        }
    if (hi - lo <= LEAF_MAX)
        return;
    int axis = 0;
    double wide = -1.0;
    for (int a = 0; a < 3; a++) {
        double w = (double)b[3 + a] - (double)b[a];
        if (w > wide) {
            wide = w;
            axis = a;
        }
    }
    size_t mid = lo + (hi - lo) / 2;
    select_kth(t->spots + lo, hi - lo, mid - lo, axis, rng);
    build_node(t, 2 * node + 1, lo, mid, rng);
    build_node(t, 2 * node + 2, mid, hi, rng);
}

/* Builds the tree over t->spots[0 .. ns) (reordered in place). 0, or -1 out of memory. */
static int tree_build(kd_tree *t, size_t ns)
{
    size_t levels = 0;   /* until every leaf holds at most LEAF_MAX spots: sizes halve (rounded up) */
    for (size_t s = ns; s > LEAF_MAX; s = (s + 1) / 2)
        levels++;
    t->nodes = ((size_t)2 << levels) - 1;
    t->box = NULL;
    if (ns == 0)
        return 0;
    t->box = malloc(t->nodes * sizeof *t->box);
    if (!t->box)
        return -1;
    uint64_t rng = 0x2545F4914F6CDD1DULL;
    build_node(t, 0, 0, ns, &rng);
    return 0;
}

/* --- the grid ----------------------------------------------------------------------------- */

static inline int64_t grid_coord(const spatial_index *idx, int a, double v)
{
    double c = (v - idx->origin[a]) * idx->inv_cell;
    if (!(c >= 0.0))
        return 0;
    if (c >= (double)(idx->nc[a] - 1))
        return idx->nc[a] - 1;
    return (int64_t)c;
}

static inline size_t grid_cell(const spatial_index *idx, int64_t x, int64_t y, int64_t z)
{
    return (size_t)(x + idx->nc[0] * (y + idx->nc[1] * z));
}

static inline void bounds_add(double lo[3], double hi[3], double *big, const float p[3])
{
    for (int a = 0; a < 3; a++) {
        double v = p[a];
        lo[a] = v < lo[a] ? v : lo[a];
        hi[a] = v > hi[a] ? v : hi[a];
        *big = fabs(v) > *big ? fabs(v) : *big;
    }
}

/* Sizes the grid for ns distinct spots within [lo, hi]: sets origin, cells, cell size and
 * margin. 0 when no cell size keeps the count down (the tree will do). */
static int grid_size(spatial_index *idx, size_t ns, double cell_mm, const double lo[3], const double hi[3], double big,
                     size_t *out_cells)
{
    /* about two cells a spot at most: a head is a thin shell in a large box */
    double cell = cell_mm, limit = 2.0 * (double)ns + 4096.0, cells = 0.0;
    for (int grow = 0;; grow++) {
        if (grow > 200)
            return 0;
        cells = 1.0;
        for (int a = 0; a < 3; a++)
            cells *= floor((hi[a] - lo[a]) / cell) + 1.0;
        if (cells <= limit)
            break;
        cell *= 1.2599210498948732;   /* 2^(1/3): the cell count halves */
    }
    for (int a = 0; a < 3; a++) {
        idx->origin[a] = lo[a];
        idx->nc[a] = (int64_t)(floor((hi[a] - lo[a]) / cell) + 1.0);
    }
    idx->cell = cell;
    idx->inv_cell = 1.0 / cell;
    /* cell assignment and face positions round; this is far above either's error */
    idx->margin = 1e-6 * cell + 1e-12 * big;
    *out_cells = (size_t)cells;
    return 1;
}

static inline size_t grid_cell_of(const spatial_index *idx, const float p[3])
{
    return grid_cell(idx, grid_coord(idx, 0, p[0]), grid_coord(idx, 1, p[1]), grid_coord(idx, 2, p[2]));
}

/* The common case built straight from the caller's points, without merging first: when
 * every finite point is distinct and no cell holds more than GRID_CELL_MAX of them, the
 * grid is the one merge_spots + grid_build make (the same cells; each cell's spots in
 * index order, which is first-seen order when nothing repeats), in about half the memory
 * (no hash table, no second copy of the spots: fresh memory is what this costs most).
 * 1 built, 0 not this case (nothing kept: build the general way), -1 out of memory. */
static int grid_build_direct(spatial_index *idx, const point_source *in, double cell_mm)
{
    size_t n = idx->n, nf = 0;
    if (n < GRID_MIN_SPOTS || !(cell_mm > 0.0) || !isfinite(cell_mm))
        return 0;
    double lo[3] = { INFINITY, INFINITY, INFINITY }, hi[3] = { -INFINITY, -INFINITY, -INFINITY }, big = 0.0;
    for (size_t i = 0; i < n; i++) {
        float p[3];
        source_point(in, i, p);
        if (!isfinite(p[0]) || !isfinite(p[1]) || !isfinite(p[2]))
            continue;
        nf++;
        bounds_add(lo, hi, &big, p);
    }
    size_t nc;
    if (nf < GRID_MIN_SPOTS || !grid_size(idx, nf, cell_mm, lo, hi, big, &nc))
        return 0;
    uint32_t *start = calloc(nc + 1, sizeof *start);
    idx->spot_of = malloc(n * sizeof *idx->spot_of);
    idx->spots = malloc(nf * sizeof *idx->spots);
    if (!start || !idx->spot_of || !idx->spots) {
        free(start);
        return -1;
    }
    int direct = 1;
    for (size_t i = 0; i < n && direct; i++) {
        float p[3];
        source_point(in, i, p);
        if (!isfinite(p[0]) || !isfinite(p[1]) || !isfinite(p[2])) {
            idx->spot_of[i] = NONE32;
            continue;
        }
        size_t c = grid_cell_of(idx, p);
        idx->spot_of[i] = (uint32_t)c;   /* the cell, for now */
        if (++start[c + 1] > GRID_CELL_MAX)
            direct = 0;   /* crowded, perhaps by repeats: the general way decides */
    }
    if (direct) {
        for (size_t c = 0; c < nc; c++)
            start[c + 1] += start[c];
        for (size_t i = 0; i < n; i++) {
            if (idx->spot_of[i] == NONE32)
                continue;
            uint32_t at = start[idx->spot_of[i]]++;
            spot *sp = &idx->spots[at];
            source_point(in, i, sp->p);
            sp->first = (uint32_t)i;
            sp->second = NONE32;
            idx->spot_of[i] = at;
        }
        for (size_t c = nc; c > 0; c--)   /* the fill moved each start to the next cell's */
            start[c] = start[c - 1];
        start[0] = 0;
        /* a point repeated: the general way merges it */
        for (size_t c = 0; c < nc && direct; c++)
            for (uint32_t j = start[c] + 1; j < start[c + 1] && direct; j++)
                for (uint32_t k = start[c]; k < j; k++) {
                    const float *a = idx->spots[j].p, *b = idx->spots[k].p;
                    if (a[0] == b[0] && a[1] == b[1] && a[2] == b[2]) {
                        direct = 0;
                        break;
                    }
                }
    }
    if (!direct) {
        free(start);
        free(idx->spot_of);
        free(idx->spots);
        idx->spot_of = NULL;
        idx->spots = NULL;
        return 0;
    }
    idx->ns = nf;
    idx->cell_start = start;
    return 1;
}

/* A grid over idx->spots (reordered by cell) when the layout suits one: 1 made, 0 not
 * suited (the tree will do), -1 out of memory. */
static int grid_build(spatial_index *idx, double cell_mm)
{
    size_t ns = idx->ns;
    if (ns < GRID_MIN_SPOTS || !(cell_mm > 0.0) || !isfinite(cell_mm))
        return 0;
    double lo[3] = { INFINITY, INFINITY, INFINITY }, hi[3] = { -INFINITY, -INFINITY, -INFINITY }, big = 0.0;
    for (size_t i = 0; i < ns; i++)
        bounds_add(lo, hi, &big, idx->spots[i].p);
    size_t nc;
    if (!grid_size(idx, ns, cell_mm, lo, hi, big, &nc))
        return 0;
    uint32_t *start = calloc(nc + 1, sizeof *start);
    uint32_t *cell_of = malloc(ns * sizeof *cell_of);
    spot *sorted = malloc(ns * sizeof *sorted);
    if (!start || !cell_of || !sorted) {
        free(start);
        free(cell_of);
        free(sorted);
        return -1;
    }
    int suited = 1;
    for (size_t i = 0; i < ns && suited; i++) {
        size_t c = grid_cell_of(idx, idx->spots[i].p);
        cell_of[i] = (uint32_t)c;
        if (++start[c + 1] > GRID_CELL_MAX)
            suited = 0;   /* a crowded cell: its queries would scan it whole */
    }
    if (!suited) {
        free(start);
        free(cell_of);
        free(sorted);
        return 0;
    }
    for (size_t c = 0; c < nc; c++)
        start[c + 1] += start[c];
    /* counting sort by cell; spot_of follows its spot */
    uint32_t *where = malloc(ns * sizeof *where);
    if (!where) {
        free(start);
        free(cell_of);
        free(sorted);
        return -1;
    }
    for (size_t i = 0; i < ns; i++) {
        uint32_t at = start[cell_of[i]]++;
        sorted[at] = idx->spots[i];
        where[i] = at;
    }
    for (size_t c = nc; c > 0; c--)   /* the fill moved each start to the next cell's */
        start[c] = start[c - 1];
    start[0] = 0;
    for (size_t i = 0; i < idx->n; i++)
        if (idx->spot_of[i] != NONE32)
            idx->spot_of[i] = where[idx->spot_of[i]];
    free(where);
    free(cell_of);
    free(idx->spots);
    idx->spots = sorted;
    idx->cell_start = start;
    return 1;
}

static spatial_index *build(const point_source *in, size_t n, double cell_mm)
{
    if (n == 0 || n >= (size_t)UINT32_MAX)
        return NULL;
    spatial_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        return NULL;
    idx->n = n;
    int direct = grid_build_direct(idx, in, cell_mm);
    if (direct < 0)
        goto fail;
    if (direct)
        return idx;
    if (merge_spots(idx, in) != 0)
        goto fail;
    int g = grid_build(idx, cell_mm);
    if (g < 0)
        goto fail;
    if (g == 0) {
        /* no grid: the tree is the index, over the spots themselves */
        idx->tree.spots = idx->spots;
        if (tree_build(&idx->tree, idx->ns) != 0)
            goto fail;
        idx->tree_state = 1;
        /* spot_of pointed at first-seen order; the tree reordered the spots */
        uint32_t *where = malloc((idx->ns ? idx->ns : 1) * sizeof *where);
        if (!where)
            goto fail;
        for (size_t t = 0; t < idx->ns; t++)
            where[idx->spot_of[idx->spots[t].first]] = (uint32_t)t;
        for (size_t i = 0; i < n; i++)
            if (idx->spot_of[i] != NONE32)
                idx->spot_of[i] = where[idx->spot_of[i]];
        free(where);
    }
    return idx;

fail:
    spatial_free(idx);
    return NULL;
}

spatial_index *spatial_build(const float *xyz, size_t n, double cell_mm)
{
    if (!xyz)
        return NULL;
    point_source in = { xyz, NULL, 0, NULL };
    return build(&in, n, cell_mm);
}

spatial_index *spatial_build_gather(const double *first, size_t stride_bytes, const size_t *sel, size_t n, double cell_mm)
{
    if (!first || !sel)
        return NULL;
    point_source in = { NULL, (const unsigned char *)first, stride_bytes, sel };
    return build(&in, n, cell_mm);
}

void spatial_free(spatial_index *idx)
{
    if (!idx)
        return;
    if (idx->tree.spots != idx->spots)
        free(idx->tree.spots);
    free(idx->spots);
    free(idx->tree.box);
    free(idx->spot_of);
    free(idx->cell_start);
    free(idx);
}

/* --- queries --------------------------------------------------------------------------- */

typedef struct query {
    double q[3];
    uint32_t excl;   /* original index that may not be the answer (NONE32: none) */
    double best;     /* squared distance */
    uint32_t best_o;
} query;

static inline void scan_spots(const spot *sp, size_t lo, size_t hi, query *s)
{
    for (size_t j = lo; j < hi; j++) {
        double d2 = dist2(s->q[0], s->q[1], s->q[2], sp[j].p[0], sp[j].p[1], sp[j].p[2]);
        if (d2 > s->best)
            continue;
        uint32_t o = sp[j].first;
        if (o == s->excl && (o = sp[j].second) == NONE32)
            continue;
        if (d2 < s->best || o < s->best_o) {
            s->best = d2;
            s->best_o = o;
        }
    }
}

static void search(const kd_tree *t, size_t node, size_t lo, size_t hi, query *s)
{
    if (hi - lo <= LEAF_MAX) {
        scan_spots(t->spots, lo, hi, s);
        return;
    }
    size_t mid = lo + (hi - lo) / 2, a = 2 * node + 1, b = 2 * node + 2;
    double da = box_dist2(t->box[a], s->q), db = box_dist2(t->box[b], s->q);
    if (da <= db) {
        if (da <= s->best)
            search(t, a, lo, mid, s);
        if (db <= s->best)
            search(t, b, mid, hi, s);
    } else {
        if (db <= s->best)
            search(t, b, mid, hi, s);
        if (da <= s->best)
            search(t, a, lo, mid, s);
    }
}

/* Squared distance from q to cell (x, y, z), its faces widened by the rounding margin: never
 * above dist2 to a spot the grid put in that cell. */
static inline double cell_dist2(const spatial_index *idx, const int64_t c[3], const double q[3])
{
    double s = 0.0;
    for (int a = 0; a < 3; a++) {
        double lo = idx->origin[a] + (double)c[a] * idx->cell - idx->margin, hi = lo + idx->cell + 2.0 * idx->margin;
        double d = q[a] < lo ? lo - q[a] : q[a] > hi ? q[a] - hi : 0.0;
        s += d * d;
    }
    return s;
}

static inline void scan_cell(const spatial_index *idx, const int64_t c[3], query *s)
{
    size_t k = grid_cell(idx, c[0], c[1], c[2]);
    if (idx->cell_start[k] != idx->cell_start[k + 1] && cell_dist2(idx, c, s->q) <= s->best)
        scan_spots(idx->spots, idx->cell_start[k], idx->cell_start[k + 1], s);
}

/* The grid's answer to s: 1 when exact (nothing unscanned can be as near), 0 when the
 * query needs the tree (s then holds the best of what was scanned, a valid start). The
 * query's own cell first, then each cell of the ring around it that could hold a point as
 * near as the best so far; rings 1 and 2. */
static int grid_query(const spatial_index *idx, query *s)
{
    int64_t c[3];
    for (int a = 0; a < 3; a++)
        c[a] = grid_coord(idx, a, s->q[a]);
    scan_cell(idx, c, s);
    /* ring 1, the common case, from each axis's distances to the neighbouring cells (as
     * cell_dist2 computes them: squared, never above a point's) */
    double dd[3][3];
    for (int a = 0; a < 3; a++) {
        double lo = idx->origin[a] + (double)c[a] * idx->cell + idx->margin;
        double hi = idx->origin[a] + (double)(c[a] + 1) * idx->cell - idx->margin;
        double dl = s->q[a] - lo, dh = hi - s->q[a];
        dd[a][0] = dl > 0.0 ? dl * dl : 0.0;
        dd[a][1] = 0.0;
        dd[a][2] = dh > 0.0 ? dh * dh : 0.0;
    }
    for (int oz = -1; oz <= 1; oz++) {
        int64_t z = c[2] + oz;
        if (z < 0 || z >= idx->nc[2] || dd[2][oz + 1] > s->best)
            continue;
        for (int oy = -1; oy <= 1; oy++) {
            int64_t y = c[1] + oy;
            double dyz = dd[2][oz + 1] + dd[1][oy + 1];
            if (y < 0 || y >= idx->nc[1] || dyz > s->best)
                continue;
            for (int ox = -1; ox <= 1; ox++) {
                int64_t x = c[0] + ox;
                /* summed in dist2's order: partial sums above never exceed the full one */
                if (x < 0 || x >= idx->nc[0] || (ox == 0 && oy == 0 && oz == 0)
                    || (dd[0][ox + 1] + dd[1][oy + 1]) + dd[2][oz + 1] > s->best)
                    continue;
                size_t k = grid_cell(idx, x, y, z);
                scan_spots(idx->spots, idx->cell_start[k], idx->cell_start[k + 1], s);
            }
        }
    }
    for (int64_t r = 1; r <= 2; r++) {
        if (r == 2) {   /* ring 2, cell by cell */
            int64_t k[3];
            for (k[2] = c[2] - 2 < 0 ? 0 : c[2] - 2; k[2] <= c[2] + 2 && k[2] < idx->nc[2]; k[2]++)
                for (k[1] = c[1] - 2 < 0 ? 0 : c[1] - 2; k[1] <= c[1] + 2 && k[1] < idx->nc[1]; k[1]++) {
                    int on_ring = k[2] == c[2] - 2 || k[2] == c[2] + 2 || k[1] == c[1] - 2 || k[1] == c[1] + 2;
                    for (k[0] = c[0] - 2 < 0 ? 0 : c[0] - 2; k[0] <= c[0] + 2 && k[0] < idx->nc[0]; k[0]++)
                        if (on_ring || k[0] == c[0] - 2 || k[0] == c[0] + 2)   /* inside: ring 1 */
                            scan_cell(idx, k, s);
                }
        }
        int64_t lo[3], hi[3];
        for (int a = 0; a < 3; a++) {
            lo[a] = c[a] - r < 0 ? 0 : c[a] - r;
            hi[a] = c[a] + r > idx->nc[a] - 1 ? idx->nc[a] - 1 : c[a] + r;
        }
        /* the distance from q to the cells outside the block (a face on the grid's edge has
         * nothing beyond it), less the rounding margin */
        double bound = INFINITY;
        for (int a = 0; a < 3; a++) {
            if (lo[a] > 0) {
                double d = s->q[a] - (idx->origin[a] + (double)lo[a] * idx->cell) - idx->margin;
                bound = d < bound ? d : bound;
            }
            if (hi[a] < idx->nc[a] - 1) {
                double d = idx->origin[a] + (double)(hi[a] + 1) * idx->cell - s->q[a] - idx->margin;
                bound = d < bound ? d : bound;
            }
        }
        if (bound == INFINITY)
            return 1;   /* the block holds the whole grid */
        if (bound > 0.0 && s->best < bound * bound)
            return 1;
    }
    return 0;
}

/* The tree beside a grid, built the first time a query needs it: 0, or -1 when it cannot
 * be built (out of memory; the caller then scans every spot). */
static int tree_ensure(const spatial_index *cidx)
{
    spatial_index *idx = (spatial_index *)cidx;   /* a cache: the answers do not change */
    if (idx->tree_state == 0) {
        idx->tree.spots = malloc((idx->ns ? idx->ns : 1) * sizeof *idx->tree.spots);
        if (idx->tree.spots) {
            memcpy(idx->tree.spots, idx->spots, idx->ns * sizeof *idx->spots);
            if (tree_build(&idx->tree, idx->ns) == 0) {
                idx->tree_state = 1;
                return 0;
            }
        }
        free(idx->tree.spots);
        free(idx->tree.box);
        idx->tree.spots = NULL;
        idx->tree.box = NULL;
        idx->tree_state = -1;
    }
    return idx->tree_state == 1 ? 0 : -1;
}

/* The exact answer to s, whichever structure gives it. */
static void answer(const spatial_index *idx, query *s)
{
    if (idx->cell_start && grid_query(idx, s))
        return;
    if (tree_ensure(idx) == 0)
        search(&idx->tree, 0, 0, idx->ns, s);
    else
        scan_spots(idx->spots, 0, idx->ns, s);   /* no memory for the tree: every spot */
}

int spatial_nearest(const spatial_index *idx, const double q_mm[3], size_t exclude,
                    size_t *out_index, double *out_dist_mm)
{
    if (!idx || !q_mm || idx->ns == 0)
        return 0;
    if (!isfinite(q_mm[0]) || !isfinite(q_mm[1]) || !isfinite(q_mm[2]))
        return 0; /* every distance is infinite or NaN: no neighbour, as by brute force */
    query s = { { q_mm[0], q_mm[1], q_mm[2] },
                exclude == SPATIAL_NONE || exclude >= idx->n ? NONE32 : (uint32_t)exclude,
                INFINITY, NONE32 };
    answer(idx, &s);
    if (s.best_o == NONE32)
        return 0;
    if (out_index)
        *out_index = s.best_o;
    if (out_dist_mm)
        *out_dist_mm = sqrt(s.best);
    return 1;
}

/* The leaf holding tree position t, with its range: the path is implied by the sizes. */
static void leaf_of(size_t ns, size_t t, size_t *lo, size_t *hi)
{
    size_t l = 0, h = ns;
    while (h - l > LEAF_MAX) {
        size_t mid = l + (h - l) / 2;
        if (t < mid)
            h = mid;
        else
            l = mid;
    }
    *lo = l;
    *hi = h;
}

int spatial_all_nearest(const spatial_index *idx, double *out_nn_mm, size_t *out_index)
{
    if (!idx || !out_nn_mm || idx->n < 2)
        return -1;
    size_t ns = idx->ns;
    /* Spots alone at their coordinates, in the index's order (neighbouring queries touch
     * the same cells or nodes); each is one point, whose answer goes straight out. With
     * the tree alone, their own leaf first gives a tight bound, then one search from the
     * root. */
    for (size_t t = 0; t < ns; t++) {
        const spot *sp = &idx->spots[t];
        if (sp->second != NONE32)
            continue;
        query s = { { sp->p[0], sp->p[1], sp->p[2] }, sp->first, INFINITY, NONE32 };
        if (idx->cell_start) {
            answer(idx, &s);
        } else {
            size_t lo, hi;
            leaf_of(ns, t, &lo, &hi);
            scan_spots(idx->spots, lo, hi, &s);
            search(&idx->tree, 0, 0, ns, &s);
        }
        out_nn_mm[sp->first] = sqrt(s.best);
        if (out_index)
            out_index[sp->first] = s.best_o == NONE32 ? SPATIAL_NONE : s.best_o;
    }
    /* The rest: points that are not finite, and points sharing a spot (distance 0). */
    for (size_t i = 0; i < idx->n; i++) {
        uint32_t t = idx->spot_of[i];
        if (t != NONE32 && idx->spots[t].second == NONE32)
            continue;
        double d = INFINITY;
        size_t o = SPATIAL_NONE;
        if (t != NONE32) {
            const spot *sp = &idx->spots[t];
            d = 0.0;
            o = sp->first == (uint32_t)i ? sp->second : sp->first;
        }
        out_nn_mm[i] = d;
        if (out_index)
            out_index[i] = o;
    }
    return 0;
}

/* Which structure answers (for tests and the bench): 1 the grid (with the tree on need),
 * 0 the tree alone. */
int spatial_uses_grid(const spatial_index *idx) { return idx && idx->cell_start != NULL; }

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
