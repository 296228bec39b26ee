/* screen_review.c: `stipple review SESSION`, the instructor's player. The session is
 * replayed by the core (replay.c: keyframes, seek by re-simulating from the nearest); this
 * screen never writes a session. Transport (play/pause, 0.25x-64x, seek on the timeline, step
 * dot by dot or flag by flag of a chosen kind), a timeline of the whole session, the camera
 * following the recorded view or free, the pen's hover path, the depth gauge, flags that
 * cluster when zoomed out, a dot inspector and a translucent ghost of a reference session.
 * Scripted runs (--at, --step, --screenshot-at, --exit-after) work paused, so what they
 * capture depends only on the session. */
#include <glad/gl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annotations.h"
#include "app_internal.h"
#include "replay.h"
#include "review.h"
#include "text_escape.h"
#include "trainee.h"

#define TL_H 70.0f                /* timeline height */
#define PANEL_W 420.0f            /* inspector width */
#define CLUSTER_FIELD_MM 60.0     /* flags one by one below this field height, clusters above */
#define HOVER_US 2000000

typedef struct review {
    const session_data *data;
    replay *rp;
    score_result score;
    int     have_score;
    int64_t t_us, end_us;
    int     playing;
    int     speed_i;              /* speeds[speed_i] */
    double  last_wall;
    int     follow;               /* camera follows the recorded view */
    view_state free_view;
    int     kind;                 /* flag kind for stepping and the filter (REVIEW_KIND_*) */
    long    selected;             /* inspected dot, -1 none */
    float   button_x, button_y, button_w, button_h;   /* "jump to its moment" */
    /* timeline, one column per pixel of its width */
    int     tl_w;
    float  *tl_dots;              /* dots made in the column */
    float   tl_dots_max;
    uint32_t *tl_flags;           /* kinds flagged in the column */
    uint8_t *tl_machine, *tl_pause, *tl_dropped, *tl_view;
    /* the ghost: a reference session's dots */
    dot    *ghost;
    size_t  ghost_n;
    char    ghost_name[96];
    int     drag_tl;
    int     steps_done;
    /* the instructor's notes (annotations.h): shown; applied only when bound to this session */
    annotations notes;
    int     notes_rc;
    char    notes_msg[600];
    int     typing;               /* A: a comment being typed */
    char    typed[ANNOT_MAX_TEXT + 1];
    double  bench_t0;
    int     bench_frames;
    double  open_t0;
} review;

static const double speeds[] = { 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64 };
#define SPEED_COUNT (int)(sizeof speeds / sizeof speeds[0])

static review *RV(app *a)
{
    return a->review;
}

/* ---- the flags of each kind ---------------------------------------------------------- */

static uint32_t kind_mask(int kind)
{
    switch (kind) {
    case REVIEW_KIND_DEPTH: return SF_BLOWOUT | SF_SHED | SF_OUT_OF_BAND;
    case REVIEW_KIND_SPACING: return SF_TOO_CLOSE;
    case REVIEW_KIND_PLACE: return SF_OUTSIDE_ZONE | SF_IN_FRONT | SF_OFF_SCALP;
    case REVIEW_KIND_COLOUR: return SF_WRONG_COLOUR | SF_WRONG_NEEDLE;
    case REVIEW_KIND_DRAG: return SF_DRAGGED | SF_SIZE_OUTLIER;
    default: return 0xFFFFFFFFu;
    }
}

static void kind_colour(uint32_t f, uint8_t c[3])
{
    uint8_t r = 255, g = 255, b = 255;
    if (f & (SF_BLOWOUT | SF_SHED | SF_OUT_OF_BAND)) {
        r = 90; g = 150; b = 255;
    } else if (f & SF_TOO_CLOSE) {
        r = 255; g = 150; b = 40;
    } else if (f & (SF_OUTSIDE_ZONE | SF_IN_FRONT | SF_OFF_SCALP)) {
        r = 255; g = 60; b = 200;
    } else if (f & (SF_WRONG_COLOUR | SF_WRONG_NEEDLE)) {
        r = 250; g = 230; b = 60;
    } else if (f & (SF_DRAGGED | SF_SIZE_OUTLIER)) {
        r = 160; g = 255; b = 160;
    }
    c[0] = r;
    c[1] = g;
    c[2] = b;
}

static int dot_shown_flag(const review *r, size_t i)
{
    return r->have_score && (r->score.dot_flags[i] & kind_mask(r->kind)) != 0;
}

/* ---- time ------------------------------------------------------------------------------ */

static void seek(app *a, int64_t t)
{
    review *r = RV(a);
    if (t < 0)
        t = 0;
    if (t > r->end_us)
        t = r->end_us;
    if (replay_seek(r->rp, t) != 0) {
        fprintf(stderr, "stipple review: out of memory seeking\n");
        a->running = 0;
        a->exit_code = 1;
        return;
    }
    r->t_us = t;
    a->now_us = t;
    a->dirty = 1;
}

/* The next (dir 1) or previous (-1) dot from the current time, flagged with the chosen kind
 * when flagged; selects it and seeks to the moment it was made. */
static void step(app *a, int dir, int flagged)
{
    review *r = RV(a);
    size_t n;
    replay_all_dots(r->rp, &n);
    size_t shown = replay_dot_count_at(r->rp, r->t_us);
    long i = dir > 0 ? (long)shown : (long)shown - 2;
    if (dir > 0 && r->selected >= 0 && r->selected + 1 > (long)shown)
        i = r->selected + 1;
    for (; i >= 0 && i < (long)n; i += dir)
        if (!flagged || dot_shown_flag(r, (size_t)i))
            break;
    if (i < 0 || i >= (long)n)
        return;
    r->selected = i;
    r->playing = 0;
    seek(a, replay_dot_made_us(r->rp, (size_t)i));
}

