/* report_plots.h: the PDF report's pictures, drawn with cairo (text through pango). Each
 * draws into the box (x, y, w, h) in points and returns the height it used. */
#ifndef STIPPLE_REPORT_PLOTS_H
#define STIPPLE_REPORT_PLOTS_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include "report_pdf.h"

/* Text helpers shared by the pages and the plots (report_pdf.c). */
double report_text(cairo_t *cr, PangoContext *pc, double x, double y, double width, const char *font,
                   const char *text);
double report_text_width(PangoContext *pc, const char *font, const char *text);

/* A rendered view with its flagged dots ringed and numbered. */
double report_plot_image(cairo_t *cr, PangoContext *pc, const report_view *v, double x, double y, double w, double h);

/* Density over the zone against the expected density: a diverging colour per chart cell. */
double report_plot_density(cairo_t *cr, PangoContext *pc, const lesson *l, const surface *s, const dot *dots,
                           size_t n, double expected_per_cm2, double x, double y, double w, double h);

/* Nearest-neighbour distances with the natural band shaded and the too-close line. */
double report_plot_nn_hist(cairo_t *cr, PangoContext *pc, const double *nn_mm, size_t n, const double band_mm[2],
                           double too_close_mm, double x, double y, double w, double h);

/* Depths with the ideal and acceptable bands shaded. */
double report_plot_depth_hist(cairo_t *cr, PangoContext *pc, const double *depth_mm, size_t n,
                              const double ideal_mm[2], const double acceptable_mm[2], double x, double y, double w,
                              double h);

/* Dots per minute over the session, in bins of bin_us. */
double report_plot_rate(cairo_t *cr, PangoContext *pc, const double *rate, size_t bins, int64_t bin_us, double x,
                        double y, double w, double h);

/* One value per dot against session time (minutes), the first and last quarters shaded with
 * their means drawn; band (may be NULL) shaded across. */
double report_plot_series(cairo_t *cr, PangoContext *pc, const int64_t *t_us, const double *v, size_t n,
                          int64_t end_us, double lo, double hi, const double *band, double first_mean,
                          double last_mean, const char *label, double x, double y, double w, double h);

#endif
