/* live.c: see live.h. A chart grid of 2 mm cells holds dot indices; neighbour searches
 * look at the cells within 8 mm. Distances are 3D (skin) distances. */
#include "live.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CELL_MM 2.0
#define NN_MAX_MM 8.0
#define OV_CELL_MM 1.0

typedef struct lcell { uint32_t *idx; uint32_t n, cap; } lcell;

struct live {
    const lesson  *lesson;
    const surface *surface;
    double u0, v0;
    int    gw, gh;
    lcell *cells;
    double *nn;
    float  *pos;           /* 3 a dot */
    float  *chart;         /* 2 a dot */
    size_t  n, cap;
    uint8_t *img;
    uint8_t *zone;         /* overlay cells in the working zone */
    int     ow, oh;
};

live *live_create(const lesson *l, const surface *s, double u0, double v0, double w_mm, double h_mm)
{
    live *lv = calloc(1, sizeof *lv);
    if (!lv)
        return NULL;
    lv->lesson = l;
    lv->surface = s;
    lv->u0 = u0;
    lv->v0 = v0;
    lv->gw = (int)ceil(w_mm / CELL_MM);
    lv->gh = (int)ceil(h_mm / CELL_MM);
    lv->cells = calloc((size_t)lv->gw * (size_t)lv->gh, sizeof *lv->cells);
    lv->ow = (int)ceil(w_mm / OV_CELL_MM);
    lv->oh = (int)ceil(h_mm / OV_CELL_MM);
    lv->img = calloc((size_t)lv->ow * (size_t)lv->oh, 4);
    lv->zone = calloc((size_t)lv->ow * (size_t)lv->oh, 1);
    if (!lv->cells || !lv->img || !lv->zone) {
        live_free(lv);
        return NULL;
    }
    for (int y = 0; y < lv->oh; y++)
        for (int x = 0; x < lv->ow; x++) {
            double u = u0 + (x + 0.5) * OV_CELL_MM, v = v0 + (y + 0.5) * OV_CELL_MM;
            region_id r = surface_region_at_chart(s, u, v);
            lv->zone[(size_t)y * (size_t)lv->ow + (size_t)x] = r != REGION_NONE && lesson_zone_contains(l, u, v, r);
        }
    return lv;
}

void live_free(live *lv)
{
    if (!lv)
        return;
    if (lv->cells)
        for (int i = 0; i < lv->gw * lv->gh; i++)
            free(lv->cells[i].idx);
    free(lv->cells);
    free(lv->nn);
    free(lv->pos);
    free(lv->chart);
    free(lv->img);
    free(lv->zone);
    free(lv);
}

static int cell_of(const live *lv, double u, double v, int *cx, int *cy)
{
    int x = (int)floor((u - lv->u0) / CELL_MM), y = (int)floor((v - lv->v0) / CELL_MM);
    x = x < 0 ? 0 : x >= lv->gw ? lv->gw - 1 : x;
    y = y < 0 ? 0 : y >= lv->gh ? lv->gh - 1 : y;
    *cx = x;
    *cy = y;
    return y * lv->gw + x;
}

void live_sync(live *lv, const dot *dots, size_t n)
{
    if (n < lv->n) {
        for (int i = 0; i < lv->gw * lv->gh; i++)
            lv->cells[i].n = 0;
        lv->n = 0;
    }
    if (n > lv->cap) {
        size_t cap = lv->cap ? lv->cap : 1024;
        while (cap < n)
            cap *= 2;
        double *nn = realloc(lv->nn, cap * sizeof *nn);
        if (nn)
            lv->nn = nn;
        float *p = realloc(lv->pos, cap * 3 * sizeof *p);
        if (p)
            lv->pos = p;
        float *c = realloc(lv->chart, cap * 2 * sizeof *c);
        if (c)
            lv->chart = c;
        if (!nn || !p || !c)
            return;
        lv->cap = cap;
    }
    int reach = (int)ceil(NN_MAX_MM / CELL_MM);
    for (size_t i = lv->n; i < n; i++) {
        const dot *d = &dots[i];
        for (int k = 0; k < 3; k++)
            lv->pos[i * 3 + (size_t)k] = (float)d->pos_mm[k];
        lv->chart[i * 2] = (float)d->chart_mm[0];
        lv->chart[i * 2 + 1] = (float)d->chart_mm[1];
        lv->nn[i] = INFINITY;
        int cx, cy;
        int ci = cell_of(lv, d->chart_mm[0], d->chart_mm[1], &cx, &cy);
        for (int y = cy - reach; y <= cy + reach; y++)
            for (int x = cx - reach; x <= cx + reach; x++) {
                if (x < 0 || y < 0 || x >= lv->gw || y >= lv->gh)
                    continue;
                const lcell *c = &lv->cells[y * lv->gw + x];
                for (uint32_t k = 0; k < c->n; k++) {
                    uint32_t j = c->idx[k];
                    double dx = lv->pos[j * 3] - d->pos_mm[0], dy = lv->pos[j * 3 + 1] - d->pos_mm[1],
                           dz = lv->pos[j * 3 + 2] - d->pos_mm[2];
                    double dist = sqrt(dx * dx + dy * dy + dz * dz);
                    if (dist > NN_MAX_MM)
                        continue;
                    if (dist < lv->nn[i])
                        lv->nn[i] = dist;
                    if (dist < lv->nn[j])
                        lv->nn[j] = dist;
                }
            }
        lcell *c = &lv->cells[ci];
        if (c->n == c->cap) {
            uint32_t cap = c->cap ? c->cap * 2 : 8;
            uint32_t *ni = realloc(c->idx, cap * sizeof *ni);
            if (!ni)
                return;
            c->idx = ni;
            c->cap = cap;
        }
        c->idx[c->n++] = (uint32_t)i;
        lv->n = i + 1;
    }
}

