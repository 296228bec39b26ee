/* lesson.h: a lesson: the surface, the client, where to work, and the targets the
 * session is scored against, each with its source. Loaded from JSON (jansson); every
 * error names file:line:column. See lessons/README.md for the format. */
#ifndef STIPPLE_LESSON_H
#define STIPPLE_LESSON_H

#include <stddef.h>
#include <stdint.h>

#include "color.h"
#include "needle.h"
#include "skin.h"
#include "surface.h"

#define LESSON_FORMAT "stipple-lesson/1"

typedef struct chart_point { double u_mm, v_mm; } chart_point;

/* A working zone: a chart polygon, a set of regions, a Norwood preset's bald part or its
 * hair, or several (then their intersection). */
typedef struct lesson_zone {
    char         name[48];
    chart_point *polygon;       /* NULL when the zone is regions only */
    size_t       polygon_count;
    uint32_t     region_mask;   /* bit (1u << region_id); 0 when polygon only */
    int          norwood_stage; /* 1..7: a Norwood preset limits the area (norwood.h); 0 none */
    int          norwood_hair;  /* 1: the preset's remaining hair, 0: its bald part */
} lesson_zone;

typedef enum hairline_style {
    HAIRLINE_NONE = 0,
    HAIRLINE_NATURAL,
    HAIRLINE_SOFT,
    HAIRLINE_EDGE_UP,
    HAIRLINE_WIDOWS_PEAK,
    HAIRLINE_MATURE,
} hairline_style;

const char *hairline_style_name(int style);     /* "natural", "soft", "edge_up", ... */
int         hairline_style_from_name(const char *name);  /* HAIRLINE_NONE if unknown */

/* The design line runs across the chart, ordered by u; "in front" is the +v side (towards
 * the forehead on the head). Behind it density rises from front_density_fraction of the
 * target at the line to the full target over feather_mm. */
typedef struct lesson_hairline {
    int          style;                  /* enum hairline_style */
    chart_point *line;
    size_t       line_count;
    double       feather_mm;
    double       front_density_fraction;
    double       tolerance_mm;           /* dots up to this far in front are not faults */
} lesson_hairline;

typedef struct lesson_skin_override {
    region_id   region;                  /* REGION_NONE: every region */
    skin_layers layers;                  /* NaN: not given, keeps the default (lesson_layers) */
} lesson_skin_override;

/* Hair the client still has (supplemental-density lessons): follicular units scattered
 * over an area at a density, 1 to 3 hairs each, cut to a stubble length. Where they are is
 * made from seed (scalp_features.h), the same for every session of the lesson. */
typedef struct lesson_hair {
    lesson_zone area;
    double   density_per_cm2;            /* follicular units */
    double   length_mm;                  /* visible stubble */
    char     colour[24];                 /* a hair colour name; the client's by default */
    uint32_t seed;
} lesson_hair;

typedef enum scar_kind {
    SCAR_STRIP = 1,                      /* FUT: a line of scar tissue along a path */
    SCAR_FUE,                            /* FUE: round punch scars scattered over an area */
} scar_kind;

/* Scar tissue takes pigment differently and sources disagree on how (model-defaults.md),
 * so each scar may set its own depth band for the dots placed in it. */
typedef struct lesson_scar {
    int          kind;                   /* enum scar_kind */
    chart_point *points;                 /* strip: the path; FUE: the area's polygon */
    size_t       point_count;
    double       width_mm;               /* strip */
    double       diameter_mm;            /* FUE: each punch scar */
    int          count;                  /* FUE: how many */
    uint32_t     seed;                   /* FUE: where they are */
    int          has_depth_band;
    double       depth_band_mm[2];
    double       depth_acceptable_mm[2];
} lesson_scar;

/* Metric order used by weights, thresholds and scores. */
typedef enum metric_id {
    METRIC_SPACING = 0,
    METRIC_DEPTH,
    METRIC_PIGMENT,
    METRIC_HAIRLINE,
    METRIC_QUALITY,
    METRIC_COUNT
} metric_id;

const char *metric_name(int metric);   /* "spacing", "depth", "pigment", "hairline", "quality" */

typedef struct lesson {
    char   id[64];
    char   title[128];
    int    version;
    char  *description;                  /* may be NULL */
    char  *path;                         /* file it was loaded from (or the name given) */
    uint8_t content_hash[32];            /* BLAKE2b-256 of the file's bytes */

    surface_kind surface;
    double skin_width_mm, skin_height_mm;   /* practice skin only */

    int    fitzpatrick;                  /* 1..6 */
    char   hair_colour[24];

    lesson_zone *zones;
    size_t       zone_count;
    int          has_hairline;
    lesson_hairline hairline;

    int    session_number;               /* 1..3 */
    double target_density_per_cm2;
    double target_spacing_mm;            /* given, or 10.7 / sqrt(density) */
    double depth_band_mm[2];             /* ideal */
    double depth_acceptable_mm[2];
    double clark_evans_natural[2];       /* R range that reads as natural */

    needle needle;
    int    target_shade;
    int    allowed_shades[2];            /* suitable for this session number */
    int    has_target_lab;
    lab    target_lab;                   /* else derived from target_shade (score.c) */

    lesson_skin_override *skin;
    size_t skin_count;

    int          has_hair;
    lesson_hair  hair;
    lesson_scar *scars;
    size_t       scar_count;

    double weights[METRIC_COUNT];        /* normalised to sum 1 when loaded */
    double pass[METRIC_COUNT];           /* metric pass marks, 0..100 */
    double pass_total;                   /* total pass mark, 0..100 */

    char **sources;
    size_t source_count;
} lesson;

/* 0 on success; -1 with err = "path:line:column: what is wrong". On success free with
 * lesson_free. The out-parameter is untouched on failure. */
int  lesson_load_file(const char *path, lesson *out, char *err, size_t errlen);
/* Same from memory; name is used in error messages and as path. */
int  lesson_load_mem(const char *text, size_t len, const char *name, lesson *out, char *err, size_t errlen);
void lesson_free(lesson *l);  /* NULL-safe */

/* Skin layers for a region: defaults, then the lesson's overrides. */
void lesson_layers(const lesson *l, region_id region, skin_layers *dest);
/* 1 if chart point (u, v) in region r lies in the area (a zone, the existing hair). */
int  lesson_area_contains(const lesson_zone *z, double u_mm, double v_mm, region_id r);
/* Even-odd test against a chart polygon (n >= 3). */
int  lesson_polygon_contains(const chart_point *p, size_t n, double u_mm, double v_mm);
/* Bounding box [u0, v0, u1, v1] of n >= 1 chart points, grown by margin_mm. */
void lesson_points_box(const chart_point *p, size_t n, double margin_mm, double box[4]);
/* Intersects box with clip; 0 when nothing is left. */
int  lesson_box_clip(double box[4], const double clip[4]);
/* Distance from a chart point to a strip scar's path, mm. */
double lesson_strip_distance_mm(const lesson_scar *sc, double u_mm, double v_mm);
/* 1 if chart point (u, v) in region r lies in any working zone. */
int  lesson_zone_contains(const lesson *l, double u_mm, double v_mm, region_id r);
/* Signed distance from the design line along v: > 0 in front of the line, mm. Only
 * meaningful with a hairline; points beyond the line's u range use its nearest end. */
double lesson_hairline_offset_mm(const lesson *l, double u_mm, double v_mm);

#endif
