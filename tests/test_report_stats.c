/* test_report_stats: the PDF report's figures (sim/report/report_stats.c): Student's t
 * p-values against closed forms, the first-against-last-quarter drift, histograms, dots
 * per minute and the density grid. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report_stats.h"

int main(void)
{
    /* df = 1 is the Cauchy distribution, df = 2 has a closed form too */
    for (double t = 0.0; t < 20.0; t += 0.37) {
        double p1 = 1.0 - 2.0 / 3.141592653589793 * atan(t);
        double p2 = 1.0 - t / sqrt(t * t + 2.0);
        CHECK(fabs(report_student_p(t, 1.0) - p1) < 1e-9, "df 1, t %.2f: %.12f vs %.12f", t, report_student_p(t, 1.0), p1);
        CHECK(fabs(report_student_p(-t, 2.0) - p2) < 1e-9, "df 2, t %.2f: %.12f vs %.12f", -t, report_student_p(-t, 2.0), p2);
    }
    /* large df tends to the normal: two-sided 5% at 1.959964 */
    CHECK(fabs(report_student_p(1.959964, 1e7) - 0.05) < 1e-4, "normal limit: %.6f", report_student_p(1.959964, 1e7));

    /* drift: 400 dots over 100 s; the last quarter 0.05 mm deeper with a 0.02 mm wobble */
    enum { N = 400 };
    double v[N];
    int64_t t_us[N];
    for (int i = 0; i < N; i++) {
        t_us[i] = (int64_t)i * 250000;
        v[i] = 0.30 + ((i % 2) ? 0.02 : -0.02) + (t_us[i] >= 75000000 ? 0.05 : 0.0);
    }
    report_drift d;
    report_drift_compute(v, t_us, N, 100000000, &d);
    CHECK(d.first_n == 100 && d.last_n == 100, "quarters hold %zu and %zu", d.first_n, d.last_n);
    CHECK(fabs(d.first_mean - 0.30) < 1e-12 && fabs(d.last_mean - 0.35) < 1e-12, "means %.6f %.6f", d.first_mean,
          d.last_mean);
    CHECK(d.testable && d.significant && d.p < 1e-6 && d.t > 0, "a 0.05 mm shift is significant: p %.3g", d.p);
    /* the same wobble without the shift: nothing to see */
    for (int i = 0; i < N; i++)
        v[i] = 0.30 + ((i % 2) ? 0.02 : -0.02);
    report_drift_compute(v, t_us, N, 100000000, &d);
    CHECK(d.testable && !d.significant && d.p > 0.5, "no shift: p %.3g", d.p);
    /* too few dots to test */
    report_drift_compute(v, t_us, 8, 100000000, &d);
    CHECK(!d.testable && !d.significant, "%s", "8 dots are not tested");

    /* histogram: every finite value counted once, the out-of-range ones in the end bins */
    double hv[] = { -1.0, 0.05, 0.15, 0.15, 0.95, 5.0, NAN };
    report_hist h;
    report_hist_make(hv, 7, 0.0, 1.0, 10, &h);
    CHECK(h.total == 6 && h.count[0] == 2 && h.count[1] == 2 && h.count[9] == 2 && h.max_count == 2,
          "hist: total %zu, bins %zu %zu %zu", h.total, h.count[0], h.count[1], h.count[9]);

    /* dots per minute: bins sum to the dot count scaled by the bin length */
    dot *dots = calloc(N, sizeof *dots);
    for (int i = 0; dots && i < N; i++)
        dots[i].t_us = t_us[i];
    int64_t bin = report_rate_bin_us(100000000);
    CHECK(bin == 15000000, "a 100 s session gets 15 s bins (%lld)", (long long)bin);
    CHECK(report_rate_bin_us(3600LL * 1000000) == 60000000, "%s", "an hour gets 1 min bins");
    double rate[64];
    size_t bins = report_dot_rate(dots, N, 100000000, bin, rate, 64);
    double sum = 0;
    for (size_t k = 0; k < bins; k++)
        sum += rate[k] * 15.0 / 60.0;
    CHECK(bins == 7 && fabs(sum - N) < 1e-9, "%zu bins holding %.1f dots", bins, sum);

    /* density grid over a practice-skin zone: a dot every 2 mm is 25 /cm2 */
    char err[512];
    const char *text =
        "{\"format\":\"stipple-lesson/1\",\"id\":\"t\",\"title\":\"t\",\"version\":1,"
        "\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
        "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
        "\"zones\":[{\"name\":\"z\",\"polygon_mm\":[[20,20],[60,20],[60,50],[20,50]]}],"
        "\"session\":{\"number\":1,\"density_per_cm2\":25},"
        "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},\"pigment\":{\"target_shade\":6,\"allowed_shades\":[4,10]},"
        "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},\"sources\":[\"test\"]}";
    lesson l;
    int loaded = lesson_load_mem(text, strlen(text), "t.json", &l, err, sizeof err) == 0;
    CHECK(loaded, "test lesson: %s", err);
    if (loaded) {
        surface *s = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
        size_t n = 0;
        dot *grid = calloc(20 * 15, sizeof *grid);
        for (int y = 0; grid && y < 15; y++)
            for (int x = 0; x < 20; x++) {
                grid[n].chart_mm[0] = 21.0 + 2.0 * x;
                grid[n].chart_mm[1] = 21.0 + 2.0 * y;
                n++;
            }
        double *ratio = NULL, box[4];
        int w = 0, hh = 0;
        int rc = s && grid ? report_density_grid(&l, s, grid, n, 25.0, 10.0, &ratio, &w, &hh, box) : -1;
        CHECK(rc == 0 && w == 4 && hh == 3, "grid %dx%d (rc %d)", w, hh, rc);
        for (int k = 0; rc == 0 && k < w * hh; k++)
            CHECK(fabs(ratio[k] - 1.0) < 1e-9, "cell %d: ratio %.4f (want 1)", k, ratio[k]);
        free(ratio);
        free(grid);
        surface_free(s);
        lesson_free(&l);
    }
    free(dots);
    return check_summary("test_report_stats");
}
