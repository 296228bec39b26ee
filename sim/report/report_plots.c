/* report_plots.c: histograms, the density map, dots per minute and the rendered views. */
#include "report_plots.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_stats.h"

static void rgb(cairo_t *cr, unsigned hex)
{
    cairo_set_source_rgb(cr, ((hex >> 16) & 255) / 255.0, ((hex >> 8) & 255) / 255.0, (hex & 255) / 255.0);
}

/* A "nice" tick step for a range: 1, 2 or 5 times a power of ten. */
static double tick_step(double range, int want)
{
    double raw = range / (want > 0 ? want : 5), p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0) * p;
}

/* The frame and x axis of a plot area; returns the plot's inner box. */
typedef struct plot_box { double x, y, w, h, lo, hi; } plot_box;

static double px_of(const plot_box *b, double v)
{
    return b->x + (v - b->lo) / (b->hi - b->lo) * b->w;
}

static void x_axis(cairo_t *cr, PangoContext *pc, const plot_box *b, const char *label, int decimals)
{
    rgb(cr, 0x333333);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, b->x, b->y + b->h);
    cairo_line_to(cr, b->x + b->w, b->y + b->h);
    cairo_stroke(cr);
    double step = tick_step(b->hi - b->lo, 8);
    for (double t = ceil(b->lo / step) * step; t <= b->hi + 1e-9; t += step) {
        double px = px_of(b, t);
        cairo_move_to(cr, px, b->y + b->h);
        cairo_line_to(cr, px, b->y + b->h + 3);
        cairo_stroke(cr);
        char s[32];
        snprintf(s, sizeof s, "%.*f", decimals, t);
        double tw = report_text_width(pc, "DejaVu Sans 7", s);
        report_text(cr, pc, px - tw / 2, b->y + b->h + 4, 0, "DejaVu Sans 7", s);
    }
    double lw = report_text_width(pc, "DejaVu Sans 8", label);
    report_text(cr, pc, b->x + b->w - lw, b->y + b->h + 14, 0, "DejaVu Sans 8", label);
}

static void shade(cairo_t *cr, const plot_box *b, double lo, double hi, double r, double g, double bl, double a)
{
    double x0 = px_of(b, fmax(lo, b->lo)), x1 = px_of(b, fmin(hi, b->hi));
    if (x1 <= x0)
        return;
    cairo_set_source_rgba(cr, r, g, bl, a);
    cairo_rectangle(cr, x0, b->y, x1 - x0, b->h);
    cairo_fill(cr);
}

static void bars(cairo_t *cr, const plot_box *b, const report_hist *h, unsigned colour)
{
    if (!h->max_count)
        return;
    rgb(cr, colour);
    double bw = b->w / h->bins;
    for (int i = 0; i < h->bins; i++) {
        double bh = b->h * (double)h->count[i] / (double)h->max_count;
        cairo_rectangle(cr, b->x + i * bw + 0.3, b->y + b->h - bh, bw - 0.6, bh);
    }
    cairo_fill(cr);
}

static void legend(cairo_t *cr, PangoContext *pc, double x, double y, double r, double g, double bl, double a,
                   const char *text)
{
    cairo_set_source_rgba(cr, r, g, bl, a);
    cairo_rectangle(cr, x, y + 2, 10, 7);
    cairo_fill(cr);
    rgb(cr, 0x333333);
    report_text(cr, pc, x + 13, y, 0, "DejaVu Sans 7", text);
}

double report_plot_nn_hist(cairo_t *cr, PangoContext *pc, const double *nn_mm, size_t n, const double band_mm[2],
                           double too_close_mm, double x, double y, double w, double h)
{
    double hi = band_mm[1] * 1.8;
    for (size_t i = 0; i < n; i++)
        if (nn_mm[i] > hi && nn_mm[i] < band_mm[1] * 4)
            hi = nn_mm[i];
    plot_box b = { x, y + 12, w, h - 30, 0.0, hi };
    report_hist hist;
    report_hist_make(nn_mm, n, 0.0, hi, 48, &hist);
    shade(cr, &b, band_mm[0], band_mm[1], 0.20, 0.65, 0.30, 0.22);
    shade(cr, &b, 0.0, too_close_mm, 0.85, 0.25, 0.20, 0.15);
    bars(cr, &b, &hist, 0x3a4a66);
    char s[160];
    legend(cr, pc, x, y - 2, 0.20, 0.65, 0.30, 0.35, "");
    snprintf(s, sizeof s, "natural mean spacing at this density: %.2f-%.2f mm (Clark-Evans R 1.20-1.75)", band_mm[0],
             band_mm[1]);
    report_text(cr, pc, x + 13, y - 2, 0, "DejaVu Sans 7", s);
    legend(cr, pc, x + w * 0.62, y - 2, 0.85, 0.25, 0.20, 0.3, "");
    snprintf(s, sizeof s, "too close (< %.2f mm): will merge", too_close_mm);
    report_text(cr, pc, x + w * 0.62 + 13, y - 2, 0, "DejaVu Sans 7", s);
    snprintf(s, sizeof s, "distance to the nearest dot, mm (%zu dots)", n);
    x_axis(cr, pc, &b, s, 1);
    return h;
}

