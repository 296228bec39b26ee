/* lesson.c: loading and validating lesson files (format "stipple-lesson/1", documented in
 * lessons/README.md): one loader per section, then the whole file's checks.
 *
 * jansson parses; the section loaders then validate every key, type and range with the
 * getters of lesson_fields.c, which report the first problem as "path:line:column: what is
 * wrong" (json_locate.c finds the value in the text, as jansson only knows positions for
 * syntax errors). The geometric queries on a loaded lesson are in lesson_geometry.c.
 * Defaults come from model-defaults.md.
 * Never exits or aborts on bad input; the caller's lesson is only written on success. */
#include "lesson.h"
#include "head_landmarks.h"
#include "norwood.h"

#include <jansson.h>
#include <sodium.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson_fields.h"
#include "textpos.h"

#define LESSON_MAX_BYTES   (1024u * 1024u)
#define LESSON_MAX_ZONES   64u
#define LESSON_MAX_POINTS  4096u
#define LESSON_MAX_SOURCES 64u
#define LESSON_MAX_PUNCHES 20000u

/* ---- names ------------------------------------------------------------------------ */

static const char *const hairline_names[] = {
    "none", "natural", "soft", "edge_up", "widows_peak", "mature",
};
#define HAIRLINE_STYLE_COUNT ((int)(sizeof hairline_names / sizeof hairline_names[0]))

const char *hairline_style_name(int style)
{
    if (style < 0 || style >= HAIRLINE_STYLE_COUNT)
        return "?";
    return hairline_names[style];
}

int hairline_style_from_name(const char *name)
{
    if (!name)
        return HAIRLINE_NONE;
    for (int i = 1; i < HAIRLINE_STYLE_COUNT; i++)
        if (strcmp(name, hairline_names[i]) == 0)
            return i;
    return HAIRLINE_NONE;
}

static const char *const metric_names[METRIC_COUNT] = {
    "spacing", "depth", "pigment", "hairline", "quality",
};

const char *metric_name(int metric)
{
    if (metric < 0 || metric >= METRIC_COUNT)
        return "?";
    return metric_names[metric];
}

/* Hair colours named in color.h; used for "did you mean" only, hair_lab() decides. */
static const char *const hair_names[] = {
    "black", "dark_brown", "brown", "light_brown", "blonde", "red", "grey", "white", NULL,
};

/* ---- sections ----------------------------------------------------------------------- */

static int load_surface(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "kind", "width_mm", "height_mm", NULL };
    static const char *const kinds[] = { "practice_skin", "head", NULL };
    lesson *l = c->l;
    json_t *s;
    const char *kind;
    char q[96], h[96];
    if (lf_obj_in(c, root, "surface", 1, &s))
        return -1;
    lf_push_key(c, "surface");
    int rc = lf_check_keys(c, s, keys);
    if (rc == 0)
        rc = lf_str_in(c, s, "kind", 1, 0, &kind);
    if (rc == 0) {
        if (strcmp(kind, "practice_skin") == 0) {
            l->surface = SURFACE_PRACTICE_SKIN;
            rc = lf_num_in(c, s, "width_mm", 1, 0, 10.0, 1000.0, &l->skin_width_mm);
            if (rc == 0)
                rc = lf_num_in(c, s, "height_mm", 1, 0, 10.0, 1000.0, &l->skin_height_mm);
        } else if (strcmp(kind, "head") == 0) {
            l->surface = SURFACE_HEAD;
            const char *extra = json_object_get(s, "width_mm") ? "width_mm"
                              : json_object_get(s, "height_mm") ? "height_mm" : NULL;
            if (extra) {
                lf_push_key(c, extra);
                rc = lf_fail(c, 1, "\"%s\" is only for a practice_skin surface", extra);
                lf_pop(c);
            }
        } else {
            lf_push_key(c, "kind");
            rc = lf_fail(c, 0, "unknown surface kind %s (expected \"practice_skin\" or \"head\")%s",
                      lf_quoted(q, sizeof q, kind), lf_hint(kind, kinds, 2, h, sizeof h));
            lf_pop(c);
        }
    }
    lf_pop(c);
    return rc;
}

static int load_client(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "fitzpatrick", "hair_colour", NULL };
    lesson *l = c->l;
    json_t *o;
    const char *hair;
    char q[96], h[96];
    lab tmp;
    if (lf_obj_in(c, root, "client", 1, &o))
        return -1;
    lf_push_key(c, "client");
    int rc = lf_check_keys(c, o, keys);
    if (rc == 0)
        rc = lf_int_in(c, o, "fitzpatrick", 1, 0, 1, 6, &l->fitzpatrick);
    if (rc == 0)
        rc = lf_str_in(c, o, "hair_colour", 1, 0, &hair);
    if (rc == 0) {
        if (strlen(hair) >= sizeof l->hair_colour || !hair_lab(hair, &tmp)) {
            lf_push_key(c, "hair_colour");
            rc = lf_fail(c, 0, "unknown hair colour %s%s", lf_quoted(q, sizeof q, hair),
                      lf_hint(hair, hair_names, 64, h, sizeof h));
            lf_pop(c);
        } else {
            snprintf(l->hair_colour, sizeof l->hair_colour, "%s", hair);
        }
    }
    lf_pop(c);
    return rc;
}

static double polygon_area(const chart_point *p, size_t n)
{
    double a = 0.0;
    for (size_t i = 0, j = n - 1; i < n; j = i++)
        a += p[j].u_mm * p[i].v_mm - p[i].u_mm * p[j].v_mm;
    return 0.5 * a;
}

static int load_area(lesson_ctx *c, json_t *z, lesson_zone *zone, const char *what);

