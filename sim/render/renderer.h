/* renderer.h: OpenGL 3.3 drawing of what the core holds: the skin (head or practice
 * skin), the lesson's guides, the dots (baked into a chart-space texture, plus crisp
 * instanced dots where the view magnifies that texture), feedback overlays and flag
 * markers. Reads core state (lesson, surface, dots, view); never changes it.
 *
 * Cost does not grow with the dot count: the texture is drawn as part of the skin, and
 * instanced dots are only those in view at working magnification, found through a chart
 * grid. Colours: the scene is lit and blended in linear light into an sRGB framebuffer. */
#ifndef STIPPLE_RENDERER_H
#define STIPPLE_RENDERER_H

#include <stddef.h>
#include <stdint.h>

#include "dot.h"
#include "dotmap.h"
#include "scalp_features.h"
#include "lesson.h"
#include "surface.h"
#include "view.h"

typedef struct render_marker {
    float   pos[3], nrm[3];
    uint8_t rgba[4];           /* sRGB */
    float   size_px;           /* ring radius */
} render_marker;

typedef struct render_frame {
    const view_state *view;
    int    width, height;      /* framebuffer pixels */
    int    guides;             /* working zone and hairline design */
    int    overlay;            /* the overlay texture (render_set_overlay) */
    int    crisp;              /* instanced dots at magnification: 1 auto, 0 never */
    int64_t time_us;           /* the clock of the cross-fade between the texture and crisp
                                * dots (see renderer.c); a clock that goes back jumps it */
    int    settle;             /* finish any cross-fade in this frame (screenshots) */
    const render_marker *markers;
    size_t marker_count;
    uint8_t background[3];     /* sRGB */
    /* rows at the top and bottom that the caller covers with opaque panels: the scene is
     * not drawn there (the same projection, clipped; llvmpipe skips those pixels' work) */
    int    covered_top_px, covered_bottom_px;
} render_frame;

typedef struct renderer renderer;

/* The lesson and surface must outlive the renderer. Needs a current GL 3.3 context.
 * NULL with err set on failure (a shader that does not compile, out of memory). */
renderer *render_create(const lesson *l, const surface *s, char *err, size_t errlen);
/* The same, but the client's hairs and scars go into the dot texture later: at
 * render_bake_pending, or at the first render_sync_dots, whichever comes first (so they are
 * always under the dots). A review's first frame then does not wait for tens of thousands
 * of a client's hairs (~0.6 s); they appear a frame later. */
renderer *render_create_deferred(const lesson *l, const surface *s, char *err, size_t errlen);
/* Either of them (deferred or not), with the skin mesh made ahead (render_mesh.h): used when
 * made from s, else the mesh is made here. Frees mesh in every case (NULL: made here). */
struct render_mesh_prepared;
renderer *render_create_from(const lesson *l, const surface *s, int deferred, struct render_mesh_prepared *mesh,
                             char *err, size_t errlen);
/* Makes and bakes what a deferred renderer left: 1 when it did, 0 when nothing was left,
 * -1 out of memory (then the skin is drawn without the client's hairs). */
int       render_bake_pending(renderer *r);
void      render_free(renderer *r);    /* NULL-safe */

/* Brings the baked dots up to date with the core's dots: new dots since the last call are
 * added incrementally; a shorter array (a new session) or a change of `healed` (the day-30
 * view) rebuilds. After render_keep_base, a shorter array is the first n of the dots
 * before (a review seeking back): only the texture's tiles the later dots touched are
 * made again. */
void render_sync_dots(renderer *r, const dot *dots, size_t n, int healed);
/* Keeps the dot texture's base (the client's scars and hairs, before any dot) for seeking
 * back (about 4 bytes a texel: 50 MB on the head), copied when the first dot comes. Before
 * the first dot; 0, or -1. */
int  render_keep_base(renderer *r);

/* A chart-space RGBA overlay (sRGB colour, alpha = opacity), cell_mm a texel. */
void render_set_overlay(renderer *r, const uint8_t *rgba, int w, int h, double u0_mm, double v0_mm, double cell_mm);

/* Draws the scene into the window's back buffer (framebuffer 0). */
void render_draw(renderer *r, const render_frame *f);

/* Facts about the last frame, for the debug overlay and tests. */
size_t render_crisp_count(const renderer *r);
const dotmap *render_get_dotmap(const renderer *r);
/* The client's hair and scars the renderer draws (made from the lesson). */
const scalp_features *render_scalp_features(const renderer *r);
/* Texel size (mm) of the baked dots. */
double render_texel_mm(const renderer *r);

#endif