double report_plot_depth_hist(cairo_t *cr, PangoContext *pc, const double *depth_mm, size_t n,
                              const double ideal_mm[2], const double acceptable_mm[2], double x, double y, double w,
                              double h)
{
    double hi = fmax(1.2, acceptable_mm[1] * 1.6);
    plot_box b = { x, y + 12, w, h - 30, 0.0, hi };
    report_hist hist;
    report_hist_make(depth_mm, n, 0.0, hi, 48, &hist);
    shade(cr, &b, acceptable_mm[0], acceptable_mm[1], 0.95, 0.75, 0.20, 0.20);
    shade(cr, &b, ideal_mm[0], ideal_mm[1], 0.20, 0.65, 0.30, 0.25);
    bars(cr, &b, &hist, 0x3a4a66);
    char s[160];
    legend(cr, pc, x, y - 2, 0.20, 0.65, 0.30, 0.35, "");
    snprintf(s, sizeof s, "ideal %.2f-%.2f mm", ideal_mm[0], ideal_mm[1]);
    report_text(cr, pc, x + 13, y - 2, 0, "DejaVu Sans 7", s);
    legend(cr, pc, x + w * 0.3, y - 2, 0.95, 0.75, 0.20, 0.35, "");
    snprintf(s, sizeof s, "acceptable %.2f-%.2f mm (shallower sheds in healing, deeper blows out)", acceptable_mm[0],
             acceptable_mm[1]);
    report_text(cr, pc, x + w * 0.3 + 13, y - 2, 0, "DejaVu Sans 7", s);
    snprintf(s, sizeof s, "pigment depth, mm (%zu dots)", n);
    x_axis(cr, pc, &b, s, 1);
    return h;
}

/* A y axis with a few labelled ticks from lo to hi. */
static void y_axis(cairo_t *cr, PangoContext *pc, const plot_box *b, double lo, double hi, int decimals)
{
    rgb(cr, 0x333333);
    double step = tick_step(hi - lo, 4);
    for (double t = ceil(lo / step) * step; t <= hi + 1e-9; t += step) {
        char s[32];
        snprintf(s, sizeof s, "%.*f", decimals, t);
        double py = b->y + b->h - b->h * (t - lo) / (hi - lo);
        double tw = report_text_width(pc, "DejaVu Sans 7", s);
        report_text(cr, pc, b->x - tw - 3, py - 5, 0, "DejaVu Sans 7", s);
        cairo_set_source_rgba(cr, 0, 0, 0, 0.08);
        cairo_set_line_width(cr, 0.4);
        cairo_move_to(cr, b->x, py);
        cairo_line_to(cr, b->x + b->w, py);
        cairo_stroke(cr);
        rgb(cr, 0x333333);
    }
}

double report_plot_rate(cairo_t *cr, PangoContext *pc, const double *rate, size_t bins, int64_t bin_us, double x,
                        double y, double w, double h)
{
    double mx = 1;
    for (size_t i = 0; i < bins; i++)
        mx = fmax(mx, rate[i]);
    mx *= 1.05;
    double minutes = (double)bins * (double)bin_us / 60e6;
    plot_box b = { x + 28, y + 4, w - 28, h - 22, 0.0, minutes };
    y_axis(cr, pc, &b, 0.0, mx, 0);
    rgb(cr, 0x3a4a66);
    double bw = b.w / (double)bins;
    for (size_t i = 0; i < bins; i++) {
        double bh = b.h * rate[i] / mx;
        cairo_rectangle(cr, b.x + (double)i * bw + 0.4, b.y + b.h - bh, fmax(bw - 0.8, 0.3), bh);
    }
    cairo_fill(cr);
    char label[128];
    if (bin_us < 60000000)
        snprintf(label, sizeof label, "minute of the session (bars: dots per minute over each %.0f s)", (double)bin_us / 1e6);
    else
        snprintf(label, sizeof label, "minute of the session (bars: dots per minute over each %.0f min)", (double)bin_us / 60e6);
    x_axis(cr, pc, &b, label, minutes < 8 ? 1 : 0);
    return h;
}

