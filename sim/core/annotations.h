/* annotations.h: an instructor's notes on a session, in a versioned sidecar file beside it
 * (SESSION.notes.json); the session file itself is never modified. Comments are pinned to a
 * time, a dot or a chart region; a grade override replaces one metric's score, with its
 * reason, beside the computed one (both are kept and shown).
 *
 * The sidecar is bound to the session's content (BLAKE2b-256 of the session file's bytes): a
 * sidecar whose hash does not match belongs to another session, or to this one changed since;
 * it is shown with a warning and never applied.
 *
 * Format (JSON): {"format": "stipple-notes/1", "session_blake2b": "<64 hex>", "notes": [
 *     {"comment": TEXT, "at_s": T | "dot": N | "region_mm": [U0, V0, U1, V1], "author": A},
 *     {"override": METRIC, "score": 0..100, "passed": true|false, "reason": TEXT, "author": A}, ...]}
 * An override carries a score, a verdict ("passed"), or both.
 * dot N counts from 1 as the review and `stipple dots` show it. Limits (a hostile file costs
 * bounded time and memory): the file at most ANNOT_MAX_FILE bytes, ANNOT_MAX_NOTES notes, a
 * text ANNOT_MAX_TEXT bytes. */
#ifndef STIPPLE_ANNOTATIONS_H
#define STIPPLE_ANNOTATIONS_H

#include <stddef.h>
#include <stdint.h>

#define ANNOT_FORMAT "stipple-notes/1"
#define ANNOT_MAX_FILE (4u << 20)
#define ANNOT_MAX_NOTES 10000
#define ANNOT_MAX_TEXT 2000

enum annot_kind { ANNOT_COMMENT = 0, ANNOT_OVERRIDE = 1 };
enum annot_pin { ANNOT_AT_TIME = 0, ANNOT_AT_DOT, ANNOT_AT_REGION };

typedef struct annotation {
    int     kind;              /* enum annot_kind */
    int     pin;               /* comments: enum annot_pin */
    int64_t at_us;             /* ANNOT_AT_TIME */
    long    dot;               /* ANNOT_AT_DOT: 1-based */
    double  region_mm[4];      /* ANNOT_AT_REGION: chart u0, v0, u1, v1 */
    int     metric;            /* overrides: METRIC_* */
    double  score;             /* overrides: 0..100, when has_score */
    int     has_score;
    int     has_verdict;       /* overrides: the instructor's pass (passed 1) or fail (0) */
    int     passed;
    char    text[ANNOT_MAX_TEXT + 1];   /* the comment, or the override's reason */
    char    author[64];
} annotation;

typedef struct annotations {
    uint8_t     session_hash[32];
    annotation *notes;
    size_t      count, cap;
} annotations;

/* SESSION -> SESSION.notes.json (into out; -1 when it does not fit). */
int  annotations_path(const char *session_path, char *out, size_t n);
/* BLAKE2b-256 of a file's bytes. 0, or -1 with err. */
int  annotations_hash_file(const char *path, uint8_t out[32], char *err, size_t errlen);

/* Parses a sidecar's text (name for messages). 0, or -1 with err ("NAME: what"). */
int  annotations_parse(const char *text, size_t len, const char *name, annotations *out, char *err, size_t errlen);
/* The sidecar's JSON (free()), or NULL on allocation failure. */
char *annotations_json(const annotations *a);

enum { ANNOT_OK = 0, ANNOT_NONE = 1, ANNOT_CORRUPT = -1, ANNOT_MISMATCH = -2 };
/* The sidecar of a session. ANNOT_OK: *out is bound to the session. ANNOT_NONE: no sidecar
 * (*out empty, bound to the session, ready to add to). ANNOT_CORRUPT: err says why, *out
 * empty. ANNOT_MISMATCH: *out holds the notes (to show, never to apply), err says why. */
int  annotations_load(const char *session_path, annotations *out, char *err, size_t errlen);
/* Writes the sidecar (a new file renamed over the old one: a crash leaves the old or the
 * new, never half). The session file is only read (for its hash check). 0, or -1 with err. */
int  annotations_save(const char *session_path, const annotations *a, char *err, size_t errlen);

int  annotations_add(annotations *a, const annotation *n);   /* 0, or -1 (full, or out of memory) */
void annotations_free(annotations *a);                      /* NULL-safe; leaves it empty */

/* The override of a metric (the last one made), or NULL. */
const annotation *annotations_override(const annotations *a, int metric);
/* An override's value as words: "72.5", "passed", "failed" or "72.5, passed". */
void annotations_override_value(const annotation *o, char *out, size_t n);
/* "spacing" ... -> METRIC_*, or -1. */
int  annotations_metric_from_name(const char *name);

#endif
