/* report_stats.h: the figures the PDF report plots, computed from the dots and the score
 * (pure C: no cairo here, so they can be tested alone). */
#ifndef STIPPLE_REPORT_STATS_H
#define STIPPLE_REPORT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "dot.h"
#include "lesson.h"
#include "surface.h"

#define REPORT_HIST_MAX_BINS 64

typedef struct report_hist {
    double lo, hi;                         /* the binned range; values outside land in the end bins */
    int    bins;
    size_t count[REPORT_HIST_MAX_BINS];
    size_t total;
    size_t max_count;
} report_hist;

/* Histogram of v[0..n-1] over [lo, hi) in `bins` bins (clamped to 1..REPORT_HIST_MAX_BINS). */
void report_hist_make(const double *v, size_t n, double lo, double hi, int bins, report_hist *h);

/* First quarter of the session against the last (by time): a drift that shows fatigue.
 * Welch's t-test on the two means; significant when p < 0.05 with at least 5 dots a side. */
typedef struct report_drift {
    size_t first_n, last_n;
    double first_mean, last_mean, first_sd, last_sd;
    double t, df, p;
    int    testable;                       /* both quarters hold >= 5 values */
    int    significant;
} report_drift;

/* values[i] belongs to the dot at time t_us[i]; quarters of [0, end_us]. */
void report_drift_compute(const double *values, const int64_t *t_us, size_t n, int64_t end_us, report_drift *d);

/* Two-sided p-value of Student's t with df degrees of freedom. */
double report_student_p(double t, double df);

/* The time bin for a dots-per-minute plot: 15 s, 30 s, 1, 2, 5, 10, 30 or 60 min, the first
 * that gives at most 60 bins over the session. */
int64_t report_rate_bin_us(int64_t end_us);
/* Dots per minute in bins of bin_us: rate[k] = dots in bin k * 60 s / bin_us. Returns the bins
 * used (ceil(end / bin), at least 1, at most cap). */
size_t report_dot_rate(const dot *dots, size_t n, int64_t end_us, int64_t bin_us, double *rate, size_t cap);

/* Density over the lesson's working zone on a chart grid of cell_mm cells: ratio[j*w+i] is
 * the density in that cell (dots per skin cm2) over the expected density, or -1 for a cell
 * whose centre is outside the zone. box = chart (u0, v0, u1, v1) covered. 0, or -1 when the
 * zone is empty or memory runs out (then *ratio is NULL). Free *ratio with free(). */
int report_density_grid(const lesson *l, const surface *s, const dot *dots, size_t n, double expected_per_cm2,
                        double cell_mm, double **ratio, int *w, int *h, double box[4]);

#endif