/* "norwood": {"stage": "I".."VII", "part": "bald" | "hair"} (head lessons). */
static int load_norwood(lesson_ctx *c, json_t *nw, lesson_zone *zone)
{
    static const char *const keys[] = { "stage", "part", NULL };
    const char *stage, *part;
    char q[96];
    lf_push_key(c, "norwood");
    int rc = lf_want_type(c, nw, JSON_OBJECT, "an object {\"stage\": \"I\"..\"VII\", \"part\": \"bald\" or \"hair\"}");
    if (rc == 0)
        rc = lf_check_keys(c, nw, keys);
    if (rc == 0)
        rc = lf_str_in(c, nw, "stage", 1, 8, &stage);
    if (rc == 0)
        rc = lf_str_in(c, nw, "part", 1, 8, &part);
    if (rc == 0 && c->l->surface != SURFACE_HEAD)
        rc = lf_fail(c, 0, "a Norwood preset is on the head, and this lesson's surface is not");
    if (rc == 0) {
        zone->norwood_stage = norwood_from_name(stage);
        if (!zone->norwood_stage) {
            lf_push_key(c, "stage");
            rc = lf_fail(c, 0, "unknown Norwood stage %s (expected \"I\" to \"VII\")", lf_quoted(q, sizeof q, stage));
            lf_pop(c);
        }
    }
    if (rc == 0) {
        if (strcmp(part, "bald") == 0 || strcmp(part, "hair") == 0) {
            zone->norwood_hair = strcmp(part, "hair") == 0;
        } else {
            lf_push_key(c, "part");
            rc = lf_fail(c, 0, "unknown part %s (expected \"bald\" or \"hair\")", lf_quoted(q, sizeof q, part));
            lf_pop(c);
        }
    }
    lf_pop(c);
    return rc;
}

static int load_zone(lesson_ctx *c, json_t *z, lesson_zone *zone)
{
    static const char *const keys[] = { "name", "polygon_mm", "regions", "norwood", NULL };
    lesson *l = c->l;
    const char *name;
    char p[160], q[96];
    if (lf_want_type(c, z, JSON_OBJECT, "an object") || lf_check_keys(c, z, keys))
        return -1;
    if (lf_str_in(c, z, "name", 1, sizeof zone->name - 1, &name))
        return -1;
    for (lesson_zone *o = l->zones; o < zone; o++) {
        if (strcmp(o->name, name) == 0) {
            lf_push_key(c, "name");
            int rc = lf_fail(c, 0, "zone name %s is used twice", lf_quoted(q, sizeof q, name));
            lf_pop(c);
            return rc;
        }
    }
    snprintf(zone->name, sizeof zone->name, "%s", name);
    snprintf(p, sizeof p, "zone %s", lf_quoted(q, sizeof q, name));
    return load_area(c, z, zone, p);
}

/* The "polygon_mm" and/or "regions" of an area (a zone, the existing hair); what names it
 * in the message when both are missing. */
static int load_area(lesson_ctx *c, json_t *z, lesson_zone *zone, const char *what)
{
    lesson *l = c->l;
    json_t *poly, *regs;
    char p[160], q[96], h[96];
    poly = json_object_get(z, "polygon_mm");
    regs = json_object_get(z, "regions");
    json_t *nw = json_object_get(z, "norwood");
    if (!poly && !regs && !nw)
        return lf_fail(c, 0, "%s needs \"polygon_mm\", \"regions\" or both (or a \"norwood\" preset)", what);
    if (nw && load_norwood(c, nw, zone))
        return -1;
    if (poly) {
        lf_push_key(c, "polygon_mm");
        if (lf_want_array(c, poly, 3, LESSON_MAX_POINTS, "an array of 3 to 4096 points [u, v]")) {
            lf_pop(c);
            return -1;
        }
        size_t n = json_array_size(poly);
        zone->polygon = calloc(n, sizeof *zone->polygon);
        if (!zone->polygon) {
            lf_pop(c);
            return lf_fail(c, 0, "out of memory");
        }
        zone->polygon_count = n;
        for (size_t i = 0; i < n; i++) {
            lf_push_index(c, i);
            chart_point *pt = &zone->polygon[i];
            int rc = lf_want_point(c, json_array_get(poly, i), pt);
            if (rc == 0 && l->surface == SURFACE_PRACTICE_SKIN
                && (pt->u_mm < 0.0 || pt->u_mm > l->skin_width_mm || pt->v_mm < 0.0 || pt->v_mm > l->skin_height_mm))
                rc = lf_fail(c, 0, "point (%g, %g) lies outside the %g x %g mm practice skin", pt->u_mm, pt->v_mm,
                          l->skin_width_mm, l->skin_height_mm);
            lf_pop(c);
            if (rc) {
                lf_pop(c);
                return -1;
            }
        }
        if (fabs(polygon_area(zone->polygon, n)) < 1e-6) {
            int rc = lf_fail(c, 0, "\"%s\" has zero area", lf_path_str(c, p, sizeof p));
            lf_pop(c);
            return rc;
        }
        lf_pop(c);
    }
    if (regs) {
        const char *names[REGION_COUNT + 1];
        size_t count;
        lf_region_names(names, &count);
        lf_push_key(c, "regions");
        if (lf_want_array(c, regs, 1, 64, "a non-empty array of region names")) {
            lf_pop(c);
            return -1;
        }
        for (size_t i = 0; i < json_array_size(regs); i++) {
            json_t *rv = json_array_get(regs, i);
            lf_push_index(c, i);
            int rc = lf_want_type(c, rv, JSON_STRING, "a region name");
            if (rc == 0) {
                const char *rn = json_string_value(rv);
                region_id r = region_from_name(rn);
                if (r <= REGION_NONE || r >= REGION_COUNT)
                    rc = lf_fail(c, 0, "unknown region %s%s", lf_quoted(q, sizeof q, rn),
                              lf_hint(rn, names, count, h, sizeof h));
                else if (l->surface == SURFACE_PRACTICE_SKIN && r != REGION_PRACTICE)
                    rc = lf_fail(c, 0, "region %s is on the head; the practice skin has only \"%s\"",
                              lf_quoted(q, sizeof q, rn), region_name(REGION_PRACTICE));
                else if (l->surface == SURFACE_HEAD && r == REGION_PRACTICE)
                    rc = lf_fail(c, 0, "region %s is not on the head", lf_quoted(q, sizeof q, rn));
                else
                    zone->region_mask |= 1u << (unsigned)r;
            }
            lf_pop(c);
            if (rc) {
                lf_pop(c);
                return -1;
            }
        }
        lf_pop(c);
    }
    return 0;
}

