/* dotmap.c: see dotmap.h. */
#include "dotmap.h"

#include <glad/gl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gl_util.h"

#define SUB 4   /* samples per texel side */

dotmap *dotmap_create(double u0_mm, double v0_mm, int w, int h, double texel_mm)
{
    if (w <= 0 || h <= 0 || !(texel_mm > 0.0))
        return NULL;
    dotmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->u0 = u0_mm;
    m->v0 = v0_mm;
    m->texel_mm = texel_mm;
    int lw = w, lh = h, k = 0;
    for (;;) {
        m->w[k] = lw;
        m->h[k] = lh;
        m->tw[k] = (lw + DOTMAP_TILE - 1) / DOTMAP_TILE;
        m->th[k] = (lh + DOTMAP_TILE - 1) / DOTMAP_TILE;
        m->px[k] = calloc((size_t)lw * (size_t)lh, 4);
        m->dirty[k] = calloc((size_t)m->tw[k] * (size_t)m->th[k], 1);
        if (!m->px[k] || !m->dirty[k]) {
            m->levels = k + 1;
            dotmap_free(m);
            return NULL;
        }
        k++;
        if ((lw == 1 && lh == 1) || k == DOTMAP_MAX_LEVELS)
            break;
        lw = lw > 1 ? lw / 2 : 1;
        lh = lh > 1 ? lh / 2 : 1;
    }
    m->levels = k;
    return m;
}

void dotmap_free(dotmap *m)
{
    if (!m)
        return;
    if (m->tex) {
        GLuint t = m->tex;
        glDeleteTextures(1, &t);
    }
    for (int k = 0; k < m->levels; k++) {
        free(m->px[k]);
        free(m->dirty[k]);
    }
    free(m->base);
    free(m);
}

/* Zeroes every level of the GL texture with framebuffer clears: llvmpipe fills the memory
 * on its threads, where uploading 67 MB of zeros took ~110 ms. 0 on success. */
static int gpu_clear(dotmap *m)
{
    GLint draw_fb = 0, read_fb = 0;
    GLfloat cc[4];
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &draw_fb);
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read_fb);
    glGetFloatv(GL_COLOR_CLEAR_VALUE, cc);
    GLboolean scissor = glIsEnabled(GL_SCISSOR_TEST);
    glDisable(GL_SCISSOR_TEST);
    GLuint fb;
    glGenFramebuffers(1, &fb);
    glBindFramebuffer(GL_FRAMEBUFFER, fb);
    glClearColor(0.0f, 0.0f, 0.0f, 0.0f);
    int ok = 1;
    for (int k = 0; k < m->levels && ok; k++) {
        glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, m->tex, k);
        ok = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
        if (ok)
            glClear(GL_COLOR_BUFFER_BIT);
    }
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, (GLuint)draw_fb);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, (GLuint)read_fb);
    glDeleteFramebuffers(1, &fb);
    glClearColor(cc[0], cc[1], cc[2], cc[3]);
    if (scissor)
        glEnable(GL_SCISSOR_TEST);
    return ok ? 0 : -1;
}

void dotmap_clear(dotmap *m)
{
    /* the GL texture is cleared in place; without one yet, the first flush makes it clear */
    int gpu = m->tex && gpu_clear(m) == 0;
    for (int k = 0; k < m->levels; k++) {
        memset(m->px[k], 0, (size_t)m->w[k] * (size_t)m->h[k] * 4);
        memset(m->dirty[k], gpu ? 0 : 1, (size_t)m->tw[k] * (size_t)m->th[k]);
    }
    m->any_dirty = !gpu;
}

static uint8_t to8(float x)
{
    float y = x * 255.0f + 0.5f;
    return (uint8_t)(y < 0.0f ? 0.0f : y > 255.0f ? 255.0f : y);
}

