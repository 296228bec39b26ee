/* edge_field.h: how far a chart point lies from the edge of a lesson area (lesson_zone),
 * inside (+) or outside (-), in chart millimetres. Made once per area from its membership
 * on a grid over a box, then read anywhere in the box in constant time; used where an
 * area's edge is a line drawn on the chart (region borders, Norwood presets) and what
 * grows there should fade across it rather than stop at it (scalp_features.c, hairs).
 *
 * Accuracy: within step_mm of the true distance, up to reach_mm from the edge; further
 * out the distance reads as +-(reach_mm + step_mm) (far inside or far outside). */
#ifndef STIPPLE_EDGE_FIELD_H
#define STIPPLE_EDGE_FIELD_H

#include "lesson.h"
#include "surface.h"

typedef struct edge_field {
    double u0_mm, v0_mm, step_mm, far_mm;
    int    w, h;
    float *dist_mm;      /* w * h nodes, row by row: the signed distance at each */
} edge_field;

/* The field of area a over box[4] = (u0, v0, u1, v1) (chart mm), nodes step_mm apart;
 * membership as lesson_area_contains() with the surface's region. 0 on success, -1 out
 * of memory, a box over 4096 nodes a side, or a step or reach not finite (or a reach
 * over 4096 steps); on failure the field reads -(reach + step) everywhere. */
int    edge_field_make(const lesson_zone *a, const surface *s, const double box[4], double step_mm, double reach_mm,
                       edge_field *out);
void   edge_field_free(edge_field *f);   /* NULL-safe */

/* The signed distance at chart (u, v) (bilinear between nodes); outside the box, -far. */
double edge_field_at(const edge_field *f, double u_mm, double v_mm);

#endif
