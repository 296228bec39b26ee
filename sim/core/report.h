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
    /* the same session scored under other rule sets: each that gives other figures is kept
     * beside the main result (text: a line each; JSON: "other_rules"), so a change of rules
     * never hides what a session scored before */
    const score_result *other_rules;
    size_t              other_rules_count;
} report_meta;

/* A session's wall-clock start as ISO 8601 UTC ("2026-12-05T08:20:10Z"); "" for 0 (simulated
 * sessions carry none, so their bytes stay reproducible). */
void  report_utc_text(int64_t start_utc_us, char *out, size_t n);

/* Writes a readable report. 0 or -1 on a write error. */
int   report_write_text(FILE *f, const lesson *l, const dot *dots, const score_result *r, const report_meta *m);
/* Returns a malloc'd JSON document (free with free), or NULL. Top level: report_version,
 * scoring_rules, lesson, session, total, passed, verdict, other_rules (an array: for each
 * rule set in m->other_rules that gives other figures, its scoring_rules, total, passed,
 * verdict and each metric's score), metrics{spacing,depth,pigment,hairline,quality},
 * regions, flagged_dots. */
char *report_json(const lesson *l, const dot *dots, const score_result *r, const report_meta *m);
/* Whether two results differ in any headline figure (total, passed, a metric's score). */
int   report_results_differ(const score_result *a, const score_result *b);

#endif
