/* lesson_fields.c: the lesson validator's tools: the path being checked, errors that name
 * file:line:column (json_locate finds the value, textpos the line), hints for misspelt keys
 * and typed getters with ranges. Defaults and ranges are the callers' (lesson.c). */
#include "lesson_fields.h"
#include "head_landmarks.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textpos.h"

/* ---- the validation context and error reporting ------------------------------------- */

void lf_push_key(lesson_ctx *c, const char *key)
{
    if (c->depth < LESSON_PATH_MAX_DEPTH)
        c->path[c->depth] = (json_path_step){ key, 0 };
    c->depth++;
}

void lf_push_index(lesson_ctx *c, size_t index)
{
    if (c->depth < LESSON_PATH_MAX_DEPTH)
        c->path[c->depth] = (json_path_step){ NULL, index };
    c->depth++;
}

void lf_pop(lesson_ctx *c)
{
    c->depth--;
}

static int path_depth(const lesson_ctx *c)
{
    return c->depth < LESSON_PATH_MAX_DEPTH ? c->depth : LESSON_PATH_MAX_DEPTH;
}

/* Appends s to buf as a printable, shortened string (no quotes added). */
static void append_printable(char *buf, size_t cap, const char *s)
{
    size_t used = strlen(buf), shown = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && used + 8 < cap; p++) {
        if (shown >= 40 && (*p & 0xC0) != 0x80) {
            memcpy(buf + used, "...", 4);
            return;
        }
        if (*p < 0x20 || *p == 0x7F || *p == '"' || *p == '\\') {
            used += (size_t)snprintf(buf + used, cap - used, "\\x%02x", *p);
        } else {
            buf[used++] = (char)*p;
            buf[used] = '\0';
        }
        shown++;
    }
}

/* A quoted, printable copy of s for messages. */
const char *lf_quoted(char *buf, size_t cap, const char *s)
{
    buf[0] = '\0';
    if (cap < 3)
        return buf;
    buf[0] = '"';
    buf[1] = '\0';
    append_printable(buf, cap - 1, s);
    size_t used = strlen(buf);
    buf[used] = '"';
    buf[used + 1] = '\0';
    return buf;
}

/* The current path as "session.depth_band_mm" or "zones[1].polygon_mm[2]". */
const char *lf_path_str(const lesson_ctx *c, char *buf, size_t cap)
{
    buf[0] = '\0';
    int d = path_depth(c);
    for (int i = 0; i < d; i++) {
        size_t used = strlen(buf);
        if (used + 2 >= cap)
            break;
        if (c->path[i].key) {
            if (i > 0) {
                buf[used++] = '.';
                buf[used] = '\0';
            }
            append_printable(buf, cap, c->path[i].key);
        } else {
            snprintf(buf + used, cap - used, "[%zu]", c->path[i].index);
        }
    }
    return buf;
}

/* Sets the error at the current path (its value, or its key when at_key); returns -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int lf_fail(lesson_ctx *c, int at_key, const char *fmt, ...)
{
    if (!c->err || c->errlen == 0)
        return -1;
    size_t off = json_locate(c->text, c->len, c->path, path_depth(c), at_key);
    size_t line, col;
    text_line_col(c->text, c->len, off, &line, &col);
    int k = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->name, line, col);
    if (k >= 0 && (size_t)k < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A short description of what a value is, for "(got ...)". */
static const char *describe(const json_t *v, char *buf, size_t cap)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "an array";
    case JSON_STRING: {
        char q[64];
        snprintf(buf, cap, "the string %s", lf_quoted(q, sizeof q, json_string_value(v)));
        return buf;
    }
    case JSON_INTEGER: snprintf(buf, cap, "%lld", (long long)json_integer_value(v)); return buf;
    case JSON_REAL:    snprintf(buf, cap, "%g", json_real_value(v)); return buf;
    case JSON_TRUE:    return "true";
    case JSON_FALSE:   return "false";
    case JSON_NULL:    return "null";
    }
    return "?";
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* " (did you mean "x"?)" for the closest candidate within edit distance 2, else "". */
const char *lf_hint(const char *got, const char *const *cands, size_t count, char *buf, size_t cap)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < count && cands[i]; i++) {
        size_t d = edit_distance(got, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    if (!best)
        return "";
    snprintf(buf, cap, " (did you mean \"%s\"?)", best);
    return buf;
}

void lf_region_names(const char **names, size_t *count)
{
    size_t k = 0;
    for (int r = REGION_NONE + 1; r < REGION_COUNT; r++) {
        const char *nm = region_name((region_id)r);
        if (nm && *nm)
            names[k++] = nm;
    }
    names[k] = NULL;
    *count = k;
}

/* ---- typed getters ------------------------------------------------------------------ */

/* Unknown keys are errors, with a hint when close to a known one. */
int lf_check_keys(lesson_ctx *c, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (allowed[i])
            continue;
        char q[128], h[96], p[160], where[200] = "";
        if (c->depth > 0)
            snprintf(where, sizeof where, " in \"%s\"", lf_path_str(c, p, sizeof p));
        lf_push_key(c, key);
        return lf_fail(c, 1, "unknown key %s%s%s", lf_quoted(q, sizeof q, key), where,
                    lf_hint(key, allowed, 64, h, sizeof h));
    }
    return 0;
}

