/* report_pdf.h: `stipple report`: the graded session as a PDF an instructor can hand over
 * (cairo for the pages, pango for the text). Reads core state; never changes it.
 *
 * Pages: 1 the session and its grades (the same sentences `grade` prints); 2 views of the
 * work, rendered by the app's renderer when one could be made; 3 density over the zone and
 * the spacing and depth histograms; 4 the time course (dots per minute, first against last
 * quarter). Deterministic: the same inputs give the same bytes (fixed PDF dates). */
#ifndef STIPPLE_REPORT_PDF_H
#define STIPPLE_REPORT_PDF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "annotations.h"
#include "dot.h"
#include "lesson.h"
#include "report.h"
#include "score.h"
#include "session.h"
#include "surface.h"

typedef enum report_paper { REPORT_PAPER_A4 = 0, REPORT_PAPER_LETTER = 1 } report_paper;

/* A flagged dot marked on a view: its pixel and the number `grade` gives it (its index). */
typedef struct report_view_mark {
    float  x_px, y_px;
    size_t dot_index;
} report_view_mark;

typedef struct report_view {
    uint8_t *rgb;              /* width * height * 3, top row first (malloc'd by the maker) */
    int      width, height;
    char     caption[160];
    double   field_mm;         /* skin shown across the view's height */
    report_view_mark *marks;   /* malloc'd, or NULL */
    size_t   mark_count;
} report_view;


typedef struct report_pdf_input {
    const lesson       *lesson;
    const surface      *surface;
    const dot          *dots;
    size_t              dot_count;
    const score_result *score;
    const report_meta  *meta;
    const session_data *session;       /* device, events (report rate, dropped events) */
    const char         *grade_text;    /* what `grade` prints for this session (its sentences) */
    const report_view  *views;
    size_t              view_count;
    const char         *views_missing; /* why there are no views, or NULL */
    const annotations  *notes;         /* the instructor's sidecar (comments, overrides), or NULL */
    const char         *notes_problem; /* why the notes are shown but not applied, or NULL */
    report_paper        paper;
} report_pdf_input;

/* Writes the PDF to f. 0, or -1 with err set. */
int report_pdf_write(FILE *f, const report_pdf_input *in, char *err, size_t errlen);

/* Frees the font caches pango, cairo and fontconfig keep for the life of the process (so a
 * leak checker sees none); the next report builds them again. */
void report_pdf_release_fonts(void);

/* The input's device figures: median pen report rate (Hz), dropped-event reports, pauses. */
typedef struct report_input_quality {
    double report_rate_hz;
    size_t pen_samples, syn_dropped, pauses;
} report_input_quality;
void report_input_quality_of(const session_data *d, report_input_quality *q);

#endif