/* Composites colour rgb (linear) with coverage a "over" a premultiplied RGBA8 texel. */
static void over(uint8_t *p, const float rgb[3], float a)
{
    float keep = 1.0f - a;
    for (int k = 0; k < 3; k++)
        p[k] = to8(rgb[k] * a + (float)p[k] / 255.0f * keep);
    p[3] = to8(a + (float)p[3] / 255.0f * keep);
}

/* Clips level-0 texels [x0, x1] x [y0, y1] (inclusive) to the map; 0 if nothing is left. */
static int clip_box(const dotmap *m, int *x0, int *y0, int *x1, int *y1)
{
    if (*x1 < 0 || *y1 < 0 || *x0 >= m->w[0] || *y0 >= m->h[0])
        return 0;
    *x0 = *x0 < 0 ? 0 : *x0;
    *y0 = *y0 < 0 ? 0 : *y0;
    *x1 = *x1 >= m->w[0] ? m->w[0] - 1 : *x1;
    *y1 = *y1 >= m->h[0] ? m->h[0] - 1 : *y1;
    return 1;
}

static void mark_dirty(dotmap *m, int x0, int y0, int x1, int y1)
{
    for (int ty = y0 / DOTMAP_TILE; ty <= y1 / DOTMAP_TILE; ty++)
        for (int tx = x0 / DOTMAP_TILE; tx <= x1 / DOTMAP_TILE; tx++)
            m->dirty[0][ty * m->tw[0] + tx] = 1;
    m->any_dirty = 1;
}

/* The level-0 texels a dot can touch, clipped to the map; 0 when none. */
static int look_box(const dotmap *m, const dot_look *L, int *x0, int *y0, int *x1, int *y1)
{
    if (!L->visible)
        return 0;
    float ext = dot_look_extent_mm(L);
    double eu = (double)ext / (double)L->su, ev = (double)ext / (double)L->sv;   /* chart mm */
    double fx0 = ((double)L->u - eu - m->u0) / m->texel_mm, fx1 = ((double)L->u + eu - m->u0) / m->texel_mm;
    double fy0 = ((double)L->v - ev - m->v0) / m->texel_mm, fy1 = ((double)L->v + ev - m->v0) / m->texel_mm;
    *x0 = (int)floor(fx0);
    *x1 = (int)floor(fx1);
    *y0 = (int)floor(fy0);
    *y1 = (int)floor(fy1);
    return clip_box(m, x0, y0, x1, y1);
}

/* The texels of row y whose centres can lie within (A, B) (skin mm, along and across the
 * major axis) of an untailed mark: the row's span of the rotated rectangle, a texel wider
 * each side. Only narrows [*xa, *xb]: the per-texel test in splat() still decides, so the
 * result is the same as testing the whole box; a long, thin mark (a hair, its shadow) no
 * longer walks the whole square round it. */
static void rect_row_span(const dotmap *m, const dot_look *L, const dot_profile *prof, float A, float B, int y,
                          int *xa, int *xb)
{
    double t = m->texel_mm;
    double my = ((m->v0 + y * t) - (double)L->v + 0.5 * t) * (double)L->sv;
    double c = (double)prof->c, sn = (double)prof->sn, lo = -1e30, hi = 1e30;
    /* |mx c + my sn| <= A and |-mx sn + my c| <= B, each an interval of mx */
    if (fabs(c) > 1e-6) {
        double a = (-(double)A - my * sn) / c, b = ((double)A - my * sn) / c;
        lo = fmax(lo, fmin(a, b));
        hi = fmin(hi, fmax(a, b));
    } else if (fabs(my * sn) > (double)A) {
        *xb = *xa - 1;
        return;
    }
    if (fabs(sn) > 1e-6) {
        double a = (my * c - (double)B) / sn, b = (my * c + (double)B) / sn;
        lo = fmax(lo, fmin(a, b));
        hi = fmin(hi, fmax(a, b));
    } else if (fabs(my * c) > (double)B) {
        *xb = *xa - 1;
        return;
    }
    if (lo > hi) {
        *xb = *xa - 1;
        return;
    }
    /* mx = (cu + t / 2) su with cu = u0 + x t - u: back to texel columns */
    double su = (double)L->su;
    double fx0 = ((lo / su - 0.5 * t) + (double)L->u - m->u0) / t, fx1 = ((hi / su - 0.5 * t) + (double)L->u - m->u0) / t;
    int a = (int)floor(fx0) - 1, b = (int)ceil(fx1) + 1;
    if (a > *xa) *xa = a;
    if (b < *xb) *xb = b;
}

