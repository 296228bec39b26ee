/* score.h: grading a session's dots against a lesson, per region and overall, with a
 * reason on every flagged dot. Pure: the same dots and lesson give the same numbers. */
#ifndef STIPPLE_SCORE_H
#define STIPPLE_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "dot.h"
#include "hairline_score.h"
#include "lesson.h"
#include "surface.h"

#define SCORE_REPORT_VERSION 1
/* The scoring rules in force; recorded in every session (format 2). The grading rules own it. */
#ifndef SCORE_RULES_VERSION
#define SCORE_RULES_VERSION SCORE_RULES_LATEST
#endif

/* Scoring rules: what the figures are judged against and how. A session is graded under
 * the latest rules unless asked for an earlier set (stipple grade --rules N), so a session
 * recorded today grades the same way in a year under the rules it was graded by.
 *   1  the first rules: pigment against the lesson's own shade healed at mid-band, over
 *      every dot (shed and blown-out dots too); density over the whole zone, feather
 *      included; dots in front of the hairline also count as outside the zone.
 *   2  one fault, one metric: pigment judged against the client's stubble colour
 *      (shade_rule.h) over the dots within the acceptable depths (depth faults belong to
 *      depth); with a hairline, density and Clark-Evans R behind the feather (the feather's
 *      gradient belongs to the hairline); a dot in front of the line is the hairline's
 *      fault, not also spacing's; the shade judged by the shade rule; rows and lattices
 *      lose the pattern marks whatever their R (pattern_order.h: factor 1 below order 0.30,
 *      0 at 0.60), and the pattern reads "rows" or "grid" from the order.
 *   3  the hairline judged by its style (hairline_score.h): every style by the dots in
 *      front of the line, the front edge's distance from the line and both temples worked
 *      like the rest; a feathered style (soft, natural, widow's peak, mature) by the density
 *      rising through the feather as designed and an irregular front edge, a defined one
 *      (edge-up) by a crisp edge. Rules 1-2 scored a front/back density ratio ("softness").
 *      Everything else as rules 2. */
#define SCORE_RULES_OLDEST 1
#define SCORE_RULES_LATEST 3

/* Why a dot is flagged (several may apply). */
enum score_flag {
    SF_OUTSIDE_ZONE   = 1u << 0,  /* not in any working zone */
    SF_TOO_CLOSE      = 1u << 1,  /* nearer than half the target spacing: will merge */
    SF_SHED           = 1u << 2,  /* too shallow: lost in healing */
    SF_BLOWOUT        = 1u << 3,  /* too deep: spreads, turns blue */
    SF_OUT_OF_BAND    = 1u << 4,  /* outside the ideal depth band (but neither above) */
    SF_WRONG_COLOUR   = 1u << 5,  /* healed colour > 6 dE00 from the target */
    SF_IN_FRONT       = 1u << 6,  /* in front of the hairline design */
    SF_DRAGGED        = 1u << 7,  /* needle moved while in the skin */
    SF_SIZE_OUTLIER   = 1u << 8,  /* fresh diameter far from what the lesson's needle makes */
    SF_OFF_SCALP      = 1u << 9,  /* face, ear or neck */
    SF_WRONG_NEEDLE   = 1u << 10, /* not the needle the lesson asks for */
};
#define SCORE_FLAG_COUNT 11
const char *score_flag_name(uint32_t single_flag);   /* "outside_zone", "too_close", ... */

typedef enum spacing_pattern {
    PATTERN_NATURAL = 0, PATTERN_GRID, PATTERN_CLUMPED, PATTERN_UNKNOWN, PATTERN_ROWS
} spacing_pattern;
const char *spacing_pattern_name(int p);

typedef struct score_spacing {
    size_t dots_in_zone, dots_outside_zone;
    double zone_area_cm2, density_per_cm2, target_density_per_cm2, target_spacing_mm;
    double nn_mean_mm, nn_sd_mm, nn_cv;
    double too_close_fraction;            /* NN < target spacing / 2 */
    double clark_evans_r;
    int    pattern;                       /* enum spacing_pattern */
    double largest_gap_mm;                /* diameter of the largest empty circle in the zone
                                           * (0 when no dot is in the zone) */
    double largest_gap_spacings;          /* the largest gap in local target spacings (with a
                                           * hairline, the spacing of the design's density there) */
    double expected_density_per_cm2;      /* what the design asks over the zone: the target, or
                                           * with a hairline its feathered profile's mean
                                           * (rules 2 with a hairline: the target, behind
                                           * the feather) */
    int    density_behind_feather;        /* rules 2 with a hairline: density, expected and R
                                           * are over the zone behind the feather */
    double density_area_cm2;              /* the area the density is over */
    size_t dots_in_front_outside_zone;    /* outside the zone but in front of the hairline:
                                           * the hairline's fault (rules 2; rules 3 also
                                           * those in front within the tolerance) */
    double order;                         /* how strongly the nearest-neighbour directions
                                           * repeat, 0..1 (pattern_order.h; every rule set
                                           * measures it, rules 2 score it) */
    int    order_kind;                    /* enum pattern_order_kind: none, rows, square, hex */
    double pattern_marks;                 /* the share (0..1) of the spacing marks the pattern
                                           * leaves: R's, times the order's factor under rules 2 */
    double other_marks;                   /* the share the rest leaves (density, dots too close,
                                           * gaps, zone): the score is 100 x both */
} score_spacing;

