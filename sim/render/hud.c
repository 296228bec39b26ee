/* hud.c: see hud.h. */
#include "hud.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <glad/gl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gl_util.h"

#define ATLAS_W 1024
#define ATLAS_H 512
/* ASCII 32..126, then extra code points */
static const uint32_t extra_cp[] = { 0x00B0 /* degree */, 0x00B2 /* superscript 2 */, 0x00B1 /* +- */,
                                     0x2013 /* en dash */, 0x2026 /* ellipsis */, 0x00D7 /* times */,
                                     0x0394 /* Delta */, 0x2265 /* >= */, 0x2264 /* <= */ };
#define NEXTRA (sizeof extra_cp / sizeof extra_cp[0])
#define NGLYPH (95 + NEXTRA)

typedef struct glyph { float u0, v0, u1, v1; int w, h; int advance; } glyph;

typedef struct vtx { float x, y, u, v; uint8_t c[4]; } vtx;

struct hud {
    glyph  g[HUD_FONT_COUNT][NGLYPH];
    int    line_h[HUD_FONT_COUNT];
    GLuint atlas, prog, vao, vbo;
    GLint  u_screen, u_atlas;
    vtx   *v;
    size_t nv, cap;
    int    sw, sh;
};

static int glyph_index(uint32_t cp)
{
    if (cp >= 32 && cp < 127)
        return (int)cp - 32;
    for (size_t i = 0; i < NEXTRA; i++)
        if (extra_cp[i] == cp)
            return 95 + (int)i;
    return '?' - 32;
}

struct hud_glyphs {
    glyph    g[HUD_FONT_COUNT][NGLYPH];
    int      line_h[HUD_FONT_COUNT];
    uint8_t *pix;    /* ATLAS_W x ATLAS_H coverage */
};

void hud_glyphs_free(hud_glyphs *gl)
{
    if (!gl)
        return;
    free(gl->pix);
    free(gl);
}

hud_glyphs *hud_glyphs_make(const char *font_path, char *err, size_t errlen)
{
    hud_glyphs *h = calloc(1, sizeof *h);
    uint8_t *pix = calloc(ATLAS_W * ATLAS_H, 1);
    if (!h || !pix) {
        free(h);
        free(pix);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->pix = pix;
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errlen, "SDL_ttf: %s", TTF_GetError());
        goto fail;
    }
    static const int sizes[HUD_FONT_COUNT] = { 13, 16, 26 };
    int px = 1, py = 1, row_h = 0;
    for (int f = 0; f < HUD_FONT_COUNT; f++) {
        TTF_Font *font = TTF_OpenFont(font_path, sizes[f]);
        if (!font) {
            snprintf(err, errlen, "cannot open font %s: %s", font_path, TTF_GetError());
            goto fail;
        }
        h->line_h[f] = TTF_FontLineSkip(font);
        SDL_Color white = { 255, 255, 255, 255 };
        for (int i = 0; i < (int)NGLYPH; i++) {
            uint32_t cp = i < 95 ? (uint32_t)(i + 32) : extra_cp[i - 95];
            int minx, maxx, miny, maxy, adv = 0;
            TTF_GlyphMetrics32(font, cp, &minx, &maxx, &miny, &maxy, &adv);
            glyph *g = &h->g[f][i];
            g->advance = adv;
            SDL_Surface *s = TTF_RenderGlyph32_Blended(font, cp, white);
            if (!s)
                continue;
            SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
            SDL_FreeSurface(s);
            if (!c)
                continue;
            if (px + c->w + 1 > ATLAS_W) {
                px = 1;
                py += row_h + 1;
                row_h = 0;
            }
            if (py + c->h + 1 > ATLAS_H) {
                SDL_FreeSurface(c);
                continue;
            }
            SDL_LockSurface(c);
            for (int y = 0; y < c->h; y++) {
                const uint32_t *row = (const uint32_t *)((const uint8_t *)c->pixels + (size_t)y * (size_t)c->pitch);
                for (int x = 0; x < c->w; x++)
                    pix[(size_t)(py + y) * ATLAS_W + (size_t)(px + x)] = (uint8_t)(row[x] >> 24);
            }
            SDL_UnlockSurface(c);
            g->w = c->w;
            g->h = c->h;
            g->u0 = (float)px / ATLAS_W;
            g->v0 = (float)py / ATLAS_H;
            g->u1 = (float)(px + c->w) / ATLAS_W;
            g->v1 = (float)(py + c->h) / ATLAS_H;
            px += c->w + 1;
            if (c->h > row_h)
                row_h = c->h;
            SDL_FreeSurface(c);
        }
        TTF_CloseFont(font);
    }
    return h;
fail:
    hud_glyphs_free(h);
    return NULL;
}

hud *hud_create(const char *font_path, char *err, size_t errlen)
{
    hud_glyphs *g = hud_glyphs_make(font_path, err, errlen);
    return g ? hud_create_from(g, err, errlen) : NULL;
}