static int load_zones(lesson_ctx *c, json_t *root)
{
    lesson *l = c->l;
    json_t *zs;
    if (lf_member(c, root, "zones", 1, &zs))
        return -1;
    lf_push_key(c, "zones");
    int rc = lf_want_array(c, zs, 1, LESSON_MAX_ZONES, "an array of 1 to 64 zones");
    if (rc == 0) {
        size_t n = json_array_size(zs);
        l->zones = calloc(n, sizeof *l->zones);
        if (!l->zones)
            rc = lf_fail(c, 0, "out of memory");
        for (size_t i = 0; rc == 0 && i < n; i++) {
            l->zone_count = i + 1;
            lf_push_index(c, i);
            rc = load_zone(c, json_array_get(zs, i), &l->zones[i]);
            lf_pop(c);
        }
    }
    lf_pop(c);
    return rc;
}

static int load_hairline(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "style", "line_mm", "feather_mm", "front_density_fraction",
                                        "tolerance_mm", NULL };
    lesson *l = c->l;
    lesson_hairline *hl = &l->hairline;
    json_t *o, *line;
    const char *style;
    char q[96], h[96];
    if (lf_obj_in(c, root, "hairline", 0, &o))
        return -1;
    if (!o)
        return 0;
    lf_push_key(c, "hairline");
    l->has_hairline = 1;
    int rc = lf_check_keys(c, o, keys);
    if (rc == 0)
        rc = lf_str_in(c, o, "style", 1, 0, &style);
    if (rc == 0) {
        hl->style = hairline_style_from_name(style);
        if (hl->style == HAIRLINE_NONE) {
            lf_push_key(c, "style");
            rc = lf_fail(c, 0, "unknown hairline style %s (expected natural, soft, edge_up, widows_peak or mature)%s",
                      lf_quoted(q, sizeof q, style),
                      lf_hint(style, hairline_names + 1, (size_t)HAIRLINE_STYLE_COUNT - 1, h, sizeof h));
            lf_pop(c);
        }
    }
    if (rc == 0)
        rc = lf_member(c, o, "line_mm", 1, &line);
    if (rc == 0) {
        lf_push_key(c, "line_mm");
        rc = lf_want_array(c, line, 2, LESSON_MAX_POINTS, "an array of 2 to 4096 points [u, v]");
        if (rc == 0) {
            size_t n = json_array_size(line);
            hl->line = calloc(n, sizeof *hl->line);
            if (!hl->line)
                rc = lf_fail(c, 0, "out of memory");
            else
                hl->line_count = n;
            for (size_t i = 0; rc == 0 && i < n; i++) {
                lf_push_index(c, i);
                rc = lf_want_point(c, json_array_get(line, i), &hl->line[i]);
                if (rc == 0 && i > 0 && !(hl->line[i].u_mm > hl->line[i - 1].u_mm))
                    rc = lf_fail(c, 0, "the line's u must increase strictly (point %zu has u = %g after %g)", i,
                              hl->line[i].u_mm, hl->line[i - 1].u_mm);
                lf_pop(c);
            }
        }
        lf_pop(c);
    }
    if (rc == 0)
        rc = lf_num_in(c, o, "feather_mm", 0, 25.0, 1.0, 100.0, &hl->feather_mm);
    if (rc == 0)
        rc = lf_num_in(c, o, "front_density_fraction", 0, 0.3, 0.0, 1.0, &hl->front_density_fraction);
    if (rc == 0)
        rc = lf_num_in(c, o, "tolerance_mm", 0, 0.5, 0.0, 10.0, &hl->tolerance_mm);
    lf_pop(c);
    return rc;
}

/* An array of min..max chart points at obj[key] into a fresh array. */
static int points_in(lesson_ctx *c, json_t *obj, const char *key, size_t min, chart_point **out, size_t *count)
{
    json_t *arr;
    char what[64];
    if (lf_member(c, obj, key, 1, &arr))
        return -1;
    lf_push_key(c, key);
    snprintf(what, sizeof what, "an array of %zu to %u points [u, v]", min, LESSON_MAX_POINTS);
    int rc = lf_want_array(c, arr, min, LESSON_MAX_POINTS, what);
    if (rc == 0) {
        size_t n = json_array_size(arr);
        *out = calloc(n, sizeof **out);
        if (!*out)
            rc = lf_fail(c, 0, "out of memory");
        else
            *count = n;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            lf_push_index(c, i);
            rc = lf_want_point(c, json_array_get(arr, i), &(*out)[i]);
            lf_pop(c);
        }
    }
    lf_pop(c);
    return rc;
}

