/* report_views.h: views of a session's work for the PDF report, rendered by the app's own
 * renderer into an offscreen OpenGL context (SDL's offscreen driver over EGL: no display
 * needed, so it runs in CI): an overview of the worked area and up to three close-ups of
 * the areas with the most flagged dots, those dots marked with the numbers `grade` gives. */
#ifndef STIPPLE_REPORT_VIEWS_H
#define STIPPLE_REPORT_VIEWS_H

#include "report_pdf.h"

#define REPORT_MAX_VIEWS 4

/* 0 with views[0..*count-1] filled (free with report_views_free), or -1 with the reason in
 * err (no OpenGL 3.3 context could be made, a shader failed). */
int  report_views_make(const lesson *l, const surface *s, const dot *dots, size_t n, const score_result *r,
                       report_view views[REPORT_MAX_VIEWS], size_t *count, char *err, size_t errlen);
void report_views_free(report_view *views, size_t count);

/* Where the close-ups go: chart centres (u, v) of up to `max` cells of cell_mm with the most
 * flagged dots, at least two cells apart, worst first. Returns how many (0: nothing flagged). */
size_t report_worst_areas(const dot *dots, size_t n, const uint32_t *flags, double cell_mm, double centres[][2],
                          size_t max);

#endif
