/* spatial.h: exact nearest neighbours of dots in 3D (surface points), through a uniform
 * grid where the layout is spread and a k-d tree over the distinct points where it is not,
 * whatever the layout (O(n log n) at worst to build and for all nearest neighbours;
 * 200,000 dots at one spot cost no more than one). Also the plain statistics built on
 * them. The index keeps its own copy of the points; the caller's array may be freed. An
 * index is not shared between threads (a query may build the tree it keeps for later). */
#ifndef STIPPLE_SPATIAL_H
#define STIPPLE_SPATIAL_H

#include <stddef.h>

#define SPATIAL_NONE ((size_t)-1)

typedef struct spatial_index spatial_index;

/* xyz: 3 floats a point (mm). cell_mm: the expected spacing, the grid's cell (0: the tree
 * alone). NULL on allocation failure or n == 0. */
spatial_index *spatial_build(const float *xyz, size_t n, double cell_mm);
/* The same index over n points read in place: point k is the 3 doubles (mm) at byte
 * offset sel[k] * stride_bytes from first, stored as floats (as spatial_build stores them,
 * so both give the same index and answers); indices are k. Saves the caller a copy. */
spatial_index *spatial_build_gather(const double *first, size_t stride_bytes, const size_t *sel, size_t n,
                                    double cell_mm);
/* 1 when a grid answers first (the layout is spread), 0 when the tree does everything. */
int spatial_uses_grid(const spatial_index *idx);
void spatial_free(spatial_index *idx);   /* NULL is a no-op */

/* Nearest point to q other than index `exclude` (SPATIAL_NONE for none).
 * 1 and the index and distance when found, 0 when the index holds no other point. */
int spatial_nearest(const spatial_index *idx, const double q_mm[3], size_t exclude,
                    size_t *out_index, double *out_dist_mm);

/* Nearest-neighbour distance (and index, if out_index is not NULL) of every point, in
 * the caller's original order. Needs n >= 2; returns 0 on success, -1 otherwise. */
int spatial_all_nearest(const spatial_index *idx, double *out_nn_mm, size_t *out_index);

/* Same by brute force, O(n^2): the reference for tests. */
void spatial_all_nearest_brute(const float *xyz, size_t n, double *out_nn_mm, size_t *out_index);

/* Clark-Evans ratio R = observed mean NN distance / (0.5 / sqrt(density)), plain, without
 * edge correction. density in points per mm^2. */
double clark_evans_r(double mean_nn_mm, double density_per_mm2);

#endif