static int load_hair(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "polygon_mm", "regions", "norwood", "density_per_cm2", "length_mm", "colour", "seed", NULL };
    lesson *l = c->l;
    lesson_hair *hr = &l->hair;
    json_t *o;
    const char *colour = NULL;
    char q[96], h[96];
    lab tmp;
    if (lf_obj_in(c, root, "existing_hair", 0, &o))
        return -1;
    if (!o)
        return 0;
    lf_push_key(c, "existing_hair");
    l->has_hair = 1;
    snprintf(hr->area.name, sizeof hr->area.name, "existing_hair");
    int rc = lf_check_keys(c, o, keys);
    if (rc == 0)
        rc = load_area(c, o, &hr->area, "\"existing_hair\"");
    if (rc == 0)
        rc = lf_num_in(c, o, "density_per_cm2", 1, 0.0, 1.0, 150.0, &hr->density_per_cm2);
    if (rc == 0)
        rc = lf_num_in(c, o, "length_mm", 0, 0.5, 0.1, 10.0, &hr->length_mm);
    if (rc == 0)
        rc = lf_str_in(c, o, "colour", 0, 0, &colour);
    if (rc == 0) {
        if (!colour)
            colour = l->hair_colour;
        if (strlen(colour) >= sizeof hr->colour || !hair_lab(colour, &tmp)) {
            lf_push_key(c, "colour");
            rc = lf_fail(c, 0, "unknown hair colour %s%s", lf_quoted(q, sizeof q, colour),
                      lf_hint(colour, hair_names, 64, h, sizeof h));
            lf_pop(c);
        } else {
            snprintf(hr->colour, sizeof hr->colour, "%s", colour);
        }
    }
    int seed = 1;
    if (rc == 0)
        rc = lf_int_in(c, o, "seed", 0, 1, 0, INT32_MAX, &seed);
    hr->seed = (uint32_t)seed;
    lf_pop(c);
    return rc;
}

static int load_scar(lesson_ctx *c, json_t *o, lesson_scar *sc)
{
    static const char *const strip_keys[] = { "kind", "path_mm", "width_mm", "depth_band_mm", "depth_acceptable_mm", NULL };
    static const char *const fue_keys[] = { "kind", "polygon_mm", "count", "diameter_mm", "seed", "depth_band_mm",
                                            "depth_acceptable_mm", NULL };
    const char *kind;
    char q[96], p[160];
    if (lf_want_type(c, o, JSON_OBJECT, "an object") || lf_str_in(c, o, "kind", 1, 0, &kind))
        return -1;
    int rc;
    if (strcmp(kind, "strip") == 0) {
        sc->kind = SCAR_STRIP;
        rc = lf_check_keys(c, o, strip_keys);
        if (rc == 0)
            rc = points_in(c, o, "path_mm", 2, &sc->points, &sc->point_count);
        if (rc == 0)
            rc = lf_num_in(c, o, "width_mm", 0, 1.5, 0.1, 20.0, &sc->width_mm);
    } else if (strcmp(kind, "fue") == 0) {
        sc->kind = SCAR_FUE;
        rc = lf_check_keys(c, o, fue_keys);
        if (rc == 0)
            rc = points_in(c, o, "polygon_mm", 3, &sc->points, &sc->point_count);
        if (rc == 0 && fabs(polygon_area(sc->points, sc->point_count)) < 1e-6) {
            lf_push_key(c, "polygon_mm");
            rc = lf_fail(c, 0, "\"%s\" has zero area", lf_path_str(c, p, sizeof p));
            lf_pop(c);
        }
        if (rc == 0)
            rc = lf_int_in(c, o, "count", 1, 0, 1, 20000, &sc->count);
        if (rc == 0)
            rc = lf_num_in(c, o, "diameter_mm", 0, 0.85, 0.2, 5.0, &sc->diameter_mm);
        int seed = 1;
        if (rc == 0)
            rc = lf_int_in(c, o, "seed", 0, 1, 0, INT32_MAX, &seed);
        sc->seed = (uint32_t)seed;
    } else {
        lf_push_key(c, "kind");
        rc = lf_fail(c, 0, "unknown scar kind %s (expected \"strip\" or \"fue\")", lf_quoted(q, sizeof q, kind));
        lf_pop(c);
    }
    /* the lesson's own band (session) unless the scar sets one */
    const lesson *l = c->l;
    sc->has_depth_band = json_object_get(o, "depth_band_mm") || json_object_get(o, "depth_acceptable_mm");
    if (rc == 0)
        rc = lf_pair_in(c, o, "depth_band_mm", 0, l->depth_band_mm, 0.0, 2.0, sc->depth_band_mm);
    if (rc == 0)
        rc = lf_pair_in(c, o, "depth_acceptable_mm", 0, l->depth_acceptable_mm, 0.0, 2.0, sc->depth_acceptable_mm);
    if (rc == 0 && (sc->depth_band_mm[0] < sc->depth_acceptable_mm[0] || sc->depth_band_mm[1] > sc->depth_acceptable_mm[1])) {
        lf_push_key(c, json_object_get(o, "depth_band_mm") ? "depth_band_mm" : "depth_acceptable_mm");
        rc = lf_fail(c, 0, "the scar's depth band [%g, %g] must lie inside its acceptable depths [%g, %g]",
                  sc->depth_band_mm[0], sc->depth_band_mm[1], sc->depth_acceptable_mm[0], sc->depth_acceptable_mm[1]);
        lf_pop(c);
    }
    return rc;
}

