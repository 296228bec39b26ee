/* report_pdf.c: the pages of the PDF report (layout and text). The plots are drawn by
 * report_plots.c; the figures come from report_stats.c. */
#include "report_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device_profile.h"
#include "report_text.h"
#include "report_plots.h"
#include "report_stats.h"
#include "text_escape.h"

#define MARGIN 48.0
/* The PDF's creation and modification dates: fixed, so the same session gives the same
 * bytes (the session's own date, when it carries one, is printed on page 1). */
#define REPORT_PDF_DATE "2000-01-01T00:00:00Z"

typedef struct page {
    cairo_t      *cr;
    PangoContext *pc;
    double        w, h;        /* points */
    double        y;           /* the next line's top */
    int           number;
    const report_pdf_input *in;
} page;

/* ---- text ---------------------------------------------------------------------------------- */

/* Draws text at (x, y) wrapped to width (0: no wrapping); returns its height in points. */
double report_text(cairo_t *cr, PangoContext *pc, double x, double y, double width, const char *font,
                   const char *text)
{
    PangoLayout *l = pango_layout_new(pc);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    if (width > 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_text(l, text, -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    int lw, lh;
    pango_layout_get_size(l, &lw, &lh);
    pango_font_description_free(fd);
    g_object_unref(l);
    return (double)lh / PANGO_SCALE;
}

double report_text_width(PangoContext *pc, const char *font, const char *text)
{
    PangoLayout *l = pango_layout_new(pc);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_text(l, text, -1);
    int lw, lh;
    pango_layout_get_size(l, &lw, &lh);
    pango_font_description_free(fd);
    g_object_unref(l);
    return (double)lw / PANGO_SCALE;
}

static void set_rgb(cairo_t *cr, unsigned hex)
{
    cairo_set_source_rgb(cr, ((hex >> 16) & 255) / 255.0, ((hex >> 8) & 255) / 255.0, (hex & 255) / 255.0);
}

/* A line of text in the page flow. */
static void flow(page *p, const char *font, unsigned colour, const char *text, double gap_after)
{
    set_rgb(p->cr, colour);
    p->y += report_text(p->cr, p->pc, MARGIN, p->y, p->w - 2 * MARGIN, font, text) + gap_after;
}

static void heading(page *p, const char *text)
{
    flow(p, "DejaVu Sans Bold 13", 0x1a1a1a, text, 8);
}

static void footer(page *p, int pages)
{
    char buf[256];
    const lesson *l = p->in->lesson;
    snprintf(buf, sizeof buf, "Stipple %s  ·  %s (%s v%d)  ·  page %d of %d", STIPPLE_VERSION, text_escaped(l->title),
             text_escaped(l->id), l->version, p->number, pages);
    set_rgb(p->cr, 0x777777);
    report_text(p->cr, p->pc, MARGIN, p->h - MARGIN * 0.6, p->w - 2 * MARGIN, "DejaVu Sans 7", buf);
}

/* ---- what grade says about each metric ---------------------------------------------------------- */

/* The sentence `grade` prints for metric `name`: the rest of its line after the verdict, and
 * any further-indented lines below it (advice). "" when the text has no line for it. */
static void metric_sentence(const char *text, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > nl + 2 && !strncmp(line, "  ", 2) && !strncmp(line + 2, name, nl) && line[2 + nl] == ' ') {
            const char *rest = line + 2 + nl, *stop = line + len;
            const char *v = NULL;
            for (const char *q = rest; q + 4 <= stop; q++)
                if (!strncmp(q, "PASS", 4) || !strncmp(q, "FAIL", 4)) {
                    v = q + 4;
                    break;
                }
            if (!v)
                v = rest;
            while (v < stop && *v == ' ')
                v++;
            size_t k = (size_t)(stop - v) < cap - 1 ? (size_t)(stop - v) : cap - 1;
            memcpy(out, v, k);
            out[k] = '\0';
            /* continuation lines: indented deeper than the metric lines */
            const char *next = end ? end + 1 : NULL;
            while (next && !strncmp(next, "    ", 4)) {
                const char *e2 = strchr(next, '\n');
                size_t l2 = e2 ? (size_t)(e2 - next) : strlen(next);
                const char *s2 = next;
                while (*s2 == ' ' && s2 < next + l2)
                    s2++;
                size_t used = strlen(out);
                snprintf(out + used, cap - used, "%s%.*s", used ? " " : "", (int)(l2 - (size_t)(s2 - next)), s2);
                next = e2 ? e2 + 1 : NULL;
            }
            return;
        }
        line = end ? end + 1 : NULL;
    }
}

