/* dotlook.h: how one dot looks on screen, fresh or healed (day 30), decided once from the
 * core's dot (dot.lab_fresh/healed, diameters, elongation, drag tail) and the surface's
 * local frame. The same profile function bakes the chart texture (dotmap.c) and draws the
 * crisp instanced dots (shaders/dots.frag): both must stay identical, or zooming changes
 * what the trainee sees. Never changes core state. */
#ifndef STIPPLE_DOTLOOK_H
#define STIPPLE_DOTLOOK_H

#include "dot.h"
#include "scalp_features.h"
#include "surface.h"

typedef struct dot_look {
    float u, v;            /* chart mm */
    float pos[3];          /* mm */
    float eu[3], ev[3];    /* unit tangents along chart +u and +v */
    float su, sv;          /* skin mm per chart mm along u and v */
    float radius_mm;       /* where the profile is at one half */
    float softness;        /* edge width as a fraction of the radius */
    float elongation;      /* >= 1 */
    float angle;           /* of the major axis, rad, in the local (u, v) frame */
    float tail[2];         /* drag tail, local mm */
    float rgb[3];          /* linear sRGB */
    float opacity;
    int   visible;         /* 0 for shed dots in the healed view */
    int   bake_samples;    /* samples a texel along each axis when baked; 0: the default */
} dot_look;

/* Fills `out` for dot d; healed selects the day-30 look. */
void dot_look_make(const dot *d, const surface *s, int healed, dot_look *out);

/* A hair of the client's stubble (scalp_features.h) as the same profile: an ellipse as
 * wide as the shaft and as long as the hair. -1 where the chart has no skin. */
int dot_look_make_hair(const scalp_hair *h, const float rgb[3], const surface *s, dot_look *out);
/* The shaft under the skin of the hair whose look is `hair`, seen through the skin: a
 * faint, soft, bluish ellipse behind the hair's exit (dotlook.c says why). Drawn before
 * the hair, under it. */
void dot_look_make_hair_shadow(const dot_look *hair, dot_look *out);

/* Coverage 0..1 at local skin offset (x along eu, y along ev), mm; opacity included. */
float dot_look_alpha(const dot_look *L, float x_mm, float y_mm);

/* The same, for many samples of one dot: the per-dot terms (cos, sin of the angle) worked
 * out once (dotmap.c bakes 16 samples a texel). Same operations, same results. */
typedef struct dot_profile {
    float R, s, e, c, sn, tail[2], tl2, opacity;
} dot_profile;
void  dot_profile_make(const dot_look *L, dot_profile *out);
float dot_profile_alpha(const dot_profile *p, float x_mm, float y_mm);

/* Half-size of the square (local mm) outside which the profile is zero. */
float dot_look_extent_mm(const dot_look *L);

/* sRGB 8-bit -> linear, and CIELAB -> linear sRGB (through the core's lab_to_srgb8). */
float srgb8_to_linear(unsigned char c);
void  lab_to_linear(const lab *c, float rgb[3]);

#endif
