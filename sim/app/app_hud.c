/* app_hud.c: HUD pieces the screens share: colours, the clock, wrapped text, markers on the
 * skin, the depth gauge, the pen cursor, live flags and the words under each metric. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app_internal.h"
#include "report_text.h"
#include "scalp_features.h"

const hud_rgba C_TEXT = { 235, 235, 235, 255 }, C_DIM = { 170, 175, 180, 255 }, C_PANEL = { 12, 14, 18, 200 },
               C_GOOD = { 90, 210, 120, 255 }, C_BAD = { 240, 90, 80, 255 }, C_WARN = { 240, 190, 70, 255 },
               C_ACCENT = { 120, 200, 255, 255 };

void hud_fmt_clock(int64_t us, char *buf, size_t n)
{
    int64_t s = us / 1000000;
    snprintf(buf, n, "%02lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

static float wrap_text(hud *h, hud_font f, float x, float y, float w, hud_rgba c, const char *s, int draw);

/* Wraps text into the width; returns the height used. */
float hud_wrapped(hud *h, hud_font f, float x, float y, float w, hud_rgba c, const char *s)
{
    return wrap_text(h, f, x, y, w, c, s, 1);
}

/* The height hud_wrapped would use, drawing nothing. */
float hud_wrapped_height(hud *h, hud_font f, float w, const char *s)
{
    return wrap_text(h, f, 0.0f, 0.0f, w, (hud_rgba){ 0, 0, 0, 0 }, s, 0);
}

static float wrap_text(hud *h, hud_font f, float x, float y, float w, hud_rgba c, const char *s, int draw)
{
    char line[512];
    float lh = hud_line_height(h, f), y0 = y;
    const char *p = s;
    while (*p) {
        size_t best = 0, i = 0;
        while (p[i]) {
            size_t j = i;
            while (p[j] && p[j] != ' ')
                j++;
            if (j >= sizeof line)
                break;
            memcpy(line, p, j);
            line[j] = 0;
            if (hud_text_width(h, f, line) > w && best)
                break;
            best = j;
            i = p[j] ? j + 1 : j;
            if (!p[j])
                break;
        }
        if (!best)
            best = strlen(p) < sizeof line - 1 ? strlen(p) : sizeof line - 1;
        memcpy(line, p, best);
        line[best] = 0;
        if (draw)
            hud_text(h, f, x, y, c, line);
        y += lh;
        p += best;
        while (*p == ' ')
            p++;
    }
    return y - y0;
}

void hud_add_marker(app *a, const double pos[3], const double nrm[3], uint8_t r, uint8_t g, uint8_t b, uint8_t al, float size)
{
    if (a->nmarkers >= (size_t)a->marker_cap)
        return;
    render_marker *m = &a->markers[a->nmarkers++];
    for (int i = 0; i < 3; i++) {
        m->pos[i] = (float)pos[i];
        m->nrm[i] = (float)nrm[i];
    }
    m->rgba[0] = r;
    m->rgba[1] = g;
    m->rgba[2] = b;
    m->rgba[3] = al;
    m->size_px = size;
}

void hud_pen_cursor(app *a, const view_state *v)
{
    if (!a->have_pen || !(a->last_pen.flags & PEN_IN_PROXIMITY))
        return;
    double tx, ty, vx, vy, o[3], d[3];
    pen_position_norm(a->pen_desc, &a->last_pen, &tx, &ty);
    if (!pen_map_to_viewport(a->pen_desc, (double)v->aspect, tx, ty, &vx, &vy))
        return;
    view_ray(v, vx, vy, o, d);
    surface_hit h;
    if (!surface_raycast(a->surface, o, d, &h))
        return;
    double depth;
    int in = engine_contact_depth(a->eng, &depth);
    if (in)
        hud_add_marker(a, h.pos_mm, h.normal, 255, 70, 60, 255, 9.0f);
    else
        hud_add_marker(a, h.pos_mm, h.normal, 255, 255, 255, 200, 9.0f);
}

int app_depth_bands_at(const app *a, double u_mm, double v_mm, const double **band, const double **acceptable)
{
    return scalp_depth_bands(&a->lesson, render_scalp_features(a->ren), u_mm, v_mm, band, acceptable);
}

/* Live flags: too deep for the skin the dot is in (a scar's own band in scar tissue, as the
 * score has it), or closer than half the target spacing. */