/* ---- the timeline ------------------------------------------------------------------------ */

static void timeline_build(app *a)
{
    review *r = RV(a);
    int w = a->gl.width - 40;
    if (w < 10)
        w = 10;
    r->tl_w = w;
    r->tl_dots = calloc((size_t)w, sizeof *r->tl_dots);
    r->tl_flags = calloc((size_t)w, sizeof *r->tl_flags);
    r->tl_machine = calloc((size_t)w, 1);
    r->tl_pause = calloc((size_t)w, 1);
    r->tl_dropped = calloc((size_t)w, 1);
    r->tl_view = calloc((size_t)w, 1);
    if (!r->tl_dots || !r->tl_flags || !r->tl_machine || !r->tl_pause || !r->tl_dropped || !r->tl_view)
        return;
    double span = r->end_us > 0 ? (double)r->end_us : 1.0;
#define COL(t) (int)fmin((double)(w - 1), fmax(0.0, (double)(t) / span * (double)w))
    size_t n;
    replay_all_dots(r->rp, &n);
    for (size_t i = 0; i < n; i++) {
        int c = COL(replay_dot_made_us(r->rp, i));
        r->tl_dots[c] += 1.0f;
        if (r->have_score)
            r->tl_flags[c] |= r->score.dot_flags[i];
    }
    /* dots per minute: each column's count over its span */
    double col_min = span / (double)w / 60e6;
    r->tl_dots_max = 0.0f;
    for (int c = 0; c < w; c++) {
        r->tl_dots[c] = (float)(r->tl_dots[c] / col_min);
        if (r->tl_dots[c] > r->tl_dots_max)
            r->tl_dots_max = r->tl_dots[c];
    }
    /* machine, pauses: states over time; dropped input, view changes: moments */
    const session_data *d = r->data;
    int machine = 0, paused = 0, last_c = 0;
    for (size_t i = 0; i <= d->event_count; i++) {
        int c = i < d->event_count ? COL(d->events[i].t_us) : w - 1;
        for (int k = last_c; k <= c && k < w; k++) {
            r->tl_machine[k] |= (uint8_t)machine;
            r->tl_pause[k] |= (uint8_t)paused;
        }
        last_c = c;
        if (i == d->event_count)
            break;
        const session_event *e = &d->events[i];
        switch (e->kind) {
        case SEV_MACHINE: machine = e->u.value != 0; r->tl_machine[c] |= (uint8_t)machine; break;
        case SEV_PAUSE: paused = 1 + (e->u.value == 1); break;
        case SEV_RESUME: paused = 0; break;
        case SEV_SYN_DROPPED: r->tl_dropped[c] = 1; break;
        case SEV_VIEW: r->tl_view[c] = 1; break;
        default: break;
        }
    }
#undef COL
}

static void timeline_rect(const app *a, float *x, float *y, float *w, float *h)
{
    *x = 20.0f;
    *w = (float)RV((app *)a)->tl_w;
    *h = TL_H;
    *y = (float)a->gl.height - TL_H - 30.0f;
}

static void draw_timeline(app *a)
{
    review *r = RV(a);
    hud *h = a->hud;
    float x, y, w, hh;
    timeline_rect(a, &x, &y, &w, &hh);
    hud_rect(h, 0, y - 24.0f, (float)a->gl.width, hh + 54.0f, C_PANEL);
    if (!r->tl_dots)
        return;
    /* rows: flags (top), dots per minute, machine, pauses, dropped + views */
    float fy = y, dy = y + 12.0f, dh = 30.0f, my = dy + dh + 3.0f;
    uint32_t mask = kind_mask(r->kind);
    for (int c = 0; c < r->tl_w; c++) {
        float cx = x + (float)c;
        if (r->tl_dots[c] > 0.0f && r->tl_dots_max > 0.0f) {
            float bh = dh * r->tl_dots[c] / r->tl_dots_max;
            hud_rect(h, cx, dy + dh - bh, 1.0f, bh, (hud_rgba){ 150, 160, 175, 255 });
        }
        if (r->tl_flags[c] & mask) {
            uint8_t col[3];
            kind_colour(r->tl_flags[c] & mask, col);
            hud_rect(h, cx, fy, 1.0f, 9.0f, (hud_rgba){ col[0], col[1], col[2], 255 });
        }
        if (r->tl_machine[c])
            hud_rect(h, cx, my, 1.0f, 5.0f, C_GOOD);
        if (r->tl_pause[c])
            hud_rect(h, cx, my + 7.0f, 1.0f, 5.0f, r->tl_pause[c] == 2 ? C_BAD : C_WARN);
        if (r->tl_dropped[c])
            hud_rect(h, cx, my + 14.0f, 1.0f, 6.0f, C_BAD);
        if (r->tl_view[c])
            hud_rect(h, cx, my + 16.0f, 1.0f, 3.0f, C_ACCENT);
    }
    for (size_t i = 0; i < r->notes.count; i++) {
        const annotation *n = &r->notes.notes[i];
        if (n->kind == ANNOT_COMMENT && n->pin == ANNOT_AT_TIME) {
            float nx = x + (float)((double)n->at_us / (double)(r->end_us > 0 ? r->end_us : 1) * (double)w);
            hud_rect(h, nx - 1.0f, y - 10.0f, 3.0f, 8.0f, C_ACCENT);
        }
    }
    float px = x + (float)((double)r->t_us / (double)(r->end_us > 0 ? r->end_us : 1) * (double)w);
    hud_rect(h, px - 1.0f, y - 4.0f, 2.0f, hh + 2.0f, (hud_rgba){ 255, 255, 255, 255 });
    hud_text(h, HUD_SMALL, x, y - 20.0f, C_DIM,
             "flags (K: kind)   dots/min   machine on   pauses (red: unplugged)   dropped input / views");
    char a1[32], a2[32];
    hud_fmt_clock(r->t_us, a1, sizeof a1);
    hud_fmt_clock(r->end_us, a2, sizeof a2);
    hud_textf(h, HUD_SMALL, x + w - 120.0f, y - 20.0f, C_TEXT, "%s / %s", a1, a2);
}