/* A dot composited into level 0 within texel rows [row0, row1); with a mask (one byte a
 * tile), only into the masked tiles; its tiles marked dirty when mark is set. */
static void splat_rows(dotmap *m, const dot_look *L, const uint8_t *mask, int row0, int row1, int mark)
{
    int x0, y0, x1, y1;
    if (!look_box(m, L, &x0, &y0, &x1, &y1))
        return;
    int my0 = y0, my1 = y1;
    y0 = y0 < row0 ? row0 : y0;
    y1 = y1 > row1 - 1 ? row1 - 1 : y1;
    float t = (float)m->texel_mm;
    dot_profile prof;
    dot_profile_make(L, &prof);
    /* a mark without a tail lies in a rectangle along its major axis (half sides A, B, skin
     * mm): texels whose centre is farther than their half diagonal from it are skipped
     * (most of a hair's square) */
    int rect = prof.tl2 <= 1e-8f;
    int sub = L->bake_samples > 0 ? L->bake_samples : SUB;
    float A = prof.R * (1.0f + prof.s) * prof.e, B = prof.R * (1.0f + prof.s);
    float hd = 0.5f * t * sqrtf(L->su * L->su + L->sv * L->sv);
    for (int y = y0; y <= y1; y++) {
        int xa = x0, xb = x1;
        if (rect)
            rect_row_span(m, L, &prof, A + hd, B + hd, y, &xa, &xb);
        for (int x = xa; x <= xb; x++) {
            if (mask && !mask[(y / DOTMAP_TILE) * m->tw[0] + x / DOTMAP_TILE])
                continue;
            /* texel corner relative to the dot, chart mm */
            float cu = (float)(m->u0 + x * m->texel_mm) - L->u;
            float cv = (float)(m->v0 + y * m->texel_mm) - L->v;
            if (rect) {
                float mx = (cu + 0.5f * t) * L->su, my = (cv + 0.5f * t) * L->sv;
                float qa = fabsf(mx * prof.c + my * prof.sn), qb = fabsf(-mx * prof.sn + my * prof.c);
                if (qa > A + hd || qb > B + hd)
                    continue;
            }
            float acc = 0.0f;
            for (int j = 0; j < sub; j++) {
                float dv = (cv + ((float)j + 0.5f) * t / (float)sub) * L->sv;
                for (int i = 0; i < sub; i++) {
                    float du = (cu + ((float)i + 0.5f) * t / (float)sub) * L->su;
                    acc += dot_profile_alpha(&prof, du, dv);
                }
            }
            float a = acc / (float)(sub * sub);
            if (a <= 0.0f)
                continue;
            uint8_t *p = m->px[0] + ((size_t)y * (size_t)m->w[0] + (size_t)x) * 4;
            over(p, L->rgb, a);
        }
    }
    if (mark)
        mark_dirty(m, x0, my0, x1, my1);
}

void dotmap_splat(dotmap *m, const dot_look *L)
{
    splat_rows(m, L, NULL, 0, m->h[0], 1);
}

typedef struct splat_band {
    dotmap *m;
    const dot_look *looks;
    size_t n;
    int row0, row1;
} splat_band;

static void *splat_band_main(void *arg)
{
    const splat_band *b = arg;
    for (size_t i = 0; i < b->n; i++)
        splat_rows(b->m, &b->looks[i], NULL, b->row0, b->row1, 0);
    return NULL;
}