static int load_scars(lesson_ctx *c, json_t *root)
{
    lesson *l = c->l;
    json_t *arr;
    if (lf_member(c, root, "scars", 0, &arr))
        return -1;
    if (!arr)
        return 0;
    lf_push_key(c, "scars");
    int rc = lf_want_array(c, arr, 1, LESSON_MAX_ZONES, "an array of 1 to 64 scars");
    if (rc == 0) {
        size_t n = json_array_size(arr);
        l->scars = calloc(n, sizeof *l->scars);
        if (!l->scars)
            rc = lf_fail(c, 0, "out of memory");
        size_t points = 0, punches = 0;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            l->scar_count = i + 1;
            lf_push_index(c, i);
            rc = load_scar(c, json_array_get(arr, i), &l->scars[i]);
            /* bounds on the work scars make (drawing them, scoring every dot against them) */
            points += l->scars[i].point_count;
            punches += l->scars[i].kind == SCAR_FUE ? (size_t)l->scars[i].count : 0;
            if (rc == 0 && points > LESSON_MAX_POINTS)
                rc = lf_fail(c, 0, "the scars have %zu points in all; at most %u", points, LESSON_MAX_POINTS);
            else if (rc == 0 && punches > LESSON_MAX_PUNCHES)
                rc = lf_fail(c, 0, "the FUE scars have %zu punches in all; at most %u", punches, LESSON_MAX_PUNCHES);
            lf_pop(c);
        }
    }
    lf_pop(c);
    return rc;
}

static int load_session(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "number", "density_per_cm2", "spacing_mm", "depth_band_mm",
                                        "depth_acceptable_mm", NULL };
    static const double band_def[2] = { 0.15, 0.45 }, acc_def[2] = { 0.10, 0.60 };
    lesson *l = c->l;
    json_t *o;
    if (lf_obj_in(c, root, "session", 1, &o))
        return -1;
    lf_push_key(c, "session");
    int rc = lf_check_keys(c, o, keys);
    if (rc == 0)
        rc = lf_int_in(c, o, "number", 1, 0, 1, 3, &l->session_number);
    if (rc == 0)
        rc = lf_num_in(c, o, "density_per_cm2", 1, 0, 5.0, 150.0, &l->target_density_per_cm2);
    if (rc == 0)
        rc = lf_num_in(c, o, "spacing_mm", 0, 10.7 / sqrt(l->target_density_per_cm2), 0.3, 10.0,
                    &l->target_spacing_mm);
    if (rc == 0)
        rc = lf_pair_in(c, o, "depth_band_mm", 0, band_def, 0.0, 2.0, l->depth_band_mm);
    if (rc == 0)
        rc = lf_pair_in(c, o, "depth_acceptable_mm", 0, acc_def, 0.0, 2.0, l->depth_acceptable_mm);
    if (rc == 0 && (l->depth_band_mm[0] < l->depth_acceptable_mm[0]
                    || l->depth_band_mm[1] > l->depth_acceptable_mm[1])) {
        /* Point at whichever of the two the file gave (the band if both). */
        lf_push_key(c, json_object_get(o, "depth_band_mm") ? "depth_band_mm" : "depth_acceptable_mm");
        rc = lf_fail(c, 0, "\"session.depth_band_mm\" [%g, %g] must lie inside \"session.depth_acceptable_mm\" [%g, %g]",
                  l->depth_band_mm[0], l->depth_band_mm[1], l->depth_acceptable_mm[0], l->depth_acceptable_mm[1]);
        lf_pop(c);
    }
    lf_pop(c);
    return rc;
}

static int load_needle(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "config", "diameter_mm", NULL };
    static const char *const configs[] = { "1RL", "3RL", NULL };
    lesson *l = c->l;
    json_t *o;
    const char *cfg;
    double d;
    char q[96], h[96];
    if (lf_obj_in(c, root, "needle", 1, &o))
        return -1;
    lf_push_key(c, "needle");
    int rc = lf_check_keys(c, o, keys);
    if (rc == 0)
        rc = lf_str_in(c, o, "config", 1, 0, &cfg);
    if (rc == 0) {
        l->needle.config = needle_config_from_name(cfg);
        if (l->needle.config == 0) {
            lf_push_key(c, "config");
            rc = lf_fail(c, 0, "unknown needle config %s (expected \"1RL\" or \"3RL\")%s", lf_quoted(q, sizeof q, cfg),
                      lf_hint(cfg, configs, 2, h, sizeof h));
            lf_pop(c);
        }
    }
    if (rc == 0)
        rc = lf_num_in(c, o, "diameter_mm", 1, 0, NEEDLE_DIAMETER_MIN_MM, NEEDLE_DIAMETER_MAX_MM, &d);
    if (rc == 0)
        l->needle.diameter_mm = (float)d;
    lf_pop(c);
    return rc;
}

