/* render_dots.c: the dots baked into the renderer's chart texture (over the client's scars
 * and hairs) and gridded for the crisp dots in view; taken out again when a review seeks
 * back (render_keep_base). See renderer.h. */
#include <glad/gl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "color.h"
#include "gl_util.h"
#include "renderer_internal.h"

/* ---- dots: looks, grid, texture ---------------------------------------------------- */

static int grid_add(renderer *r, uint32_t idx)
{
    const dot_look *L = look_at(r, idx);
    int cx = (int)floor(((double)L->u - r->gu0) / GRID_CELL_MM);
    int cy = (int)floor(((double)L->v - r->gv0) / GRID_CELL_MM);
    cx = cx < 0 ? 0 : cx >= r->gw ? r->gw - 1 : cx;
    cy = cy < 0 ? 0 : cy >= r->gh ? r->gh - 1 : cy;
    cell *c = &r->cells[cy * r->gw + cx];
    if (c->n == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 16;
        uint32_t *ni = realloc(c->idx, cap * sizeof *ni);
        if (!ni)
            return -1;
        c->idx = ni;
        c->cap = cap;
    }
    c->idx[c->n++] = idx;
    return 0;
}

#define SCAR_OPACITY 0.9f

/* The scars under the dot texture's dots: their coverage on 2 x 2 samples a texel. */
static void paint_scars(renderer *r)
{
    const dotmap *m = r->map;
    int x0 = (int)floor((r->scar_box[0] - m->u0) / m->texel_mm), x1 = (int)ceil((r->scar_box[2] - m->u0) / m->texel_mm);
    int y0 = (int)floor((r->scar_box[1] - m->v0) / m->texel_mm), y1 = (int)ceil((r->scar_box[3] - m->v0) / m->texel_mm);
    x0 = x0 < 0 ? 0 : x0;      /* the map's texels only */
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > m->w[0] ? m->w[0] : x1;
    y1 = y1 > m->h[0] ? m->h[0] : y1;
    int w = x1 - x0, h = y1 - y0;
    if (w <= 0 || h <= 0 || (size_t)w * (size_t)h > 64u << 20)
        return;
    float *cov = malloc((size_t)(2 * w) * (size_t)(2 * h) * sizeof *cov);
    if (!cov)
        return;
    double half = 0.5 * m->texel_mm;
    scalp_scar_raster(r->lesson, &r->feat, m->u0 + x0 * m->texel_mm, m->v0 + y0 * m->texel_mm, half, 2 * w, 2 * h, cov);
    for (size_t i = 0; i < (size_t)(2 * w) * (size_t)(2 * h); i++)
        cov[i] *= SCAR_OPACITY;
    dotmap_paint(r->map, x0, y0, w, h, cov, r->scar_rgb);
    free(cov);
}

/* The client's scars and hairs, baked (and the hairs gridded) first: then the dots, which
 * are put in over them (a simplification: a hair lies above the ink, but dots arrive after
 * the hairs). */
void render_add_hairs(renderer *r)
{
    if (r->scar_tex)
        paint_scars(r);
    dotmap_splat_many(r->map, r->hairs, r->nhairs);
    for (size_t i = 0; i < r->nhairs; i++)
        if (grid_add(r, (uint32_t)i | HAIR_BIT) != 0)
            return;
}

static void grid_clear(renderer *r)
{
    for (int i = 0; i < r->gw * r->gh; i++)
        r->cells[i].n = 0;
}

/* Back to the first n dots without baking them all again: the tiles the later dots touched
 * are restored from the kept base (dotmap_unsplat) and the grid forgets them. 0, or -1 when
 * it cannot (no base kept): then everything is baked again. */