double report_plot_series(cairo_t *cr, PangoContext *pc, const int64_t *t_us, const double *v, size_t n,
                          int64_t end_us, double lo, double hi, const double *band, double first_mean,
                          double last_mean, const char *label, double x, double y, double w, double h)
{
    double minutes = end_us > 0 ? (double)end_us / 60e6 : 1.0;
    plot_box b = { x + 28, y + 4, w - 28, h - 22, 0.0, minutes };
    if (!(hi > lo))
        hi = lo + 1.0;
    double q = minutes / 4.0;
    /* the quarters compared */
    cairo_set_source_rgba(cr, 0.35, 0.45, 0.75, 0.10);
    cairo_rectangle(cr, px_of(&b, 0.0), b.y, px_of(&b, q) - b.x, b.h);
    cairo_rectangle(cr, px_of(&b, minutes - q), b.y, px_of(&b, minutes) - px_of(&b, minutes - q), b.h);
    cairo_fill(cr);
    if (band) {
        double y0 = b.y + b.h - b.h * (fmin(band[1], hi) - lo) / (hi - lo);
        double y1 = b.y + b.h - b.h * (fmax(band[0], lo) - lo) / (hi - lo);
        if (y1 > y0) {
            cairo_set_source_rgba(cr, 0.20, 0.65, 0.30, 0.18);
            cairo_rectangle(cr, b.x, y0, b.w, y1 - y0);
            cairo_fill(cr);
        }
    }
    y_axis(cr, pc, &b, lo, hi, hi - lo < 3 ? 1 : 0);
    cairo_set_source_rgba(cr, 0.16, 0.2, 0.3, 0.55);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        double px = px_of(&b, (double)t_us[i] / 60e6);
        double py = b.y + b.h - b.h * (fmin(fmax(v[i], lo), hi) - lo) / (hi - lo);
        cairo_rectangle(cr, px - 0.6, py - 0.6, 1.2, 1.2);
    }
    cairo_fill(cr);
    /* the quarters' means */
    cairo_set_source_rgb(cr, 0.75, 0.15, 0.12);
    cairo_set_line_width(cr, 1.4);
    double my = b.y + b.h - b.h * (fmin(fmax(first_mean, lo), hi) - lo) / (hi - lo);
    cairo_move_to(cr, px_of(&b, 0.0), my);
    cairo_line_to(cr, px_of(&b, q), my);
    my = b.y + b.h - b.h * (fmin(fmax(last_mean, lo), hi) - lo) / (hi - lo);
    cairo_move_to(cr, px_of(&b, minutes - q), my);
    cairo_line_to(cr, px_of(&b, minutes), my);
    cairo_stroke(cr);
    x_axis(cr, pc, &b, label, minutes < 8 ? 1 : 0);
    return h;
}

/* Diverging colours: blue (sparse) - white (on target) - red (dense), 0..2 times the target. */
static void density_colour(double ratio, double *r, double *g, double *b)
{
    double t = fmin(fmax(ratio / 2.0, 0.0), 1.0);
    if (t < 0.5) {
        double k = t / 0.5;
        *r = 0.15 + 0.85 * k;
        *g = 0.35 + 0.65 * k;
        *b = 0.75 + 0.25 * k;
    } else {
        double k = (t - 0.5) / 0.5;
        *r = 1.0 - 0.25 * k;
        *g = 1.0 - 0.80 * k;
        *b = 1.0 - 0.82 * k;
    }
}