void dotmap_splat_many(dotmap *m, const dot_look *looks, size_t n)
{
    /* two bands of whole tiles, each texel written by one thread in the looks' order, split
     * at the tile row that halves the looks (a client's hair may lie all at the back); the
     * dirty tiles marked afterwards, by this thread alone */
    size_t *per_row = calloc((size_t)m->th[0], sizeof *per_row);
    int mid = (m->th[0] / 2) * DOTMAP_TILE;
    if (per_row) {
        for (size_t i = 0; i < n; i++) {
            int ty = (int)floor(((double)looks[i].v - m->v0) / m->texel_mm) / DOTMAP_TILE;
            per_row[ty < 0 ? 0 : ty >= m->th[0] ? m->th[0] - 1 : ty]++;
        }
        size_t below = 0;
        int ty = 0;
        while (ty < m->th[0] - 1 && (below += per_row[ty]) < n / 2)
            ty++;
        mid = (ty + 1) * DOTMAP_TILE;
        free(per_row);
    }
    splat_band lo = { m, looks, n, 0, mid }, hi = { m, looks, n, mid, m->h[0] };
    pthread_t th;
    int threaded = n >= 1000 && mid > 0 && pthread_create(&th, NULL, splat_band_main, &hi) == 0;
    splat_band_main(&lo);
    if (threaded)
        pthread_join(th, NULL);
    else
        splat_band_main(&hi);
    for (size_t i = 0; i < n; i++) {
        int x0, y0, x1, y1;
        if (look_box(m, &looks[i], &x0, &y0, &x1, &y1))
            mark_dirty(m, x0, y0, x1, y1);
    }
}

int dotmap_keep_base(dotmap *m)
{
    size_t n = (size_t)m->w[0] * (size_t)m->h[0] * 4;
    if (!m->base && !(m->base = malloc(n)))
        return -1;
    memcpy(m->base, m->px[0], n);
    return 0;
}

int dotmap_unsplat(dotmap *m, const dot_look *looks, size_t keep, size_t total)
{
    if (!m->base)
        return -1;
    size_t ntiles = (size_t)m->tw[0] * (size_t)m->th[0];
    uint8_t *mask = calloc(ntiles, 1);
    if (!mask)
        return -1;
    /* the tiles the dots taken out touched */
    int x0, y0, x1, y1;
    for (size_t i = keep; i < total; i++)
        if (look_box(m, &looks[i], &x0, &y0, &x1, &y1))
            for (int ty = y0 / DOTMAP_TILE; ty <= y1 / DOTMAP_TILE; ty++)
                for (int tx = x0 / DOTMAP_TILE; tx <= x1 / DOTMAP_TILE; tx++)
                    mask[ty * m->tw[0] + tx] = 1;
    /* the base back in them */
    for (int ty = 0; ty < m->th[0]; ty++)
        for (int tx = 0; tx < m->tw[0]; tx++) {
            if (!mask[ty * m->tw[0] + tx])
                continue;
            int ax = tx * DOTMAP_TILE, bx = ax + DOTMAP_TILE < m->w[0] ? ax + DOTMAP_TILE : m->w[0];
            int ay = ty * DOTMAP_TILE, by = ay + DOTMAP_TILE < m->h[0] ? ay + DOTMAP_TILE : m->h[0];
            for (int y = ay; y < by; y++) {
                size_t o = ((size_t)y * (size_t)m->w[0] + (size_t)ax) * 4;
                memcpy(m->px[0] + o, m->base + o, (size_t)(bx - ax) * 4);
            }
            m->dirty[0][ty * m->tw[0] + tx] = 1;
            m->any_dirty = 1;
        }
    /* the dots kept, again, in order, where they meet those tiles */
    for (size_t i = 0; i < keep; i++) {
        if (!look_box(m, &looks[i], &x0, &y0, &x1, &y1))
            continue;
        int hit = 0;
        for (int ty = y0 / DOTMAP_TILE; ty <= y1 / DOTMAP_TILE && !hit; ty++)
            for (int tx = x0 / DOTMAP_TILE; tx <= x1 / DOTMAP_TILE && !hit; tx++)
                hit = mask[ty * m->tw[0] + tx];
        if (hit)
            splat_rows(m, &looks[i], mask, 0, m->h[0], 1);
    }
    free(mask);
    return 0;
}

