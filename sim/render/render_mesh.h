/* render_mesh.h: the skin mesh the renderer draws, made from the core's surface: a coarser
 * copy of the head (vertex clustering), its triangles grouped in chunks that are close in
 * space and face about one way, so that a frame draws only the chunks it can see (a view
 * of the scalp at working magnification skips the face, and a view of the face the back of
 * the head). Skipping is exact: a chunk is left out only when every one of its triangles
 * lies outside the view, faces away (GL would clip or cull each of them), or lies behind
 * the head's occluder: an ellipsoid inside the cranium's closed skin, so that any line of
 * sight that reaches it has met the skin first (a view of the crown skips the face). */
#ifndef STIPPLE_RENDER_MESH_H
#define STIPPLE_RENDER_MESH_H

#include <stddef.h>
#include <stdint.h>

#include "surface.h"

/* An ellipsoid (axis-aligned, mm) inside the closed skin of the mesh's charted part. */
typedef struct mesh_occluder {
    int   valid;                     /* 0: none (the practice skin, or a part not closed) */
    float center[3], axes[3];
} mesh_occluder;

typedef struct render_mesh {
    float    *pos, *nrm, *chart;     /* mm; per vertex */
    uint32_t *idx;                   /* 3 a triangle, counter-clockwise seen from outside */
    size_t    nv, nt;
    mesh_occluder occluder;
} render_mesh;

typedef struct mesh_chunk {
    uint32_t first, count;           /* its indices in render_mesh.idx */
    float    center[3], radius;      /* a sphere round its vertices (mm) */
    float    axis[3], cone_rad;      /* every face normal is within cone_rad of axis */
} mesh_chunk;

/* The mesh to draw for s, its triangles ordered chunk by chunk: decimated when s has many
 * triangles (the head), else a copy of s's own (the practice skin). 0, or -1 out of
 * memory. */
int  render_mesh_make(const surface *s, render_mesh *out, mesh_chunk **chunks, size_t *nchunks);
void render_mesh_free(render_mesh *m);

/* The same, made ahead (it needs no GL: a worker thread makes it while the window opens,
 * ~0.1-0.15 s of a start) and handed to render_create_from. */
typedef struct render_mesh_prepared {
    const surface *surface;          /* the surface it was made from */
    render_mesh    mesh;
    mesh_chunk    *chunks;
    size_t         nchunks;
} render_mesh_prepared;

/* NULL out of memory. */
render_mesh_prepared *render_mesh_prepare(const surface *s);
void                  render_mesh_prepared_free(render_mesh_prepared *p);   /* NULL-safe */

/* Whether a sphere (mm) is wholly hidden from the eye behind the occluder. */
int    mesh_occluder_hides(const mesh_occluder *o, const double eye[3], const double center[3], double radius);

/* The index ranges to draw for a view (mvp column-major, as OpenGL takes it; eye in mm; occ
 * may be NULL): the visible chunks, nearest first (hidden skin then fails the depth test unshaded),
 * neighbours merged. Writes at most nchunks ranges (index counts, and first indices);
 * scratch holds nchunks * RENDER_MESH_SCRATCH_BYTES. Returns how many. */
size_t render_mesh_visible(const mesh_chunk *chunks, size_t nchunks, const mesh_occluder *occ, const float mvp[16],
                           const double eye[3], int32_t *counts, uint32_t *firsts, void *scratch);
#define RENDER_MESH_SCRATCH_BYTES 16     /* a chunk, for render_mesh_visible's scratch */

#endif