/* ---- input quality ----------------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

void report_input_quality_of(const session_data *d, report_input_quality *q)
{
    memset(q, 0, sizeof *q);
    if (!d)
        return;
    /* a cursor reads a loaded session and one opened without its events in memory alike */
    session_cursor *c = session_cursor_open(d);
    int64_t *gaps = malloc((d->event_count + 1) * sizeof *gaps);
    size_t ng = 0;
    int64_t last = -1;
    int32_t dropped_max = 0;
    session_event ev;
    while (c && session_cursor_next(c, &ev)) {
        const session_event *e = &ev;
        if (e->kind == SEV_PEN) {
            q->pen_samples++;
            if (last >= 0 && gaps && e->t_us > last && ng < d->event_count + 1)
                gaps[ng++] = e->t_us - last;
            last = e->t_us;
        } else if (e->kind == SEV_SYN_DROPPED) {
            q->syn_dropped++;
            if (e->u.value > dropped_max)
                dropped_max = e->u.value;
        } else if (e->kind == SEV_PAUSE) {
            q->pauses++;
        }
    }
    session_cursor_free(c);
    if ((size_t)dropped_max > q->syn_dropped)
        q->syn_dropped = (size_t)dropped_max;
    if (ng) {
        qsort(gaps, ng, sizeof *gaps, cmp_i64);
        q->report_rate_hz = 1e6 / (double)gaps[ng / 2];
    }
    free(gaps);
}

/* ---- the instructor's notes --------------------------------------------------------------------- */

static void notes_section(page *p)
{
    const annotations *an = p->in->notes;
    char buf[4096], where[160];
    p->y += 6;
    heading(p, "Instructor's notes");
    if (p->in->notes_problem) {
        snprintf(buf, sizeof buf, "Shown, not applied: %s", text_escaped(p->in->notes_problem));
        flow(p, "DejaVu Sans Bold 9", 0xb3261e, buf, 4);
    }
    for (size_t i = 0; i < an->count; i++) {
        if (p->y > p->h - MARGIN * 1.8) {
            snprintf(buf, sizeof buf, "... and %zu more notes (stipple annotate lists them).", an->count - i);
            flow(p, "DejaVu Sans 8", 0x555555, buf, 0);
            break;
        }
        const annotation *n = &an->notes[i];
        if (n->kind == ANNOT_OVERRIDE) {
            snprintf(where, sizeof where, "overrides %s with %.1f", metric_name(n->metric), n->score);
        } else if (n->pin == ANNOT_AT_DOT) {
            /* the sidecar, grade, the app and this report all count dots from 1 */
            snprintf(where, sizeof where, "on dot %ld", n->dot);
        } else if (n->pin == ANNOT_AT_REGION) {
            snprintf(where, sizeof where, "on the area u %.0f-%.0f mm, v %.0f-%.0f mm", n->region_mm[0], n->region_mm[2],
                     n->region_mm[1], n->region_mm[3]);
        } else {
            long s = (long)(n->at_us / 1000000);
            snprintf(where, sizeof where, "at %ld:%02ld", s / 60, s % 60);
        }
        snprintf(buf, sizeof buf, "%s, %s: %s", n->author[0] ? text_escaped(n->author) : "instructor", where,
                 text_escaped(n->text));
        flow(p, "DejaVu Sans 9", 0x222222, buf, 3);
    }
}

/* ---- page 1: the session and its grades ----------------------------------------------------------- */

static void fact(page *p, const char *key, const char *value)
{
    set_rgb(p->cr, 0x555555);
    report_text(p->cr, p->pc, MARGIN, p->y, 110, "DejaVu Sans 9", key);
    set_rgb(p->cr, 0x111111);
    p->y += report_text(p->cr, p->pc, MARGIN + 112, p->y, p->w - 2 * MARGIN - 112, "DejaVu Sans 9", value) + 2;
}

