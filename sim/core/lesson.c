/* lesson.c: loading and validating lesson files (format "stipple-lesson/1", documented in
 * lessons/README.md), and the geometric queries the scorer asks of a lesson.
 *
 * jansson parses; this file then validates every key, type and range and reports the first
 * problem as "path:line:column: what is wrong". jansson only knows positions for syntax
 * errors, so for semantic errors a small locator re-scans the (by then known valid) text
 * to find the value at a JSON path. Defaults come from model-defaults.md.
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

#include "textpos.h"

#define LESSON_MAX_BYTES   (1024u * 1024u)
#define LESSON_MAX_ZONES   64u
#define LESSON_MAX_POINTS  4096u
#define LESSON_MAX_SOURCES 64u
#define LESSON_MAX_PUNCHES 20000u
#define PATH_MAX_DEPTH     8

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

/* ---- the position locator ---------------------------------------------------------- */

typedef struct pcomp {
    const char *key;   /* NULL: an array index */
    size_t      index;
} pcomp;

static size_t skip_ws(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* i at the opening quote; returns the index after the closing quote. */
static size_t skip_string(const char *t, size_t n, size_t i)
{
    i++;
    while (i < n && t[i] != '"') {
        if (t[i] == '\\')
            i++;
        i++;
    }
    return i < n ? i + 1 : n;
}

static size_t skip_value(const char *t, size_t n, size_t i)
{
    if (i >= n)
        return n;
    if (t[i] == '"')
        return skip_string(t, n, i);
    if (t[i] == '{' || t[i] == '[') {
        size_t depth = 0;
        while (i < n) {
            char ch = t[i];
            if (ch == '"') {
                i = skip_string(t, n, i);
                continue;
            }
            if (ch == '{' || ch == '[')
                depth++;
            else if (ch == '}' || ch == ']') {
                if (--depth == 0)
                    return i + 1;
            }
            i++;
        }
        return n;
    }
    while (i < n && t[i] != ',' && t[i] != ']' && t[i] != '}' && t[i] != ' ' && t[i] != '\t'
           && t[i] != '\n' && t[i] != '\r')
        i++;
    return i;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static unsigned read_hex4(const char *t, size_t n, size_t i)
{
    unsigned v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = i + k < n ? hexval(t[i + k]) : -1;
        if (h < 0)
            return 0xFFFFFFFFu;
        v = v * 16u + (unsigned)h;
    }
    return v;
}

/* Does the JSON string starting at t[i] (the quote) decode to exactly key? */
static int string_equals(const char *t, size_t n, size_t i, const char *key)
{
    size_t k = 0, klen = strlen(key);
    i++;
    while (i < n && t[i] != '"') {
        unsigned char buf[4];
        size_t blen = 0;
        if (t[i] != '\\') {
            buf[blen++] = (unsigned char)t[i++];
        } else {
            if (i + 1 >= n)
                return 0;
            char e = t[i + 1];
            i += 2;
            switch (e) {
            case 'b': buf[blen++] = '\b'; break;
            case 'f': buf[blen++] = '\f'; break;
            case 'n': buf[blen++] = '\n'; break;
            case 'r': buf[blen++] = '\r'; break;
            case 't': buf[blen++] = '\t'; break;
            case 'u': {
                unsigned cp = read_hex4(t, n, i);
                if (cp == 0xFFFFFFFFu)
                    return 0;
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && t[i] == '\\' && t[i + 1] == 'u') {
                    unsigned lo = read_hex4(t, n, i + 2);
                    if (lo != 0xFFFFFFFFu && lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000u + ((cp - 0xD800u) << 10) + (lo - 0xDC00u);
                        i += 6;
                    }
                }
                if (cp < 0x80) {
                    buf[blen++] = (unsigned char)cp;
                } else if (cp < 0x800) {
                    buf[blen++] = (unsigned char)(0xC0 | (cp >> 6));
                    buf[blen++] = (unsigned char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    buf[blen++] = (unsigned char)(0xE0 | (cp >> 12));
                    buf[blen++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    buf[blen++] = (unsigned char)(0x80 | (cp & 0x3F));
                } else {
                    buf[blen++] = (unsigned char)(0xF0 | (cp >> 18));
                    buf[blen++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                    buf[blen++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    buf[blen++] = (unsigned char)(0x80 | (cp & 0x3F));
                }
                break;
            }
            default: buf[blen++] = (unsigned char)e; break;   /* " \ / */
            }
        }
        if (k + blen > klen || memcmp(key + k, buf, blen) != 0)
            return 0;
        k += blen;
    }
    return k == klen;
}

/* Byte offset of the value at path (or of its key when at_key and the last component is a
 * key). Stops at the deepest component it can find, so it always returns something. */
static size_t locate(const char *t, size_t n, const pcomp *path, int depth, int at_key)
{
    size_t i = skip_ws(t, n, 0);
    for (int d = 0; d < depth; d++) {
        size_t here = i;
        int found = 0;
        if (path[d].key) {
            if (i >= n || t[i] != '{')
                return here;
            i++;
            for (;;) {
                i = skip_ws(t, n, i);
                if (i >= n || t[i] != '"')
                    return here;
                size_t key_at = i;
                int match = string_equals(t, n, i, path[d].key);
                i = skip_ws(t, n, skip_string(t, n, i));
                if (i >= n || t[i] != ':')
                    return here;
                i = skip_ws(t, n, i + 1);
                if (match) {
                    if (at_key && d == depth - 1)
                        return key_at;
                    found = 1;
                    break;
                }
                i = skip_ws(t, n, skip_value(t, n, i));
                if (i >= n || t[i] != ',')
                    return here;
                i++;
            }
        } else {
            if (i >= n || t[i] != '[')
                return here;
            i++;
            for (size_t j = 0;; j++) {
                i = skip_ws(t, n, i);
                if (i >= n || t[i] == ']')
                    return here;
                if (j == path[d].index) {
                    found = 1;
                    break;
                }
                i = skip_ws(t, n, skip_value(t, n, i));
                if (i >= n || t[i] != ',')
                    return here;
                i++;
            }
        }
        if (!found)
            return here;
    }
    return i;
}

/* ---- the validation context and error reporting ------------------------------------- */

typedef struct ctx {
    const char *text;
    size_t      len;
    const char *name;
    char       *err;
    size_t      errlen;
    pcomp       path[PATH_MAX_DEPTH];
    int         depth;
    lesson     *l;
} ctx;

static void push_key(ctx *c, const char *key)
{
    if (c->depth < PATH_MAX_DEPTH)
        c->path[c->depth] = (pcomp){ key, 0 };
    c->depth++;
}

static void push_index(ctx *c, size_t index)
{
    if (c->depth < PATH_MAX_DEPTH)
        c->path[c->depth] = (pcomp){ NULL, index };
    c->depth++;
}

static void pop(ctx *c)
{
    c->depth--;
}

static int path_depth(const ctx *c)
{
    return c->depth < PATH_MAX_DEPTH ? c->depth : PATH_MAX_DEPTH;
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
static const char *quoted(char *buf, size_t cap, const char *s)
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
static const char *path_str(const ctx *c, char *buf, size_t cap)
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
static int fail(ctx *c, int at_key, const char *fmt, ...)
{
    if (!c->err || c->errlen == 0)
        return -1;
    size_t off = locate(c->text, c->len, c->path, path_depth(c), at_key);
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
        snprintf(buf, cap, "the string %s", quoted(q, sizeof q, json_string_value(v)));
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
static const char *hint(const char *got, const char *const *cands, size_t count, char *buf, size_t cap)
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

static void region_names(const char **names, size_t *count)
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
static int check_keys(ctx *c, json_t *obj, const char *const *allowed)
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
            snprintf(where, sizeof where, " in \"%s\"", path_str(c, p, sizeof p));
        push_key(c, key);
        return fail(c, 1, "unknown key %s%s%s", quoted(q, sizeof q, key), where,
                    hint(key, allowed, 64, h, sizeof h));
    }
    return 0;
}

/* The member key of obj, or NULL; when required and missing, an error at obj. */
static int member(ctx *c, json_t *obj, const char *key, int required, json_t **out)
{
    *out = json_object_get(obj, key);
    if (*out || !required)
        return 0;
    if (c->depth == 0)
        return fail(c, 0, "missing required key \"%s\"", key);
    char p[160];
    return fail(c, 0, "missing required key \"%s\" in \"%s\"", key, path_str(c, p, sizeof p));
}

/* Type checks at the current path. */
static int want_type(ctx *c, json_t *v, json_type type, const char *what)
{
    if (json_typeof(v) == type)
        return 0;
    char p[160], d[96];
    return fail(c, 0, "\"%s\" must be %s (got %s)", path_str(c, p, sizeof p), what, describe(v, d, sizeof d));
}

static int want_number(ctx *c, json_t *v, double lo, double hi, double *out)
{
    char p[160], d[96];
    if (!json_is_number(v))
        return fail(c, 0, "\"%s\" must be a number (got %s)", path_str(c, p, sizeof p), describe(v, d, sizeof d));
    double x = json_number_value(v);
    if (!isfinite(x) || x < lo || x > hi)
        return fail(c, 0, "\"%s\" must be from %g to %g (got %g)", path_str(c, p, sizeof p), lo, hi, x);
    *out = x;
    return 0;
}

static int want_int(ctx *c, json_t *v, int lo, int hi, int *out)
{
    char p[160], d[96];
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return fail(c, 0, "\"%s\" must be an integer from %d to %d (got %s)", path_str(c, p, sizeof p), lo, hi,
                    describe(v, d, sizeof d));
    *out = (int)json_integer_value(v);
    return 0;
}

static int num_in(ctx *c, json_t *obj, const char *key, int required, double def, double lo, double hi, double *out)
{
    json_t *v;
    if (member(c, obj, key, required, &v))
        return -1;
    if (!v) {
        *out = def;
        return 0;
    }
    push_key(c, key);
    int rc = want_number(c, v, lo, hi, out);
    pop(c);
    return rc;
}

static int int_in(ctx *c, json_t *obj, const char *key, int required, int def, int lo, int hi, int *out)
{
    json_t *v;
    if (member(c, obj, key, required, &v))
        return -1;
    if (!v) {
        *out = def;
        return 0;
    }
    push_key(c, key);
    int rc = want_int(c, v, lo, hi, out);
    pop(c);
    return rc;
}

/* A string of 1..maxlen bytes (maxlen 0: any length). NULL when optional and absent. */
static int str_in(ctx *c, json_t *obj, const char *key, int required, size_t maxlen, const char **out)
{
    json_t *v;
    *out = NULL;
    if (member(c, obj, key, required, &v))
        return -1;
    if (!v)
        return 0;
    push_key(c, key);
    char p[160];
    int rc = want_type(c, v, JSON_STRING, "a string");
    if (rc == 0 && json_string_length(v) == 0)
        rc = fail(c, 0, "\"%s\" must not be empty", path_str(c, p, sizeof p));
    if (rc == 0 && maxlen && json_string_length(v) > maxlen)
        rc = fail(c, 0, "\"%s\" is too long (%zu bytes; at most %zu)", path_str(c, p, sizeof p),
                  json_string_length(v), maxlen);
    pop(c);
    if (rc == 0)
        *out = json_string_value(v);
    return rc;
}

static int obj_in(ctx *c, json_t *obj, const char *key, int required, json_t **out)
{
    if (member(c, obj, key, required, out))
        return -1;
    if (!*out)
        return 0;
    push_key(c, key);
    int rc = want_type(c, *out, JSON_OBJECT, "an object");
    pop(c);
    return rc;
}

/* An array of min..max elements at the current path. */
static int want_array(ctx *c, json_t *v, size_t min, size_t max, const char *what)
{
    char p[160], d[96];
    if (!json_is_array(v))
        return fail(c, 0, "\"%s\" must be %s (got %s)", path_str(c, p, sizeof p), what, describe(v, d, sizeof d));
    size_t n = json_array_size(v);
    if (n < min || n > max)
        return fail(c, 0, "\"%s\" must be %s (got %zu element%s)", path_str(c, p, sizeof p), what, n,
                    n == 1 ? "" : "s");
    return 0;
}

/* [min, max] numbers in lo..hi with min < max; def when optional and absent. */
static int pair_in(ctx *c, json_t *obj, const char *key, int required, const double def[2], double lo, double hi,
                   double out[2])
{
    json_t *v;
    if (member(c, obj, key, required, &v))
        return -1;
    if (!v) {
        out[0] = def[0];
        out[1] = def[1];
        return 0;
    }
    push_key(c, key);
    char p[160];
    double x[2];
    int rc = want_array(c, v, 2, 2, "[min, max]");
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        push_index(c, i);
        rc = want_number(c, json_array_get(v, i), lo, hi, &x[i]);
        pop(c);
    }
    if (rc == 0 && !(x[0] < x[1]))
        rc = fail(c, 0, "\"%s\" must be [min, max] with min < max (got [%g, %g])", path_str(c, p, sizeof p),
                  x[0], x[1]);
    pop(c);
    if (rc == 0) {
        out[0] = x[0];
        out[1] = x[1];
    }
    return rc;
}

/* {"landmark": NAME, "offset_mm": [du, dv]}: a head landmark's chart point, moved. */
static int want_landmark_point(ctx *c, json_t *v, chart_point *out)
{
    static const char *const keys[] = { "landmark", "offset_mm", NULL };
    const char *name;
    char q[128];
    if (check_keys(c, v, keys) || str_in(c, v, "landmark", 1, 64, &name))
        return -1;
    head_landmark lm = landmark_from_name(name);
    push_key(c, "landmark");
    int rc = 0;
    if (lm == LANDMARK_COUNT)
        rc = fail(c, 0, "unknown landmark %s (known: glabella, nasion, brow_crease, temple_l, temple_r, vertex, "
                  "crown_whorl, occipital_protuberance, opisthocranion, tragion_l, tragion_r, nape)",
                  quoted(q, sizeof q, name));
    else if (c->l->surface != SURFACE_HEAD)
        rc = fail(c, 0, "landmark %s is on the head, and this lesson's surface is not", quoted(q, sizeof q, name));
    double at[2] = { 0.0, 0.0 };
    if (rc == 0 && !head_landmark_chart(lm, at))
        rc = fail(c, 0, "landmark %s could not be found on the head", quoted(q, sizeof q, name));
    pop(c);
    json_t *off = json_object_get(v, "offset_mm");
    double d[2] = { 0.0, 0.0 };
    if (rc == 0 && off) {
        push_key(c, "offset_mm");
        rc = want_array(c, off, 2, 2, "an offset [du, dv] in mm");
        for (size_t i = 0; rc == 0 && i < 2; i++) {
            push_index(c, i);
            rc = want_number(c, json_array_get(off, i), -300.0, 300.0, &d[i]);
            pop(c);
        }
        pop(c);
    }
    if (rc == 0) {
        out->u_mm = at[0] + d[0];
        out->v_mm = at[1] + d[1];
    }
    return rc;
}

/* A chart point at the current path: [u, v] in mm, or a landmark with an offset. */
static int want_point(ctx *c, json_t *v, chart_point *out)
{
    if (json_is_object(v))
        return want_landmark_point(c, v, out);
    double x[2];
    if (want_array(c, v, 2, 2, "a point [u, v] in mm"))
        return -1;
    for (size_t i = 0; i < 2; i++) {
        push_index(c, i);
        int rc = want_number(c, json_array_get(v, i), -1000.0, 1000.0, &x[i]);
        pop(c);
        if (rc)
            return -1;
    }
    out->u_mm = x[0];
    out->v_mm = x[1];
    return 0;
}

/* ---- sections ----------------------------------------------------------------------- */

static int load_surface(ctx *c, json_t *root)
{
    static const char *const keys[] = { "kind", "width_mm", "height_mm", NULL };
    static const char *const kinds[] = { "practice_skin", "head", NULL };
    lesson *l = c->l;
    json_t *s;
    const char *kind;
    char q[96], h[96];
    if (obj_in(c, root, "surface", 1, &s))
        return -1;
    push_key(c, "surface");
    int rc = check_keys(c, s, keys);
    if (rc == 0)
        rc = str_in(c, s, "kind", 1, 0, &kind);
    if (rc == 0) {
        if (strcmp(kind, "practice_skin") == 0) {
            l->surface = SURFACE_PRACTICE_SKIN;
            rc = num_in(c, s, "width_mm", 1, 0, 10.0, 1000.0, &l->skin_width_mm);
            if (rc == 0)
                rc = num_in(c, s, "height_mm", 1, 0, 10.0, 1000.0, &l->skin_height_mm);
        } else if (strcmp(kind, "head") == 0) {
            l->surface = SURFACE_HEAD;
            const char *extra = json_object_get(s, "width_mm") ? "width_mm"
                              : json_object_get(s, "height_mm") ? "height_mm" : NULL;
            if (extra) {
                push_key(c, extra);
                rc = fail(c, 1, "\"%s\" is only for a practice_skin surface", extra);
                pop(c);
            }
        } else {
            push_key(c, "kind");
            rc = fail(c, 0, "unknown surface kind %s (expected \"practice_skin\" or \"head\")%s",
                      quoted(q, sizeof q, kind), hint(kind, kinds, 2, h, sizeof h));
            pop(c);
        }
    }
    pop(c);
    return rc;
}

static int load_client(ctx *c, json_t *root)
{
    static const char *const keys[] = { "fitzpatrick", "hair_colour", NULL };
    lesson *l = c->l;
    json_t *o;
    const char *hair;
    char q[96], h[96];
    lab tmp;
    if (obj_in(c, root, "client", 1, &o))
        return -1;
    push_key(c, "client");
    int rc = check_keys(c, o, keys);
    if (rc == 0)
        rc = int_in(c, o, "fitzpatrick", 1, 0, 1, 6, &l->fitzpatrick);
    if (rc == 0)
        rc = str_in(c, o, "hair_colour", 1, 0, &hair);
    if (rc == 0) {
        if (strlen(hair) >= sizeof l->hair_colour || !hair_lab(hair, &tmp)) {
            push_key(c, "hair_colour");
            rc = fail(c, 0, "unknown hair colour %s%s", quoted(q, sizeof q, hair),
                      hint(hair, hair_names, 64, h, sizeof h));
            pop(c);
        } else {
            snprintf(l->hair_colour, sizeof l->hair_colour, "%s", hair);
        }
    }
    pop(c);
    return rc;
}

static double polygon_area(const chart_point *p, size_t n)
{
    double a = 0.0;
    for (size_t i = 0, j = n - 1; i < n; j = i++)
        a += p[j].u_mm * p[i].v_mm - p[i].u_mm * p[j].v_mm;
    return 0.5 * a;
}

static int load_area(ctx *c, json_t *z, lesson_zone *zone, const char *what);

/* "norwood": {"stage": "I".."VII", "part": "bald" | "hair"} (head lessons). */
static int load_norwood(ctx *c, json_t *nw, lesson_zone *zone)
{
    static const char *const keys[] = { "stage", "part", NULL };
    const char *stage, *part;
    char q[96];
    push_key(c, "norwood");
    int rc = want_type(c, nw, JSON_OBJECT, "an object {\"stage\": \"I\"..\"VII\", \"part\": \"bald\" or \"hair\"}");
    if (rc == 0)
        rc = check_keys(c, nw, keys);
    if (rc == 0)
        rc = str_in(c, nw, "stage", 1, 8, &stage);
    if (rc == 0)
        rc = str_in(c, nw, "part", 1, 8, &part);
    if (rc == 0 && c->l->surface != SURFACE_HEAD)
        rc = fail(c, 0, "a Norwood preset is on the head, and this lesson's surface is not");
    if (rc == 0) {
        zone->norwood_stage = norwood_from_name(stage);
        if (!zone->norwood_stage) {
            push_key(c, "stage");
            rc = fail(c, 0, "unknown Norwood stage %s (expected \"I\" to \"VII\")", quoted(q, sizeof q, stage));
            pop(c);
        }
    }
    if (rc == 0) {
        if (strcmp(part, "bald") == 0 || strcmp(part, "hair") == 0) {
            zone->norwood_hair = strcmp(part, "hair") == 0;
        } else {
            push_key(c, "part");
            rc = fail(c, 0, "unknown part %s (expected \"bald\" or \"hair\")", quoted(q, sizeof q, part));
            pop(c);
        }
    }
    pop(c);
    return rc;
}

static int load_zone(ctx *c, json_t *z, lesson_zone *zone)
{
    static const char *const keys[] = { "name", "polygon_mm", "regions", "norwood", NULL };
    lesson *l = c->l;
    const char *name;
    char p[160], q[96];
    if (want_type(c, z, JSON_OBJECT, "an object") || check_keys(c, z, keys))
        return -1;
    if (str_in(c, z, "name", 1, sizeof zone->name - 1, &name))
        return -1;
    for (lesson_zone *o = l->zones; o < zone; o++) {
        if (strcmp(o->name, name) == 0) {
            push_key(c, "name");
            int rc = fail(c, 0, "zone name %s is used twice", quoted(q, sizeof q, name));
            pop(c);
            return rc;
        }
    }
    snprintf(zone->name, sizeof zone->name, "%s", name);
    snprintf(p, sizeof p, "zone %s", quoted(q, sizeof q, name));
    return load_area(c, z, zone, p);
}

/* The "polygon_mm" and/or "regions" of an area (a zone, the existing hair); what names it
 * in the message when both are missing. */
static int load_area(ctx *c, json_t *z, lesson_zone *zone, const char *what)
{
    lesson *l = c->l;
    json_t *poly, *regs;
    char p[160], q[96], h[96];
    poly = json_object_get(z, "polygon_mm");
    regs = json_object_get(z, "regions");
    json_t *nw = json_object_get(z, "norwood");
    if (!poly && !regs && !nw)
        return fail(c, 0, "%s needs \"polygon_mm\", \"regions\" or both (or a \"norwood\" preset)", what);
    if (nw && load_norwood(c, nw, zone))
        return -1;
    if (poly) {
        push_key(c, "polygon_mm");
        if (want_array(c, poly, 3, LESSON_MAX_POINTS, "an array of 3 to 4096 points [u, v]")) {
            pop(c);
            return -1;
        }
        size_t n = json_array_size(poly);
        zone->polygon = calloc(n, sizeof *zone->polygon);
        if (!zone->polygon) {
            pop(c);
            return fail(c, 0, "out of memory");
        }
        zone->polygon_count = n;
        for (size_t i = 0; i < n; i++) {
            push_index(c, i);
            chart_point *pt = &zone->polygon[i];
            int rc = want_point(c, json_array_get(poly, i), pt);
            if (rc == 0 && l->surface == SURFACE_PRACTICE_SKIN
                && (pt->u_mm < 0.0 || pt->u_mm > l->skin_width_mm || pt->v_mm < 0.0 || pt->v_mm > l->skin_height_mm))
                rc = fail(c, 0, "point (%g, %g) lies outside the %g x %g mm practice skin", pt->u_mm, pt->v_mm,
                          l->skin_width_mm, l->skin_height_mm);
            pop(c);
            if (rc) {
                pop(c);
                return -1;
            }
        }
        if (fabs(polygon_area(zone->polygon, n)) < 1e-6) {
            int rc = fail(c, 0, "\"%s\" has zero area", path_str(c, p, sizeof p));
            pop(c);
            return rc;
        }
        pop(c);
    }
    if (regs) {
        const char *names[REGION_COUNT + 1];
        size_t count;
        region_names(names, &count);
        push_key(c, "regions");
        if (want_array(c, regs, 1, 64, "a non-empty array of region names")) {
            pop(c);
            return -1;
        }
        for (size_t i = 0; i < json_array_size(regs); i++) {
            json_t *rv = json_array_get(regs, i);
            push_index(c, i);
            int rc = want_type(c, rv, JSON_STRING, "a region name");
            if (rc == 0) {
                const char *rn = json_string_value(rv);
                region_id r = region_from_name(rn);
                if (r <= REGION_NONE || r >= REGION_COUNT)
                    rc = fail(c, 0, "unknown region %s%s", quoted(q, sizeof q, rn),
                              hint(rn, names, count, h, sizeof h));
                else if (l->surface == SURFACE_PRACTICE_SKIN && r != REGION_PRACTICE)
                    rc = fail(c, 0, "region %s is on the head; the practice skin has only \"%s\"",
                              quoted(q, sizeof q, rn), region_name(REGION_PRACTICE));
                else if (l->surface == SURFACE_HEAD && r == REGION_PRACTICE)
                    rc = fail(c, 0, "region %s is not on the head", quoted(q, sizeof q, rn));
                else
                    zone->region_mask |= 1u << (unsigned)r;
            }
            pop(c);
            if (rc) {
                pop(c);
                return -1;
            }
        }
        pop(c);
    }
    return 0;
}

static int load_zones(ctx *c, json_t *root)
{
    lesson *l = c->l;
    json_t *zs;
    if (member(c, root, "zones", 1, &zs))
        return -1;
    push_key(c, "zones");
    int rc = want_array(c, zs, 1, LESSON_MAX_ZONES, "an array of 1 to 64 zones");
    if (rc == 0) {
        size_t n = json_array_size(zs);
        l->zones = calloc(n, sizeof *l->zones);
        if (!l->zones)
            rc = fail(c, 0, "out of memory");
        for (size_t i = 0; rc == 0 && i < n; i++) {
            l->zone_count = i + 1;
            push_index(c, i);
            rc = load_zone(c, json_array_get(zs, i), &l->zones[i]);
            pop(c);
        }
    }
    pop(c);
    return rc;
}

static int load_hairline(ctx *c, json_t *root)
{
    static const char *const keys[] = { "style", "line_mm", "feather_mm", "front_density_fraction",
                                        "tolerance_mm", NULL };
    lesson *l = c->l;
    lesson_hairline *hl = &l->hairline;
    json_t *o, *line;
    const char *style;
    char q[96], h[96];
    if (obj_in(c, root, "hairline", 0, &o))
        return -1;
    if (!o)
        return 0;
    push_key(c, "hairline");
    l->has_hairline = 1;
    int rc = check_keys(c, o, keys);
    if (rc == 0)
        rc = str_in(c, o, "style", 1, 0, &style);
    if (rc == 0) {
        hl->style = hairline_style_from_name(style);
        if (hl->style == HAIRLINE_NONE) {
            push_key(c, "style");
            rc = fail(c, 0, "unknown hairline style %s (expected natural, soft, edge_up, widows_peak or mature)%s",
                      quoted(q, sizeof q, style),
                      hint(style, hairline_names + 1, (size_t)HAIRLINE_STYLE_COUNT - 1, h, sizeof h));
            pop(c);
        }
    }
    if (rc == 0)
        rc = member(c, o, "line_mm", 1, &line);
    if (rc == 0) {
        push_key(c, "line_mm");
        rc = want_array(c, line, 2, LESSON_MAX_POINTS, "an array of 2 to 4096 points [u, v]");
        if (rc == 0) {
            size_t n = json_array_size(line);
            hl->line = calloc(n, sizeof *hl->line);
            if (!hl->line)
                rc = fail(c, 0, "out of memory");
            else
                hl->line_count = n;
            for (size_t i = 0; rc == 0 && i < n; i++) {
                push_index(c, i);
                rc = want_point(c, json_array_get(line, i), &hl->line[i]);
                if (rc == 0 && i > 0 && !(hl->line[i].u_mm > hl->line[i - 1].u_mm))
                    rc = fail(c, 0, "the line's u must increase strictly (point %zu has u = %g after %g)", i,
                              hl->line[i].u_mm, hl->line[i - 1].u_mm);
                pop(c);
            }
        }
        pop(c);
    }
    if (rc == 0)
        rc = num_in(c, o, "feather_mm", 0, 25.0, 1.0, 100.0, &hl->feather_mm);
    if (rc == 0)
        rc = num_in(c, o, "front_density_fraction", 0, 0.3, 0.0, 1.0, &hl->front_density_fraction);
    if (rc == 0)
        rc = num_in(c, o, "tolerance_mm", 0, 0.5, 0.0, 10.0, &hl->tolerance_mm);
    pop(c);
    return rc;
}

/* An array of min..max chart points at obj[key] into a fresh array. */
static int points_in(ctx *c, json_t *obj, const char *key, size_t min, chart_point **out, size_t *count)
{
    json_t *arr;
    char what[64];
    if (member(c, obj, key, 1, &arr))
        return -1;
    push_key(c, key);
    snprintf(what, sizeof what, "an array of %zu to %u points [u, v]", min, LESSON_MAX_POINTS);
    int rc = want_array(c, arr, min, LESSON_MAX_POINTS, what);
    if (rc == 0) {
        size_t n = json_array_size(arr);
        *out = calloc(n, sizeof **out);
        if (!*out)
            rc = fail(c, 0, "out of memory");
        else
            *count = n;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            push_index(c, i);
            rc = want_point(c, json_array_get(arr, i), &(*out)[i]);
            pop(c);
        }
    }
    pop(c);
    return rc;
}

static int load_hair(ctx *c, json_t *root)
{
    static const char *const keys[] = { "polygon_mm", "regions", "norwood", "density_per_cm2", "length_mm", "colour", "seed", NULL };
    lesson *l = c->l;
    lesson_hair *hr = &l->hair;
    json_t *o;
    const char *colour = NULL;
    char q[96], h[96];
    lab tmp;
    if (obj_in(c, root, "existing_hair", 0, &o))
        return -1;
    if (!o)
        return 0;
    push_key(c, "existing_hair");
    l->has_hair = 1;
    snprintf(hr->area.name, sizeof hr->area.name, "existing_hair");
    int rc = check_keys(c, o, keys);
    if (rc == 0)
        rc = load_area(c, o, &hr->area, "\"existing_hair\"");
    if (rc == 0)
        rc = num_in(c, o, "density_per_cm2", 1, 0.0, 1.0, 150.0, &hr->density_per_cm2);
    if (rc == 0)
        rc = num_in(c, o, "length_mm", 0, 0.5, 0.1, 10.0, &hr->length_mm);
    if (rc == 0)
        rc = str_in(c, o, "colour", 0, 0, &colour);
    if (rc == 0) {
        if (!colour)
            colour = l->hair_colour;
        if (strlen(colour) >= sizeof hr->colour || !hair_lab(colour, &tmp)) {
            push_key(c, "colour");
            rc = fail(c, 0, "unknown hair colour %s%s", quoted(q, sizeof q, colour),
                      hint(colour, hair_names, 64, h, sizeof h));
            pop(c);
        } else {
            snprintf(hr->colour, sizeof hr->colour, "%s", colour);
        }
    }
    int seed = 1;
    if (rc == 0)
        rc = int_in(c, o, "seed", 0, 1, 0, INT32_MAX, &seed);
    hr->seed = (uint32_t)seed;
    pop(c);
    return rc;
}

static int load_scar(ctx *c, json_t *o, lesson_scar *sc)
{
    static const char *const strip_keys[] = { "kind", "path_mm", "width_mm", "depth_band_mm", "depth_acceptable_mm", NULL };
    static const char *const fue_keys[] = { "kind", "polygon_mm", "count", "diameter_mm", "seed", "depth_band_mm",
                                            "depth_acceptable_mm", NULL };
    const char *kind;
    char q[96], p[160];
    if (want_type(c, o, JSON_OBJECT, "an object") || str_in(c, o, "kind", 1, 0, &kind))
        return -1;
    int rc;
    if (strcmp(kind, "strip") == 0) {
        sc->kind = SCAR_STRIP;
        rc = check_keys(c, o, strip_keys);
        if (rc == 0)
            rc = points_in(c, o, "path_mm", 2, &sc->points, &sc->point_count);
        if (rc == 0)
            rc = num_in(c, o, "width_mm", 0, 1.5, 0.1, 20.0, &sc->width_mm);
    } else if (strcmp(kind, "fue") == 0) {
        sc->kind = SCAR_FUE;
        rc = check_keys(c, o, fue_keys);
        if (rc == 0)
            rc = points_in(c, o, "polygon_mm", 3, &sc->points, &sc->point_count);
        if (rc == 0 && fabs(polygon_area(sc->points, sc->point_count)) < 1e-6) {
            push_key(c, "polygon_mm");
            rc = fail(c, 0, "\"%s\" has zero area", path_str(c, p, sizeof p));
            pop(c);
        }
        if (rc == 0)
            rc = int_in(c, o, "count", 1, 0, 1, 20000, &sc->count);
        if (rc == 0)
            rc = num_in(c, o, "diameter_mm", 0, 0.85, 0.2, 5.0, &sc->diameter_mm);
        int seed = 1;
        if (rc == 0)
            rc = int_in(c, o, "seed", 0, 1, 0, INT32_MAX, &seed);
        sc->seed = (uint32_t)seed;
    } else {
        push_key(c, "kind");
        rc = fail(c, 0, "unknown scar kind %s (expected \"strip\" or \"fue\")", quoted(q, sizeof q, kind));
        pop(c);
    }
    /* the lesson's own band (session) unless the scar sets one */
    const lesson *l = c->l;
    sc->has_depth_band = json_object_get(o, "depth_band_mm") || json_object_get(o, "depth_acceptable_mm");
    if (rc == 0)
        rc = pair_in(c, o, "depth_band_mm", 0, l->depth_band_mm, 0.0, 2.0, sc->depth_band_mm);
    if (rc == 0)
        rc = pair_in(c, o, "depth_acceptable_mm", 0, l->depth_acceptable_mm, 0.0, 2.0, sc->depth_acceptable_mm);
    if (rc == 0 && (sc->depth_band_mm[0] < sc->depth_acceptable_mm[0] || sc->depth_band_mm[1] > sc->depth_acceptable_mm[1])) {
        push_key(c, json_object_get(o, "depth_band_mm") ? "depth_band_mm" : "depth_acceptable_mm");
        rc = fail(c, 0, "the scar's depth band [%g, %g] must lie inside its acceptable depths [%g, %g]",
                  sc->depth_band_mm[0], sc->depth_band_mm[1], sc->depth_acceptable_mm[0], sc->depth_acceptable_mm[1]);
        pop(c);
    }
    return rc;
}

static int load_scars(ctx *c, json_t *root)
{
    lesson *l = c->l;
    json_t *arr;
    if (member(c, root, "scars", 0, &arr))
        return -1;
    if (!arr)
        return 0;
    push_key(c, "scars");
    int rc = want_array(c, arr, 1, LESSON_MAX_ZONES, "an array of 1 to 64 scars");
    if (rc == 0) {
        size_t n = json_array_size(arr);
        l->scars = calloc(n, sizeof *l->scars);
        if (!l->scars)
            rc = fail(c, 0, "out of memory");
        size_t points = 0, punches = 0;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            l->scar_count = i + 1;
            push_index(c, i);
            rc = load_scar(c, json_array_get(arr, i), &l->scars[i]);
            /* bounds on the work scars make (drawing them, scoring every dot against them) */
            points += l->scars[i].point_count;
            punches += l->scars[i].kind == SCAR_FUE ? (size_t)l->scars[i].count : 0;
            if (rc == 0 && points > LESSON_MAX_POINTS)
                rc = fail(c, 0, "the scars have %zu points in all; at most %u", points, LESSON_MAX_POINTS);
            else if (rc == 0 && punches > LESSON_MAX_PUNCHES)
                rc = fail(c, 0, "the FUE scars have %zu punches in all; at most %u", punches, LESSON_MAX_PUNCHES);
            pop(c);
        }
    }
    pop(c);
    return rc;
}

static int load_session(ctx *c, json_t *root)
{
    static const char *const keys[] = { "number", "density_per_cm2", "spacing_mm", "depth_band_mm",
                                        "depth_acceptable_mm", NULL };
    static const double band_def[2] = { 0.15, 0.45 }, acc_def[2] = { 0.10, 0.60 };
    lesson *l = c->l;
    json_t *o;
    if (obj_in(c, root, "session", 1, &o))
        return -1;
    push_key(c, "session");
    int rc = check_keys(c, o, keys);
    if (rc == 0)
        rc = int_in(c, o, "number", 1, 0, 1, 3, &l->session_number);
    if (rc == 0)
        rc = num_in(c, o, "density_per_cm2", 1, 0, 5.0, 150.0, &l->target_density_per_cm2);
    if (rc == 0)
        rc = num_in(c, o, "spacing_mm", 0, 10.7 / sqrt(l->target_density_per_cm2), 0.3, 10.0,
                    &l->target_spacing_mm);
    if (rc == 0)
        rc = pair_in(c, o, "depth_band_mm", 0, band_def, 0.0, 2.0, l->depth_band_mm);
    if (rc == 0)
        rc = pair_in(c, o, "depth_acceptable_mm", 0, acc_def, 0.0, 2.0, l->depth_acceptable_mm);
    if (rc == 0 && (l->depth_band_mm[0] < l->depth_acceptable_mm[0]
                    || l->depth_band_mm[1] > l->depth_acceptable_mm[1])) {
        /* Point at whichever of the two the file gave (the band if both). */
        push_key(c, json_object_get(o, "depth_band_mm") ? "depth_band_mm" : "depth_acceptable_mm");
        rc = fail(c, 0, "\"session.depth_band_mm\" [%g, %g] must lie inside \"session.depth_acceptable_mm\" [%g, %g]",
                  l->depth_band_mm[0], l->depth_band_mm[1], l->depth_acceptable_mm[0], l->depth_acceptable_mm[1]);
        pop(c);
    }
    pop(c);
    return rc;
}

static int load_needle(ctx *c, json_t *root)
{
    static const char *const keys[] = { "config", "diameter_mm", NULL };
    static const char *const configs[] = { "1RL", "3RL", NULL };
    lesson *l = c->l;
    json_t *o;
    const char *cfg;
    double d;
    char q[96], h[96];
    if (obj_in(c, root, "needle", 1, &o))
        return -1;
    push_key(c, "needle");
    int rc = check_keys(c, o, keys);
    if (rc == 0)
        rc = str_in(c, o, "config", 1, 0, &cfg);
    if (rc == 0) {
        l->needle.config = needle_config_from_name(cfg);
        if (l->needle.config == 0) {
            push_key(c, "config");
            rc = fail(c, 0, "unknown needle config %s (expected \"1RL\" or \"3RL\")%s", quoted(q, sizeof q, cfg),
                      hint(cfg, configs, 2, h, sizeof h));
            pop(c);
        }
    }
    if (rc == 0)
        rc = num_in(c, o, "diameter_mm", 1, 0, NEEDLE_DIAMETER_MIN_MM, NEEDLE_DIAMETER_MAX_MM, &d);
    if (rc == 0)
        l->needle.diameter_mm = (float)d;
    pop(c);
    return rc;
}

static int load_pigment(ctx *c, json_t *root)
{
    static const char *const keys[] = { "target_shade", "allowed_shades", "target_lab", NULL };
    lesson *l = c->l;
    json_t *o, *al, *tl;
    char p[160];
    if (obj_in(c, root, "pigment", 1, &o))
        return -1;
    push_key(c, "pigment");
    int rc = check_keys(c, o, keys);
    if (rc == 0)
        rc = int_in(c, o, "target_shade", 1, 0, 0, 30, &l->target_shade);
    if (rc == 0)
        rc = member(c, o, "allowed_shades", 1, &al);
    if (rc == 0) {
        push_key(c, "allowed_shades");
        rc = want_array(c, al, 2, 2, "[min, max] shades");
        for (size_t i = 0; rc == 0 && i < 2; i++) {
            push_index(c, i);
            rc = want_int(c, json_array_get(al, i), 0, 30, &l->allowed_shades[i]);
            pop(c);
        }
        if (rc == 0 && !(l->allowed_shades[0] <= l->target_shade && l->target_shade <= l->allowed_shades[1]))
            rc = fail(c, 0, "\"%s\" [%d, %d] must be [min, max] with min <= target_shade (%d) <= max",
                      path_str(c, p, sizeof p), l->allowed_shades[0], l->allowed_shades[1], l->target_shade);
        pop(c);
    }
    if (rc == 0)
        rc = member(c, o, "target_lab", 0, &tl);
    if (rc == 0 && tl) {
        static const double lo[3] = { 0.0, -128.0, -128.0 }, hi[3] = { 100.0, 127.0, 127.0 };
        double x[3];
        push_key(c, "target_lab");
        rc = want_array(c, tl, 3, 3, "[L, a, b]");
        for (size_t i = 0; rc == 0 && i < 3; i++) {
            push_index(c, i);
            rc = want_number(c, json_array_get(tl, i), lo[i], hi[i], &x[i]);
            pop(c);
        }
        pop(c);
        if (rc == 0) {
            l->has_target_lab = 1;
            l->target_lab = (lab){ x[0], x[1], x[2] };
        }
    }
    pop(c);
    return rc;
}

static int load_pattern(ctx *c, json_t *root)
{
    static const char *const keys[] = { "clark_evans_natural", NULL };
    static const double def[2] = { 1.20, 1.75 };
    lesson *l = c->l;
    json_t *o;
    if (obj_in(c, root, "pattern", 0, &o))
        return -1;
    if (!o) {
        l->clark_evans_natural[0] = def[0];
        l->clark_evans_natural[1] = def[1];
        return 0;
    }
    push_key(c, "pattern");
    int rc = check_keys(c, o, keys);
    if (rc == 0)
        rc = pair_in(c, o, "clark_evans_natural", 0, def, 0.0, 2.15, l->clark_evans_natural);
    pop(c);
    return rc;
}

static int load_skin(ctx *c, json_t *root)
{
    static const char *const keys[] = { "region", "epidermis_mm", "papillary_mm", "total_mm", NULL };
    lesson *l = c->l;
    json_t *arr;
    char q[96], h[96];
    if (member(c, root, "skin", 0, &arr))
        return -1;
    if (!arr)
        return 0;
    push_key(c, "skin");
    int rc = want_array(c, arr, 0, REGION_COUNT, "an array of at most 14 overrides");
    size_t n = rc == 0 ? json_array_size(arr) : 0;
    if (rc == 0 && n > 0) {
        l->skin = calloc(n, sizeof *l->skin);
        if (!l->skin)
            rc = fail(c, 0, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *o = json_array_get(arr, i);
        lesson_skin_override *ov = &l->skin[i];
        const char *rn;
        push_index(c, i);
        rc = want_type(c, o, JSON_OBJECT, "an object");
        if (rc == 0)
            rc = check_keys(c, o, keys);
        if (rc == 0)
            rc = str_in(c, o, "region", 1, 0, &rn);
        if (rc == 0) {
            push_key(c, "region");
            if (strcmp(rn, "all") == 0) {
                ov->region = REGION_NONE;
            } else {
                ov->region = region_from_name(rn);
                if (ov->region <= REGION_NONE || ov->region >= REGION_COUNT) {
                    const char *names[REGION_COUNT + 2];
                    size_t count;
                    region_names(names, &count);
                    names[count++] = "all";
                    names[count] = NULL;
                    rc = fail(c, 0, "unknown region %s (a region name or \"all\")%s", quoted(q, sizeof q, rn),
                              hint(rn, names, count, h, sizeof h));
                }
            }
            for (size_t j = 0; rc == 0 && j < i; j++)
                if (l->skin[j].region == ov->region)
                    rc = fail(c, 0, "region %s already has a skin override", quoted(q, sizeof q, rn));
            pop(c);
        }
        if (rc == 0)
            rc = num_in(c, o, "epidermis_mm", 0, NAN, 0.01, 5.0, &ov->layers.epidermis_mm);
        if (rc == 0)
            rc = num_in(c, o, "papillary_mm", 0, NAN, 0.01, 5.0, &ov->layers.papillary_mm);
        if (rc == 0)
            rc = num_in(c, o, "total_mm", 0, NAN, 0.01, 5.0, &ov->layers.total_mm);
        if (rc == 0)
            l->skin_count = i + 1;
        pop(c);
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
        push_index(c, blame);
        rc = fail(c, 0, "skin layers in %s must satisfy epidermis < papillary < total (got %g, %g, %g mm)",
                  quoted(q, sizeof q, region_name((region_id)r)), s.epidermis_mm, s.papillary_mm, s.total_mm);
        pop(c);
    }
    pop(c);
    return rc;
}

static int load_weights(ctx *c, json_t *root)
{
    lesson *l = c->l;
    json_t *o;
    static const char *const keys[] = { "spacing", "depth", "pigment", "hairline", "quality", NULL };
    if (obj_in(c, root, "weights", 1, &o))
        return -1;
    push_key(c, "weights");
    int rc = check_keys(c, o, keys);
    double sum = 0.0;
    for (int m = 0; rc == 0 && m < METRIC_COUNT; m++) {
        rc = num_in(c, o, metric_names[m], 0, 0.0, 0.0, 1000.0, &l->weights[m]);
        sum += l->weights[m];
    }
    if (rc == 0 && l->weights[METRIC_HAIRLINE] > 0.0 && !l->has_hairline) {
        push_key(c, "hairline");
        rc = fail(c, 0, "\"weights.hairline\" must be 0 when the lesson has no \"hairline\" (got %g)",
                  l->weights[METRIC_HAIRLINE]);
        pop(c);
    }
    if (rc == 0 && !(sum > 0.0))
        rc = fail(c, 0, "\"weights\" must not all be 0");
    if (rc == 0)
        for (int m = 0; m < METRIC_COUNT; m++)
            l->weights[m] /= sum;
    pop(c);
    return rc;
}

static int load_pass(ctx *c, json_t *root)
{
    static const char *const keys[] = { "spacing", "depth", "pigment", "hairline", "quality", "total", NULL };
    lesson *l = c->l;
    json_t *o;
    if (obj_in(c, root, "pass", 0, &o))
        return -1;
    if (!o) {
        for (int m = 0; m < METRIC_COUNT; m++)
            l->pass[m] = 60.0;
        l->pass_total = 70.0;
        return 0;
    }
    push_key(c, "pass");
    int rc = check_keys(c, o, keys);
    for (int m = 0; rc == 0 && m < METRIC_COUNT; m++)
        rc = num_in(c, o, metric_names[m], 0, 60.0, 0.0, 100.0, &l->pass[m]);
    if (rc == 0)
        rc = num_in(c, o, "total", 0, 70.0, 0.0, 100.0, &l->pass_total);
    pop(c);
    return rc;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static int load_sources(ctx *c, json_t *root)
{
    lesson *l = c->l;
    json_t *arr;
    char p[160];
    if (member(c, root, "sources", 1, &arr))
        return -1;
    push_key(c, "sources");
    int rc = want_array(c, arr, 1, LESSON_MAX_SOURCES, "an array of 1 to 64 non-empty strings");
    size_t n = rc == 0 ? json_array_size(arr) : 0;
    if (rc == 0) {
        l->sources = calloc(n, sizeof *l->sources);
        if (!l->sources)
            rc = fail(c, 0, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *v = json_array_get(arr, i);
        push_index(c, i);
        rc = want_type(c, v, JSON_STRING, "a string");
        if (rc == 0 && is_blank(json_string_value(v)))
            rc = fail(c, 0, "\"%s\" must not be empty: say where the lesson's targets come from",
                      path_str(c, p, sizeof p));
        if (rc == 0) {
            l->sources[i] = strdup(json_string_value(v));
            if (!l->sources[i])
                rc = fail(c, 0, "out of memory");
            else
                l->source_count = i + 1;
        }
        pop(c);
    }
    pop(c);
    return rc;
}

static int load_header(ctx *c, json_t *root)
{
    lesson *l = c->l;
    const char *s;
    char q[96];
    if (str_in(c, root, "format", 1, 0, &s))
        return -1;
    if (strcmp(s, LESSON_FORMAT) != 0) {
        push_key(c, "format");
        int rc = fail(c, 0, "unsupported format %s (expected \"%s\")", quoted(q, sizeof q, s), LESSON_FORMAT);
        pop(c);
        return rc;
    }
    if (str_in(c, root, "id", 1, 0, &s))
        return -1;
    size_t n = strlen(s);
    int ok = n <= sizeof l->id - 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
    if (!ok) {
        push_key(c, "id");
        int rc = fail(c, 0, "\"id\" must be 1 to 63 characters of a-z, 0-9 and '-' (got %s)", quoted(q, sizeof q, s));
        pop(c);
        return rc;
    }
    memcpy(l->id, s, n + 1);
    if (str_in(c, root, "title", 1, sizeof l->title - 1, &s))
        return -1;
    snprintf(l->title, sizeof l->title, "%s", s);
    if (int_in(c, root, "version", 1, 0, 1, 1000000, &l->version))
        return -1;
    if (str_in(c, root, "description", 0, 0, &s))
        return -1;
    if (s) {
        l->description = strdup(s);
        if (!l->description)
            return fail(c, 0, "out of memory");
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
    ctx c = { .text = text, .len = len, .name = name, .err = err, .errlen = errlen, .depth = 0, .l = &l };
    int rc;
    if (!json_is_object(root)) {
        rc = fail(&c, 0, "the top level must be an object");
        goto done;
    }
    rc = check_keys(&c, root, keys);
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
            rc = fail(&c, 0, "out of memory");
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

/* ---- queries ------------------------------------------------------------------------ */

static void apply_override(const skin_layers *o, skin_layers *dest)
{
    if (!isnan(o->epidermis_mm)) dest->epidermis_mm = o->epidermis_mm;
    if (!isnan(o->papillary_mm)) dest->papillary_mm = o->papillary_mm;
    if (!isnan(o->total_mm))     dest->total_mm = o->total_mm;
}

void lesson_layers(const lesson *l, region_id region, skin_layers *dest)
{
    skin_default_layers(region, dest);
    if (!l || !l->skin)
        return;
    for (size_t i = 0; i < l->skin_count; i++)
        if (l->skin[i].region == REGION_NONE)
            apply_override(&l->skin[i].layers, dest);
    if (region == REGION_NONE)
        return;
    for (size_t i = 0; i < l->skin_count; i++)
        if (l->skin[i].region == region)
            apply_override(&l->skin[i].layers, dest);
}

/* Even-odd rule: count crossings of a ray towards +u. */
static int polygon_contains(const chart_point *p, size_t n, double u, double v)
{
    int in = 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        if ((p[i].v_mm > v) != (p[j].v_mm > v)) {
            double cross = p[j].u_mm + (v - p[j].v_mm) * (p[i].u_mm - p[j].u_mm) / (p[i].v_mm - p[j].v_mm);
            if (u < cross)
                in = !in;
        }
    }
    return in;
}

int lesson_area_contains(const lesson_zone *z, double u_mm, double v_mm, region_id r)
{
    if (z->polygon && z->polygon_count >= 3 && !polygon_contains(z->polygon, z->polygon_count, u_mm, v_mm))
        return 0;
    if (z->region_mask && (r <= REGION_NONE || r >= 32 || !(z->region_mask & (1u << (unsigned)r))))
        return 0;
    if (z->norwood_stage) {
        if (!region_is_scalp(r) || norwood_is_bald(z->norwood_stage, u_mm, v_mm) == z->norwood_hair)
            return 0;
    }
    return z->polygon || z->region_mask || z->norwood_stage;
}

int lesson_zone_contains(const lesson *l, double u_mm, double v_mm, region_id r)
{
    if (!l)
        return 0;
    for (size_t i = 0; i < l->zone_count; i++)
        if (lesson_area_contains(&l->zones[i], u_mm, v_mm, r))
            return 1;
    return 0;
}

/* Distance from p to the segment a-b, mm. */
static double segment_distance(chart_point a, chart_point b, double u, double v)
{
    double du = b.u_mm - a.u_mm, dv = b.v_mm - a.v_mm, l2 = du * du + dv * dv;
    double t = l2 > 0.0 ? ((u - a.u_mm) * du + (v - a.v_mm) * dv) / l2 : 0.0;
    t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    double x = a.u_mm + t * du - u, y = a.v_mm + t * dv - v;
    return sqrt(x * x + y * y);
}

void lesson_points_box(const chart_point *p, size_t n, double margin_mm, double box[4])
{
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        box[0] = fmin(box[0], p[i].u_mm - margin_mm);
        box[1] = fmin(box[1], p[i].v_mm - margin_mm);
        box[2] = fmax(box[2], p[i].u_mm + margin_mm);
        box[3] = fmax(box[3], p[i].v_mm + margin_mm);
    }
}

int lesson_box_clip(double box[4], const double clip[4])
{
    box[0] = fmax(box[0], clip[0]);
    box[1] = fmax(box[1], clip[1]);
    box[2] = fmin(box[2], clip[2]);
    box[3] = fmin(box[3], clip[3]);
    return box[0] < box[2] && box[1] < box[3];
}

double lesson_strip_distance_mm(const lesson_scar *sc, double u_mm, double v_mm)
{
    double best = INFINITY;
    for (size_t i = 0; i + 1 < sc->point_count; i++)
        best = fmin(best, segment_distance(sc->points[i], sc->points[i + 1], u_mm, v_mm));
    return best;
}

int lesson_polygon_contains(const chart_point *p, size_t n, double u_mm, double v_mm)
{
    return n >= 3 && polygon_contains(p, n, u_mm, v_mm);
}

double lesson_hairline_offset_mm(const lesson *l, double u_mm, double v_mm)
{
    if (!l || !l->has_hairline || !l->hairline.line || l->hairline.line_count == 0)
        return 0.0;
    const chart_point *p = l->hairline.line;
    size_t n = l->hairline.line_count;
    double v_line;
    if (u_mm <= p[0].u_mm) {
        v_line = p[0].v_mm;
    } else if (u_mm >= p[n - 1].u_mm) {
        v_line = p[n - 1].v_mm;
    } else {
        size_t lo = 0, hi = n - 1;   /* p[lo].u <= u < p[hi].u */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (p[mid].u_mm <= u_mm)
                lo = mid;
            else
                hi = mid;
        }
        double t = (u_mm - p[lo].u_mm) / (p[hi].u_mm - p[lo].u_mm);
        v_line = p[lo].v_mm + t * (p[hi].v_mm - p[lo].v_mm);
    }
    return v_mm - v_line;
}
