/* screen_review.c: `stipple review SESSION`, the instructor's player. The session is
 * replayed by the core (replay.c: keyframes, seek by re-simulating from the nearest); this
 * screen never writes a session. Transport (play/pause, 0.25x-64x, seek on the timeline, step
 * dot by dot or flag by flag of a chosen kind), a timeline of the whole session, the camera
 * following the recorded view or free, the pen's hover path, the depth gauge, flags that
 * cluster when zoomed out, a dot inspector and a translucent ghost of a reference session.
 * Scripted runs (--at, --step, --screenshot-at, --exit-after) work paused, so what they
 * capture depends only on the session.
 *
 * Opening shows the first frame at once: the replay builds its keyframes and learns the
 * dots' times a slice a frame (BUILD_SLICE_S), the timeline filling in as it goes; the score
 * (flags, the inspector's reasons) comes when the whole session is built. A step to a flag
 * (or a scripted run) builds the rest at once.
 *
 * The timeline is review_timeline.c, the bench's playback review_play_bench.c; the state they
 * share, review_internal.h. */
#include <glad/gl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annotations.h"
#include "review_internal.h"
#include "surface_cache.h"
#include "text_escape.h"
#include "trainee.h"

#define PANEL_W 420.0f            /* inspector width */
#define CLUSTER_FIELD_MM 60.0     /* flags one by one below this field height, clusters above */
#define HOVER_US 2000000
#define BUILD_SLICE_S 0.006       /* building the replay while playing: at most this much a frame */
#define BUILD_IDLE_S 0.040        /* ... while paused (the window still answers 25 times a second) */

const double review_speeds[REVIEW_SPEED_COUNT] = { 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64 };

/* ---- the flags of each kind ---------------------------------------------------------- */

uint32_t review_kind_mask(int kind)
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

void review_kind_colour(uint32_t f, uint8_t c[3])
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
    return r->have_score && (r->score.dot_flags[i] & review_kind_mask(r->kind)) != 0;
}

/* ---- time ------------------------------------------------------------------------------ */

static void review_built(app *a);
static int build_all(app *a);

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
    review_timeline_add_dots(a);   /* a seek past what was built built on to there */
    if (replay_build_done(r->rp))
        review_built(a);
}

/* The next (dir 1) or previous (-1) dot from the current time, flagged with the chosen kind
 * when flagged; selects it and seeks to the moment it was made. */