static void page_summary(page *p)
{
    const report_pdf_input *in = p->in;
    const lesson *l = in->lesson;
    const score_result *r = in->score;
    const report_meta *m = in->meta;
    char buf[4096];
    flow(p, "DejaVu Sans Bold 18", 0x1a1a1a, "Stipple training report", 4);
    flow(p, "DejaVu Sans 9", 0x666666, "Scalp micropigmentation practice, graded by the lesson's own targets.", 14);

    /* who, when and how: the format 2 header says; a format 1 file only has its source */
    const session_header *h = in->session ? &in->session->header : (m ? m->header : NULL);
    int v2 = h && h->format_version >= 2;
    const char *src = m && m->source ? m->source : "";
    if (v2 && h->trainee_id[0])
        snprintf(buf, sizeof buf, "%s%s", text_escaped(h->trainee_id),
                 h->synthetic ? " (a virtual trainee: a simulated session)" : "");
    else if (!strncmp(src, "trainee:", 8))
        snprintf(buf, sizeof buf, "virtual trainee \"%s\" (a simulated session)", text_escaped(src + 8));
    else if (!strcmp(src, "live"))
        snprintf(buf, sizeof buf, "a live session (the session file records no name)");
    else
        snprintf(buf, sizeof buf, "%s (the session file records no name)", text_escaped(src));
    fact(p, "Trainee", buf);
    snprintf(buf, sizeof buf, "%s\nid %s, version %d", text_escaped(l->title), text_escaped(l->id), l->version);
    fact(p, "Lesson", buf);
    char iso[32];
    report_utc_text(v2 ? h->start_utc_us : 0, iso, sizeof iso);
    if (iso[0]) {
        time_t t = (time_t)(h->start_utc_us / 1000000);
        struct tm tmv;
        char day[64] = "";
        if (gmtime_r(&t, &tmv))
            strftime(day, sizeof day, "%A %-d %B %Y, %H:%M UTC", &tmv);
        snprintf(buf, sizeof buf, "%s (started %s)", day, iso);
        fact(p, "Date", buf);
    } else if (v2 && h->synthetic) {
        fact(p, "Date", "none (a simulated session carries no date, so that it is reproducible)");
    } else {
        fact(p, "Date", "not recorded in the session file");
    }
    if (v2) {
        snprintf(buf, sizeof buf, "%s; input from %s%s", h->exam_mode ? "exam (no feedback was shown)" : "practice",
                 session_origin_name(h->origin), h->synthetic ? " (synthetic)" : "");
        fact(p, "Mode", buf);
        if (h->station_id[0])
            snprintf(buf, sizeof buf, "%s (signed by this station's key; `stipple verify` checks it)",
                     text_escaped(h->station_id));
        else
            snprintf(buf, sizeof buf, "none (an unsigned session)");
        fact(p, "Station", buf);
    }
    if (m) {
        long s = (long)(m->duration_us / 1000000);
        snprintf(buf, sizeof buf, "%ld min %02ld s of session time, %zu dots%s", s / 60, s % 60, r->dot_count,
                 m->complete ? "" : " (the session did not end cleanly)");
        fact(p, "Duration", buf);
        snprintf(buf, sizeof buf, "%s", text_escaped(m->session_path ? m->session_path : "(live)"));
        fact(p, "Session file", buf);
    }
    if (in->session) {
        const device_desc *dd = &in->session->header.device;
        snprintf(buf, sizeof buf, "%s (%s)", dd->name[0] ? text_escaped(dd->name) : "unnamed device",
                 device_class_name(dd->device_class));
        fact(p, "Device", buf);
        report_input_quality q;
        report_input_quality_of(in->session, &q);
        snprintf(buf, sizeof buf,
                 "%zu pen reports at %.0f per second (median); %zu dropped-event report%s from the device; "
                 "%zu pause%s",
                 q.pen_samples, q.report_rate_hz, q.syn_dropped, q.syn_dropped == 1 ? "" : "s", q.pauses,
                 q.pauses == 1 ? "" : "s");
        fact(p, "Input quality", buf);
    }
    if (m && m->warning) {
        snprintf(buf, sizeof buf, "%s", text_escaped(m->warning));
        fact(p, "Warning", buf);
    }
    p->y += 14;

    snprintf(buf, sizeof buf, "Total %.1f / 100  (pass mark %.0f):  %s", r->total, l->pass_total,
             r->passed ? "PASS" : "FAIL");
    flow(p, "DejaVu Sans Bold 16", r->passed ? 0x1b7a2e : 0xb3261e, buf, 2);
    report_text_verdict(l, r, buf, sizeof buf);   /* names the gate that failed; the rules it was scored by */
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " Scored by scoring rules %d.", r->rules);
    flow(p, "DejaVu Sans 9", 0x222222, buf, 12);

    static const char *const names[] = { "spacing", "depth", "pigment", "hairline", "quality" };
    static const char *const titles[] = { "Spacing", "Depth", "Pigment", "Hairline", "Quality" };
    for (int k = 0; k < METRIC_COUNT && k < 5; k++) {
        char sentence[2048];
        metric_sentence(in->grade_text ? in->grade_text : "", names[k], sentence, sizeof sentence);
        if (!r->metric_applies[k]) {
            /* grade's sentence already says it does not apply, and why */
            snprintf(buf, sizeof buf, "%s: %s", titles[k], sentence[0] ? sentence : "does not apply");
            flow(p, "DejaVu Sans Bold 10", 0x777777, buf, 9);
            continue;
        } else {
            snprintf(buf, sizeof buf, "%s  %.1f  (pass mark %.0f)  %s", titles[k], r->metric_score[k], l->pass[k],
                     r->metric_passed[k] ? "PASS" : "FAIL");
            flow(p, "DejaVu Sans Bold 10", r->metric_passed[k] ? 0x1b7a2e : 0xb3261e, buf, 1);
        }
        if (sentence[0])
            flow(p, "DejaVu Sans 9", 0x222222, sentence, 3);
        const annotation *o = in->notes && !in->notes_problem ? annotations_override(in->notes, k) : NULL;
        if (o) {
            snprintf(buf, sizeof buf, "Instructor's override: %.1f (the computed %.1f above is kept): %s%s%s%s", o->score,
                     r->metric_score[k], text_escaped(o->text), o->author[0] ? " (" : "",
                     o->author[0] ? text_escaped(o->author) : "", o->author[0] ? ")" : "");
            flow(p, "DejaVu Sans Bold 9", 0x7a4a00, buf, 3);
        }
        p->y += 6;
    }

    if (in->notes && in->notes->count)
        notes_section(p);
}