static int unbake(renderer *r, size_t n)
{
    if (dotmap_unsplat(r->map, r->looks, n, r->nlooks) != 0)
        return -1;
    for (int i = 0; i < r->gw * r->gh; i++) {
        cell *c = &r->cells[i];
        uint32_t k = 0;
        for (uint32_t j = 0; j < c->n; j++)
            if ((c->idx[j] & HAIR_BIT) || c->idx[j] < n)
                c->idx[k++] = c->idx[j];
        c->n = k;
    }
    r->nlooks = n;
    return 0;
}

int render_keep_base(renderer *r)
{
    if (r->nlooks)
        return -1;   /* the base is the texture before any dot */
    r->keep_base = 1;
    return 0;
}

void render_sync_dots(renderer *r, const dot *dots, size_t n, int healed)
{
    /* a deferred renderer's hairs and scars before the first dot: they lie under every dot */
    if (r->hairs_pending && n > 0 && render_bake_pending(r) < 0)
        fprintf(stderr, "render: out of memory making the client's hairs: the skin is drawn without them\n");
    /* the base is copied when the first dot comes (not at the first frame, which it would slow) */
    if (r->keep_base && !r->map->base && !r->nlooks && n && dotmap_keep_base(r->map) != 0) {
        fprintf(stderr, "render: out of memory keeping the dot texture's base: a seek back bakes every dot again\n");
        r->keep_base = 0;
    }
    if (healed != r->healed || (n < r->nlooks && unbake(r, n) != 0)) {
        r->nlooks = 0;
        r->healed = healed;
        dotmap_clear(r->map);
        grid_clear(r);
        if (!r->hairs_pending)      /* else they come with render_bake_pending */
            render_add_hairs(r);
    }
    if (n > r->caplooks) {
        size_t cap = r->caplooks ? r->caplooks : 1024;
        while (cap < n)
            cap *= 2;
        dot_look *nl = realloc(r->looks, cap * sizeof *nl);
        if (!nl)
            return;
        r->looks = nl;
        r->caplooks = cap;
    }
    for (size_t i = r->nlooks; i < n; i++) {
        dot_look_make(&dots[i], r->surface, healed, &r->looks[i]);
        dotmap_splat(r->map, &r->looks[i]);
        if (grid_add(r, (uint32_t)i) != 0)
            return;
        r->nlooks = i + 1;
    }
}

/* ---- the client's hair and scars ------------------------------------------------------- */

/* Hairs [i0, i1) as looks at out[2 i], each its shadow then itself; a hair off the skin gets
 * two invisible looks (visible 0), dropped after. */
typedef struct hair_job {
    const renderer *r;
    const float *rgb;
    size_t i0, i1;
    dot_look *out;
} hair_job;

static void *hair_job_main(void *arg)
{
    const hair_job *j = arg;
    for (size_t i = j->i0; i < j->i1; i++) {
        dot_look *o = j->out + 2 * i;
        if (dot_look_make_hair(&j->r->feat.hairs[i], j->rgb, j->r->surface, &o[1]) == 0)
            dot_look_make_hair_shadow(&o[1], &o[0]);
        else
            memset(o, 0, 2 * sizeof *o);
    }
    return NULL;
}

int render_make_hairs(renderer *r)
{
    size_t n = r->feat.hair_count;
    if (!n)
        return 0;
    r->hairs = calloc(2 * n, sizeof *r->hairs);   /* each: shadow, then hair */
    if (!r->hairs)
        return -1;
    float rgb[3];
    lab_to_linear(&r->feat.hair_colour, rgb);
    /* two threads, each half the hairs (tens of thousands on a client with hair) */
    hair_job lo = { r, rgb, 0, n / 2, r->hairs }, hi = { r, rgb, n / 2, n, r->hairs };
    pthread_t th;
    int threaded = n >= 1000 && pthread_create(&th, NULL, hair_job_main, &hi) == 0;
    hair_job_main(&lo);
    if (threaded)
        pthread_join(th, NULL);
    else
        hair_job_main(&hi);
    for (size_t i = 0; i < n; i++)
        if (r->hairs[2 * i + 1].visible) {
            if (r->nhairs != 2 * i)
                memcpy(&r->hairs[r->nhairs], &r->hairs[2 * i], 2 * sizeof *r->hairs);
            r->nhairs += 2;
        }
    return 0;
}