void dotmap_paint(dotmap *m, int x0, int y0, int w, int h, const float *cov2, const float rgb[3])
{
    int x1 = x0 + w - 1, y1 = y0 + h - 1, cx0 = x0, cy0 = y0;
    if (w <= 0 || h <= 0 || !clip_box(m, &x0, &y0, &x1, &y1))
        return;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            const float *c = cov2 + (size_t)(2 * (y - cy0)) * (size_t)(2 * w) + (size_t)(2 * (x - cx0));
            float a = 0.25f * (c[0] + c[1] + c[2 * w] + c[2 * w + 1]);
            if (a <= 0.0f)
                continue;
            uint8_t *p = m->px[0] + ((size_t)y * (size_t)m->w[0] + (size_t)x) * 4;
            over(p, rgb, a);
        }
    mark_dirty(m, x0, y0, x1, y1);
}

/* Recomputes level k texels [x0, x1) x [y0, y1) from level k - 1 (2x2 means). */
static void downsample(dotmap *m, int k, int x0, int y0, int x1, int y1)
{
    const uint8_t *src = m->px[k - 1];
    int sw = m->w[k - 1], sh = m->h[k - 1];
    uint8_t *dst = m->px[k];
    for (int y = y0; y < y1; y++) {
        int sy0 = 2 * y, sy1 = 2 * y + 1 < sh ? 2 * y + 1 : sh - 1;
        for (int x = x0; x < x1; x++) {
            int sx0 = 2 * x, sx1 = 2 * x + 1 < sw ? 2 * x + 1 : sw - 1;
            const uint8_t *a = src + ((size_t)sy0 * (size_t)sw + (size_t)sx0) * 4;
            const uint8_t *b = src + ((size_t)sy0 * (size_t)sw + (size_t)sx1) * 4;
            const uint8_t *c = src + ((size_t)sy1 * (size_t)sw + (size_t)sx0) * 4;
            const uint8_t *d = src + ((size_t)sy1 * (size_t)sw + (size_t)sx1) * 4;
            uint8_t *o = dst + ((size_t)y * (size_t)m->w[k] + (size_t)x) * 4;
            for (int i = 0; i < 4; i++)
                o[i] = (uint8_t)((a[i] + b[i] + c[i] + d[i] + 2) >> 2);
        }
    }
}

static void upload_rect(dotmap *m, int k, int x0, int y0, int x1, int y1)
{
    glPixelStorei(GL_UNPACK_ROW_LENGTH, m->w[k]);
    glPixelStorei(GL_UNPACK_SKIP_PIXELS, x0);
    glPixelStorei(GL_UNPACK_SKIP_ROWS, y0);
    glTexSubImage2D(GL_TEXTURE_2D, k, x0, y0, x1 - x0, y1 - y0, GL_RGBA, GL_UNSIGNED_BYTE, m->px[k]);
}