/* ---- page 2: views --------------------------------------------------------------------------------- */

static void page_views(page *p)
{
    const report_pdf_input *in = p->in;
    heading(p, "The work, as rendered");
    if (!in->view_count) {
        char buf[512];
        snprintf(buf, sizeof buf, "No views: %s", in->views_missing ? in->views_missing : "none could be rendered");
        flow(p, "DejaVu Sans 9", 0x555555, buf, 6);
        return;
    }
    double avail_w = p->w - 2 * MARGIN;
    /* the overview across the page, the close-ups side by side under it */
    for (size_t i = 0; i < in->view_count; i++) {
        const report_view *v = &in->views[i];
        double w, x;
        if (i == 0) {
            w = avail_w;
            x = MARGIN;
        } else {
            size_t k = in->view_count - 1;
            double gap = 10.0;
            w = (avail_w - gap * (double)(k - 1)) / (double)k;
            x = MARGIN + (double)(i - 1) * (w + gap);
        }
        double h = w * v->height / (double)v->width;
        double top = p->y;   /* the close-ups share the row under the overview */
        report_plot_image(p->cr, p->pc, v, x, top, w, h);
        double th = report_text(p->cr, p->pc, x, top + h + 3, w, "DejaVu Sans 8", v->caption);
        if (i == 0 || i == in->view_count - 1)
            p->y = top + h + th + 14;
    }
    flow(p, "DejaVu Sans 8", 0x555555,
         "Flagged dots are ringed and numbered as `stipple grade` numbers them. Why each one is flagged:", 6);
    /* the numbers in the close-ups, each once, in order, as long as the page holds them */
    size_t n = in->dot_count, listed = 0, shown = 0;
    unsigned char *seen = calloc(n + 1, 1);
    for (size_t i = 1; seen && i < in->view_count; i++)
        for (size_t k = 0; k < in->views[i].mark_count; k++)
            if (in->views[i].marks[k].dot_index < n && !seen[in->views[i].marks[k].dot_index]) {
                seen[in->views[i].marks[k].dot_index] = 1;
                shown++;
            }
    char reason[512], line[640];
    for (size_t i = 0; seen && i < n; i++) {
        if (!seen[i])
            continue;
        if (p->y > p->h - MARGIN * 1.6) {
            snprintf(line, sizeof line, "... and %zu more (stipple grade lists every one).", shown - listed);
            flow(p, "DejaVu Sans 7", 0x555555, line, 0);
            break;
        }
        score_dot_reason(in->score, in->lesson, in->dots, i, reason, sizeof reason);
        snprintf(line, sizeof line, "dot %zu: %s", report_dot_number(i), reason);
        flow(p, "DejaVu Sans 7", 0x222222, line, 0.5);
        listed++;
    }
    free(seen);
}

