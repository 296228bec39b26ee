/* scalp_features.h: what the client's scalp already has before the first dot, made from the
 * lesson: the hairs of "existing_hair" (supplemental-density lessons) and the punch scars
 * of FUE "scars" (strip scars are their path, in the lesson itself). Placement is made from
 * the lesson's seeds, so every session, replay and renderer sees the same hairs and scars.
 * Read by the renderer (draws them) and the score (a scar's own depth band). */
#ifndef STIPPLE_SCALP_FEATURES_H
#define STIPPLE_SCALP_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "color.h"
#include "lesson.h"
#include "surface.h"

/* One hair of stubble as seen on the skin: it leaves the follicle at (u, v) and lies along
 * direction dir_rad (chart frame, 0 = +u) for length_mm. */
typedef struct scalp_hair {
    double u_mm, v_mm;
    float  dir_rad;
    float  length_mm;     /* projected on the skin */
    float  width_mm;      /* shaft diameter */
} scalp_hair;

typedef struct scalp_punch {
    double u_mm, v_mm;
    double radius_mm;
    uint32_t scar;        /* index into lesson.scars */
} scalp_punch;

typedef struct scalp_features {
    scalp_hair  *hairs;
    size_t       hair_count;
    size_t       unit_count;     /* follicular units the hairs grow in */
    lab          hair_colour;
    scalp_punch *punches;
    size_t       punch_count;
    /* punches binned by chart cell, for scar lookups */
    double       gu0, gv0, cell_mm;
    int          gw, gh;
    uint32_t    *cell_start;     /* gw * gh + 1 offsets into cell_items */
    uint32_t    *cell_items;
} scalp_features;

/* 0 on success (free with scalp_features_free), -1 out of memory. */
int  scalp_features_make(const lesson *l, const surface *s, scalp_features *out);
void scalp_features_free(scalp_features *f);   /* NULL-safe */

/* Scar tissue at a chart point: coverage 0..1 (soft edge), and the scar's index (-1 where
 * coverage is 0). */
double scalp_scar_at(const lesson *l, const scalp_features *f, double u_mm, double v_mm, int *scar);

/* scalp_scar_at's coverage at the centres of a grid of w x h texels of texel_mm from chart
 * (u0, v0) (row by row), computed near each scar only (images of the scars). */
void scalp_scar_raster(const lesson *l, const scalp_features *f, double u0, double v0, double texel_mm, int w, int h,
                       float *cov);

/* The ideal and acceptable depth bands for a dot at a chart point: the scar's own where the
 * point is scar tissue (coverage >= 0.5) and the scar sets them, else the session's. */
int  scalp_depth_bands(const lesson *l, const scalp_features *f, double u_mm, double v_mm, const double **band,
                       const double **acceptable);

#endif