static int load_pigment(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "target_shade", "allowed_shades", "target_lab", NULL };
    lesson *l = c->l;
    json_t *o, *al, *tl;
    char p[160];
    if (lf_obj_in(c, root, "pigment", 1, &o))
        return -1;
    lf_push_key(c, "pigment");
    int rc = lf_check_keys(c, o, keys);
    if (rc == 0)
        rc = lf_int_in(c, o, "target_shade", 1, 0, 0, 30, &l->target_shade);
    if (rc == 0)
        rc = lf_member(c, o, "allowed_shades", 1, &al);
    if (rc == 0) {
        lf_push_key(c, "allowed_shades");
        rc = lf_want_array(c, al, 2, 2, "[min, max] shades");
        for (size_t i = 0; rc == 0 && i < 2; i++) {
            lf_push_index(c, i);
            rc = lf_want_int(c, json_array_get(al, i), 0, 30, &l->allowed_shades[i]);
            lf_pop(c);
        }
        if (rc == 0 && !(l->allowed_shades[0] <= l->target_shade && l->target_shade <= l->allowed_shades[1]))
            rc = lf_fail(c, 0, "\"%s\" [%d, %d] must be [min, max] with min <= target_shade (%d) <= max",
                      lf_path_str(c, p, sizeof p), l->allowed_shades[0], l->allowed_shades[1], l->target_shade);
        lf_pop(c);
    }
    if (rc == 0)
        rc = lf_member(c, o, "target_lab", 0, &tl);
    if (rc == 0 && tl) {
        static const double lo[3] = { 0.0, -128.0, -128.0 }, hi[3] = { 100.0, 127.0, 127.0 };
        double x[3];
        lf_push_key(c, "target_lab");
        rc = lf_want_array(c, tl, 3, 3, "[L, a, b]");
        for (size_t i = 0; rc == 0 && i < 3; i++) {
            lf_push_index(c, i);
            rc = lf_want_number(c, json_array_get(tl, i), lo[i], hi[i], &x[i]);
            lf_pop(c);
        }
        lf_pop(c);
        if (rc == 0) {
            l->has_target_lab = 1;
            l->target_lab = (lab){ x[0], x[1], x[2] };
        }
    }
    lf_pop(c);
    return rc;
}

static int load_pattern(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "clark_evans_natural", NULL };
    static const double def[2] = { 1.20, 1.75 };
    lesson *l = c->l;
    json_t *o;
    if (lf_obj_in(c, root, "pattern", 0, &o))
        return -1;
    if (!o) {
        l->clark_evans_natural[0] = def[0];
        l->clark_evans_natural[1] = def[1];
        return 0;
    }
    lf_push_key(c, "pattern");
    int rc = lf_check_keys(c, o, keys);
    if (rc == 0)
        rc = lf_pair_in(c, o, "clark_evans_natural", 0, def, 0.0, 2.15, l->clark_evans_natural);
    lf_pop(c);
    return rc;
}

static int load_skin(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "region", "epidermis_mm", "papillary_mm", "total_mm", NULL };
    lesson *l = c->l;
    json_t *arr;
    char q[96], h[96];
    if (lf_member(c, root, "skin", 0, &arr))
        return -1;
    if (!arr)
        return 0;
    lf_push_key(c, "skin");
    int rc = lf_want_array(c, arr, 0, REGION_COUNT, "an array of at most 14 overrides");
    size_t n = rc == 0 ? json_array_size(arr) : 0;
    if (rc == 0 && n > 0) {
        l->skin = calloc(n, sizeof *l->skin);
        if (!l->skin)
            rc = lf_fail(c, 0, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *o = json_array_get(arr, i);
        lesson_skin_override *ov = &l->skin[i];
        const char *rn;
        lf_push_index(c, i);
        rc = lf_want_type(c, o, JSON_OBJECT, "an object");
        if (rc == 0)
            rc = lf_check_keys(c, o, keys);
        if (rc == 0)
            rc = lf_str_in(c, o, "region", 1, 0, &rn);
        if (rc == 0) {
            lf_push_key(c, "region");
            if (strcmp(rn, "all") == 0) {
                ov->region = REGION_NONE;
            } else {
                ov->region = region_from_name(rn);
                if (ov->region <= REGION_NONE || ov->region >= REGION_COUNT) {
                    const char *names[REGION_COUNT + 2];
                    size_t count;
                    lf_region_names(names, &count);
                    names[count++] = "all";
                    names[count] = NULL;
                    rc = lf_fail(c, 0, "unknown region %s (a region name or \"all\")%s", lf_quoted(q, sizeof q, rn),
                              lf_hint(rn, names, count, h, sizeof h));
                }
            }
            for (size_t j = 0; rc == 0 && j < i; j++)
                if (l->skin[j].region == ov->region)
                    rc = lf_fail(c, 0, "region %s already has a skin override", lf_quoted(q, sizeof q, rn));
            lf_pop(c);
        }
        if (rc == 0)
            rc = lf_num_in(c, o, "epidermis_mm", 0, NAN, 0.01, 5.0, &ov->layers.epidermis_mm);
        if (rc == 0)
            rc = lf_num_in(c, o, "papillary_mm", 0, NAN, 0.01, 5.0, &ov->layers.papillary_mm);
        if (rc == 0)
            rc = lf_num_in(c, o, "total_mm", 0, NAN, 0.01, 5.0, &ov->layers.total_mm);
        if (rc == 0)
            l->skin_count = i + 1;
        lf_pop(c);
    }
    /* The layers that result in every region must be ordered. */
    for (int r = REGION_NONE + 1; rc == 0 && r < REGION_COUNT; r++) {
        skin_layers s;
        lesson_layers(l, (region_id)r, &s);
        if (s.epidermis_mm < s.papillary_mm && s.papillary_mm < s.total_mm)
            continue;
        size_t blame = 0;   /* the region's own override, else "all" */
        for (size_t j = 0; j < l->skin_count; j++)
            if (l->skin[j].region == REGION_NONE)
                blame = j;
        for (size_t j = 0; j < l->skin_count; j++)
            if (l->skin[j].region == (region_id)r)
                blame = j;
        lf_push_index(c, blame);
        rc = lf_fail(c, 0, "skin layers in %s must satisfy epidermis < papillary < total (got %g, %g, %g mm)",
                  lf_quoted(q, sizeof q, region_name((region_id)r)), s.epidermis_mm, s.papillary_mm, s.total_mm);
        lf_pop(c);
    }
    lf_pop(c);
    return rc;
}

