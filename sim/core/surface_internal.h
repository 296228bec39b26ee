/* surface_internal.h: the surface's insides, for the files that build, save and load it
 * (surface.c, surface_cache.c). Everyone else goes through surface.h. */
#ifndef STIPPLE_SURFACE_INTERNAL_H
#define STIPPLE_SURFACE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "surface.h"

#define TAB_NA        360      /* azimuth samples of the arc-length table */
#define TAB_NT        512      /* polar-angle samples */

#define BVH_MAXDEPTH  60       /* deepest BVH node; the ray cast's stack holds 2 x that + 8 */

typedef struct bvh_node {
    double lo[3], hi[3];
    uint32_t first;       /* leaf: first triangle in tri_order; inner: left child */
    uint32_t count;       /* leaf: number of triangles; inner: 0 (right child = left + 1) */
} bvh_node;

struct surface {
    surface_kind kind;
    double width, height;
    size_t nv, nt;
    float *pos_f, *nrm_f, *chart_f;
    uint32_t *idx;
    uint8_t *treg;
    uint8_t *tcharted;    /* 1 for cranium triangles */
    double *pos, *nrm, *chart;
    bvh_node *nodes;
    size_t nnodes;
    uint32_t *tri_order;
    double bmin[3], bmax[3];
    double *stab;         /* (TAB_NA + 1) x (TAB_NT + 1) arc lengths, head only */
};

#endif