double report_plot_density(cairo_t *cr, PangoContext *pc, const lesson *l, const surface *s, const dot *dots,
                           size_t n, double expected_per_cm2, double x, double y, double w, double h)
{
    double *ratio;
    int gw, gh;
    double box[4];
    /* cells that expect about 15 dots each: fewer makes noise, more hides the pattern */
    double cell = expected_per_cm2 > 0 ? sqrt(15.0 / expected_per_cm2 * 100.0) : 5.0;
    cell = fmin(fmax(round(cell), 3.0), 15.0);
    if (report_density_grid(l, s, dots, n, expected_per_cm2, cell, &ratio, &gw, &gh, box) != 0) {
        rgb(cr, 0x555555);
        return report_text(cr, pc, x, y, w, "DejaVu Sans 9", "No density map: the lesson's zone is empty.") + 4;
    }
    /* fit the chart box into (w - legend) x h, keeping its shape */
    double legend_w = 90;
    double sx = (w - legend_w) / (box[2] - box[0]), sy = h / (box[3] - box[1]);
    double sc = fmin(sx, sy);
    double pw = (box[2] - box[0]) * sc, ph = (box[3] - box[1]) * sc;
    for (int j = 0; j < gh; j++)
        for (int i = 0; i < gw; i++) {
            double v = ratio[(size_t)j * (size_t)gw + (size_t)i];
            if (v < 0)
                continue;
            double r, g, b;
            density_colour(v, &r, &g, &b);
            cairo_set_source_rgb(cr, r, g, b);
            double cw = fmin(cell, box[2] - (box[0] + i * cell)) * sc, ch = fmin(cell, box[3] - (box[1] + j * cell)) * sc;
            cairo_rectangle(cr, x + i * cell * sc, y + j * cell * sc, cw + 0.2, ch + 0.2);
            cairo_fill(cr);
        }
    free(ratio);
    /* the zones' outlines */
    rgb(cr, 0x222222);
    cairo_set_line_width(cr, 0.8);
    for (size_t z = 0; z < l->zone_count; z++) {
        const lesson_zone *zn = &l->zones[z];
        for (size_t k = 0; zn->polygon && k < zn->polygon_count; k++) {
            double px = x + (zn->polygon[k].u_mm - box[0]) * sc, py = y + (zn->polygon[k].v_mm - box[1]) * sc;
            if (k == 0)
                cairo_move_to(cr, px, py);
            else
                cairo_line_to(cr, px, py);
        }
        if (zn->polygon)
            cairo_close_path(cr);
    }
    cairo_stroke(cr);
    cairo_rectangle(cr, x, y, pw, ph);
    cairo_set_line_width(cr, 0.4);
    cairo_stroke(cr);
    /* the legend: 0 .. 2x the expected density */
    double lx = x + pw + 16, ly = y + 4, lh = fmin(ph - 8, 120);
    for (int k = 0; k < 40; k++) {
        double r, g, b;
        density_colour(2.0 * (1.0 - (k + 0.5) / 40.0), &r, &g, &b);
        cairo_set_source_rgb(cr, r, g, b);
        cairo_rectangle(cr, lx, ly + lh * k / 40.0, 10, lh / 40.0 + 0.3);
        cairo_fill(cr);
    }
    rgb(cr, 0x333333);
    char sbuf[96];
    const double marks[] = { 2.0, 1.0, 0.0 };
    for (int k = 0; k < 3; k++) {
        snprintf(sbuf, sizeof sbuf, "%.0f /cm2", marks[k] * expected_per_cm2);
        report_text(cr, pc, lx + 13, ly + lh * (1.0 - marks[k] / 2.0) - 5, 0, "DejaVu Sans 7", sbuf);
    }
    snprintf(sbuf, sizeof sbuf, "%.0f x %.0f mm of chart, %.0f mm cells", box[2] - box[0], box[3] - box[1], cell);
    report_text(cr, pc, lx, ly + lh + 6, legend_w - 4, "DejaVu Sans 7", sbuf);
    double th = report_text(cr, pc, x, y + ph + 3, w, "DejaVu Sans 7",
                            "white: the lesson's density; blue: too sparse; red: too dense (outlined: the working zone)");
    return ph + 3 + th;
}

double report_plot_image(cairo_t *cr, PangoContext *pc, const report_view *v, double x, double y, double w, double h)
{
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, v->width, v->height);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return 0;
    }
    cairo_surface_flush(img);
    unsigned char *px = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int j = 0; j < v->height; j++) {
        uint32_t *row = (uint32_t *)(void *)(px + (size_t)j * (size_t)stride);
        const uint8_t *src = v->rgb + (size_t)j * (size_t)v->width * 3;
        for (int i = 0; i < v->width; i++)
            row[i] = (uint32_t)src[3 * i] << 16 | (uint32_t)src[3 * i + 1] << 8 | src[3 * i + 2];
    }
    cairo_surface_mark_dirty(img);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / v->width, h / v->height);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    /* flagged dots: a ring and the number grade gives them */
    double k = w / v->width;
    cairo_set_line_width(cr, 0.9);
    for (size_t i = 0; i < v->mark_count; i++) {
        double mx = x + v->marks[i].x_px * k, my = y + v->marks[i].y_px * k;
        cairo_set_source_rgb(cr, 1.0, 0.85, 0.1);
        cairo_new_sub_path(cr);   /* no line from wherever the last label left the pen */
        cairo_arc(cr, mx, my, 4.0, 0, 6.283185307179586);
        cairo_stroke(cr);
        char s[32];
        snprintf(s, sizeof s, "%zu", v->marks[i].dot_index + 1);   /* numbered from 1, as grade and the app do */
        double tw = report_text_width(pc, "DejaVu Sans Bold 6", s);
        cairo_set_source_rgba(cr, 0, 0, 0, 0.6);
        cairo_rectangle(cr, mx + 4, my - 10, tw + 2, 8);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 1.0, 0.9, 0.3);
        report_text(cr, pc, mx + 5, my - 10.5, 0, "DejaVu Sans Bold 6", s);
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
    return h;
}