static int load_weights(lesson_ctx *c, json_t *root)
{
    lesson *l = c->l;
    json_t *o;
    static const char *const keys[] = { "spacing", "depth", "pigment", "hairline", "quality", NULL };
    if (lf_obj_in(c, root, "weights", 1, &o))
        return -1;
    lf_push_key(c, "weights");
    int rc = lf_check_keys(c, o, keys);
    double sum = 0.0;
    for (int m = 0; rc == 0 && m < METRIC_COUNT; m++) {
        rc = lf_num_in(c, o, metric_names[m], 0, 0.0, 0.0, 1000.0, &l->weights[m]);
        sum += l->weights[m];
    }
    if (rc == 0 && l->weights[METRIC_HAIRLINE] > 0.0 && !l->has_hairline) {
        lf_push_key(c, "hairline");
        rc = lf_fail(c, 0, "\"weights.hairline\" must be 0 when the lesson has no \"hairline\" (got %g)",
                  l->weights[METRIC_HAIRLINE]);
        lf_pop(c);
    }
    if (rc == 0 && !(sum > 0.0))
        rc = lf_fail(c, 0, "\"weights\" must not all be 0");
    if (rc == 0)
        for (int m = 0; m < METRIC_COUNT; m++)
            l->weights[m] /= sum;
    lf_pop(c);
    return rc;
}