/* ---- opening and closing ----------------------------------------------------------------- */

static int ghost_sink(void *ctx, const session_event *ev)
{
    engine *e = ctx;
    return engine_feed(e, ev) < 0;
}

/* The ghost: a reference session's dots (the lesson's expert with a fixed seed, or a file). */
static void load_ghost(app *a)
{
    review *r = RV(a);
    const char *g = a->opt->review_ghost;
    if (!g)
        return;
    engine *e = NULL;
    session_data gd;
    memset(&gd, 0, sizeof gd);
    char err[256];
    if (!strcmp(g, "expert")) {
        session_header h;
        trainee_session_header(&a->lesson, TRAINEE_EXPERT, 1, &h);
        e = engine_create(&a->lesson, a->surface, &h.device, &h.calibration);
        int64_t end = 0;
        if (e && trainee_run(&a->lesson, a->surface, TRAINEE_EXPERT, 1, &h.device, &h.calibration, ghost_sink, e, &end) == 0)
            engine_finish(e, end);
        snprintf(r->ghost_name, sizeof r->ghost_name, "expert trainee, seed 1");
    } else if (session_load_file(g, &gd, err, sizeof err) == 0) {
        if (strcmp(gd.header.lesson_id, a->lesson.id) != 0)
            fprintf(stderr, "stipple review: warning: the ghost %s is of lesson '%s', not '%s'\n", g, gd.header.lesson_id,
                    a->lesson.id);
        e = engine_replay(&a->lesson, a->surface, &gd);
        snprintf(r->ghost_name, sizeof r->ghost_name, "%.90s", g);
        session_data_free(&gd);
    } else {
        fprintf(stderr, "stipple review: ghost: %s\n", err);
    }
    if (!e)
        return;
    size_t n;
    const dot *d = engine_dots(e, &n);
    r->ghost = malloc((n ? n : 1) * sizeof *d);
    if (r->ghost) {
        memcpy(r->ghost, d, n * sizeof *d);
        r->ghost_n = n;
    }
    engine_free(e);
}

