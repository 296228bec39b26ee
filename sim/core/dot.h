/* dot.h: one puncture = one dot, as the simulation leaves it. */
#ifndef STIPPLE_DOT_H
#define STIPPLE_DOT_H

#include <stdint.h>

#include "color.h"

enum dot_flags {
    DOT_SHED    = 1u << 0,   /* too shallow: gone when healed */
    DOT_BLOWOUT = 1u << 1,   /* too deep: spreads and turns blue */
    DOT_DRAGGED = 1u << 2,   /* needle moved while in the skin: a tail */
    DOT_OFF_SCALP = 1u << 3, /* landed outside the scalp (face, ear, neck) */
};

typedef struct dot {
    int64_t t_us;              /* contact start */
    int64_t dwell_us;          /* contact duration */
    double  pos_mm[3];
    double  normal[3];
    double  chart_mm[2];
    int     region;            /* region_id */
    int     needle_config;     /* enum needle_config */
    double  needle_diameter_mm;
    int     shade;
    double  depth_mm;          /* where the pigment ends up */
    double  angle_deg;         /* needle to the skin normal; 0 = perpendicular */
    double  diameter_fresh_mm;
    double  diameter_healed_mm;/* 0 when shed */
    double  elongation;        /* major/minor axis of the mark, >= 1 (tilt) */
    double  drag_mm;           /* surface distance moved while in the skin */
    double  drag_dir[3];       /* unit direction of the tail (zero if none) */
    lab     lab_fresh, lab_healed;
    uint32_t flags;            /* enum dot_flags */
} dot;

#endif