void dotmap_flush(dotmap *m)
{
    int fresh = 0;
    if (!m->tex) {
        GLuint t;
        glGenTextures(1, &t);
        m->tex = t;
        glBindTexture(GL_TEXTURE_2D, t);
        /* the whole mip chain at once where the driver can (with level by level, Mesa makes
         * level 0 alone, then the chain, and zeroes and copies each: ~60,000 page faults) */
        if (GLAD_GL_ARB_texture_storage)
            glTexStorage2D(GL_TEXTURE_2D, m->levels, GL_RGBA8, m->w[0], m->h[0]);
        else
            for (int k = 0; k < m->levels; k++)
                glTexImage2D(GL_TEXTURE_2D, k, GL_RGBA8, m->w[k], m->h[k], 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_BASE_LEVEL, 0);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, m->levels - 1);
        glu_texture_clamp_clear(GL_LINEAR_MIPMAP_LINEAR, GL_LINEAR);
        /* cleared on the GL side: from here on only dirty tiles (the CPU levels start
         * zeroed by calloc, dotmap_clear keeps both sides equal); uploaded whole only
         * where the clear cannot be done */
        fresh = gpu_clear(m) != 0;
    }
    if (!m->any_dirty && !fresh)
        return;
    glBindTexture(GL_TEXTURE_2D, m->tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    for (int k = 0; k < m->levels; k++) {
        if (k > 0) {
            /* dirty child tiles -> the parent texels under them */
            for (int ty = 0; ty < m->th[k - 1]; ty++)
                for (int tx = 0; tx < m->tw[k - 1]; tx++) {
                    if (!m->dirty[k - 1][ty * m->tw[k - 1] + tx] && !fresh)
                        continue;
                    int half = DOTMAP_TILE / 2;
                    int x0 = tx * half, y0 = ty * half;
                    int x1 = x0 + half, y1 = y0 + half;
                    if (x1 > m->w[k]) x1 = m->w[k];
                    if (y1 > m->h[k]) y1 = m->h[k];
                    if (x0 >= x1 || y0 >= y1)
                        continue;
                    downsample(m, k, x0, y0, x1, y1);
                    m->dirty[k][(y0 / DOTMAP_TILE) * m->tw[k] + x0 / DOTMAP_TILE] = 1;
                }
            memset(m->dirty[k - 1], 0, (size_t)m->tw[k - 1] * (size_t)m->th[k - 1]);
        }
        /* upload: the whole level when most of it is dirty, else tile by tile */
        size_t nt = (size_t)m->tw[k] * (size_t)m->th[k], nd = 0;
        for (size_t i = 0; i < nt; i++)
            nd += m->dirty[k][i] != 0;
        if (fresh || nd * 2 > nt) {
            upload_rect(m, k, 0, 0, m->w[k], m->h[k]);
        } else if (nd) {
            for (int ty = 0; ty < m->th[k]; ty++)
                for (int tx = 0; tx < m->tw[k]; tx++) {
                    if (!m->dirty[k][ty * m->tw[k] + tx])
                        continue;
                    int x0 = tx * DOTMAP_TILE, y0 = ty * DOTMAP_TILE;
                    int x1 = x0 + DOTMAP_TILE < m->w[k] ? x0 + DOTMAP_TILE : m->w[k];
                    int y1 = y0 + DOTMAP_TILE < m->h[k] ? y0 + DOTMAP_TILE : m->h[k];
                    upload_rect(m, k, x0, y0, x1, y1);
                }
        }
    }
    memset(m->dirty[m->levels - 1], 0, (size_t)m->tw[m->levels - 1] * (size_t)m->th[m->levels - 1]);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glPixelStorei(GL_UNPACK_SKIP_PIXELS, 0);
    glPixelStorei(GL_UNPACK_SKIP_ROWS, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    m->any_dirty = 0;
}

void dotmap_mean(const dotmap *m, double u0, double v0, double u1, double v1, double out[4])
{
    int x0 = (int)floor((u0 - m->u0) / m->texel_mm), x1 = (int)ceil((u1 - m->u0) / m->texel_mm);
    int y0 = (int)floor((v0 - m->v0) / m->texel_mm), y1 = (int)ceil((v1 - m->v0) / m->texel_mm);
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > m->w[0]) x1 = m->w[0];
    if (y1 > m->h[0]) y1 = m->h[0];
    double s[4] = { 0, 0, 0, 0 };
    size_t n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++, n++)
            for (int i = 0; i < 4; i++)
                s[i] += m->px[0][((size_t)y * (size_t)m->w[0] + (size_t)x) * 4 + (size_t)i] / 255.0;
    for (int i = 0; i < 4; i++)
        out[i] = n ? s[i] / (double)n : 0.0;
}
