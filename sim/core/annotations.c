/* annotations.c: see annotations.h. */
#include "annotations.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lesson.h"

int annotations_path(const char *session_path, char *out, size_t n)
{
    int len = snprintf(out, n, "%s.notes.json", session_path);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

int annotations_hash_file(const char *path, uint8_t out[32], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_generichash_update(&st, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    crypto_generichash_final(&st, out, 32);
    return 0;
}

int annotations_metric_from_name(const char *name)
{
    for (int m = 0; m < METRIC_COUNT; m++)
        if (!strcmp(name, metric_name(m)))
            return m;
    return -1;
}

int annotations_add(annotations *a, const annotation *n)
{
    if (a->count >= ANNOT_MAX_NOTES)
        return -1;
    if (a->count == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        annotation *nn = realloc(a->notes, cap * sizeof *nn);
        if (!nn)
            return -1;
        a->notes = nn;
        a->cap = cap;
    }
    a->notes[a->count++] = *n;
    return 0;
}

void annotations_free(annotations *a)
{
    if (!a)
        return;
    free(a->notes);
    memset(a, 0, sizeof *a);
}

const annotation *annotations_override(const annotations *a, int metric)
{
    const annotation *found = NULL;
    for (size_t i = 0; i < a->count; i++)
        if (a->notes[i].kind == ANNOT_OVERRIDE && a->notes[i].metric == metric)
            found = &a->notes[i];
    return found;
}

void annotations_override_value(const annotation *o, char *out, size_t n)
{
    const char *verdict = o->has_verdict ? (o->passed ? "passed" : "failed") : "";
    if (o->has_score)
        snprintf(out, n, "%.1f%s%s", o->score, o->has_verdict ? ", " : "", verdict);
    else
        snprintf(out, n, "%s", verdict);
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A text field: a string of at most max bytes. 0, or -1 with err. */
static int get_text(json_t *o, const char *key, char *dst, size_t max, int required, const char *name, size_t i,
                    char *err, size_t errlen)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required) {
            snprintf(err, errlen, "%s: note %zu: no \"%s\"", name, i + 1, key);
            return -1;
        }
        dst[0] = 0;
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v)) {
        snprintf(err, errlen, "%s: note %zu: \"%s\" must be text of at most %zu bytes", name, i + 1, key, max);
        return -1;
    }
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int parse_note(json_t *o, const char *name, size_t i, annotation *n, char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    if (!json_is_object(o)) {
        snprintf(err, errlen, "%s: note %zu is not an object", name, i + 1);
        return -1;
    }
    if (get_text(o, "author", n->author, sizeof n->author - 1, 0, name, i, err, errlen) != 0)
        return -1;
    json_t *ov = json_object_get(o, "override");
    if (ov) {
        n->kind = ANNOT_OVERRIDE;
        if (!json_is_string(ov) || (n->metric = annotations_metric_from_name(json_string_value(ov))) < 0) {
            snprintf(err, errlen, "%s: note %zu: \"override\" must name a metric (spacing, depth, pigment, hairline, quality)",
                     name, i + 1);
            return -1;
        }
        json_t *sc = json_object_get(o, "score"), *ps = json_object_get(o, "passed");
        if (!sc && !ps) {
            snprintf(err, errlen, "%s: note %zu: an override has a \"score\", a \"passed\" verdict, or both", name, i + 1);
            return -1;
        }
        if (sc && (!json_is_number(sc) || !(json_number_value(sc) >= 0.0 && json_number_value(sc) <= 100.0))) {
            snprintf(err, errlen, "%s: note %zu: \"score\" must be a number from 0 to 100", name, i + 1);
            return -1;
        }
        if (ps && !json_is_boolean(ps)) {
            snprintf(err, errlen, "%s: note %zu: \"passed\" must be true or false", name, i + 1);
            return -1;
        }
        n->has_score = sc != NULL;
        n->score = sc ? json_number_value(sc) : 0.0;
        n->has_verdict = ps != NULL;
        n->passed = ps && json_is_true(ps);
        return get_text(o, "reason", n->text, ANNOT_MAX_TEXT, 1, name, i, err, errlen);
    }
    n->kind = ANNOT_COMMENT;
    if (get_text(o, "comment", n->text, ANNOT_MAX_TEXT, 1, name, i, err, errlen) != 0)
        return -1;
    json_t *at = json_object_get(o, "at_s"), *dot = json_object_get(o, "dot"), *rg = json_object_get(o, "region_mm");
    if ((at != NULL) + (dot != NULL) + (rg != NULL) != 1) {
        snprintf(err, errlen, "%s: note %zu: a comment is pinned to one of \"at_s\", \"dot\" or \"region_mm\"", name, i + 1);
        return -1;
    }
    if (at) {
        double t = json_number_value(at);
        if (!json_is_number(at) || !(t >= 0.0 && t <= 1e7)) {
            snprintf(err, errlen, "%s: note %zu: \"at_s\" must be seconds from 0 to 10000000", name, i + 1);
            return -1;
        }
        n->pin = ANNOT_AT_TIME;
        n->at_us = (int64_t)llround(t * 1e6);
    } else if (dot) {
        if (!json_is_integer(dot) || json_integer_value(dot) < 1 || json_integer_value(dot) > 100000000) {
            snprintf(err, errlen, "%s: note %zu: \"dot\" must be a dot number from 1", name, i + 1);
            return -1;
        }
        n->pin = ANNOT_AT_DOT;
        n->dot = (long)json_integer_value(dot);
    } else {
        if (!json_is_array(rg) || json_array_size(rg) != 4) {
            snprintf(err, errlen, "%s: note %zu: \"region_mm\" must be [u0, v0, u1, v1]", name, i + 1);
            return -1;
        }
        for (size_t k = 0; k < 4; k++) {
            json_t *x = json_array_get(rg, k);
            double v = json_number_value(x);
            if (!json_is_number(x) || !(fabs(v) <= 1e4)) {
                snprintf(err, errlen, "%s: note %zu: \"region_mm\" values must be numbers within 10000 mm", name, i + 1);
                return -1;
            }
            n->region_mm[k] = v;
        }
        n->pin = ANNOT_AT_REGION;
    }
    return 0;
}