/* The member key of obj, or NULL; when required and missing, an error at obj. */
int lf_member(lesson_ctx *c, json_t *obj, const char *key, int required, json_t **out)
{
    *out = json_object_get(obj, key);
    if (*out || !required)
        return 0;
    if (c->depth == 0)
        return lf_fail(c, 0, "missing required key \"%s\"", key);
    char p[160];
    return lf_fail(c, 0, "missing required key \"%s\" in \"%s\"", key, lf_path_str(c, p, sizeof p));
}

/* Type checks at the current path. */
int lf_want_type(lesson_ctx *c, json_t *v, json_type type, const char *what)
{
    if (json_typeof(v) == type)
        return 0;
    char p[160], d[96];
    return lf_fail(c, 0, "\"%s\" must be %s (got %s)", lf_path_str(c, p, sizeof p), what, describe(v, d, sizeof d));
}

int lf_want_number(lesson_ctx *c, json_t *v, double lo, double hi, double *out)
{
    char p[160], d[96];
    if (!json_is_number(v))
        return lf_fail(c, 0, "\"%s\" must be a number (got %s)", lf_path_str(c, p, sizeof p), describe(v, d, sizeof d));
    double x = json_number_value(v);
    if (!isfinite(x) || x < lo || x > hi)
        return lf_fail(c, 0, "\"%s\" must be from %g to %g (got %g)", lf_path_str(c, p, sizeof p), lo, hi, x);
    *out = x;
    return 0;
}

int lf_want_int(lesson_ctx *c, json_t *v, int lo, int hi, int *out)
{
    char p[160], d[96];
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return lf_fail(c, 0, "\"%s\" must be an integer from %d to %d (got %s)", lf_path_str(c, p, sizeof p), lo, hi,
                    describe(v, d, sizeof d));
    *out = (int)json_integer_value(v);
    return 0;
}

int lf_num_in(lesson_ctx *c, json_t *obj, const char *key, int required, double def, double lo, double hi, double *out)
{
    json_t *v;
    if (lf_member(c, obj, key, required, &v))
        return -1;
    if (!v) {
        *out = def;
        return 0;
    }
    lf_push_key(c, key);
    int rc = lf_want_number(c, v, lo, hi, out);
    lf_pop(c);
    return rc;
}

int lf_int_in(lesson_ctx *c, json_t *obj, const char *key, int required, int def, int lo, int hi, int *out)
{
    json_t *v;
    if (lf_member(c, obj, key, required, &v))
        return -1;
    if (!v) {
        *out = def;
        return 0;
    }
    lf_push_key(c, key);
    int rc = lf_want_int(c, v, lo, hi, out);
    lf_pop(c);
    return rc;
}

/* A string of 1..maxlen bytes (maxlen 0: any length). NULL when optional and absent. */
int lf_str_in(lesson_ctx *c, json_t *obj, const char *key, int required, size_t maxlen, const char **out)
{
    json_t *v;
    *out = NULL;
    if (lf_member(c, obj, key, required, &v))
        return -1;
    if (!v)
        return 0;
    lf_push_key(c, key);
    char p[160];
    int rc = lf_want_type(c, v, JSON_STRING, "a string");
    if (rc == 0 && json_string_length(v) == 0)
        rc = lf_fail(c, 0, "\"%s\" must not be empty", lf_path_str(c, p, sizeof p));
    if (rc == 0 && maxlen && json_string_length(v) > maxlen)
        rc = lf_fail(c, 0, "\"%s\" is too long (%zu bytes; at most %zu)", lf_path_str(c, p, sizeof p),
                  json_string_length(v), maxlen);
    lf_pop(c);
    if (rc == 0)
        *out = json_string_value(v);
    return rc;
}

int lf_obj_in(lesson_ctx *c, json_t *obj, const char *key, int required, json_t **out)
{
    if (lf_member(c, obj, key, required, out))
        return -1;
    if (!*out)
        return 0;
    lf_push_key(c, key);
    int rc = lf_want_type(c, *out, JSON_OBJECT, "an object");
    lf_pop(c);
    return rc;
}

