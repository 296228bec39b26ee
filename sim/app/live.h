/* live.h: live feedback for the trainee while working: each dot's nearest neighbour
 * (kept up to date as dots come), density around a point, and the overlay images
 * (spacing heat map, density against target) in chart space. Display only: the score is
 * decided by the core (score.c) at the end, never by this. */
#ifndef STIPPLE_LIVE_H
#define STIPPLE_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "dot.h"
#include "lesson.h"
#include "surface.h"

typedef enum live_overlay { LIVE_OVERLAY_NONE = 0, LIVE_OVERLAY_SPACING, LIVE_OVERLAY_DENSITY } live_overlay;

typedef struct live live;

/* Chart domain [u0, u0 + w_mm] x [v0, v0 + h_mm]. NULL on allocation failure. */
live *live_create(const lesson *l, const surface *s, double u0, double v0, double w_mm, double h_mm);
void  live_free(live *lv);   /* NULL-safe */

/* Takes dots [known, n) into account; a shorter array resets. */
void  live_sync(live *lv, const dot *dots, size_t n);
/* Distance (mm) from dot i to its nearest neighbour; INFINITY when none within 8 mm. */
double live_nn_mm(const live *lv, size_t i);
/* Dots per cm2 within radius_mm (chart) of (u, v). */
double live_density_at(const live *lv, double u, double v, double radius_mm);
/* RGBA (sRGB) overlay image; *w, *h, the origin and cell size are set. The pointer stays
 * valid until the next call. NULL for LIVE_OVERLAY_NONE. */
const uint8_t *live_overlay_image(live *lv, int mode, const dot *dots, int *w, int *h, double *u0, double *v0,
                                  double *cell_mm);

#endif