int annotations_parse(const char *text, size_t len, const char *name, annotations *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len > ANNOT_MAX_FILE) {
        snprintf(err, errlen, "%s: larger than %u bytes: not a notes file", name, ANNOT_MAX_FILE);
        return -1;
    }
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: %s", name, je.line, je.column, je.text);
        return -1;
    }
    int rc = -1;
    json_t *fmt = json_object_get(root, "format"), *hash = json_object_get(root, "session_blake2b"),
           *notes = json_object_get(root, "notes");
    if (!json_is_object(root) || !json_is_string(fmt)) {
        snprintf(err, errlen, "%s: not a Stipple notes file (no \"format\")", name);
        goto done;
    }
    if (strcmp(json_string_value(fmt), ANNOT_FORMAT) != 0) {
        snprintf(err, errlen, "%s: format \"%.40s\" is not one this version reads (%s)", name, json_string_value(fmt),
                 ANNOT_FORMAT);
        goto done;
    }
    if (!json_is_string(hash) || json_string_length(hash) != 64) {
        snprintf(err, errlen, "%s: \"session_blake2b\" must be 64 hex digits", name);
        goto done;
    }
    for (int i = 0; i < 32; i++) {
        int hi = hex_value(json_string_value(hash)[2 * i]), lo = hex_value(json_string_value(hash)[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            snprintf(err, errlen, "%s: \"session_blake2b\" must be 64 hex digits", name);
            goto done;
        }
        out->session_hash[i] = (uint8_t)(hi * 16 + lo);
    }
    if (!json_is_array(notes) || json_array_size(notes) > ANNOT_MAX_NOTES) {
        snprintf(err, errlen, "%s: \"notes\" must be a list of at most %d notes", name, ANNOT_MAX_NOTES);
        goto done;
    }
    for (size_t i = 0; i < json_array_size(notes); i++) {
        annotation n;
        if (parse_note(json_array_get(notes, i), name, i, &n, err, errlen) != 0)
            goto done;
        if (annotations_add(out, &n) != 0) {
            snprintf(err, errlen, "%s: out of memory", name);
            goto done;
        }
    }
    rc = 0;
done:
    json_decref(root);
    if (rc != 0)
        annotations_free(out);
    return rc;
}

