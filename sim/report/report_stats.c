/* report_stats.c: histograms, dots per minute, first-against-last-quarter drift (Welch's
 * t-test) and the density grid of the PDF report. */
#include "report_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void report_hist_make(const double *v, size_t n, double lo, double hi, int bins, report_hist *h)
{
    memset(h, 0, sizeof *h);
    if (bins < 1)
        bins = 1;
    if (bins > REPORT_HIST_MAX_BINS)
        bins = REPORT_HIST_MAX_BINS;
    if (!(hi > lo))
        hi = lo + 1.0;
    h->lo = lo;
    h->hi = hi;
    h->bins = bins;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        double f = (v[i] - lo) / (hi - lo) * bins;
        int b = f < 0 ? 0 : f >= bins ? bins - 1 : (int)f;
        h->count[b]++;
        h->total++;
    }
    for (int b = 0; b < bins; b++)
        if (h->count[b] > h->max_count)
            h->max_count = h->count[b];
}

/* ---- Student's t: the regularised incomplete beta function by its continued fraction ---- */

static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 300; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < 1e-12)
            break;
    }
    return h;
}

static double beta_inc(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1.0 - x);
    if (x < (a + 1.0) / (a + b + 2.0))
        return exp(lbt) * beta_cf(a, b, x) / a;
    return 1.0 - exp(lbt) * beta_cf(b, a, 1.0 - x) / b;
}

double report_student_p(double t, double df)
{
    if (!isfinite(t))
        return 0.0;
    if (!(df > 0.0))
        return 1.0;
    return beta_inc(0.5 * df, 0.5, df / (df + t * t));
}

void report_drift_compute(const double *values, const int64_t *t_us, size_t n, int64_t end_us, report_drift *d)
{
    memset(d, 0, sizeof *d);
    d->p = 1.0;
    double s1 = 0, q1 = 0, s4 = 0, q4 = 0;
    int64_t a = end_us / 4, b = end_us - end_us / 4;
    for (size_t i = 0; i < n; i++) {
        double v = values[i];
        if (!isfinite(v))
            continue;
        if (t_us[i] < a) {
            d->first_n++;
            s1 += v;
        } else if (t_us[i] >= b) {
            d->last_n++;
            s4 += v;
        }
    }
    if (d->first_n)
        d->first_mean = s1 / (double)d->first_n;
    if (d->last_n)
        d->last_mean = s4 / (double)d->last_n;
    for (size_t i = 0; i < n; i++) {
        double v = values[i];
        if (!isfinite(v))
            continue;
        if (t_us[i] < a)
            q1 += (v - d->first_mean) * (v - d->first_mean);
        else if (t_us[i] >= b)
            q4 += (v - d->last_mean) * (v - d->last_mean);
    }
    if (d->first_n < 5 || d->last_n < 5)
        return;
    double n1 = (double)d->first_n, n4 = (double)d->last_n;
    double v1 = q1 / (n1 - 1.0), v4 = q4 / (n4 - 1.0);
    d->first_sd = sqrt(v1);
    d->last_sd = sqrt(v4);
    d->testable = 1;
    double se2 = v1 / n1 + v4 / n4;
    if (!(se2 > 0.0)) {
        /* no spread at all: any difference is certain, none is nothing */
        d->p = d->first_mean == d->last_mean ? 1.0 : 0.0;
        d->significant = d->p < 0.05;
        return;
    }
    d->t = (d->last_mean - d->first_mean) / sqrt(se2);
    /* Welch-Satterthwaite degrees of freedom */
    double den = (v1 / n1) * (v1 / n1) / (n1 - 1.0) + (v4 / n4) * (v4 / n4) / (n4 - 1.0);
    d->df = den > 0.0 ? se2 * se2 / den : n1 + n4 - 2.0;
    d->p = report_student_p(d->t, d->df);
    d->significant = d->p < 0.05;
}

