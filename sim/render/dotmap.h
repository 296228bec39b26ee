/* dotmap.h: dots baked into a chart-space texture, so that drawing costs the same for 50
 * or 50,000 dots. Texels hold premultiplied linear colour with area coverage in alpha
 * (dots composited "over" each other, 4x4 samples a texel); mip levels are 2x2 box means
 * of the level below, so a dot smaller than a pixel still adds exactly its area and
 * nothing pops or shimmers when zooming. Adding a dot touches only its texels and the
 * mip texels above them: 64x64 tiles are marked dirty and uploaded at the next flush. */
#ifndef STIPPLE_DOTMAP_H
#define STIPPLE_DOTMAP_H

#include <stddef.h>
#include <stdint.h>

#include "dotlook.h"

#define DOTMAP_TILE 64
#define DOTMAP_MAX_LEVELS 16

typedef struct dotmap {
    double u0, v0;           /* chart mm at texel (0, 0)'s corner */
    double texel_mm;
    int    levels;
    int    w[DOTMAP_MAX_LEVELS], h[DOTMAP_MAX_LEVELS];
    uint8_t *px[DOTMAP_MAX_LEVELS];      /* RGBA8 rows, level by level */
    uint8_t *dirty[DOTMAP_MAX_LEVELS];   /* one byte a tile */
    int    tw[DOTMAP_MAX_LEVELS], th[DOTMAP_MAX_LEVELS];
    int    any_dirty;
    unsigned int tex;        /* GL texture name, 0 before the first flush */
    uint8_t *base;           /* level 0 before any dot (dotmap_keep_base), or NULL */
} dotmap;

/* w, h: level-0 size in texels. NULL on allocation failure. Needs no GL context. */
dotmap *dotmap_create(double u0_mm, double v0_mm, int w, int h, double texel_mm);
void    dotmap_free(dotmap *m);     /* NULL-safe; deletes the GL texture if made */
void    dotmap_clear(dotmap *m);
/* Composites one dot into level 0 and marks its tiles. */
void    dotmap_splat(dotmap *m, const dot_look *L);
/* dotmap_splat of looks[0 .. n) in order, on two threads (each a band of rows: the same
 * texels, bit for bit, as one after another), for the many hairs baked at start. */
void    dotmap_splat_many(dotmap *m, const dot_look *looks, size_t n);
/* Composites a colour (linear, not premultiplied) over level-0 texels [x0, x0 + w) x
 * [y0, y0 + h) with the coverage in cov2: (2w) x (2h) samples, 2 x 2 a texel, row by row
 * (skin features drawn under the dots: scar tissue). */
void    dotmap_paint(dotmap *m, int x0, int y0, int w, int h, const float *cov2, const float rgb[3]);
/* Keeps a copy of level 0 as it is now (the skin's own scars and hairs, before any dot), so
 * that dots can later be taken out again (dotmap_unsplat). 0, or -1 out of memory. */
int     dotmap_keep_base(dotmap *m);
/* Takes dots looks[keep .. total) out of a map that holds the kept base with looks[0 ..
 * total) splatted over it in order: the tiles those dots touched get the base back and
 * looks[0 .. keep) splatted again within them, so the map is bit for bit the base with
 * looks[0 .. keep) (as clearing and splatting them all would make it, at the cost of the
 * tiles touched). 0, or -1 (no base kept, or out of memory: nothing changed). */
int     dotmap_unsplat(dotmap *m, const dot_look *looks, size_t keep, size_t total);
/* Rebuilds the dirty mip texels and uploads every dirty tile (needs a GL context). */
void    dotmap_flush(dotmap *m);
/* Area-weighted mean of level 0 over a chart rectangle (premultiplied rgb, coverage). */
void    dotmap_mean(const dotmap *m, double u0, double v0, double u1, double v1, double out[4]);

#endif