double live_nn_mm(const live *lv, size_t i)
{
    return i < lv->n ? lv->nn[i] : INFINITY;
}

double live_density_at(const live *lv, double u, double v, double radius_mm)
{
    int x0, y0, x1, y1;
    cell_of(lv, u - radius_mm, v - radius_mm, &x0, &y0);
    cell_of(lv, u + radius_mm, v + radius_mm, &x1, &y1);
    size_t count = 0;
    double r2 = radius_mm * radius_mm;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            const lcell *c = &lv->cells[y * lv->gw + x];
            for (uint32_t k = 0; k < c->n; k++) {
                uint32_t j = c->idx[k];
                double du = lv->chart[j * 2] - u, dv = lv->chart[j * 2 + 1] - v;
                count += du * du + dv * dv <= r2;
            }
        }
    double area_cm2 = 3.14159265358979 * r2 / 100.0 * surface_chart_area_scale(lv->surface, u, v);
    return area_cm2 > 0.0 ? (double)count / area_cm2 : 0.0;
}

/* blue (low) -> green (on target) -> red (high), t = log2(ratio) clamped to [-1, 1] */
static void ramp(double t, uint8_t out[3])
{
    t = t < -1.0 ? -1.0 : t > 1.0 ? 1.0 : t;
    double r, g, b;
    if (t < 0.0) {
        r = 0.1;
        g = 0.75 + 0.2 * t;
        b = 0.2 - 0.75 * t;
    } else {
        r = 0.1 + 0.85 * t;
        g = 0.75 - 0.6 * t;
        b = 0.2 - 0.1 * t;
    }
    out[0] = (uint8_t)(r * 255.0);
    out[1] = (uint8_t)(g * 255.0);
    out[2] = (uint8_t)(b * 255.0);
}

const uint8_t *live_overlay_image(live *lv, int mode, const dot *dots, int *w, int *h, double *u0, double *v0,
                                  double *cell_mm)
{
    (void)dots;
    if (mode == LIVE_OVERLAY_NONE)
        return NULL;
    memset(lv->img, 0, (size_t)lv->ow * (size_t)lv->oh * 4);
    double target_d = lv->lesson->target_density_per_cm2, target_s = lv->lesson->target_spacing_mm;
    if (mode == LIVE_OVERLAY_DENSITY) {
        for (int y = 0; y < lv->oh; y++)
            for (int x = 0; x < lv->ow; x++) {
                size_t o = (size_t)y * (size_t)lv->ow + (size_t)x;
                if (!lv->zone[o])
                    continue;
                double u = lv->u0 + (x + 0.5) * OV_CELL_MM, v = lv->v0 + (y + 0.5) * OV_CELL_MM;
                double d = live_density_at(lv, u, v, 4.0);
                uint8_t *p = lv->img + o * 4;
                ramp(d > 0.0 ? log2(d / target_d) : -1.0, p);
                p[3] = 110;
            }
    } else {
        /* each cell: the smallest spacing of its dots, against the target */
        for (size_t i = 0; i < lv->n; i++) {
            int x = (int)floor((lv->chart[i * 2] - lv->u0) / OV_CELL_MM), y = (int)floor((lv->chart[i * 2 + 1] - lv->v0) / OV_CELL_MM);
            if (x < 0 || y < 0 || x >= lv->ow || y >= lv->oh)
                continue;
            double nn = lv->nn[i];
            double t = isinf(nn) ? 1.0 : log2(nn / target_s) * 1.5;
            for (int yy = y - 1; yy <= y + 1; yy++)
                for (int xx = x - 1; xx <= x + 1; xx++) {
                    if (xx < 0 || yy < 0 || xx >= lv->ow || yy >= lv->oh)
                        continue;
                    uint8_t *p = lv->img + ((size_t)yy * (size_t)lv->ow + (size_t)xx) * 4;
                    uint8_t c[3];
                    ramp(t, c);
                    /* the worst (closest) spacing wins a cell */
                    if (p[3] == 0 || c[0] > p[0]) {
                        p[0] = c[0];
                        p[1] = c[1];
                        p[2] = c[2];
                        p[3] = (xx == x && yy == y) ? 150 : (p[3] ? p[3] : 90);
                    }
                }
        }
    }
    *w = lv->ow;
    *h = lv->oh;
    *u0 = lv->u0;
    *v0 = lv->v0;
    *cell_mm = OV_CELL_MM;
    return lv->img;
}
