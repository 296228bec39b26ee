/* report_text.h: the one place the sentences of a graded report are written: what each
 * metric measured in plain words (R, dE00 and CV glossed), what to do next, the verdict
 * naming the gate that failed, and why a dot is flagged. The app's score screen, `stipple
 * grade` (text and JSON) and the PDF report all print these, so a trainee reads the same
 * words everywhere. Pure: sentences are made from the lesson and the score alone. */
#ifndef STIPPLE_REPORT_TEXT_H
#define STIPPLE_REPORT_TEXT_H

#include <stddef.h>

#include "dot.h"
#include "lesson.h"
#include "score.h"

/* Room for any one sentence this module writes. */
#define REPORT_TEXT_MAX 768

/* The number a dot has on every screen and page: 1 for the first dot placed. */
size_t report_dot_number(size_t index);

/* The nearest-neighbour distances a natural pattern has at a density (dots per cm2): the
 * Clark-Evans range the lesson calls natural times the distance random dots would have,
 * 0.5 / sqrt(density): 1.10-1.60 mm at 30/cm2 for R 1.20-1.75. */
void report_natural_nn_band_mm(const lesson *l, double density_per_cm2, double out_mm[2]);

/* Writes a depth (mm) for a sentence that compares it with the band [lo, hi]: rounded so
 * that a depth outside the band never prints inside it (0.4504 above 0.15-0.45 prints as
 * "0.451", not "0.45"). Returns buf. */
const char *report_format_depth(char *buf, size_t n, double depth_mm, double lo, double hi);

/* The plain sentence for a metric (what was measured and what it means) and what to do
 * next. For a metric that does not apply, the sentence says so and todo is empty. */
void report_text_metric(const lesson *l, const score_result *r, int metric, char *said, size_t said_n, char *todo,
                        size_t todo_n);

/* "PASS: total 97.0 of 100 (pass mark 70); every metric passed." or "FAIL: total 91.2, but
 * depth failed: 0.0 (pass mark 60)." - the gate that failed is named. */
void report_text_verdict(const lesson *l, const score_result *r, char *buf, size_t n);

/* Why dot i (0-based) is flagged, "" when it is not. Where one fault harms two things
 * (a shed dot also leaves a gap) the reason says so. */
void report_text_dot_reason(const score_result *r, const lesson *l, const dot *dots, size_t i, char *buf, size_t n);

/* The glossary line printed under a report: R, dE00 and CV in a sentence each. */
const char *report_text_glossary(void);

#endif