static void step(app *a, int dir, int flagged)
{
    review *r = RV(a);
    if (flagged && build_all(a) != 0)   /* the flags need the score, the score every dot */
        return;
    size_t n;
    replay_all_dots(r->rp, &n);
    size_t shown = replay_dot_count_at(r->rp, r->t_us);
    while (dir > 0 && !r->built && (long)n <= (r->selected + 1 > (long)shown ? r->selected + 1 : (long)shown)) {
        int rc = replay_build(r->rp, 4096);   /* the next dot is not built yet */
        if (rc < 0)
            return;
        if (rc == 1)
            review_built(a);
        replay_all_dots(r->rp, &n);
    }
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


/* The whole session built: its score (the flags, the inspector's reasons), the timeline's
 * last dots and its flags. */
static void review_built(app *a)
{
    review *r = RV(a);
    if (r->built)
        return;
    size_t n;
    const dot *all = replay_all_dots(r->rp, &n);
    if (!r->have_score && score_session(&a->lesson, a->surface, all, n, &r->score) == 0)
        r->have_score = 1;
    review_timeline_add_dots(a);
    r->built = 1;
    r->built_s = app_now_s() - r->start_s;
    a->dirty = 1;
}

/* Builds the whole replay now (a step to a flag, a scripted run). 0 or -1. */
static int build_all(app *a)
{
    review *r = RV(a);
    if (r->built)
        return 0;
    if (replay_build(r->rp, SIZE_MAX) < 0) {
        fprintf(stderr, "stipple review: out of memory reading the session\n");
        a->running = 0;
        a->exit_code = 1;
        return -1;
    }
    review_built(a);
    return 0;
}

/* A slice of the build, at most BUILD_SLICE_S of this frame. */
static void build_slice(app *a)
{
    review *r = RV(a);
    if (r->built || !a->first_frame_done)   /* the first frame first */
        return;
    double t0 = app_now_s(), budget = r->playing ? BUILD_SLICE_S : BUILD_IDLE_S;
    int rc;
    do
        rc = replay_build(r->rp, 2048);
    while (rc == 0 && app_now_s() - t0 < budget);
    if (rc < 0) {
        fprintf(stderr, "stipple review: out of memory reading the session\n");
        a->running = 0;
        a->exit_code = 1;
        return;
    }
    review_timeline_add_dots(a);
    if (rc == 1)
        review_built(a);
    else if (t0 - r->progress_drawn > 0.25) {
        r->progress_drawn = t0;   /* the timeline grows */
        a->dirty = 1;
    }
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
    r->open_t0 = r->start_s = app_now_s();
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
    a->surface = a->lesson.surface == SURFACE_HEAD ? app_head_prefetch_take(&r->head_cached) : NULL;
    if (!a->surface)
        a->surface = surface_open(a->lesson.surface, a->lesson.skin_width_mm, a->lesson.skin_height_mm, &r->head_cached);
    if (!a->surface)
        return -1;
    r->t_surface = app_now_s() - r->open_t0;
    r->rp = replay_open(&a->lesson, a->surface, r->data, err, sizeof err);
    if (!r->rp) {
        fprintf(stderr, "stipple review: %s\n", err);
        return -1;
    }
    r->end_us = replay_end_us(r->rp);
    printf("review: %s, lesson %s\n", text_escaped(a->opt->input_file), text_escaped(a->lesson.id));
    a->eng = (engine *)replay_engine(r->rp);   /* read only: the scene and the gauge read it */
    r->t_replay = app_now_s() - r->open_t0;
    /* a client's hairs go in after the first frame (scripted runs, which draw a given
     * moment, have them from the start; STIPPLE_REVIEW_NO_DEFER=1 too: a test compares) */
    int scripted = a->opt->review_step_count || a->opt->shot_count || getenv("STIPPLE_REVIEW_NO_DEFER");
    /* scripted runs bake the client's hairs at once; interactive ones after the first frame */
    a->ren = render_create_from(&a->lesson, a->surface, !scripted, app_head_mesh_take(a->surface), err, sizeof err);
    if (!a->ren) {
        fprintf(stderr, "stipple review: %s\n", err);
        return -1;
    }
    /* a seek back then unbakes only what it must (STIPPLE_REVIEW_REBAKE=1: bakes every dot
     * again, as before: for comparing in the bench) */
    if (!getenv("STIPPLE_REVIEW_REBAKE"))
        render_keep_base(a->ren);
    r->t_renderer = app_now_s() - r->open_t0;
    a->pen_desc = &r->data->header.device;
    review_timeline_build(a);
    load_ghost(a);
    review_notes_load(&r->nui, a->opt->input_file);
    /* scripted runs step to flags and draw them: the whole session first */
    if ((a->opt->review_step_count || a->opt->shot_count) && build_all(a) != 0)
        return -1;
    seek(a, a->opt->review_at_us >= 0 ? a->opt->review_at_us : 0);
    r->free_view = *engine_view(a->eng);
    r->t_ready = app_now_s() - r->open_t0;
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
    free(r->bench_dt);
    review_notes_free(&r->nui);
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
        review_kind_colour(r->score.dot_flags[i] & review_kind_mask(r->kind), c);
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
            review_kind_colour(r->score.dot_flags[i] & review_kind_mask(r->kind), c);
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

/* What the notes see of the review. */
static review_note_ctx note_ctx(app *a)
{
    review *r = RV(a);
    review_note_ctx c;
    memset(&c, 0, sizeof c);
    c.session_path = a->opt->input_file;
    c.selected = r->selected;
    c.t_us = r->t_us;
    c.score = r->have_score ? &r->score : NULL;
    c.view = current_view(a);
    return c;
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
    hud_rect(h, 0, 0, W, TOP_BAR_H, C_BAR);
    hud_text(h, HUD_NORMAL, 14.0f, 8.0f, C_TEXT, a->lesson.title);
    hud_textf(h, HUD_SMALL, 14.0f, 30.0f, C_DIM, "Review of %s (%s): read only", a->opt->input_file ? a->opt->input_file : "",
              r->data->header.source);
    char clock[32];
    hud_fmt_clock(r->t_us, clock, sizeof clock);
    float cw = hud_text_width(h, HUD_LARGE, clock);
    hud_text(h, HUD_LARGE, W - cw - 16.0f, 10.0f, C_TEXT, clock);
    hud_textf(h, HUD_NORMAL, W - cw - 250.0f, 14.0f, r->playing ? C_GOOD : C_DIM, "%s %gx", r->playing ? "\xE2\x96\xB6" : "||",
              review_speeds[r->speed_i]);
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
    review_note_ctx nc = note_ctx(a);
    review_notes_draw(a, &r->nui, ix, iy + 236.0f, PANEL_W - 30.0f, &nc);
    review_timeline_draw(a);
    hud_rect(h, 0, (float)a->gl.height - 24.0f, W, 24.0f, C_PANEL);
    hud_text(h, HUD_SMALL, 12.0f, (float)a->gl.height - 20.0f, C_DIM,
             "Space play   - + speed   Left/Right dot   shift+Left/Right or pen side buttons: flag   K kind   "
             "click timeline seek   click dot inspect   A R O notes   C camera   H healed   F12 screenshot   Esc quit");
}

static void review_draw(app *a)
{
    review *r = RV(a);
    /* the dots into the renderer; none of practice's live feedback (its neighbour search
     * would start again at every seek back): the review's flags are the score's */
    size_t nd;
    const dot *dd = engine_dots(a->eng, &nd);
    render_sync_dots(a->ren, dd, nd, a->healed);
    a->nmarkers = 0;
    view_state v = current_view(a);
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    ghost_markers(a);
    flag_markers(a, &v, dots, n);
    hover_path(a, &v);
    (void)r;
    a->covered_top_px = (int)TOP_BAR_H;
    a->covered_bottom_px = (int)BOTTOM_BAR_H;
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
        /* for scripts and tests: where the step went (dots numbered from 1, as everywhere) */
        if (r->selected >= 0)
            printf("review: step %s from %.6f s (%zu dots made): dot %ld, made at %.6f s\n", s, t0, before,
                   r->selected + 1, (double)r->t_us * 1e-6);
        else
            printf("review: step %s from %.6f s (%zu dots made): no %s %s; stays at %.6f s\n", s, t0, before,
                   strchr(s, '+') ? "later" : "earlier", s[0] == 'f' ? "flagged dot of the kind shown" : "dot",
                   (double)r->t_us * 1e-6);
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
    review_timeline_rect(a, &tx, &ty, &tw, &th);
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

/* --script-log: the state after a key or a click, one line, for scripts and tests. */
static void log_state(app *a, const SDL_Event *e)
{
    review *r = RV(a);
    char what[48];
    if (e->type == SDL_KEYDOWN)
        snprintf(what, sizeof what, "key %s", SDL_GetKeyName(e->key.keysym.sym));
    else if (e->type == SDL_MOUSEBUTTONDOWN)
        snprintf(what, sizeof what, "click %d at %d,%d", e->button.button, e->button.x, e->button.y);
    else if (e->type == SDL_MOUSEBUTTONUP)
        snprintf(what, sizeof what, "release %d at %d,%d", e->button.button, e->button.x, e->button.y);
    else
        return;
    static const char *const kinds[REVIEW_KIND_COUNT] = { "all", "depth", "spacing", "placement", "colour", "drag" };
    size_t shown, all;
    engine_dots(a->eng, &shown);
    replay_all_dots(r->rp, &all);
    long flagged = r->selected >= 0 && dot_shown_flag(r, (size_t)r->selected);
    printf("review: state after %s: t %.6f s, %s, speed %gx, dots %zu of %zu%s, dot %ld%s, kind %s, notes %zu%s\n", what,
           (double)r->t_us * 1e-6, r->playing ? "playing" : "paused", review_speeds[r->speed_i], shown, all,
           r->built ? "" : " (reading)", r->selected + 1, flagged ? " (flagged)" : "", kinds[r->kind],
           review_notes_count(&r->nui), review_notes_busy(&r->nui) ? ", making a note" : "");
    fflush(stdout);
}

static void review_event_do(app *a, const SDL_Event *e);

static void review_event(app *a, const SDL_Event *e)
{
    review_event_do(a, e);
    if (a->opt->review_log && a->review)
        log_state(a, e);
}

static void review_event_do(app *a, const SDL_Event *e)
{
    review *r = RV(a);
    a->dirty = 1;
    if (review_notes_busy(&r->nui)) {
        review_note_ctx nc = note_ctx(a);
        review_notes_event(a, &r->nui, e, &nc);
        return;
    }
    if (e->type == SDL_KEYDOWN && review_notes_begin(&r->nui, e->key.keysym.sym))
        return;
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
            if (r->speed_i + 1 < REVIEW_SPEED_COUNT)
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
        case SDLK_F12: r->key_shot = 1; break;
        default: break;
        }
    } else if (e->type == SDL_MOUSEBUTTONDOWN) {
        int x = e->button.x;
        float fx = (float)e->button.x, y = (float)e->button.y;
        float tx, ty, tw, th;
        review_timeline_rect(a, &tx, &ty, &tw, &th);
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
    build_slice(a);
    run_steps(a);
    if (r->key_shot) {
        a->shots_now = 1;
        a->dirty = 1;
    }
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
        /* bench: once built, play from the start at 1x, then 8x, then 64x */
        if (!r->built)
            return;
        free(r->bench_dt);
        int slots = a->opt->review_play_frames > 2 * BENCH_SEEKS ? a->opt->review_play_frames : 2 * BENCH_SEEKS;
        r->bench_dt = malloc((size_t)slots * sizeof *r->bench_dt);
        if (!r->bench_dt) {
            a->running = 0;
            return;
        }
        printf("review: the whole session built %.3f s after opening (in slices of at most %.0f ms a frame)\n", r->built_s,
               BUILD_SLICE_S * 1e3);
        fflush(stdout);
        seek(a, 0);
        r->playing = 1;
        r->speed_i = 2;
        r->bench_t0 = r->last_wall = r->bench_last = app_now_s();
        return;
    }
    if (a->opt->review_play_frames && r->bench_phase >= BENCH_PHASES) {
        /* bench: from the end back to half way (then back 10 s), and forward again, a frame each */
        seek(a, r->bench_frames % 2 == 0 ? review_bench_back_us(r) : r->bench_hi_us);
        return;
    }
    if (r->playing) {
        double now = app_now_s();
        double dt = now - r->last_wall;
        r->last_wall = now;
        int64_t t = r->t_us + (int64_t)(dt * review_speeds[r->speed_i] * 1e6);
        if (t >= r->end_us) {
            t = r->end_us;
            r->playing = 0;
        }
        seek(a, t);
    }
}

static void review_take_shots(app *a)
{
    review *r = RV(a);
    if (r->key_shot) {   /* F12: into the current folder, named by the session time */
        app_shot s;
        memset(&s, 0, sizeof s);
        snprintf(s.path, sizeof s.path, "stipple-review-%09.3f-%d.png", (double)r->t_us * 1e-6, ++r->key_shots);
        app_take_shot(a, &s);
        fflush(stdout);
        r->key_shot = 0;
        return;
    }
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
        printf("review: open to first frame %.3f s (lesson and surface %.3f s%s, replay opened %.3f s, renderer %.3f s, "
               "ready to draw %.3f s; the rest of the session is read a frame at a time)\n",
               app_now_s() - r->open_t0, r->t_surface,
               a->lesson.surface != SURFACE_HEAD ? "" : r->head_cached ? ", the head read from the cache" : ", the head built",
               r->t_replay, r->t_renderer, r->t_ready);
        fflush(stdout);
        r->open_t0 = -1.0;
        /* the client's hairs and scars, left for after the first frame, drawn in the next */
        if (render_bake_pending(a->ren) > 0)
            a->dirty = 1;
    }
    if (a->opt->review_play_frames) {
        if (r->bench_t0 > 0.0)
            review_bench_frame(a);
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
    return RV(a)->playing || !RV(a)->built || a->opt->review_play_frames ? 0 : 100;   /* the bench never waits */
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