typedef struct score_depth {
    double mean_mm, sd_mm;
    double in_band_fraction, in_acceptable_fraction;
    double mae_mm;                        /* mean distance outside the ideal band (0 inside) */
    size_t shed_count, blowout_count;
} score_depth;

typedef struct score_pigment {
    lab    target_lab;
    int    target_is_stubble;             /* rules 2: the client's stubble colour (shade_rule.h) */
    size_t judged_count;                  /* dots whose colour was judged: rules 2, those within
                                           * the acceptable depths; rules 1, every dot */
    int    shade_only;                    /* no dot to judge: the shade used, healed at mid-band */
    int    shade_rule;                    /* the rule's shade for this client and session, -1 none */
    double delta_e00_mean, delta_e00_max;
    double excellent_fraction;            /* dE00 <= 3 */
    double acceptable_fraction;           /* dE00 <= 6 */
    int    shade_used;                    /* most used shade */
    int    shade_suitable;                /* within the lesson's allowed shades */
} score_pigment;

typedef struct score_hairline {
    int    applies;
    size_t in_front_count;
    double in_front_fraction;
    double front_band_density_ratio;      /* density just behind the line / at the back of the feather */
    double target_density_ratio;          /* the same ratio of the lesson's design profile */
    double softness;                      /* 0..1: how well the gradient matches (rules 1-2) */
    int    by_style;                      /* rules 3: judged by the lesson's style (style below) */
    hairline_judged style;                /* rules 3's figures and marks */
} score_hairline;

typedef struct score_quality {
    double diameter_mean_mm, diameter_cv;
    double diameter_median_mm;
    double diameter_expected_mm;          /* the lesson's needle, mid-band, a clean stipple:
                                             size outliers are judged against it */
    size_t wrong_needle_count;
    double wrong_needle_fraction;
    size_t dragged_count;
    double dragged_fraction;
    size_t size_outlier_count;
} score_quality;

typedef struct score_region {
    int    region;                        /* region_id */
    size_t dots;
    double area_cm2;                      /* of the working zone inside this region */
    double density_per_cm2;
    double nn_mean_mm;
    double in_band_fraction;
    double delta_e00_mean;
} score_region;

typedef struct score_result {
    int    rules;                         /* the scoring rules it was graded under */
    size_t dot_count;
    score_spacing  spacing;
    score_depth    depth;
    score_pigment  pigment;
    score_hairline hairline;
    score_quality  quality;
    double metric_score[METRIC_COUNT];    /* 0..100 */
    int    metric_passed[METRIC_COUNT];
    int    metric_applies[METRIC_COUNT];  /* weight > 0 (hairline only with a hairline) */
    double total;                         /* 0..100, weighted */
    int    passed;                        /* every applying metric and the total */
    score_region *regions;                /* one per region that has zone area or dots */
    size_t region_count;
    uint32_t *dot_flags;                  /* per dot, enum score_flag */
    double   *dot_nn_mm;                  /* per dot, distance to its nearest neighbour */
    double   *dot_delta_e00;              /* per dot */
    int16_t  *dot_scar;                   /* per dot, the lesson's scar it lies in, or -1 */
} score_result;

/* 0 on success; -1 on allocation failure or a NULL argument (dots may be NULL when n is
 * 0). Figures that are undefined (no dots, one dot, no zone area) are 0, never NaN.
 * Free with score_result_free. */
int  score_session(const lesson *l, const surface *s, const dot *dots, size_t n, score_result *out);
void score_result_free(score_result *r);  /* NULL-safe */

/* What scoring needs of the lesson's zone alone (its area, per region and per feather band,
 * and the sample points for the largest gap): prepared once per lesson and surface, used
 * for any number of sessions. The lesson and surface must outlive it. NULL on failure. */
typedef struct score_zone score_zone;
score_zone *score_zone_prepare(const lesson *l, const surface *s);
void        score_zone_free(score_zone *z);   /* NULL-safe */
/* score_session with a prepared zone (score_session prepares one and frees it), under the
 * latest rules. */
int         score_session_zone(const score_zone *z, const dot *dots, size_t n, score_result *out);
/* The same under scoring rules SCORE_RULES_OLDEST..SCORE_RULES_LATEST (-1 for another). */
int         score_session_rules(const score_zone *z, const dot *dots, size_t n, int rules, score_result *out);

/* The colour the lesson asks for under the latest rules: target_lab if given, else the
 * client's stubble colour for the session (shade_rule_target_lab), else (a hair colour the
 * rule does not know) the healed colour of the target shade at the middle of the band. */
void score_target_lab(const lesson *l, lab *dest);
/* The same under the given rules (rules 1: target_lab, else the target shade at mid-band). */
void score_target_lab_rules(const lesson *l, int rules, lab *dest);

/* A sentence saying why dot i is flagged ("" when it is not). */
void score_dot_reason(const score_result *r, const lesson *l, const dot *dots, size_t i, char *buf, size_t buflen);

#endif
