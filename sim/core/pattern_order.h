/* pattern_order.h: does a stipple line up? Rows and lattices seen directly, whatever the
 * jitter, through the bond-orientational order of nearest-neighbour bonds.
 *
 * Clark-Evans R only compares the mean nearest-neighbour distance with that of a random
 * pattern, so a square grid with 10 % jitter or a hexagonal one with 15 % earns the R of a
 * natural hand. What a grid keeps under jitter is its direction: the bonds from each dot
 * to its nearest neighbour point along 2 (rows), 4 (square) or 6 (hexagonal) directions,
 * the same over a whole patch. psi_m = |mean of exp(i m theta)| over the bonds of a patch
 * is near 1 for such a patch and near 0 for a hand's pattern (its bonds point anywhere).
 * See pattern_order.c for the estimator and tests/test_pattern_order.c for the curve. */
#ifndef STIPPLE_PATTERN_ORDER_H
#define STIPPLE_PATTERN_ORDER_H

#include <stddef.h>

#include "dot.h"
#include "surface.h"

typedef enum pattern_order_kind {
    PATTERN_ORDER_NONE = 0,  /* no common direction: a natural pattern (or too few dots) */
    PATTERN_ORDER_ROWS,      /* bonds along one direction: dots in rows */
    PATTERN_ORDER_SQUARE,    /* four directions: a square grid */
    PATTERN_ORDER_HEX,       /* six directions: a hexagonal (triangular) lattice */
} pattern_order_kind;
const char *pattern_order_kind_name(int kind);   /* "none", "rows", "square", "hex" */

/* Order at or above this reads as rows or a grid (calibrated in test_pattern_order: the
 * natural patterns stay under 0.2, lattices with 20 % jitter and rows are over 0.5). */
#define PATTERN_ORDER_THRESHOLD 0.30
/* Fewer bonds than this are too few to tell: order 0, kind none. */
#define PATTERN_ORDER_MIN_BONDS 60

typedef struct pattern_order {
    double psi[3];       /* order of m = 2, 4, 6 (0..1), noise removed, over the patches */
    double order;        /* the larger of psi4 and psi6 (psi2 only says rows: see .c) */
    int    kind;         /* enum pattern_order_kind; NONE when order < the threshold */
    size_t bonds;        /* bonds measured */
    size_t patches;      /* patches that held bonds */
} pattern_order;

/* Skin mm per chart mm along u and v at a chart point (surface_chart_scales), so that the
 * bonds' angles are those on the skin; NULL when the coordinates are skin mm already. */
typedef void (*pattern_scale_fn)(void *ctx, double u_mm, double v_mm, double *su, double *sv);

/* uv_mm: 2 doubles a dot (chart mm); nn_index: each dot's nearest neighbour (an index
 * below n, or anything >= n for none); patch_mm: patch edge in chart mm (about 12 spacings:
 * long enough to see a lattice's direction, short enough that a curved head does not turn
 * it). Deterministic. 0, or -1 on allocation failure or bad arguments (out zeroed). */
int pattern_order_measure(const double *uv_mm, const size_t *nn_index, size_t n, double patch_mm,
                          pattern_scale_fn scale, void *scale_ctx, pattern_order *out);

/* The score's use of it: the order of dots[zone_idx[k]], k < m, whose nearest neighbours
 * (indices k among them, as spatial_all_nearest gives) are nn_index, on the skin through
 * the surface's chart scales, in patches of 12 target spacings. 0 or -1 (out of memory). */
int pattern_order_of_dots(const dot *dots, const size_t *zone_idx, const size_t *nn_index, size_t m,
                          double spacing_mm, const surface *s, pattern_order *out);

/* The pattern marks' factor for an order: 1 below PATTERN_ORDER_THRESHOLD (a natural
 * pattern), falling linearly to 0 at twice it (a lattice with about 25 % jitter, rows). */
double pattern_order_factor(double order);

/* What to do about it, in a sentence a trainee can act on ("" for none). */
const char *pattern_order_advice(int kind);

#endif