/* An array of min..max elements at the current path. */
int lf_want_array(lesson_ctx *c, json_t *v, size_t min, size_t max, const char *what)
{
    char p[160], d[96];
    if (!json_is_array(v))
        return lf_fail(c, 0, "\"%s\" must be %s (got %s)", lf_path_str(c, p, sizeof p), what, describe(v, d, sizeof d));
    size_t n = json_array_size(v);
    if (n < min || n > max)
        return lf_fail(c, 0, "\"%s\" must be %s (got %zu element%s)", lf_path_str(c, p, sizeof p), what, n,
                    n == 1 ? "" : "s");
    return 0;
}

/* [min, max] numbers in lo..hi with min < max; def when optional and absent. */
int lf_pair_in(lesson_ctx *c, json_t *obj, const char *key, int required, const double def[2], double lo, double hi,
                   double out[2])
{
    json_t *v;
    if (lf_member(c, obj, key, required, &v))
        return -1;
    if (!v) {
        out[0] = def[0];
        out[1] = def[1];
        return 0;
    }
    lf_push_key(c, key);
    char p[160];
    double x[2];
    int rc = lf_want_array(c, v, 2, 2, "[min, max]");
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        lf_push_index(c, i);
        rc = lf_want_number(c, json_array_get(v, i), lo, hi, &x[i]);
        lf_pop(c);
    }
    if (rc == 0 && !(x[0] < x[1]))
        rc = lf_fail(c, 0, "\"%s\" must be [min, max] with min < max (got [%g, %g])", lf_path_str(c, p, sizeof p),
                  x[0], x[1]);
    lf_pop(c);
    if (rc == 0) {
        out[0] = x[0];
        out[1] = x[1];
    }
    return rc;
}

/* {"landmark": NAME, "offset_mm": [du, dv]}: a head landmark's chart point, moved. */
static int want_landmark_point(lesson_ctx *c, json_t *v, chart_point *out)
{
    static const char *const keys[] = { "landmark", "offset_mm", NULL };
    const char *name;
    char q[128];
    if (lf_check_keys(c, v, keys) || lf_str_in(c, v, "landmark", 1, 64, &name))
        return -1;
    head_landmark lm = landmark_from_name(name);
    lf_push_key(c, "landmark");
    int rc = 0;
    if (lm == LANDMARK_COUNT)
        rc = lf_fail(c, 0, "unknown landmark %s (known: glabella, nasion, brow_crease, temple_l, temple_r, vertex, "
                  "crown_whorl, occipital_protuberance, opisthocranion, tragion_l, tragion_r, nape)",
                  lf_quoted(q, sizeof q, name));
    else if (c->l->surface != SURFACE_HEAD)
        rc = lf_fail(c, 0, "landmark %s is on the head, and this lesson's surface is not", lf_quoted(q, sizeof q, name));
    double at[2] = { 0.0, 0.0 };
    if (rc == 0 && !head_landmark_chart(lm, at))
        rc = lf_fail(c, 0, "landmark %s could not be found on the head", lf_quoted(q, sizeof q, name));
    lf_pop(c);
    json_t *off = json_object_get(v, "offset_mm");
    double d[2] = { 0.0, 0.0 };
    if (rc == 0 && off) {
        lf_push_key(c, "offset_mm");
        rc = lf_want_array(c, off, 2, 2, "an offset [du, dv] in mm");
        for (size_t i = 0; rc == 0 && i < 2; i++) {
            lf_push_index(c, i);
            rc = lf_want_number(c, json_array_get(off, i), -300.0, 300.0, &d[i]);
            lf_pop(c);
        }
        lf_pop(c);
    }
    if (rc == 0) {
        out->u_mm = at[0] + d[0];
        out->v_mm = at[1] + d[1];
    }
    return rc;
}

/* A chart point at the current path: [u, v] in mm, or a landmark with an offset. */
int lf_want_point(lesson_ctx *c, json_t *v, chart_point *out)
{
    if (json_is_object(v))
        return want_landmark_point(c, v, out);
    double x[2];
    if (lf_want_array(c, v, 2, 2, "a point [u, v] in mm"))
        return -1;
    for (size_t i = 0; i < 2; i++) {
        lf_push_index(c, i);
        int rc = lf_want_number(c, json_array_get(v, i), -1000.0, 1000.0, &x[i]);
        lf_pop(c);
        if (rc)
            return -1;
    }
    out->u_mm = x[0];
    out->v_mm = x[1];
    return 0;
}