/* Scar tissue as a chart-space texture over the scars' bounding box (premultiplied linear
 * colour, coverage in alpha), for the views with crisp dots (the dot texture has the scars
 * under its dots for the others): paler and less red than the skin around it, as
 * healed scars are (hypopigmented, smp-reference.md section 5). Texels of 0.05 mm, coarser
 * when the box is large (at most 4 M texels). */
#define SCAR_TEXEL_MM 0.05
#define SCAR_MAX_TEXELS (4u << 20)

int render_make_scars(renderer *r)
{
    const lesson *l = r->lesson;
    if (!l->scar_count)
        return 0;
    double box[4] = { INFINITY, INFINITY, -INFINITY, -INFINITY }, one[4];
    for (size_t k = 0; k < l->scar_count; k++) {
        const lesson_scar *sc = &l->scars[k];
        lesson_points_box(sc->points, sc->point_count,
                          sc->kind == SCAR_STRIP ? 0.5 * sc->width_mm + 0.5 : sc->diameter_mm + 0.5, one);
        box[0] = fmin(box[0], one[0]);
        box[1] = fmin(box[1], one[1]);
        box[2] = fmax(box[2], one[2]);
        box[3] = fmax(box[3], one[3]);
    }
    /* what the chart texture covers, no more (a point far off would coarsen it all) */
    const dotmap *dm = r->map;
    const double chart[4] = { dm->u0, dm->v0, dm->u0 + dm->w[0] * dm->texel_mm, dm->v0 + dm->h[0] * dm->texel_mm };
    if (!lesson_box_clip(box, chart))
        return 0;
    double texel = SCAR_TEXEL_MM;
    int w, h;
    for (;;) {
        w = (int)ceil((box[2] - box[0]) / texel);
        h = (int)ceil((box[3] - box[1]) / texel);
        if ((size_t)w * (size_t)h <= SCAR_MAX_TEXELS && w <= 4096 && h <= 4096)
            break;
        texel *= 1.25;
    }
    uint8_t *px = calloc((size_t)w * (size_t)h, 4);
    float *cov = malloc((size_t)w * (size_t)h * sizeof *cov);
    if (!px || !cov) {
        free(px);
        free(cov);
        return -1;
    }
    lab skin, scar;
    skin_lab_fitzpatrick(l->fitzpatrick, &skin);
    scar.L = fmin(95.0, skin.L + 8.0);
    scar.a = skin.a * 0.55;
    scar.b = skin.b * 0.7;
    lab_to_linear(&scar, r->scar_rgb);
    memcpy(r->scar_box, box, sizeof box);
    scalp_scar_raster(l, &r->feat, box[0], box[1], texel, w, h, cov);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float a = SCAR_OPACITY * cov[(size_t)y * (size_t)w + (size_t)x];
            if (a <= 0.0f)
                continue;
            uint8_t *o = px + ((size_t)y * (size_t)w + (size_t)x) * 4;
            for (int c = 0; c < 3; c++)
                o[c] = (uint8_t)lrint(255.0 * a * r->scar_rgb[c]);
            o[3] = (uint8_t)lrint(255.0 * a);
        }
    glGenTextures(1, &r->scar_tex);
    glBindTexture(GL_TEXTURE_2D, r->scar_tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, px);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    /* no mipmaps: it is drawn only where crisp dots are, magnified (see render_draw) */
    glu_texture_clamp_clear(GL_LINEAR, GL_LINEAR);
    free(px);
    free(cov);
    r->scar_xform[0] = box[0];
    r->scar_xform[1] = box[1];
    r->scar_xform[2] = 1.0 / (w * texel);
    r->scar_xform[3] = 1.0 / (h * texel);
    return 0;
}
