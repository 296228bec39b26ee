/* report_views.c: the overview and close-ups, drawn offscreen by the renderer. */
#include "report_views.h"

#include <glad/gl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "png_write.h"
#include "renderer.h"
#include "view.h"

#define VIEW_W 1200
#define VIEW_H 720
#define CLOSE_PX 640
#define CLOSE_FIELD_MM 14.0
#define MAX_MARKS 60

size_t report_worst_areas(const dot *dots, size_t n, const uint32_t *flags, double cell_mm, double centres[][2],
                          size_t max)
{
    if (!flags || n == 0 || max == 0)
        return 0;
    double u0 = INFINITY, v0 = INFINITY, u1 = -INFINITY, v1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!flags[i])
            continue;
        u0 = fmin(u0, dots[i].chart_mm[0]);
        v0 = fmin(v0, dots[i].chart_mm[1]);
        u1 = fmax(u1, dots[i].chart_mm[0]);
        v1 = fmax(v1, dots[i].chart_mm[1]);
    }
    if (!(u1 >= u0))
        return 0;
    int gw = (int)((u1 - u0) / cell_mm) + 1, gh = (int)((v1 - v0) / cell_mm) + 1;
    if (gw > 1024 || gh > 1024)
        return 0;
    size_t cells = (size_t)gw * (size_t)gh;
    double *sum = calloc(cells * 3, sizeof *sum);   /* count, sum u, sum v */
    if (!sum)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!flags[i])
            continue;
        int cx = (int)((dots[i].chart_mm[0] - u0) / cell_mm), cy = (int)((dots[i].chart_mm[1] - v0) / cell_mm);
        size_t k = (size_t)cy * (size_t)gw + (size_t)cx;
        sum[3 * k] += 1.0;
        sum[3 * k + 1] += dots[i].chart_mm[0];
        sum[3 * k + 2] += dots[i].chart_mm[1];
    }
    size_t got = 0;
    int picked[8][2];
    while (got < max && got < 8) {
        double best = 0;
        size_t bk = 0;
        for (size_t k = 0; k < cells; k++) {
            int cx = (int)(k % (size_t)gw), cy = (int)(k / (size_t)gw);
            int near = 0;
            for (size_t p = 0; p < got; p++)
                near |= abs(cx - picked[p][0]) < 2 && abs(cy - picked[p][1]) < 2;
            /* ties go to the first cell: the same dots give the same choice */
            if (!near && sum[3 * k] > best) {
                best = sum[3 * k];
                bk = k;
            }
        }
        if (best <= 0)
            break;
        picked[got][0] = (int)(bk % (size_t)gw);
        picked[got][1] = (int)(bk / (size_t)gw);
        centres[got][0] = sum[3 * bk + 1] / best;
        centres[got][1] = sum[3 * bk + 2] / best;
        got++;
    }
    free(sum);
    return got;
}

static int face_chart(const surface *s, double u, double v, double field_mm, float aspect, view_state *out)
{
    surface_hit h;
    memset(out, 0, sizeof *out);
    out->fov_y_deg = 30.0f;
    out->aspect = aspect;
    if (!surface_chart_point(s, u, v, &h))
        return -1;
    view_face(out, h.pos_mm, h.normal, field_mm, -90.0, 89.9);
    return 0;
}

static int draw_view(renderer *rd, const view_state *v, int w, int h, report_view *out)
{
    render_frame f;
    memset(&f, 0, sizeof f);
    f.view = v;
    f.width = w;
    f.height = h;
    f.guides = 1;
    f.crisp = 1;
    f.settle = 1;
    f.background[0] = 240;
    f.background[1] = 240;
    f.background[2] = 238;
    render_draw(rd, &f);
    out->rgb = malloc((size_t)w * (size_t)h * 3);
    if (!out->rgb)
        return -1;
    gl_read_back_rgb(w, h, out->rgb);
    out->width = w;
    out->height = h;
    return 0;
}