int review_start(app *a)
{
    char err[512];
    review *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    a->review = r;
    r->open_t0 = app_now_s();
    r->data = a->opt->input_session;
    r->selected = -1;
    r->speed_i = 2;
    r->follow = 1;
    r->kind = a->opt->review_kind;
    if (lesson_load_file(a->opt->lesson_path, &a->lesson, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    a->have_lesson = 1;
    a->surface = a->lesson.surface == SURFACE_HEAD ? app_head_prefetch_take() : NULL;
    if (!a->surface)
        a->surface = surface_create(a->lesson.surface, a->lesson.skin_width_mm, a->lesson.skin_height_mm);
    if (!a->surface)
        return -1;
    r->rp = replay_open(&a->lesson, a->surface, r->data, err, sizeof err);
    if (!r->rp) {
        fprintf(stderr, "stipple review: %s\n", err);
        return -1;
    }
    r->end_us = replay_end_us(r->rp);
    printf("review: %s, lesson %s\n", text_escaped(a->opt->input_file), text_escaped(a->lesson.id));
    size_t n;
    const dot *all = replay_all_dots(r->rp, &n);
    if (score_session(&a->lesson, a->surface, all, n, &r->score) == 0)
        r->have_score = 1;
    a->eng = (engine *)replay_engine(r->rp);   /* read only: the scene and the gauge read it */
    a->ren = render_create(&a->lesson, a->surface, err, sizeof err);
    if (!a->ren) {
        fprintf(stderr, "stipple review: %s\n", err);
        return -1;
    }
    const dotmap *m = render_get_dotmap(a->ren);
    a->live = live_create(&a->lesson, a->surface, m->u0, m->v0, m->w[0] * m->texel_mm, m->h[0] * m->texel_mm);
    if (!a->live)
        return -1;
    a->pen_desc = &r->data->header.device;
    timeline_build(a);
    load_ghost(a);
    r->notes_rc = annotations_load(a->opt->input_file, &r->notes, r->notes_msg, sizeof r->notes_msg);
    if (r->notes_rc == ANNOT_CORRUPT || r->notes_rc == ANNOT_MISMATCH)
        fprintf(stderr, "stipple review: warning: %s\n", r->notes_msg);
    r->free_view = *engine_view(a->eng);
    seek(a, a->opt->review_at_us >= 0 ? a->opt->review_at_us : r->end_us);
    app_set_screen(a, &app_screen_review);
    return 0;
}

void review_stop(app *a)
{
    review *r = RV(a);
    if (!r)
        return;
    a->eng = NULL;   /* the replay's */
    replay_free(r->rp);
    if (r->have_score)
        score_result_free(&r->score);
    free(r->tl_dots);
    free(r->tl_flags);
    free(r->tl_machine);
    free(r->tl_pause);
    free(r->tl_dropped);
    free(r->tl_view);
    free(r->ghost);
    annotations_free(&r->notes);
    free(r);
    a->review = NULL;
}

/* ---- the scene ----------------------------------------------------------------------------- */

static view_state current_view(app *a)
{
    review *r = RV(a);
    view_state v = r->follow ? *engine_view(a->eng) : r->free_view;
    v.aspect = (float)a->gl.width / (float)a->gl.height;
    return v;
}

/* The pen over the last 2 s: where each sample's ray met the skin, older ones fainter. */
static void hover_path(app *a, const view_state *v)
{
    review *r = RV(a);
    const session_data *d = r->data;
    size_t lo = 0, hi = d->event_count;
    while (lo < hi) {   /* the first event after now */
        size_t mid = lo + (hi - lo) / 2;
        if (d->events[mid].t_us <= r->t_us)
            lo = mid + 1;
        else
            hi = mid;
    }
    int64_t from = r->t_us - HOVER_US;
    size_t drawn = 0;
    for (size_t i = lo; i-- > 0 && drawn < 400;) {
        const session_event *e = &d->events[i];
        if (e->t_us < from)
            break;
        if (e->kind != SEV_PEN || !(e->u.pen.flags & PEN_IN_PROXIMITY) || (i % 3 && i + 1 != lo))
            continue;
        double tx, ty, vx, vy, o[3], dir[3];
        pen_position_norm(a->pen_desc, &e->u.pen, &tx, &ty);
        if (!pen_map_to_viewport(a->pen_desc, (double)v->aspect, tx, ty, &vx, &vy))
            continue;
        view_ray(v, vx, vy, o, dir);
        surface_hit h;
        if (!surface_raycast(a->surface, o, dir, &h))
            continue;
        double age = (double)(r->t_us - e->t_us) / HOVER_US;
        uint8_t al = (uint8_t)(40.0 + 200.0 * (1.0 - age));
        int touch = (e->u.pen.flags & PEN_TOUCH) != 0;
        hud_add_marker(a, h.pos_mm, h.normal, touch ? 255 : 120, touch ? 90 : 220, touch ? 80 : 255, al,
                       i + 1 == lo ? 8.0f : 2.5f);
        drawn++;
    }
}

/* Flags of the chosen kind on the dots made so far: one by one at working magnification,
 * clustered into screen cells (a bigger ring for more) when zoomed out. */
static void flag_markers(app *a, const view_state *v, const dot *dots, size_t n)
{
    review *r = RV(a);
    if (!r->have_score)
        return;
    int cluster = view_field_height_mm(v) > CLUSTER_FIELD_MM;
    enum { CELL = 28 };
    int cw = a->gl.width / CELL + 1, ch = a->gl.height / CELL + 1;
    long *cell = cluster ? malloc((size_t)cw * (size_t)ch * sizeof *cell) : NULL;
    int *count = cluster ? calloc((size_t)cw * (size_t)ch, sizeof *count) : NULL;
    if (cluster && (!cell || !count)) {
        free(cell);
        free(count);
        return;
    }
    double eye[3], right[3], up[3], fwd[3];
    view_basis(v, eye, right, up, fwd);
    for (size_t i = 0; i < n; i++) {
        if (!dot_shown_flag(r, i))
            continue;
        uint8_t c[3];
        kind_colour(r->score.dot_flags[i] & kind_mask(r->kind), c);
        if (!cluster) {
            if (a->nmarkers < (size_t)a->marker_cap - 16)
                hud_add_marker(a, dots[i].pos_mm, dots[i].normal, c[0], c[1], c[2], 255, (long)i == r->selected ? 14.0f : 6.0f);
            continue;
        }
        /* facing away: not on screen */
        if (dots[i].normal[0] * fwd[0] + dots[i].normal[1] * fwd[1] + dots[i].normal[2] * fwd[2] > 0.2)
            continue;
        double x, y;
        if (!view_project(v, dots[i].pos_mm, &x, &y) || x < 0 || y < 0 || x >= 1 || y >= 1)
            continue;
        int k = (int)(y * a->gl.height) / CELL * cw + (int)(x * a->gl.width) / CELL;
        if (count[k]++ == 0)
            cell[k] = (long)i;
    }
    if (cluster) {
        for (int k = 0; k < cw * ch; k++) {
            if (!count[k] || a->nmarkers >= (size_t)a->marker_cap - 16)
                continue;
            size_t i = (size_t)cell[k];
            uint8_t c[3];
            kind_colour(r->score.dot_flags[i] & kind_mask(r->kind), c);
            float size = (float)fmin(5.0 + 2.5 * sqrt((double)count[k]), 16.0);
            hud_add_marker(a, dots[i].pos_mm, dots[i].normal, c[0], c[1], c[2], 255, size);
        }
        free(cell);
        free(count);
    }
    if (r->selected >= 0 && (size_t)r->selected < n)
        hud_add_marker(a, dots[r->selected].pos_mm, dots[r->selected].normal, 255, 255, 255, 255, 16.0f);
}

static void ghost_markers(app *a)
{
    review *r = RV(a);
    for (size_t i = 0; i < r->ghost_n && a->nmarkers < (size_t)a->marker_cap - 16; i++)
        hud_add_marker(a, r->ghost[i].pos_mm, r->ghost[i].normal, 255, 255, 255, 70, 2.0f);
}

/* ---- the HUD --------------------------------------------------------------------------------- */

static void inspector(app *a, float x, float y, float w)
{
    review *r = RV(a);
    hud *h = a->hud;
    size_t n;
    const dot *all = replay_all_dots(r->rp, &n);
    if (r->selected < 0 || (size_t)r->selected >= n) {
        hud_text(h, HUD_SMALL, x, y, C_DIM, "Click a dot to inspect it.");
        return;
    }
    size_t i = (size_t)r->selected;
    const dot *d = &all[i];
    float lh = hud_line_height(h, HUD_SMALL) + 1.0f;
    char t[32];
    hud_fmt_clock(d->t_us, t, sizeof t);
    hud_textf(h, HUD_NORMAL, x, y, C_TEXT, "Dot %zu of %zu", i + 1, n);
    y += hud_line_height(h, HUD_NORMAL) + 2.0f;
    hud_textf(h, HUD_SMALL, x, y, C_TEXT, "placed at %s.%03lld (dwell %.0f ms)", t,
              (long long)(d->t_us / 1000 % 1000), (double)d->dwell_us * 1e-3);
    y += lh;
    hud_textf(h, HUD_SMALL, x, y, C_TEXT, "depth %.3f mm, needle at %.1f\xC2\xB0 to the skin", d->depth_mm, d->angle_deg);
    y += lh;
    hud_textf(h, HUD_SMALL, x, y, C_TEXT, "diameter fresh %.3f mm, healed %.3f mm", d->diameter_fresh_mm, d->diameter_healed_mm);
    y += lh;
    hud_textf(h, HUD_SMALL, x, y, C_TEXT, "drag %.2f mm; needle %s %.2f mm; shade %d", d->drag_mm,
              needle_config_name(d->needle_config), d->needle_diameter_mm, d->shade);
    y += lh;
    const double *band, *acc;
    int scar = app_depth_bands_at(a, d->chart_mm[0], d->chart_mm[1], &band, &acc);
    hud_textf(h, HUD_SMALL, x, y, scar >= 0 ? C_WARN : C_TEXT, "%s band %.2f\xE2\x80\x93%.2f mm (acceptable %.2f\xE2\x80\x93%.2f)",
              scar >= 0 ? "scar tissue:" : "depth", band[0], band[1], acc[0], acc[1]);
    y += lh;
    /* nearest neighbours (skin distance through the chart) */
    double best[3] = { INFINITY, INFINITY, INFINITY };
    size_t bi[3] = { 0, 0, 0 };
    for (size_t k = 0; k < n; k++) {
        if (k == i)
            continue;
        double du = all[k].pos_mm[0] - d->pos_mm[0], dv = all[k].pos_mm[1] - d->pos_mm[1], dw = all[k].pos_mm[2] - d->pos_mm[2];
        double dist = sqrt(du * du + dv * dv + dw * dw);
        for (int s = 0; s < 3; s++)
            if (dist < best[s]) {
                for (int q = 2; q > s; q--) {
                    best[q] = best[q - 1];
                    bi[q] = bi[q - 1];
                }
                best[s] = dist;
                bi[s] = k;
                break;
            }
    }
    char nb[160] = "nearest:";
    for (int s = 0; s < 3; s++)
        if (isfinite(best[s])) {
            size_t len = strlen(nb);
            snprintf(nb + len, sizeof nb - len, " #%zu %.2f mm%s", bi[s] + 1, best[s], s < 2 ? "," : "");
        }
    hud_textf(h, HUD_SMALL, x, y, C_TEXT, "%s", nb);
    y += lh;
    hud_textf(h, HUD_SMALL, x, y, C_DIM, "(the lesson's spacing: %.2f mm)", a->lesson.target_spacing_mm);
    y += lh + 4.0f;
    char reason[512] = "";
    if (r->have_score)
        score_dot_reason(&r->score, &a->lesson, all, i, reason, sizeof reason);
    y += hud_wrapped(h, HUD_SMALL, x, y, w, reason[0] ? C_WARN : C_GOOD, reason[0] ? reason : "not flagged") + 6.0f;
    r->button_x = x;
    r->button_y = y;
    r->button_w = 200.0f;
    r->button_h = 24.0f;
    hud_rect(h, x, y, r->button_w, r->button_h, (hud_rgba){ 45, 60, 85, 255 });
    hud_text(h, HUD_SMALL, x + 10.0f, y + 4.0f, C_TEXT, "Jump to its moment (J)");
}

/* The notes: overrides beside the computed score, comments at this moment or on the
 * inspected dot, the count; a sidecar that is not this session's is named, not applied. */
static void notes_panel(app *a, float x, float y, float w)
{
    review *r = RV(a);
    hud *h = a->hud;
    float lh = hud_line_height(h, HUD_SMALL) + 1.0f;
    if (r->typing) {
        hud_rect(h, x - 10.0f, y - 6.0f, w + 30.0f, 60.0f, (hud_rgba){ 30, 40, 60, 240 });
        hud_textf(h, HUD_SMALL, x, y, C_ACCENT, "Comment on %s (Enter saves, Esc cancels):",
                  r->selected >= 0 ? "the inspected dot" : "this moment");
        hud_wrapped(h, HUD_SMALL, x, y + lh, w, C_TEXT, r->typed[0] ? r->typed : "_");
        return;
    }
    if (r->notes_rc == ANNOT_NONE && !r->notes.count)
        return;
    float y0 = y;
    hud_rect(h, x - 10.0f, y - 6.0f, w + 30.0f, 130.0f, C_PANEL);
    if (r->notes_rc == ANNOT_CORRUPT || r->notes_rc == ANNOT_MISMATCH) {
        y += hud_wrapped(h, HUD_SMALL, x, y, w, C_BAD, r->notes_msg);
        if (r->notes_rc == ANNOT_CORRUPT)
            return;
    }
    int applied = r->notes_rc == ANNOT_OK;
    hud_textf(h, HUD_SMALL, x, y, C_DIM, "Notes: %zu%s (A: add a comment)", r->notes.count, applied ? "" : " (not applied)");
    y += lh;
    for (int m = 0; m < METRIC_COUNT && y < y0 + 115.0f; m++) {
        const annotation *o = annotations_override(&r->notes, m);
        if (!o)
            continue;
        char line[ANNOT_MAX_TEXT + 128], value[64];
        annotations_override_value(o, value, sizeof value);
        snprintf(line, sizeof line, "%s override %s (computed %.1f, %s): %s", metric_name(m), value,
                 r->have_score ? r->score.metric_score[m] : 0.0,
                 r->have_score && r->score.metric_passed[m] ? "passed" : "failed", o->text);
        y += hud_wrapped(h, HUD_SMALL, x, y, w, applied ? C_ACCENT : C_DIM, line);
    }
    for (size_t i = 0; i < r->notes.count && y < y0 + 115.0f; i++) {
        const annotation *n = &r->notes.notes[i];
        int here = n->kind == ANNOT_COMMENT &&
                   ((n->pin == ANNOT_AT_DOT && n->dot == r->selected + 1) ||
                    (n->pin == ANNOT_AT_TIME && llabs(n->at_us - r->t_us) <= 3000000));
        if (!here)
            continue;
        char line[ANNOT_MAX_TEXT + 96];
        snprintf(line, sizeof line, "%s%s%s%s", n->text, n->author[0] ? " (" : "", n->author, n->author[0] ? ")" : "");
        y += hud_wrapped(h, HUD_SMALL, x, y, w, C_WARN, line);
    }
}

static void draw_review_hud(app *a, const view_state *v)
{
    (void)v;
    review *r = RV(a);
    hud *h = a->hud;
    float W = (float)a->gl.width;
    size_t n_all, n_now;
    replay_all_dots(r->rp, &n_all);
    engine_dots(a->eng, &n_now);
    hud_rect(h, 0, 0, W, 52.0f, C_PANEL);
    hud_text(h, HUD_NORMAL, 14.0f, 8.0f, C_TEXT, a->lesson.title);
    hud_textf(h, HUD_SMALL, 14.0f, 30.0f, C_DIM, "Review of %s (%s): read only", a->opt->input_file ? a->opt->input_file : "",
              r->data->header.source);
    char clock[32];
    hud_fmt_clock(r->t_us, clock, sizeof clock);
    float cw = hud_text_width(h, HUD_LARGE, clock);
    hud_text(h, HUD_LARGE, W - cw - 16.0f, 10.0f, C_TEXT, clock);
    hud_textf(h, HUD_NORMAL, W - cw - 250.0f, 14.0f, r->playing ? C_GOOD : C_DIM, "%s %gx", r->playing ? "\xE2\x96\xB6" : "||",
              speeds[r->speed_i]);
    /* left: the machine, the needle, the gauge */
    float px = 12.0f, py = 64.0f, pw = 290.0f;
    hud_rect(h, px - 4.0f, py - 6.0f, pw, 150.0f, C_PANEL);
    int on = engine_machine_on(a->eng);
    hud_text(h, HUD_NORMAL, px + 4.0f, py, on ? C_GOOD : C_BAD, on ? "Machine ON" : "Machine OFF");
    hud_textf(h, HUD_SMALL, px + 140.0f, py + 3.0f, C_DIM, "camera: %s (C)", r->follow ? "trainee's" : "free");
    py += 24.0f;
    const needle *ne = engine_needle(a->eng);
    hud_textf(h, HUD_SMALL, px + 4.0f, py, C_TEXT, "Needle %s %.2f mm  Shade %d  Dots %zu / %zu", needle_config_name(ne->config),
              (double)ne->diameter_mm, engine_shade(a->eng), n_now, n_all);
    py += 22.0f;
    hud_depth_gauge(a, px + 4.0f, py, pw - 24.0f);
    py += 40.0f;
    static const char *const kind_names[REVIEW_KIND_COUNT] = { "all", "depth", "spacing", "placement", "colour/needle", "drag/size" };
    size_t flagged = 0;
    for (size_t i = 0; r->have_score && i < n_all; i++)
        flagged += dot_shown_flag(r, i) ? 1u : 0u;
    hud_textf(h, HUD_SMALL, px + 4.0f, py, C_WARN, "Flags: %s (%zu)%s", kind_names[r->kind], flagged, a->healed ? "   healed view" : "");
    if (r->ghost_n)
        hud_textf(h, HUD_SMALL, px + 4.0f, py + 16.0f, C_DIM, "ghost: %s (%zu dots)", r->ghost_name, r->ghost_n);
    /* right: the inspector */
    float ix = W - PANEL_W, iy = 64.0f;
    hud_rect(h, ix - 10.0f, iy - 6.0f, PANEL_W, 230.0f, C_PANEL);
    inspector(a, ix, iy, PANEL_W - 30.0f);
    notes_panel(a, ix, iy + 236.0f, PANEL_W - 30.0f);
    draw_timeline(a);
    hud_rect(h, 0, (float)a->gl.height - 24.0f, W, 24.0f, C_PANEL);
    hud_text(h, HUD_SMALL, 12.0f, (float)a->gl.height - 20.0f, C_DIM,
             "Space play   - + speed   Left/Right dot   shift+Left/Right or pen side buttons: flag   K kind   "
             "click timeline seek   click dot inspect   A comment   C camera   H healed   Esc quit");
}

static void review_draw(app *a)
{
    review *r = RV(a);
    scene_begin(a);
    view_state v = current_view(a);
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    ghost_markers(a);
    flag_markers(a, &v, dots, n);
    hover_path(a, &v);
    (void)r;
    scene_end(a, &v, draw_review_hud);
}

/* ---- scripted steps ---------------------------------------------------------------------------- */

static void run_steps(app *a)
{
    review *r = RV(a);
    if (r->steps_done)
        return;
    r->steps_done = 1;
    for (int i = 0; i < a->opt->review_step_count; i++) {
        const char *s = a->opt->review_steps[i];
        size_t before = replay_dot_count_at(r->rp, r->t_us);
        double t0 = (double)r->t_us * 1e-6;
        if (!strcmp(s, "dot+"))
            step(a, 1, 0);
        else if (!strcmp(s, "dot-"))
            step(a, -1, 0);
        else if (!strcmp(s, "flag+"))
            step(a, 1, 1);
        else if (!strcmp(s, "flag-"))
            step(a, -1, 1);
        /* for scripts and tests: where the step went */
        printf("review: step %s from %.6f s (%zu dots made): dot %ld, made at %.6f s\n", s, t0, before,
               r->selected >= 0 ? r->selected + 1 : 0, (double)r->t_us * 1e-6);
    }
    fflush(stdout);
}

/* ---- events and the frame ------------------------------------------------------------------- */

static void select_at(app *a, int x, int y)
{
    review *r = RV(a);
    view_state v = current_view(a);
    surface_hit hit;
    if (!cam_pick(a, &v, x, y, &hit))
        return;
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    double best = 4.0;   /* within 2 mm */
    long bi = -1;
    for (size_t k = 0; k < n; k++) {
        double dx = dots[k].pos_mm[0] - hit.pos_mm[0], dy = dots[k].pos_mm[1] - hit.pos_mm[1],
               dz = dots[k].pos_mm[2] - hit.pos_mm[2];
        double d2 = dx * dx + dy * dy + dz * dz;
        if (d2 < best) {
            best = d2;
            bi = (long)k;
        }
    }
    r->selected = bi;
    a->dirty = 1;
}

static void timeline_seek(app *a, int x)
{
    review *r = RV(a);
    float tx, ty, tw, th;
    timeline_rect(a, &tx, &ty, &tw, &th);
    double f = ((double)x - tx) / tw;
    seek(a, (int64_t)(fmin(1.0, fmax(0.0, f)) * (double)r->end_us));
}

static void go_free(app *a)
{
    review *r = RV(a);
    if (r->follow) {
        r->free_view = current_view(a);
        r->follow = 0;
    }
}

/* A comment typed in the review: pinned to the inspected dot, else to this moment; saved in
 * the sidecar at once (the session is never written). */
static void type_comment(app *a, const SDL_Event *e)
{
    review *r = RV(a);
    if (e->type == SDL_TEXTINPUT) {
        size_t len = strlen(r->typed), add = strlen(e->text.text);
        if (len + add <= ANNOT_MAX_TEXT)
            memcpy(r->typed + len, e->text.text, add + 1);
        return;
    }
    if (e->type != SDL_KEYDOWN)
        return;
    SDL_Keycode k = e->key.keysym.sym;
    if (k == SDLK_BACKSPACE) {
        size_t len = strlen(r->typed);
        while (len > 0 && ((unsigned char)r->typed[len - 1] & 0xC0) == 0x80)   /* a whole UTF-8 character */
            len--;
        if (len > 0)
            len--;
        r->typed[len] = 0;
    } else if (k == SDLK_ESCAPE || k == SDLK_RETURN || k == SDLK_KP_ENTER) {
        SDL_StopTextInput();
        r->typing = 0;
        if (k == SDLK_ESCAPE || !r->typed[0])
            return;
        annotation n;
        memset(&n, 0, sizeof n);
        n.kind = ANNOT_COMMENT;
        if (r->selected >= 0) {
            n.pin = ANNOT_AT_DOT;
            n.dot = r->selected + 1;
        } else {
            n.pin = ANNOT_AT_TIME;
            n.at_us = r->t_us;
        }
        snprintf(n.text, sizeof n.text, "%s", r->typed);
        const char *user = getenv("USER");
        snprintf(n.author, sizeof n.author, "%s", user ? user : "");
        char err[sizeof r->notes_msg - sizeof "not saved: "] = "too many notes"; /* fits the message */
        if (annotations_add(&r->notes, &n) != 0 || annotations_save(a->opt->input_file, &r->notes, err, sizeof err) != 0) {
            snprintf(r->notes_msg, sizeof r->notes_msg, "not saved: %s", err);
            fprintf(stderr, "stipple review: %s\n", r->notes_msg);
        } else {
            r->notes_rc = ANNOT_OK;
            printf("review: comment saved beside %s\n", a->opt->input_file);
        }
    }
}

static void review_event(app *a, const SDL_Event *e)
{
    review *r = RV(a);
    a->dirty = 1;
    if (r->typing) {
        type_comment(a, e);
        return;
    }
    if (e->type == SDL_KEYDOWN && e->key.keysym.sym == SDLK_a) {
        if (r->notes_rc == ANNOT_OK || r->notes_rc == ANNOT_NONE) {
            r->typing = 1;
            r->typed[0] = 0;
            SDL_StartTextInput();
        }
        return;
    }
    if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        int shift = (e->key.keysym.mod & KMOD_SHIFT) != 0;
        switch (k) {
        case SDLK_ESCAPE: case SDLK_q: a->running = 0; break;
        case SDLK_SPACE:
            if (!r->playing && r->t_us >= r->end_us)
                seek(a, 0);
            r->playing = !r->playing;
            r->last_wall = app_now_s();
            break;
        case SDLK_EQUALS: case SDLK_PLUS: case SDLK_KP_PLUS: case SDLK_RIGHTBRACKET:
            if (r->speed_i + 1 < SPEED_COUNT)
                r->speed_i++;
            break;
        case SDLK_MINUS: case SDLK_KP_MINUS: case SDLK_LEFTBRACKET:
            if (r->speed_i > 0)
                r->speed_i--;
            break;
        case SDLK_RIGHT: step(a, 1, shift); break;
        case SDLK_LEFT: step(a, -1, shift); break;
        case SDLK_PAGEDOWN: step(a, 1, 1); break;
        case SDLK_PAGEUP: step(a, -1, 1); break;
        case SDLK_k: r->kind = (r->kind + 1) % REVIEW_KIND_COUNT; break;
        case SDLK_c:
            if (r->follow)
                go_free(a);
            else
                r->follow = 1;
            break;
        case SDLK_h: a->healed = !a->healed; break;
        case SDLK_HOME: seek(a, 0); break;
        case SDLK_END: seek(a, r->end_us); break;
        case SDLK_j:
            if (r->selected >= 0)
                seek(a, replay_dot_made_us(r->rp, (size_t)r->selected));
            break;
        case SDLK_F3: a->debug = !a->debug; break;
        default: break;
        }
    } else if (e->type == SDL_MOUSEBUTTONDOWN) {
        int x = e->button.x;
        float fx = (float)e->button.x, y = (float)e->button.y;
        float tx, ty, tw, th;
        timeline_rect(a, &tx, &ty, &tw, &th);
        if (e->button.button == SDL_BUTTON_LEFT) {
            if (y >= ty - 4.0f && y <= ty + th && fx >= tx - 4.0f && fx <= tx + tw + 4.0f) {
                r->drag_tl = 1;
                timeline_seek(a, x);
            } else if (r->selected >= 0 && fx >= r->button_x && fx <= r->button_x + r->button_w && y >= r->button_y &&
                       y <= r->button_y + r->button_h) {
                seek(a, replay_dot_made_us(r->rp, (size_t)r->selected));
            } else {
                select_at(a, x, e->button.y);
            }
        } else if (e->button.button == SDL_BUTTON_X1) {   /* pen side buttons, mouse thumb buttons */
            step(a, -1, 1);
        } else if (e->button.button == SDL_BUTTON_X2) {
            step(a, 1, 1);
        }
    } else if (e->type == SDL_MOUSEBUTTONUP && e->button.button == SDL_BUTTON_LEFT) {
        r->drag_tl = 0;
    } else if (e->type == SDL_MOUSEMOTION) {
        if (r->drag_tl) {
            timeline_seek(a, e->motion.x);
        } else if (e->motion.state & (SDL_BUTTON_RMASK | SDL_BUTTON_MMASK)) {
            go_free(a);
            if ((e->motion.state & SDL_BUTTON_MMASK) || (SDL_GetModState() & KMOD_SHIFT))
                cam_pan(&r->free_view, e->motion.xrel, e->motion.yrel, a->gl.height);
            else
                cam_orbit(&r->free_view, -0.3 * e->motion.xrel, 0.3 * e->motion.yrel);
        }
    } else if (e->type == SDL_MOUSEWHEEL) {
        go_free(a);
        cam_zoom(&r->free_view, pow(0.85, e->wheel.y));
    }
}

static int shot_time(const app *a, const app_shot *s, int64_t *t)
{
    (void)a;
    if (s->kind == APP_SHOT_AT) {
        *t = s->t_us;
        return 1;
    }
    return 0;
}

static void review_update(app *a)
{
    review *r = RV(a);
    run_steps(a);
    /* scripted screenshots: paused, each at its time (APP_SHOT_END: where the steps left it) */
    for (int i = 0; i < a->opt->shot_count; i++) {
        app_shot *s = &a->shots[i];
        if (s->done)
            continue;
        int64_t t;
        if (shot_time(a, s, &t) && t != r->t_us)
            seek(a, t);
        a->shots_now = 1;
        a->dirty = 1;
        return;   /* one at a time: drawn, taken, then the next */
    }
    if (a->opt->review_play_frames && r->bench_t0 == 0.0) {
        /* bench: from the start at 64x */
        seek(a, 0);
        r->playing = 1;
        r->speed_i = SPEED_COUNT - 1;
        r->bench_t0 = r->last_wall = app_now_s();
        return;
    }
    if (r->playing) {
        double now = app_now_s();
        double dt = now - r->last_wall;
        r->last_wall = now;
        int64_t t = r->t_us + (int64_t)(dt * speeds[r->speed_i] * 1e6);
        if (t >= r->end_us) {
            t = r->end_us;
            r->playing = 0;
        }
        seek(a, t);
    }
}

static void review_take_shots(app *a)
{
    /* the first pending shot is the one drawn this frame */
    for (int i = 0; i < a->opt->shot_count; i++)
        if (!a->shots[i].done) {
            app_take_shot(a, &a->shots[i]);
            break;
        }
}

static void review_after_frame(app *a)
{
    review *r = RV(a);
    if (r->open_t0 == 0.0 || !a->first_frame_done)
        return;
    if (r->open_t0 > 0.0) {
        printf("review: open to first frame %.3f s\n", app_now_s() - r->open_t0);
        fflush(stdout);
        r->open_t0 = -1.0;
    }
    if (a->opt->review_play_frames) {
        if (r->bench_t0 > 0.0 && ++r->bench_frames == a->opt->review_play_frames) {
            double dt = app_now_s() - r->bench_t0;
            printf("review: playing at 64x, %d x %d: %d frames in %.2f s, %.1f fps (target >= 60); %.1f min of session shown\n",
                   a->gl.width, a->gl.height, r->bench_frames, dt, r->bench_frames / dt, (double)r->t_us / 60e6);
            a->running = 0;
        }
        return;
    }
    int pending = 0;
    for (int i = 0; i < a->opt->shot_count; i++)
        pending |= !a->shots[i].done;
    if (a->opt->exit_after && !pending)
        a->running = 0;
}

static int review_idle_ms(app *a)
{
    return RV(a)->playing ? 0 : 100;
}


const app_screen app_screen_review = {
    .name = "review",
    .event = review_event,
    .update = review_update,
    .draw = review_draw,
    .after_frame = review_after_frame,
    .idle_ms = review_idle_ms,
    .take_shots = review_take_shots,
};

int review_kind_from_name(const char *name)
{
    static const char *const names[REVIEW_KIND_COUNT] = { "all", "depth", "spacing", "placement", "colour", "drag" };
    for (int k = 0; k < REVIEW_KIND_COUNT; k++)
        if (!strcmp(name, names[k]))
            return k;
    return -1;
}