/* ---- page 3: density and histograms ----------------------------------------------------------------- */

static void page_distributions(page *p)
{
    const report_pdf_input *in = p->in;
    const lesson *l = in->lesson;
    const score_result *r = in->score;
    double avail_w = p->w - 2 * MARGIN;
    heading(p, "Density over the working zone");
    double expected = r->spacing.expected_density_per_cm2 > 0 ? r->spacing.expected_density_per_cm2
                                                               : l->target_density_per_cm2;
    double hmap_h = fmin(250.0, p->h * 0.3);
    p->y += report_plot_density(p->cr, p->pc, l, in->surface, in->dots, in->dot_count, expected, MARGIN, p->y,
                                avail_w, hmap_h) + 10;

    heading(p, "Spacing between neighbours");
    double *nn = malloc((in->dot_count + 1) * sizeof *nn);
    size_t n_nn = 0;
    for (size_t i = 0; nn && r->dot_nn_mm && i < in->dot_count; i++)
        if (r->dot_nn_mm[i] > 0.0)
            nn[n_nn++] = r->dot_nn_mm[i];
    double rho_mm2 = expected / 100.0;
    double poisson = rho_mm2 > 0 ? 0.5 / sqrt(rho_mm2) : 1.0;
    double band[2] = { 1.20 * poisson, 1.75 * poisson };   /* Clark-Evans R 1.20-1.75: natural */
    double plot_h = fmin(150.0, p->h * 0.18);
    p->y += report_plot_nn_hist(p->cr, p->pc, nn, n_nn, band, l->target_spacing_mm * 0.5, MARGIN, p->y, avail_w,
                                plot_h) + 10;
    free(nn);

    heading(p, "Depth of each dot");
    double *dep = malloc((in->dot_count + 1) * sizeof *dep);
    for (size_t i = 0; dep && i < in->dot_count; i++)
        dep[i] = in->dots[i].depth_mm;
    p->y += report_plot_depth_hist(p->cr, p->pc, dep, dep ? in->dot_count : 0, l->depth_band_mm,
                                   l->depth_acceptable_mm, MARGIN, p->y, avail_w, plot_h) + 10;
    free(dep);
}

/* ---- page 4: the time course ------------------------------------------------------------------------- */

static void drift_sentence(const char *what, const char *unit, const report_drift *d, char *out, size_t cap)
{
    if (!d->testable) {
        snprintf(out, cap, "%s: too few dots in the first or the last quarter (%zu and %zu) to compare.", what,
                 d->first_n, d->last_n);
        return;
    }
    double diff = d->last_mean - d->first_mean;
    snprintf(out, cap,
             "%s: first quarter %.3f %s (sd %.3f, %zu dots), last quarter %.3f %s (sd %.3f, %zu dots): a change "
             "of %+.3f %s, which is %s (Welch's t-test, p = %.3g%s).",
             what, d->first_mean, unit, d->first_sd, d->first_n, d->last_mean, unit, d->last_sd, d->last_n, diff,
             unit, d->significant ? "significant: more than chance would give" : "not significant: within chance",
             d->p, d->significant ? " < 0.05" : " >= 0.05");
}