int64_t report_rate_bin_us(int64_t end_us)
{
    static const int64_t bins_s[] = { 15, 30, 60, 120, 300, 600, 1800, 3600 };
    for (size_t i = 0; i < sizeof bins_s / sizeof bins_s[0]; i++)
        if (end_us <= bins_s[i] * 1000000 * 60)
            return bins_s[i] * 1000000;
    return 3600LL * 1000000;
}

size_t report_dot_rate(const dot *dots, size_t n, int64_t end_us, int64_t bin_us, double *rate, size_t cap)
{
    if (bin_us <= 0)
        bin_us = 60000000;
    size_t bins = end_us > 0 ? (size_t)((end_us + bin_us - 1) / bin_us) : 1;
    if (bins < 1)
        bins = 1;
    if (bins > cap)
        bins = cap;
    memset(rate, 0, bins * sizeof *rate);
    for (size_t i = 0; i < n; i++) {
        int64_t k = dots[i].t_us / bin_us;
        if (k < 0)
            k = 0;
        if ((size_t)k >= bins)
            k = (int64_t)bins - 1;
        rate[k] += 1.0;
    }
    for (size_t k = 0; k < bins; k++)
        rate[k] *= 60e6 / (double)bin_us;
    return bins;
}

int report_density_grid(const lesson *l, const surface *s, const dot *dots, size_t n, double expected_per_cm2,
                        double cell_mm, double **ratio, int *w, int *h, double box[4])
{
    *ratio = NULL;
    *w = *h = 0;
    if (!(cell_mm > 0.0) || l->zone_count == 0)
        return -1;
    /* the zones' polygons bound the grid; a zone of regions only spans the whole chart */
    double cb[4];
    surface_chart_bounds(s, cb);
    int have = 0;
    for (size_t z = 0; z < l->zone_count; z++) {
        double zb[4];
        if (l->zones[z].polygon)
            lesson_points_box(l->zones[z].polygon, l->zones[z].polygon_count, 0.0, zb);
        else
            memcpy(zb, cb, sizeof zb);
        if (!have) {
            memcpy(box, zb, sizeof zb);
            have = 1;
        } else {
            box[0] = fmin(box[0], zb[0]);
            box[1] = fmin(box[1], zb[1]);
            box[2] = fmax(box[2], zb[2]);
            box[3] = fmax(box[3], zb[3]);
        }
    }
    if (!lesson_box_clip(box, cb))
        return -1;
    int gw = (int)ceil((box[2] - box[0]) / cell_mm), gh = (int)ceil((box[3] - box[1]) / cell_mm);
    if (gw < 1 || gh < 1 || gw > 512 || gh > 512)
        return -1;
    double *cnt = calloc((size_t)gw * (size_t)gh, sizeof *cnt);
    double *r = malloc((size_t)gw * (size_t)gh * sizeof *r);
    if (!cnt || !r) {
        free(cnt);
        free(r);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        double u = dots[i].chart_mm[0], v = dots[i].chart_mm[1];
        int cx = (int)floor((u - box[0]) / cell_mm), cy = (int)floor((v - box[1]) / cell_mm);
        if (cx >= 0 && cy >= 0 && cx < gw && cy < gh)
            cnt[(size_t)cy * (size_t)gw + (size_t)cx] += 1.0;
    }
    int any = 0;
    for (int y = 0; y < gh; y++)
        for (int x = 0; x < gw; x++) {
            double u = box[0] + (x + 0.5) * cell_mm, v = box[1] + (y + 0.5) * cell_mm;
            region_id reg = surface_region_at_chart(s, u, v);
            size_t k = (size_t)y * (size_t)gw + (size_t)x;
            if (!lesson_zone_contains(l, u, v, reg) || !(expected_per_cm2 > 0.0)) {
                r[k] = -1.0;
                continue;
            }
            double area_cm2 = cell_mm * cell_mm * surface_chart_area_scale(s, u, v) / 100.0;
            r[k] = area_cm2 > 0.0 ? cnt[k] / area_cm2 / expected_per_cm2 : -1.0;
            any = 1;
        }
    free(cnt);
    if (!any) {
        free(r);
        return -1;
    }
    *ratio = r;
    *w = gw;
    *h = gh;
    return 0;
}