static int load_pass(lesson_ctx *c, json_t *root)
{
    static const char *const keys[] = { "spacing", "depth", "pigment", "hairline", "quality", "total", NULL };
    lesson *l = c->l;
    json_t *o;
    if (lf_obj_in(c, root, "pass", 0, &o))
        return -1;
    if (!o) {
        for (int m = 0; m < METRIC_COUNT; m++)
            l->pass[m] = 60.0;
        l->pass_total = 70.0;
        return 0;
    }
    lf_push_key(c, "pass");
    int rc = lf_check_keys(c, o, keys);
    for (int m = 0; rc == 0 && m < METRIC_COUNT; m++)
        rc = lf_num_in(c, o, metric_names[m], 0, 60.0, 0.0, 100.0, &l->pass[m]);
    if (rc == 0)
        rc = lf_num_in(c, o, "total", 0, 70.0, 0.0, 100.0, &l->pass_total);
    lf_pop(c);
    return rc;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static int load_sources(lesson_ctx *c, json_t *root)
{
    lesson *l = c->l;
    json_t *arr;
    char p[160];
    if (lf_member(c, root, "sources", 1, &arr))
        return -1;
    lf_push_key(c, "sources");
    int rc = lf_want_array(c, arr, 1, LESSON_MAX_SOURCES, "an array of 1 to 64 non-empty strings");
    size_t n = rc == 0 ? json_array_size(arr) : 0;
    if (rc == 0) {
        l->sources = calloc(n, sizeof *l->sources);
        if (!l->sources)
            rc = lf_fail(c, 0, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *v = json_array_get(arr, i);
        lf_push_index(c, i);
        rc = lf_want_type(c, v, JSON_STRING, "a string");
        if (rc == 0 && is_blank(json_string_value(v)))
            rc = lf_fail(c, 0, "\"%s\" must not be empty: say where the lesson's targets come from",
                      lf_path_str(c, p, sizeof p));
        if (rc == 0) {
            l->sources[i] = strdup(json_string_value(v));
            if (!l->sources[i])
                rc = lf_fail(c, 0, "out of memory");
            else
                l->source_count = i + 1;
        }
        lf_pop(c);
    }
    lf_pop(c);
    return rc;
}

static int load_header(lesson_ctx *c, json_t *root)
{
    lesson *l = c->l;
    const char *s;
    char q[96];
    if (lf_str_in(c, root, "format", 1, 0, &s))
        return -1;
    if (strcmp(s, LESSON_FORMAT) != 0) {
        lf_push_key(c, "format");
        int rc = lf_fail(c, 0, "unsupported format %s (expected \"%s\")", lf_quoted(q, sizeof q, s), LESSON_FORMAT);
        lf_pop(c);
        return rc;
    }
    if (lf_str_in(c, root, "id", 1, 0, &s))
        return -1;
    size_t n = strlen(s);
    int ok = n <= sizeof l->id - 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
    if (!ok) {
        lf_push_key(c, "id");
        int rc = lf_fail(c, 0, "\"id\" must be 1 to 63 characters of a-z, 0-9 and '-' (got %s)", lf_quoted(q, sizeof q, s));
        lf_pop(c);
        return rc;
    }
    memcpy(l->id, s, n + 1);
    if (lf_str_in(c, root, "title", 1, sizeof l->title - 1, &s))
        return -1;
    snprintf(l->title, sizeof l->title, "%s", s);
    if (lf_int_in(c, root, "version", 1, 0, 1, 1000000, &l->version))
        return -1;
    if (lf_str_in(c, root, "description", 0, 0, &s))
        return -1;
    if (s) {
        l->description = strdup(s);
        if (!l->description)
            return lf_fail(c, 0, "out of memory");
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------------------ */

/* Offset of the first byte that is not part of well-formed UTF-8 (no overlongs, no
 * surrogates, at most U+10FFFF), or len when all is well. */
static size_t utf8_bad_offset(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;   /* bounds for the second byte */
        if (b < 0x80) {
            i++;
            continue;
        } else if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            if (b == 0xE0) lo = 0xA0;
            if (b == 0xED) hi = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            if (b == 0xF0) lo = 0x90;
            if (b == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (i + need >= len)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += need + 1;
    }
    return len;
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail_at(char *err, size_t errlen, const char *name, size_t line_col_pair[2], const char *fmt, ...)
{
    if (!err || errlen == 0)
        return -1;
    /* line 0: the whole file (it cannot be opened or read), no position to give */
    int k = line_col_pair[0] ? snprintf(err, errlen, "%s:%zu:%zu: ", name, line_col_pair[0], line_col_pair[1])
                             : snprintf(err, errlen, "%s: ", name);
    if (k >= 0 && (size_t)k < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int lesson_load_mem(const char *text, size_t len, const char *name, lesson *out, char *err, size_t errlen)
{
    static const char *const keys[] = { "format", "id", "title", "version", "description", "surface", "client",
                                        "zones", "hairline", "session", "needle", "pigment", "pattern", "skin",
                                        "weights", "pass", "sources", "existing_hair", "scars", NULL };
    size_t at[2] = { 1, 1 };
    if (err && errlen)
        err[0] = '\0';
    if (!name)
        name = "(lesson)";
    if (!text && len > 0)
        return fail_at(err, errlen, name, at, "no text");
    if (!text)
        text = "";
    if (len > LESSON_MAX_BYTES)
        return fail_at(err, errlen, name, at, "file is too large (%zu bytes; at most 1 MiB)", len);
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        text_line_col(text, len, (size_t)(nul - text), &at[0], &at[1]);
        return fail_at(err, errlen, name, at, "NUL byte in the file");
    }
    size_t bad = utf8_bad_offset((const unsigned char *)text, len);
    if (bad < len) {
        text_line_col(text, len, bad, &at[0], &at[1]);
        return fail_at(err, errlen, name, at, "invalid UTF-8 (byte 0x%02x)", (unsigned)(unsigned char)text[bad]);
    }
    if (sodium_init() < 0)
        return fail_at(err, errlen, name, at, "libsodium failed to initialise");

    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        /* jansson's position is just past the token it choked on; when the message names
         * the token ("... near 'tok'"), point at the token's first byte instead. */
        size_t pos = (size_t)je.position, off = pos > 0 ? pos - 1 : 0;
        const char *near = strstr(je.text, " near '");
        size_t tlen = strlen(je.text);
        if (near && tlen > 0 && je.text[tlen - 1] == '\'') {
            size_t tok = tlen - (size_t)(near - je.text) - 8;
            if (tok > 0 && tok <= pos)
                off = pos - tok;
        }
        text_line_col(text, len, off, &at[0], &at[1]);
        return fail_at(err, errlen, name, at, "%s", je.text);
    }

    lesson l;
    memset(&l, 0, sizeof l);
    lesson_ctx c = { .text = text, .len = len, .name = name, .err = err, .errlen = errlen, .depth = 0, .l = &l };
    int rc;
    if (!json_is_object(root)) {
        rc = lf_fail(&c, 0, "the top level must be an object");
        goto done;
    }
    rc = lf_check_keys(&c, root, keys);
    if (rc == 0) rc = load_header(&c, root);
    if (rc == 0) rc = load_surface(&c, root);
    if (rc == 0) rc = load_client(&c, root);
    if (rc == 0) rc = load_zones(&c, root);
    if (rc == 0) rc = load_hairline(&c, root);
    if (rc == 0) rc = load_session(&c, root);
    if (rc == 0) rc = load_needle(&c, root);
    if (rc == 0) rc = load_pigment(&c, root);
    if (rc == 0) rc = load_pattern(&c, root);
    if (rc == 0) rc = load_skin(&c, root);
    if (rc == 0) rc = load_weights(&c, root);
    if (rc == 0) rc = load_pass(&c, root);
    if (rc == 0) rc = load_sources(&c, root);
    if (rc == 0) rc = load_hair(&c, root);
    if (rc == 0) rc = load_scars(&c, root);   /* after the session: scars default to its band */
    if (rc == 0) {
        l.path = strdup(name);
        if (!l.path)
            rc = lf_fail(&c, 0, "out of memory");
    }
    if (rc == 0)
        crypto_generichash(l.content_hash, sizeof l.content_hash, (const unsigned char *)text, len, NULL, 0);
done:
    json_decref(root);
    if (rc) {
        lesson_free(&l);
        return -1;
    }
    *out = l;
    return 0;
}

int lesson_load_file(const char *path, lesson *out, char *err, size_t errlen)
{
    size_t at[2] = { 0, 0 };
    if (!path)
        return fail_at(err, errlen, "(null)", at, "no path");
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail_at(err, errlen, path, at, "cannot open: %s", strerror(errno));
    size_t cap = LESSON_MAX_BYTES + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return fail_at(err, errlen, path, at, "out of memory");
    }
    while (len < cap) {
        size_t got = fread(buf + len, 1, cap - len, f);
        if (got == 0)
            break;
        len += got;
    }
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad)
        rc = fail_at(err, errlen, path, at, "cannot read: %s", strerror(errno));
    else if (len > LESSON_MAX_BYTES)
        rc = fail_at(err, errlen, path, at, "file is too large (more than 1 MiB)");
    else
        rc = lesson_load_mem(buf, len, path, out, err, errlen);
    free(buf);
    return rc;
}

void lesson_free(lesson *l)
{
    if (!l)
        return;
    for (size_t i = 0; l->zones && i < l->zone_count; i++)
        free(l->zones[i].polygon);
    free(l->zones);
    free(l->hairline.line);
    free(l->hair.area.polygon);
    for (size_t i = 0; i < l->scar_count; i++)
        free(l->scars[i].points);
    free(l->scars);
    free(l->description);
    free(l->path);
    free(l->skin);
    for (size_t i = 0; l->sources && i < l->source_count; i++)
        free(l->sources[i]);
    free(l->sources);
    memset(l, 0, sizeof *l);
}

