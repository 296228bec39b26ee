/* edge_field.c: see edge_field.h.
 * A node's distance is to the nearest node of the other side, less half a step (the edge
 * lies between the two). That nearest node always has a neighbour on the node's own side
 * (the step from it towards the node), so it is enough to stamp distances out from the
 * nodes that have a neighbour across the edge: a few thousand, each over a window of
 * reach_mm, instead of every node searching its own window. */
#include "edge_field.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define EDGE_FIELD_MAX_SIDE 4096

int edge_field_make(const lesson_zone *a, const surface *s, const double box[4], double step_mm, double reach_mm,
                    edge_field *out)
{
    *out = (edge_field){ 0 };
    out->far_mm = reach_mm + step_mm;     /* what edge_field_at reads if making fails */
    if (!(step_mm > 0.0) || !(reach_mm >= 0.0) || !isfinite(reach_mm) || !isfinite(step_mm) ||
        !(box[2] >= box[0]) || !(box[3] >= box[1]) || reach_mm > EDGE_FIELD_MAX_SIDE * step_mm)
        return -1;
    double nu = floor((box[2] - box[0]) / step_mm) + 2.0, nv = floor((box[3] - box[1]) / step_mm) + 2.0;
    if (nu > EDGE_FIELD_MAX_SIDE || nv > EDGE_FIELD_MAX_SIDE)
        return -1;
    int w = (int)nu, h = (int)nv;
    size_t n = (size_t)w * (size_t)h;
    uint8_t *in = malloc(n);
    float *d = malloc(n * sizeof *d);
    if (!in || !d) {
        free(in);
        free(d);
        return -1;
    }
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            double u = box[0] + i * step_mm, v = box[1] + j * step_mm;
            in[(size_t)j * (size_t)w + (size_t)i] = (uint8_t)lesson_area_contains(a, u, v, surface_region_at_chart(s, u, v));
        }
    double far = reach_mm + step_mm;
    for (size_t k = 0; k < n; k++)
        d[k] = (float)far;
    int r = (int)ceil(far / step_mm);
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            uint8_t me = in[(size_t)j * (size_t)w + (size_t)i];
            int across = (i > 0 && in[(size_t)j * (size_t)w + (size_t)i - 1] != me)
                || (i + 1 < w && in[(size_t)j * (size_t)w + (size_t)i + 1] != me)
                || (j > 0 && in[(size_t)(j - 1) * (size_t)w + (size_t)i] != me)
                || (j + 1 < h && in[(size_t)(j + 1) * (size_t)w + (size_t)i] != me);
            if (!across)
                continue;
            /* every node of the other side within reach: this one may be its nearest */
            int y0 = j - r < 0 ? 0 : j - r, y1 = j + r >= h ? h - 1 : j + r;
            int x0 = i - r < 0 ? 0 : i - r, x1 = i + r >= w ? w - 1 : i + r;
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    size_t k = (size_t)y * (size_t)w + (size_t)x;
                    if (in[k] == me)
                        continue;
                    float dd = (float)(hypot(x - i, y - j) * step_mm - 0.5 * step_mm);
                    if (dd < d[k])
                        d[k] = dd;
                }
            }
        }
    for (size_t k = 0; k < n; k++)
        if (!in[k])
            d[k] = -d[k];
    free(in);
    out->u0_mm = box[0];
    out->v0_mm = box[1];
    out->step_mm = step_mm;
    out->far_mm = far;
    out->w = w;
    out->h = h;
    out->dist_mm = d;
    return 0;
}

void edge_field_free(edge_field *f)
{
    if (!f)
        return;
    free(f->dist_mm);
    f->dist_mm = NULL;
    f->w = f->h = 0;
}

double edge_field_at(const edge_field *f, double u_mm, double v_mm)
{
    if (!f->dist_mm)
        return -f->far_mm;
    double x = (u_mm - f->u0_mm) / f->step_mm, y = (v_mm - f->v0_mm) / f->step_mm;
    if (!(x >= 0.0) || !(y >= 0.0) || x > f->w - 1 || y > f->h - 1)
        return -f->far_mm;
    int i = (int)x, j = (int)y;
    if (i > f->w - 2) i = f->w - 2;
    if (j > f->h - 2) j = f->h - 2;
    double fx = x - i, fy = y - j;
    const float *p = f->dist_mm + (size_t)j * (size_t)f->w + (size_t)i;
    double top = p[0] + (p[1] - p[0]) * fx;
    double bot = p[f->w] + (p[f->w + 1] - p[f->w]) * fx;
    return top + (bot - top) * fy;
}