static void page_time(page *p)
{
    const report_pdf_input *in = p->in;
    const lesson *l = in->lesson;
    double avail_w = p->w - 2 * MARGIN;
    int64_t end_us = in->meta ? in->meta->duration_us : 0;
    heading(p, "Dots per minute");
    double rate[64];
    int64_t bin_us = report_rate_bin_us(end_us);
    size_t bins = report_dot_rate(in->dots, in->dot_count, end_us, bin_us, rate, 64);
    p->y += report_plot_rate(p->cr, p->pc, rate, bins, bin_us, MARGIN, p->y, avail_w, fmin(130.0, p->h * 0.16)) + 12;

    heading(p, "Drift over the session: the first quarter against the last");
    flow(p, "DejaVu Sans 9", 0x444444,
         "Fatigue shows as depth or spacing that creeps as the session goes on. Each is compared between the "
         "first and the last quarter of the session time (shaded; red lines: their means).",
         8);
    int64_t *t = malloc((in->dot_count + 1) * sizeof *t);
    double *v = malloc((in->dot_count + 1) * sizeof *v);
    char buf[1024];
    double plot_h = fmin(120.0, p->h * 0.15);
    if (t && v) {
        double vmax = 0;
        for (size_t i = 0; i < in->dot_count; i++) {
            t[i] = in->dots[i].t_us;
            v[i] = in->dots[i].depth_mm;
            vmax = fmax(vmax, v[i]);
        }
        report_drift d;
        report_drift_compute(v, t, in->dot_count, end_us, &d);
        drift_sentence("Depth", "mm", &d, buf, sizeof buf);
        flow(p, "DejaVu Sans 9", d.testable && d.significant ? 0xb3261e : 0x222222, buf, 4);
        p->y += report_plot_series(p->cr, p->pc, t, v, in->dot_count, end_us, 0.0,
                                   fmax(l->depth_acceptable_mm[1] * 1.3, fmin(vmax * 1.05, 2.0)), l->depth_band_mm,
                                   d.first_mean, d.last_mean, "minute of the session (dots: depth in mm; green: the ideal band)",
                                   MARGIN, p->y, avail_w, plot_h) + 12;
        vmax = 0;
        for (size_t i = 0; i < in->dot_count; i++) {
            v[i] = in->score->dot_nn_mm && in->score->dot_nn_mm[i] > 0 ? in->score->dot_nn_mm[i] : NAN;
            if (isfinite(v[i]))
                vmax = fmax(vmax, v[i]);
        }
        report_drift_compute(v, t, in->dot_count, end_us, &d);
        drift_sentence("Spacing (nearest neighbour)", "mm", &d, buf, sizeof buf);
        flow(p, "DejaVu Sans 9", d.testable && d.significant ? 0xb3261e : 0x222222, buf, 4);
        p->y += report_plot_series(p->cr, p->pc, t, v, in->dot_count, end_us, 0.0,
                                   fmin(fmax(vmax * 1.05, 1.0), l->target_spacing_mm * 4.0), NULL, d.first_mean,
                                   d.last_mean, "minute of the session (dots: distance to the nearest dot in mm)",
                                   MARGIN, p->y, avail_w, plot_h) + 12;
    }
    free(t);
    free(v);
}

/* ---- the document ------------------------------------------------------------------------------------ */

static cairo_status_t write_to_file(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

void report_pdf_release_fonts(void)
{
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}

int report_pdf_write(FILE *f, const report_pdf_input *in, char *err, size_t errlen)
{
    double w = in->paper == REPORT_PAPER_LETTER ? 612.0 : 595.28;
    double h = in->paper == REPORT_PAPER_LETTER ? 792.0 : 841.89;
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_to_file, f, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "cannot start the PDF: %s", cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
        return -1;
    }
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "Stipple training report");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "Stipple " STIPPLE_VERSION);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, REPORT_PDF_DATE);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, REPORT_PDF_DATE);
    cairo_t *cr = cairo_create(s);
    PangoContext *pc = pango_cairo_create_context(cr);
    pango_cairo_context_set_resolution(pc, 72.0);   /* font sizes in points */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);   /* layout independent of hinting */
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);

    void (*const pages[])(page *) = { page_summary, page_views, page_distributions, page_time };
    int n_pages = (int)(sizeof pages / sizeof pages[0]);
    for (int i = 0; i < n_pages; i++) {
        page p = { cr, pc, w, h, MARGIN, i + 1, in };
        cairo_save(cr);
        pages[i](&p);
        cairo_restore(cr);
        footer(&p, n_pages);
        cairo_show_page(cr);
    }
    g_object_unref(pc);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_status_t st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "writing the PDF: %s", cairo_status_to_string(st));
        return -1;
    }
    return 0;
}