/* Flagged dots seen in the view: those in the frame on the side facing the camera. */
static void mark_flagged(const view_state *v, const dot *dots, size_t n, const uint32_t *flags, report_view *out)
{
    out->marks = calloc(MAX_MARKS, sizeof *out->marks);
    if (!out->marks || !flags)
        return;
    double eye[3], right[3], up[3], fwd[3];
    view_basis(v, eye, right, up, fwd);
    for (size_t i = 0; i < n && out->mark_count < MAX_MARKS; i++) {
        if (!flags[i])
            continue;
        const dot *d = &dots[i];
        double to_eye[3] = { eye[0] - d->pos_mm[0], eye[1] - d->pos_mm[1], eye[2] - d->pos_mm[2] };
        if (to_eye[0] * d->normal[0] + to_eye[1] * d->normal[1] + to_eye[2] * d->normal[2] <= 0.0)
            continue;
        double x01, y01;
        if (!view_project(v, d->pos_mm, &x01, &y01) || x01 < 0.02 || x01 > 0.98 || y01 < 0.02 || y01 > 0.98)
            continue;
        report_view_mark *m = &out->marks[out->mark_count++];
        m->x_px = (float)(x01 * out->width);
        m->y_px = (float)(y01 * out->height);
        m->dot_index = i;
    }
}

int report_views_make(const lesson *l, const surface *s, const dot *dots, size_t n, const score_result *r,
                      report_view views[REPORT_MAX_VIEWS], size_t *count, char *err, size_t errlen)
{
    *count = 0;
    memset(views, 0, REPORT_MAX_VIEWS * sizeof *views);
    /* never a window on the user's desktop: the offscreen driver, unless told otherwise */
    setenv("SDL_VIDEODRIVER", "offscreen", 0);
    app_gl g;
    if (app_gl_open(&g, VIEW_W, VIEW_H, "stipple report") != 0) {
        snprintf(err, errlen, "no OpenGL 3.3 context could be made offscreen (SDL_VIDEODRIVER=%s)",
                 getenv("SDL_VIDEODRIVER"));
        return -1;
    }
    renderer *rd = render_create(l, s, err, errlen);
    if (!rd) {
        app_gl_close(&g);
        return -1;
    }
    render_sync_dots(rd, dots, n, 0);

    /* the overview: the zones' chart box, faced at its centre */
    double box[4] = { 0, 0, 0, 0 };
    int have = 0;
    for (size_t z = 0; z < l->zone_count; z++) {
        if (!l->zones[z].polygon)
            continue;
        double zb[4];
        lesson_points_box(l->zones[z].polygon, l->zones[z].polygon_count, 0.0, zb);
        if (!have)
            memcpy(box, zb, sizeof box);
        box[0] = fmin(box[0], zb[0]);
        box[1] = fmin(box[1], zb[1]);
        box[2] = fmax(box[2], zb[2]);
        box[3] = fmax(box[3], zb[3]);
        have = 1;
    }
    if (!have)
        surface_chart_bounds(s, box);
    double su, sv, cu = 0.5 * (box[0] + box[2]), cv = 0.5 * (box[1] + box[3]);
    surface_chart_scales(s, cu, cv, &su, &sv);
    double span_w = (box[2] - box[0]) * su, span_h = (box[3] - box[1]) * sv;
    double field = fmax(span_h, span_w * VIEW_H / VIEW_W) * 1.15;
    int rc = 0;
    view_state v;
    if (face_chart(s, cu, cv, field, (float)VIEW_W / VIEW_H, &v) == 0 && draw_view(rd, &v, VIEW_W, VIEW_H, &views[0]) == 0) {
        views[0].field_mm = field;
        snprintf(views[0].caption, sizeof views[0].caption,
                 "Overview of the working zone (%.0f mm of skin top to bottom; the zone is outlined).", field);
        (*count)++;
    }

    double centres[3][2];
    size_t worst = report_worst_areas(dots, n, r->dot_flags, 12.0, centres, 3);
    for (size_t k = 0; k < worst && *count < REPORT_MAX_VIEWS; k++) {
        report_view *out = &views[*count];
        if (face_chart(s, centres[k][0], centres[k][1], CLOSE_FIELD_MM, 1.0f, &v) != 0 ||
            draw_view(rd, &v, CLOSE_PX, CLOSE_PX, out) != 0)
            continue;
        out->field_mm = CLOSE_FIELD_MM;
        mark_flagged(&v, dots, n, r->dot_flags, out);
        snprintf(out->caption, sizeof out->caption, "Close-up %zu: %.0f mm across, at chart (%.0f, %.0f) mm; %zu flagged %s.",
                 k + 1, CLOSE_FIELD_MM, centres[k][0], centres[k][1], out->mark_count,
                 out->mark_count == 1 ? "dot" : "dots");
        (*count)++;
    }
    if (!*count) {
        snprintf(err, errlen, "the renderer drew nothing");
        rc = -1;
    }
    render_free(rd);
    app_gl_close(&g);
    return rc;
}

void report_views_free(report_view *views, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(views[i].rgb);
        free(views[i].marks);
    }
}