hud *hud_create_from(hud_glyphs *gl, char *err, size_t errlen)
{
    hud *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        hud_glyphs_free(gl);
        return NULL;
    }
    memcpy(h->g, gl->g, sizeof h->g);
    memcpy(h->line_h, gl->line_h, sizeof h->line_h);
    glGenTextures(1, &h->atlas);
    glBindTexture(GL_TEXTURE_2D, h->atlas);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, ATLAS_W, ATLAS_H, 0, GL_RED, GL_UNSIGNED_BYTE, gl->pix);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    hud_glyphs_free(gl);
    h->prog = glu_program("hud", NULL, err, errlen);
    if (!h->prog)
        goto fail;
    h->u_screen = glGetUniformLocation(h->prog, "u_screen");
    h->u_atlas = glGetUniformLocation(h->prog, "u_atlas");
    glGenVertexArrays(1, &h->vao);
    glGenBuffers(1, &h->vbo);
    glBindVertexArray(h->vao);
    glBindBuffer(GL_ARRAY_BUFFER, h->vbo);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(vtx), (void *)offsetof(vtx, x));
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, sizeof(vtx), (void *)offsetof(vtx, u));
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, sizeof(vtx), (void *)offsetof(vtx, c));
    glBindVertexArray(0);
    return h;
fail:
    hud_free(h);
    return NULL;
}

void hud_free(hud *h)
{
    if (!h)
        return;
    if (h->atlas)
        glDeleteTextures(1, &h->atlas);
    if (h->prog)
        glDeleteProgram(h->prog);
    if (h->vbo)
        glDeleteBuffers(1, &h->vbo);
    if (h->vao)
        glDeleteVertexArrays(1, &h->vao);
    free(h->v);
    free(h);
}

void hud_begin(hud *h, int w, int hh)
{
    h->nv = 0;
    h->sw = w;
    h->sh = hh;
}

static void quad(hud *h, float x0, float y0, float x1, float y1, float u0, float v0, float u1, float v1, hud_rgba c)
{
    if (h->nv + 6 > h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4096;
        vtx *nv = realloc(h->v, cap * sizeof *nv);
        if (!nv)
            return;
        h->v = nv;
        h->cap = cap;
    }
    vtx q[4] = { { x0, y0, u0, v0, { c.r, c.g, c.b, c.a } }, { x1, y0, u1, v0, { c.r, c.g, c.b, c.a } },
                 { x1, y1, u1, v1, { c.r, c.g, c.b, c.a } }, { x0, y1, u0, v1, { c.r, c.g, c.b, c.a } } };
    static const int idx[6] = { 0, 1, 2, 0, 2, 3 };
    for (int i = 0; i < 6; i++)
        h->v[h->nv++] = q[idx[i]];
}

void hud_rect(hud *h, float x, float y, float w, float hgt, hud_rgba c)
{
    quad(h, x, y, x + w, y + hgt, -1.0f, 0.0f, -1.0f, 0.0f, c);
}

/* Next code point of UTF-8 text (invalid bytes come back as '?'). */
static uint32_t next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) {
        *p = s + 1;
        return '?';
    }
    if (n > 0)
        c &= 0x3Fu >> n;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p = s + i;
            return '?';
        }
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    *p = s + n + 1;
    return c;
}

float hud_text(hud *h, hud_font f, float x, float y, hud_rgba c, const char *s)
{
    float x0 = x;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp = next_cp(&p);
        const glyph *g = &h->g[f][glyph_index(cp)];
        if (g->w > 0 && cp != ' ')
            quad(h, x, y, x + (float)g->w, y + (float)g->h, g->u0, g->v0, g->u1, g->v1, c);
        x += (float)g->advance;
    }
    return x - x0;
}

float hud_textf(hud *h, hud_font f, float x, float y, hud_rgba c, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return hud_text(h, f, x, y, c, buf);
}

float hud_text_width(const hud *h, hud_font f, const char *s)
{
    float w = 0.0f;
    const unsigned char *p = (const unsigned char *)s;
    while (*p)
        w += (float)h->g[f][glyph_index(next_cp(&p))].advance;
    return w;
}

float hud_line_height(const hud *h, hud_font f)
{
    return (float)h->line_h[f];
}

void hud_end(hud *h)
{
    if (!h->nv)
        return;
    glDisable(GL_DEPTH_TEST);
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    glUseProgram(h->prog);
    glUniform2f(h->u_screen, (float)h->sw, (float)h->sh);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, h->atlas);
    glUniform1i(h->u_atlas, 0);
    glBindVertexArray(h->vao);
    glBindBuffer(GL_ARRAY_BUFFER, h->vbo);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(h->nv * sizeof(vtx)), h->v, GL_STREAM_DRAW);
    glDrawArrays(GL_TRIANGLES, 0, (GLsizei)h->nv);
    glBindVertexArray(0);
    glDisable(GL_BLEND);
}