void hud_live_flags(app *a, const dot *dots, size_t n)
{
    double close = 0.5 * a->lesson.target_spacing_mm;
    size_t count = 0;
    for (size_t i = 0; i < n && count < APP_MAX_MARKERS; i++) {
        const double *band, *acc;
        app_depth_bands_at(a, dots[i].chart_mm[0], dots[i].chart_mm[1], &band, &acc);
        int too_deep = dots[i].depth_mm > acc[1] || (dots[i].flags & DOT_BLOWOUT);
        int too_close = live_nn_mm(a->live, i) < close;
        if (too_deep) {
            hud_add_marker(a, dots[i].pos_mm, dots[i].normal, 90, 150, 255, 255, 6.0f);
            count++;
        } else if (too_close) {
            hud_add_marker(a, dots[i].pos_mm, dots[i].normal, 255, 150, 40, 255, 6.0f);
            count++;
        }
    }
}

void hud_depth_gauge(app *a, float x, float y, float w)
{
    hud *h = a->hud;
    const lesson *l = &a->lesson;
    double maxd = 1.2;
    float bh = 12.0f;
    double depth;
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    /* the bands where the needle is (or the last dot went): a scar's own in scar tissue */
    double at[2] = { 0.0, 0.0 };
    const double *band = l->depth_band_mm, *acc = l->depth_acceptable_mm;
    int scar = -1;
    if (engine_contact_chart(a->eng, at) || n) {
        if (!engine_contact_chart(a->eng, at)) {
            at[0] = dots[n - 1].chart_mm[0];
            at[1] = dots[n - 1].chart_mm[1];
        }
        scar = app_depth_bands_at(a, at[0], at[1], &band, &acc);
    }
    double edges[6] = { 0.0, acc[0], band[0], band[1], acc[1], maxd };
    hud_rgba cols[5] = { { 200, 60, 50, 230 }, { 220, 170, 60, 230 }, { 70, 180, 90, 230 }, { 220, 170, 60, 230 }, { 200, 60, 50, 230 } };
    for (int i = 0; i < 5; i++) {
        float x0 = x + (float)(edges[i] / maxd) * w, x1 = x + (float)(edges[i + 1] / maxd) * w;
        hud_rect(h, x0, y, x1 - x0, bh, cols[i]);
    }
    if (scar >= 0) {
        /* right of the dot count, above the gauge it explains */
        char t[64];
        snprintf(t, sizeof t, "scar tissue: %.2f\xE2\x80\x93%.2f mm", band[0], band[1]);
        hud_text(h, HUD_SMALL, x + w - hud_text_width(h, HUD_SMALL, t), y - 17.0f, C_WARN, t);
    }
    if (n) {
        double dl = fmin(dots[n - 1].depth_mm, maxd);
        hud_rect(h, x + (float)(dl / maxd) * w - 1.0f, y - 3.0f, 2.0f, bh + 6.0f, (hud_rgba){ 160, 160, 160, 255 });
    }
    if (engine_contact_depth(a->eng, &depth)) {
        double dl = fmin(depth, maxd);
        hud_rect(h, x + (float)(dl / maxd) * w - 2.0f, y - 5.0f, 4.0f, bh + 10.0f, (hud_rgba){ 255, 255, 255, 255 });
        hud_textf(h, HUD_NORMAL, x, y + bh + 4.0f, C_TEXT, "Depth now %.2f mm", depth);
    } else if (n) {
        hud_textf(h, HUD_NORMAL, x, y + bh + 4.0f, C_DIM, "Last dot %.2f mm deep", dots[n - 1].depth_mm);
    } else {
        hud_text(h, HUD_NORMAL, x, y + bh + 4.0f, C_DIM, "Depth: no puncture yet");
    }
}

/* A metric in the words every report uses (report_text.c): what was measured, then what to
 * do next; brief: what to do next only. The app writes no sentences of its own, so the
 * score screen reads as grade does. */
void hud_metric_words(const app *a, int m, int brief, char *buf, size_t n)
{
    char said[REPORT_TEXT_MAX], todo[REPORT_TEXT_MAX];
    report_text_metric(&a->lesson, &a->score, m, said, sizeof said, todo, sizeof todo);
    if (brief && todo[0])
        snprintf(buf, n, "Next: %s", todo);
    else
        snprintf(buf, n, "%s%s%s", said, todo[0] ? " Next: " : "", todo);
}