char *annotations_json(const annotations *a)
{
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", a->session_hash[i]);
    json_t *notes = json_array();
    json_t *root = json_pack("{s:s, s:s, s:o}", "format", ANNOT_FORMAT, "session_blake2b", hex, "notes", notes);
    if (!root)
        return NULL;
    for (size_t i = 0; i < a->count; i++) {
        const annotation *n = &a->notes[i];
        json_t *o = json_object();
        if (!o)
            break;
        if (n->kind == ANNOT_OVERRIDE) {
            json_object_set_new(o, "override", json_string(metric_name(n->metric)));
            if (n->has_score)
                json_object_set_new(o, "score", json_real(n->score));
            if (n->has_verdict)
                json_object_set_new(o, "passed", json_boolean(n->passed));
            json_object_set_new(o, "reason", json_string(n->text));
        } else {
            json_object_set_new(o, "comment", json_string(n->text));
            if (n->pin == ANNOT_AT_TIME)
                json_object_set_new(o, "at_s", json_real((double)n->at_us * 1e-6));
            else if (n->pin == ANNOT_AT_DOT)
                json_object_set_new(o, "dot", json_integer((json_int_t)n->dot));
            else
                json_object_set_new(o, "region_mm", json_pack("[f, f, f, f]", n->region_mm[0], n->region_mm[1],
                                                              n->region_mm[2], n->region_mm[3]));
        }
        if (n->author[0])
            json_object_set_new(o, "author", json_string(n->author));
        json_array_append_new(notes, o);
    }
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(root);
    return s;
}

int annotations_load(const char *session_path, annotations *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    uint8_t h[32];
    if (annotations_hash_file(session_path, h, err, errlen) != 0)
        return ANNOT_CORRUPT;
    char path[4096];
    if (annotations_path(session_path, path, sizeof path) != 0) {
        snprintf(err, errlen, "%s: the name is too long", session_path);
        return ANNOT_CORRUPT;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno != ENOENT) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return ANNOT_CORRUPT;
        }
        memcpy(out->session_hash, h, 32);
        return ANNOT_NONE;
    }
    char *buf = malloc(ANNOT_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, ANNOT_MAX_FILE + 1, f) : 0;
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        return ANNOT_CORRUPT;
    }
    int rc = annotations_parse(buf, n, path, out, err, errlen);
    free(buf);
    if (rc != 0)
        return ANNOT_CORRUPT;
    if (memcmp(out->session_hash, h, 32) != 0) {
        snprintf(err, errlen, "%s was written for another session, or for this one before it changed "
                              "(its session hash differs): shown, never applied", path);
        return ANNOT_MISMATCH;
    }
    return ANNOT_OK;
}

int annotations_save(const char *session_path, const annotations *a, char *err, size_t errlen)
{
    uint8_t h[32];
    if (annotations_hash_file(session_path, h, err, errlen) != 0)
        return -1;
    if (memcmp(h, a->session_hash, 32) != 0) {
        snprintf(err, errlen, "%s has changed since its notes were read: not saved", session_path);
        return -1;
    }
    char path[4096], tmp[4200];
    if (annotations_path(session_path, path, sizeof path) != 0) {
        snprintf(err, errlen, "%s: the name is too long", session_path);
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    char *js = annotations_json(a);
    FILE *f = js ? fopen(tmp, "wb") : NULL;
    if (!f) {
        snprintf(err, errlen, "%s: %s", tmp, js ? strerror(errno) : "out of memory");
        free(js);
        return -1;
    }
    int bad = fputs(js, f) < 0 || fputc('\n', f) == EOF;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    free(js);
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
