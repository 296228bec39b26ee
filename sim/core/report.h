/* report.h: the graded report, as text for people and as versioned JSON. */
#ifndef STIPPLE_REPORT_H
#define STIPPLE_REPORT_H

#include <stdio.h>

#include "score.h"

typedef struct report_meta {
    const char *session_path;
    const char *source;         /* "live", "trainee:expert", ... */
    int64_t     duration_us;
    size_t      pen_samples;
    int         complete;       /* session had its end marker */
    const char *warning;        /* recovery warning or NULL */
    const struct session_header *header; /* who, where, when and how (format 2); NULL when none */
} report_meta;

/* A session's wall-clock start as ISO 8601 UTC ("2026-12-05T08:20:10Z"); "" for 0 (simulated
 * sessions carry none, so their bytes stay reproducible). */
void  report_utc_text(int64_t start_utc_us, char *out, size_t n);

/* Writes a readable report. 0 or -1 on a write error. */
int   report_write_text(FILE *f, const lesson *l, const dot *dots, const score_result *r, const report_meta *m);
/* Returns a malloc'd JSON document (free with free), or NULL. Top level: report_version,
 * lesson, session, total, passed, metrics{spacing,depth,pigment,hairline,quality}, regions,
 * flagged_dots. */
char *report_json(const lesson *l, const dot *dots, const score_result *r, const report_meta *m);
/* The same, with the session's results under other scoring rules: each that gives other
 * figures is kept beside the main one under "other_rules" (total, passed, verdict, each
 * metric's score), so a change of rules never hides what a session scored before. */
char *report_json_rules(const lesson *l, const dot *dots, const score_result *r, const score_result *others,
                        size_t other_count, const report_meta *m);

#endif
