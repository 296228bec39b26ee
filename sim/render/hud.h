/* hud.h: 2D overlay drawing (text and panels) in window pixels, origin top left. Text
 * comes from a glyph atlas made once with SDL2_ttf (DejaVu Sans), so a frame's HUD is one
 * draw call however much text changes. Colours are sRGB bytes. */
#ifndef STIPPLE_HUD_H
#define STIPPLE_HUD_H

#include <stddef.h>
#include <stdint.h>

typedef enum hud_font { HUD_SMALL = 0, HUD_NORMAL, HUD_LARGE, HUD_FONT_COUNT } hud_font;

typedef struct hud_rgba { uint8_t r, g, b, a; } hud_rgba;

typedef struct hud hud;

/* font_path: a TrueType font. NULL with err set on failure. Needs a GL context. */
hud  *hud_create(const char *font_path, char *err, size_t errlen);
/* The same in two steps: the fonts rasterised into the glyph atlas (CPU only, no GL: a
 * worker thread can do it while the window opens), then the GL side, which takes the
 * glyphs over (and frees them, on failure too). */
typedef struct hud_glyphs hud_glyphs;
hud_glyphs *hud_glyphs_make(const char *font_path, char *err, size_t errlen);
void  hud_glyphs_free(hud_glyphs *g);   /* NULL-safe */
hud  *hud_create_from(hud_glyphs *g, char *err, size_t errlen);
void  hud_free(hud *h);   /* NULL-safe */

void  hud_begin(hud *h, int screen_w, int screen_h);
void  hud_rect(hud *h, float x, float y, float w, float hgt, hud_rgba c);
/* Draws UTF-8 text (ASCII and a few symbols; others show as '?') with its top at y.
 * Returns the advance width in pixels. */
float hud_text(hud *h, hud_font f, float x, float y, hud_rgba c, const char *s);
float hud_textf(hud *h, hud_font f, float x, float y, hud_rgba c, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
float hud_text_width(const hud *h, hud_font f, const char *s);
float hud_line_height(const hud *h, hud_font f);
void  hud_end(hud *h);    /* draws everything queued since hud_begin */

#endif
