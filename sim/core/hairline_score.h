/* hairline_score.h: the hairline judged by the style the lesson asks for (scoring rules 3,
 * issue 8 §5). Every style: dots in front of the design line, how far the front edge sits
 * from the line, and whether both temples are worked like the rest of the line. A
 * feathered style (soft, natural, widow's peak, mature): density rising through the
 * feather as the design does, and a front edge irregular at the scale of its spacing. A
 * defined style (edge-up): a crisp front edge on the line. Thresholds and their sources
 * are in hairline_score.c. Pure: the same lesson, zone and dots give the same figures. */
#ifndef STIPPLE_HAIRLINE_SCORE_H
#define STIPPLE_HAIRLINE_SCORE_H

#include <stddef.h>

#include "dot.h"
#include "lesson.h"

#define HAIRLINE_BANDS 5   /* the feather is judged in fifths */
#define HAIRLINE_STRETCHES_MAX 1024  /* the front edge is judged in at most this many slices */

/* What the report's sentences quote (hairline_score.c has the rest and the sources). */
#define HAIRLINE_EDGE_FULL_SPACINGS 0.75   /* the front edge within 3/4 of the spacing at the line */
#define HAIRLINE_CRISP_FULL         0.20   /* defined: wandering up to 0.20 spacings is crisp */
#define HAIRLINE_IRREGULAR_ZERO     0.06   /* feathered: under 0.06 spacings is ruler-straight */
#define HAIRLINE_IRREGULAR_FULL     0.14   /* feathered: 0.14 spacings or more is irregular */
#define HAIRLINE_GRADIENT_FULL      0.60   /* feathered: rising at 60 % of the design's slope */
#define HAIRLINE_TEMPLE_FULL        0.60   /* a temple with 60 % of the centre's share */

/* The design over the zone, gathered once per lesson while the zone is sampled. */
typedef struct hairline_zone {
    double band_skin_mm2[HAIRLINE_BANDS];     /* skin area of each fifth of the feather */
    double band_profile_mm2[HAIRLINE_BANDS];  /* the design's density profile over it */
    double temple_profile_mm2[2];             /* the same over each temple's strip: [0] the client's
                                               * right (the line's -u end), [1] the left */
    double centre_profile_mm2;                /* and over the strip between the temples */
    /* Where the zone lets the front edge be, in narrow slices across the line (half the
     * spacing the design asks at the line): the frontmost zone sample's offset from the line
     * plus half a sample (a zone may stop short of the line: a head's scalp ends where the
     * face begins), and whether the slice has any zone at all. */
    double front_mm[HAIRLINE_STRETCHES_MAX];
    unsigned char seen[HAIRLINE_STRETCHES_MAX];
} hairline_zone;

/* Adds one zone sample (chart u, v; its skin area, the design profile there, and the
 * sample's size on the chart, mm). */
void hairline_zone_add(const lesson *l, double u_mm, double v_mm, double skin_area_mm2, double profile,
                       double sample_mm, hairline_zone *hz);

/* What is judged, and why it cost marks (the largest loss first). */
typedef enum hairline_fault {
    HAIRLINE_OK = 0,
    HAIRLINE_IN_FRONT,        /* dots in front of the design line */
    HAIRLINE_EDGE_BEHIND,     /* the front edge sits behind the line */
    HAIRLINE_EDGE_FORWARD,    /* the front edge sits in front of the line */
    HAIRLINE_TEMPLE,          /* a temple left short of the rest */
    HAIRLINE_FLAT,            /* feathered style: density does not rise through the feather */
    HAIRLINE_STRAIGHT,        /* feathered style: a ruler-straight front edge */
    HAIRLINE_RAGGED,          /* defined style: the front edge wanders off its line */
} hairline_fault;

typedef struct hairline_judged {
    int    defined;                 /* 1: judged as a defined edge (edge-up), 0: as feathered */
    double spacing_at_line_mm;      /* the spacing the design's density asks at the line */
    double edge_offset_mm;          /* the front edge's typical distance from the line (or from the
                                     * zone's front where the zone stops short of it): > 0 behind,
                                     * < 0 in front (the median over stretches 8 spacings wide, in
                                     * the spacing of the dots placed there: a sparse hand's edge
                                     * is judged by its own spacing, sparseness being spacing's) */
    double dots_share_at_line;      /* the dots near the line over the design's count there */
    double edge_wander_mm;          /* how far the front edge strays, stretch to stretch 2 spacings
                                     * wide (a robust spread: 1.4826 x the median deviation) */
    double edge_wander_spacings;    /* the same in spacings at the line */
    double gradient;                /* the feather's density slope over the design's (1 as designed,
                                     * 0 flat); 1 where the design has no slope to follow */
    double design_slope;            /* the design's own relative slope over the feather */
    double temple_share[2];         /* each temple's dots for its design over the centre's: 1 worked
                                     * alike, 0 untreated ([0] right, [1] left) */
    size_t temple_dots[2];
    double s_front, s_edge, s_temples, s_style;   /* the marks each leaves, 0..1 */
    int    fault;                   /* enum hairline_fault: what cost most (HAIRLINE_OK: nothing did) */
} hairline_judged;

/* Judges the dots (in_zone: per dot, whether it lies in the working zone) against the
 * lesson's hairline; in_front_fraction is the share of dots in front of the line beyond the
 * tolerance. 0, or -1 when the lesson has no hairline or an argument is NULL. */
int hairline_judge(const lesson *l, const hairline_zone *hz, const dot *dots, size_t n,
                   const unsigned char *in_zone, double in_front_fraction, hairline_judged *out);

/* The hairline's marks, 0..100: 100 x s_front x s_edge x s_temples x s_style. */
double hairline_judged_score(const hairline_judged *h);

/* "ok", "in_front", "edge_behind", "edge_forward", "temple", "flat", "straight", "ragged". */
const char *hairline_fault_name(int fault);

/* Whether a style is judged as a defined edge (edge-up) rather than feathered. */
int hairline_style_is_defined(int style);

#endif
