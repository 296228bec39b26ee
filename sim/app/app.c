/* app.c: the practice app's loop and screens (lesson picker -> practice -> score).
 *
 * Time: session time is integer microseconds. Live (mouse) and real-time playback take it
 * from the wall clock since the lesson started; --fast playback jumps ahead as fast as the
 * machine allows. A screenshot or exit time T stops the clock at exactly T for that frame,
 * so what is captured depends only on the events up to T.
 * Input: every pen sample, view change and machine/needle/shade action becomes a
 * session_event that goes into engine_feed and, in the same order, into the session file
 * (session_writer_add, then session_writer_tick each frame: a crash loses <= 250 ms).
 * The renderer and the live feedback only read what the engine holds. */
#include "app.h"

#include <SDL.h>
#include <dirent.h>
#include <errno.h>
#include <glad/gl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calibration.h"
#include "engine.h"
#include "haptics.h"
#include "hud.h"
#include "live_input.h"
#include "live.h"
#include "png_write.h"
#include "renderer.h"
#include "report.h"
#include "score.h"
#include "session_source.h"
#if defined(__has_include)
#if __has_include("evemu_source.h")
#include "evemu_source.h"
#define APP_HAVE_EVEMU_SOURCE 1
#endif
#endif

#define FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define DEG2RAD (3.14159265358979323846 / 180.0)
#define MAX_MARKERS 4000

typedef enum screen { SCR_PICKER = 0, SCR_PRACTICE, SCR_SCORE } screen;
enum src_kind { SRC_MOUSE = 0, SRC_SESSION, SRC_EVEMU };

typedef struct lesson_entry { char path[1024]; char title[128]; char id[64]; int head; } lesson_entry;

typedef struct app {
    const app_options *opt;
    app_gl gl;
    hud   *hud;
    screen scr;
    int    running, exit_code;
    app_shot shots[APP_MAX_SHOTS];

    /* picker */
    lesson_entry *lessons;
    size_t nlessons;
    int    sel;

    /* practice */
    lesson  lesson;
    int     have_lesson;
    surface *surface;
    engine  *eng;
    renderer *ren;
    live    *live;
    session_writer *writer;
    session_header hdr;
    char    session_path[1024];
    input_source *src;
    int     src_kind, src_done;
    int64_t src_end_us;
    int64_t now_us;
    double  wall0;
    size_t  dots_seen;

    /* the mouse as a pen */
    device_desc mouse_desc;
    pen_calibration cal;
    int     mx, my, mouse_in, pen_down, pen_dirty;
    double  pressure;               /* 0..1 of the device's range while the button is down */
    pen_sample last_pen;
    int     have_pen;
    const device_desc *pen_desc;

    /* camera */
    view_state cam;
    int     cam_dirty, rdrag, mdrag, drag_moved, last_x, last_y;

    /* toggles */
    int     healed, overlay_mode, flags_on, debug, confirm_quit;
    double  overlay_t;
    size_t  overlay_n;
    int     overlay_shown;

    /* score */
    score_result score;
    int     have_score;
    view_state view_score;
    int     fly;
    view_state fly_from, fly_to;
    double  fly_t0;
    long    fly_dot;
    size_t *flag_list;
    size_t  flag_count;
    int     flag_rows_y0, flag_row_h, flag_rows;

    /* timing */
    double  lat_avail_min;          /* wall time the oldest dot-making event of this frame was available */
    double  lat_last, lat_sum, lat_max;
    size_t  lat_n;
    double  frame_ms, fps, fps_t0;
    int     fps_frames, first_frame_done;
    int     settle_render;   /* this frame is a screenshot's: no cross-fade half-way */
    int     dirty;
    int64_t last_clock_s;

    render_marker *markers;
    size_t  nmarkers;

    /* a live pen (issue 4): the source lives inside li, read on its own thread */
    live_input *li;
    input_hotplug *hotplug;
    haptics *hap;
    int64_t last_written_us;        /* session files want non-decreasing times */
    char    pen_note[160];          /* "Tablet ... connected", shown for a few seconds */
    double  pen_note_t;
} app;

/* ---- helpers -------------------------------------------------------------------------- */

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static void mouse_device(device_desc *d, int w, int h)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "mouse");
    d->device_class = DEVICE_CLASS_MOUSE;
    d->axes = DEVICE_HAS_PRESSURE;
    d->x.min = 0;
    d->x.max = w * 10 - 1;
    d->x.resolution = 40;      /* ~10 units a pixel, ~0.26 mm pixels */
    d->y.min = 0;
    d->y.max = h * 10 - 1;
    d->y.resolution = 40;
    d->pressure.min = 0;
    d->pressure.max = 1023;
}

static void add_marker(app *a, const double pos[3], const double nrm[3], uint8_t r, uint8_t g, uint8_t b, uint8_t al, float size)
{
    if (a->nmarkers >= MAX_MARKERS + 8)
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

static void fmt_clock(int64_t us, char *buf, size_t n)
{
    int64_t s = us / 1000000;
    snprintf(buf, n, "%02lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

/* ---- lesson picker -------------------------------------------------------------------- */

static int cmp_entry(const void *x, const void *y)
{
    return strcmp(((const lesson_entry *)x)->path, ((const lesson_entry *)y)->path);
}

static void scan_lessons(app *a)
{
    const char *dir = a->opt->lessons_dir;
    DIR *dp = dir ? opendir(dir) : NULL;
    if (!dp)
        return;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (!has_suffix(de->d_name, ".json"))
            continue;
        lesson_entry e;
        memset(&e, 0, sizeof e);
        snprintf(e.path, sizeof e.path, "%s/%s", dir, de->d_name);
        lesson l;
        char err[512];
        if (lesson_load_file(e.path, &l, err, sizeof err) != 0)
            continue;
        snprintf(e.title, sizeof e.title, "%s", l.title);
        snprintf(e.id, sizeof e.id, "%s", l.id);
        e.head = l.surface == SURFACE_HEAD;
        lesson_free(&l);
        lesson_entry *ne = realloc(a->lessons, (a->nlessons + 1) * sizeof *ne);
        if (!ne)
            break;
        a->lessons = ne;
        a->lessons[a->nlessons++] = e;
    }
    closedir(dp);
    qsort(a->lessons, a->nlessons, sizeof *a->lessons, cmp_entry);
}

/* ---- practice: start, feed, finish ------------------------------------------------- */

static int write_event(app *a, const session_event *ev)
{
    if (a->writer && session_writer_add(a->writer, ev) != 0) {
        fprintf(stderr, "stipple practice: writing %s failed\n", a->session_path);
        return -1;
    }
    if (ev->t_us > a->last_written_us)
        a->last_written_us = ev->t_us;
    int r = engine_feed(a->eng, ev);
    if (r < 0) {
        fprintf(stderr, "stipple practice: out of memory\n");
        return -1;
    }
    if (ev->kind == SEV_PEN) {
        a->last_pen = ev->u.pen;
        a->have_pen = 1;
    }
    a->dirty = 1;
    return r;
}

/* One event from a source or the mouse; avail_wall: when it could first have been seen. */
static int feed(app *a, const session_event *ev, double avail_wall)
{
    int r = write_event(a, ev);
    if (r == 1 && avail_wall > 0.0 && (a->lat_avail_min <= 0.0 || avail_wall < a->lat_avail_min))
        a->lat_avail_min = avail_wall;
    return r;
}

static void default_session_path(const app *a, char *out, size_t n)
{
    const char *dir = getenv("STIPPLE_SESSIONS");
    if (!dir || !*dir)
        dir = "sessions";
    mkdir(dir, 0777);
    time_t t = time(NULL);
    struct tm tmv;
    localtime_r(&t, &tmv);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tmv);
    snprintf(out, n, "%s/%s-%s.stp", dir, a->lesson.id, stamp);
}

static void stop_practice(app *a)
{
    input_source_close(a->src);
    a->src = NULL;
    haptics_close(a->hap);
    a->hap = NULL;
    live_input_close(a->li);
    a->li = NULL;
    live_free(a->live);
    a->live = NULL;
    render_free(a->ren);
    a->ren = NULL;
    engine_free(a->eng);
    a->eng = NULL;
    surface_free(a->surface);
    a->surface = NULL;
    if (a->have_lesson)
        lesson_free(&a->lesson);
    a->have_lesson = 0;
    score_result_free(&a->score);
    memset(&a->score, 0, sizeof a->score);
    a->have_score = 0;
    free(a->flag_list);
    a->flag_list = NULL;
    a->flag_count = 0;
}

/* A pen display: the part of its digitiser under the window (1:1). The display is the one
 * the window is on. */
static int pen_display_area(const app *a, const device_desc *d, tablet_area *out)
{
    SDL_Window *w = a->gl.window;
    int idx = SDL_GetWindowDisplayIndex(w);
    SDL_Rect b;
    if (idx < 0 || SDL_GetDisplayBounds(idx, &b) != 0)
        return -1;
    int disp[4] = { b.x, b.y, b.w, b.h }, win[4];
    SDL_GetWindowPosition(w, &win[0], &win[1]);
    SDL_GetWindowSize(w, &win[2], &win[3]);
    return tablet_area_for_window(d, disp, win, out);
}

/* The live pen: --device, else the first pen device found; none found: the mouse (0 with
 * a->li NULL). -1 (said why) when a named device or a tablet area cannot be used. */
static int open_live_pen(app *a)
{
    char path[512], err[512];
    if (a->opt->device)
        snprintf(path, sizeof path, "%s", a->opt->device);
    else if (!live_input_find_pen(a->opt->input_dir, path, sizeof path))
        return 0;
    input_source *src = evdev_source_open(path, 0, err, sizeof err);
    if (!src) {
        fprintf(stderr, "stipple practice: %s%s\n", err, a->opt->device ? "" : "; using the mouse");
        return a->opt->device ? -1 : 0;
    }
    /* the trainee's stored calibration for this device (and tool serial, when known) */
    const evdev_pen *pp = evdev_source_pen(src);
    pen_calibration c;
    char cpath[1024] = "";
    int rc = calibration_load(&src->desc, pp ? pp->serial : 0, &c, err, sizeof err);
    calibration_path(&src->desc, pp ? pp->serial : 0, cpath, sizeof cpath);
    if (rc == 1) {
        src->calibration = c;
        printf("calibration: %s\n", cpath);
    } else if (rc < 0) {
        fprintf(stderr, "stipple practice: warning: %s; using the default calibration\n", err);
    } else {
        printf("calibration: none stored for %s; defaults (stipple calibrate --device %s)\n", src->name, path);
    }
    tablet_area area;
    const tablet_area *ap = NULL;
    const char *how = "whole tablet";
    if (a->opt->tablet_area) {
        double mm[4];
        if (tablet_area_parse_mm(a->opt->tablet_area, mm, err, sizeof err) != 0 ||
            tablet_area_from_mm(&src->desc, mm, &area, err, sizeof err) != 0) {
            fprintf(stderr, "stipple practice: %s\n", err);
            input_source_close(src);
            return -1;
        }
        ap = &area;
        how = "tablet area";
    } else if (src->desc.device_class == DEVICE_CLASS_PEN_DISPLAY && pen_display_area(a, &src->desc, &area) == 0) {
        ap = &area;
        how = "pen display, 1:1 under the window";
    }
    char name[96];
    snprintf(name, sizeof name, "%s", src->name);
    uint32_t cls = src->desc.device_class;
    a->li = live_input_open(src, ap, err, sizeof err);
    if (!a->li) {
        fprintf(stderr, "stipple practice: %s\n", err);
        return -1;
    }
    printf("pen: %s (%s, %s), %s\n", name, path, device_class_name(cls), how);
    fflush(stdout);
    return 0;
}

static void emit_action(app *a, int kind, int32_t value, const needle *nd);

/* Orbits a head view to look at the middle of the working zones (from the chart points in
 * them, 4 mm apart), keeping its distance. */
static void turn_to_zone(const app *a, view_state *v)
{
    const lesson *l = &a->lesson;
    if (l->surface != SURFACE_HEAD)
        return;
    double su = 0.0, sv = 0.0, dom[4];
    size_t n = 0;
    surface_chart_bounds(a->surface, dom);
    for (double cv = dom[1]; cv <= dom[3]; cv += 4.0)
        for (double cu = dom[0]; cu <= dom[2]; cu += 4.0)
            if (lesson_zone_contains(l, cu, cv, surface_region_at_chart(a->surface, cu, cv))) {
                su += cu;
                sv += cv;
                n++;
            }
    surface_hit h;
    if (!n || !surface_chart_point(a->surface, su / (double)n, sv / (double)n, &h))
        return;
    v->yaw_deg = (float)(atan2(h.normal[0], h.normal[2]) / DEG2RAD);
    double p = asin(h.normal[1] < -1 ? -1 : h.normal[1] > 1 ? 1 : h.normal[1]) / DEG2RAD;
    v->pitch_deg = (float)(p > 75.0 ? 75.0 : p < -30.0 ? -30.0 : p);
}

static int start_practice(app *a, const char *lesson_path)
{
    char err[512];
    if (lesson_load_file(lesson_path, &a->lesson, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    a->have_lesson = 1;
    a->surface = a->lesson.surface == SURFACE_HEAD ? app_head_prefetch_take() : NULL;
    if (!a->surface)
        a->surface = surface_create(a->lesson.surface, a->lesson.skin_width_mm, a->lesson.skin_height_mm);
    if (!a->surface) {
        fprintf(stderr, "stipple practice: out of memory\n");
        return -1;
    }
    /* input */
    a->src_kind = SRC_MOUSE;
    a->src_done = 0;
    a->src_end_us = INT64_MAX;
    mouse_device(&a->mouse_desc, a->gl.width, a->gl.height);
    pen_calibration_default(&a->cal);
    const device_desc *dev = &a->mouse_desc;
    const pen_calibration *cal = &a->cal;
    const char *source_name = "live";
    if (a->opt->input_file) {
        const char *f = a->opt->input_file;
        char warn[256] = "";
        if (has_suffix(f, ".events")) {
#ifdef APP_HAVE_EVEMU_SOURCE
            a->src = evemu_source_open(f, a->opt->desc_path, 0, err, sizeof err);
            a->src_kind = SRC_EVEMU;
            source_name = "evemu";
#else
            snprintf(err, sizeof err, "device recordings (.events) need the evemu input source, not built yet");
#endif
        } else {
            a->src = session_source_open(f, 0, warn, sizeof warn, err, sizeof err);
            a->src_kind = SRC_SESSION;
            source_name = "replay";
            session_data d;
            char e2[256];
            if (a->src && session_load_file(f, &d, e2, sizeof e2) == 0) {
                a->src_end_us = d.end_t_us;
                session_data_free(&d);
            }
        }
        if (!a->src) {
            fprintf(stderr, "stipple practice: %s: %s\n", f, err);
            return -1;
        }
        if (warn[0])
            fprintf(stderr, "stipple practice: warning: %s: %s\n", f, warn);
        dev = &a->src->desc;
        cal = &a->src->calibration;
    } else if (!a->opt->mouse) {
        if (open_live_pen(a) != 0)
            return -1;   /* a named device or a tablet area that cannot be used: said why */
        if (a->li) {
            dev = live_input_desc(a->li);
            cal = &live_input_source(a->li)->calibration;
            source_name = "live";
        }
    }
    a->pen_desc = dev;
    a->eng = engine_create(&a->lesson, a->surface, dev, cal);
    if (!a->eng) {
        fprintf(stderr, "stipple practice: out of memory\n");
        return -1;
    }
    a->ren = render_create(&a->lesson, a->surface, err, sizeof err);
    if (!a->ren) {
        fprintf(stderr, "stipple practice: %s\n", err);
        return -1;
    }
    const dotmap *m = render_get_dotmap(a->ren);
    a->live = live_create(&a->lesson, a->surface, m->u0, m->v0, m->w[0] * m->texel_mm, m->h[0] * m->texel_mm);
    if (!a->live) {
        fprintf(stderr, "stipple practice: out of memory\n");
        return -1;
    }
    /* the session file, written as it goes */
    memset(&a->hdr, 0, sizeof a->hdr);
    a->hdr.format_version = SESSION_FORMAT_VERSION;
    snprintf(a->hdr.program_version, sizeof a->hdr.program_version, "stipple %s", STIPPLE_VERSION);
    snprintf(a->hdr.lesson_id, sizeof a->hdr.lesson_id, "%s", a->lesson.id);
    memcpy(a->hdr.lesson_hash, a->lesson.content_hash, 32);
    snprintf(a->hdr.source, sizeof a->hdr.source, "%s", source_name);
    a->hdr.device = *dev;
    a->hdr.calibration = *cal;
    if (a->opt->session_out)
        snprintf(a->session_path, sizeof a->session_path, "%s", a->opt->session_out);
    else
        default_session_path(a, a->session_path, sizeof a->session_path);
    a->writer = session_writer_open(a->session_path, &a->hdr, err, sizeof err);
    if (!a->writer) {
        fprintf(stderr, "stipple practice: %s\n", err);
        return -1;
    }
    a->now_us = 0;
    a->last_written_us = 0;
    a->wall0 = app_now_s();
    if (a->li) {
        /* the pen's session time is kernel time since it was opened: one clock for both */
        const evdev_pen *pp = evdev_source_pen(live_input_source(a->li));
        if (pp)
            a->wall0 = (double)(pp->origin_us - pp->start_us) * 1e-6;
    }
    if (!a->src && !a->hap) {
        a->hap = haptics_open(a->li, a->opt->exam, a->lesson.depth_band_mm[1], 1);
        haptics_stats hs;
        haptics_stats_get(a->hap, &hs);
        printf("feedback: %s\n", a->opt->exam ? "off (exam)" : haptics_backend_name(hs.backend));
    }
    a->dots_seen = 0;
    a->healed = 0;
    a->overlay_mode = LIVE_OVERLAY_NONE;
    a->flags_on = 0;
    a->overlay_n = (size_t)-1;
    a->pressure = 0.313;       /* about 0.3 mm with the default calibration */
    a->pen_down = 0;
    a->have_pen = 0;
    a->scr = SCR_PRACTICE;
    if (a->src_kind == SRC_MOUSE) {
        /* the session starts with the view the trainee sees: the whole head, turned to
         * the working zone (the occiput for a scar lesson, not the face) */
        a->cam = *engine_view(a->eng);
        a->cam.aspect = (float)a->gl.width / (float)a->gl.height;
        turn_to_zone(a, &a->cam);
        a->cam_dirty = 1;
    }
    if (a->src_kind == SRC_EVEMU && a->src->desc.device_class != DEVICE_CLASS_INSTRUMENTED_PEN) {
        /* A tablet recording cannot press M: its contacts are punctures, so the machine runs
         * from the start (recorded in the session like any action). An instrumented pen's
         * recording switches the machine with its own trigger. */
        emit_action(a, SEV_MACHINE, 1, NULL);
    }
    a->dirty = 1;
    return 0;
}

static void print_score(app *a, FILE *f)
{
    const score_result *s = &a->score;
    fprintf(f, "score: total %.1f %s (", s->total, s->passed ? "PASS" : "FAIL");
    int first = 1;
    for (int m = 0; m < METRIC_COUNT; m++) {
        if (!s->metric_applies[m])
            continue;
        fprintf(f, "%s%s %.1f", first ? "" : ", ", metric_name(m), s->metric_score[m]);
        first = 0;
    }
    fprintf(f, "); %zu dots\n", s->dot_count);
}

static void goto_score_view(app *a);

static void finish_practice(app *a, int64_t t_end)
{
    if (t_end < a->now_us)
        t_end = a->now_us;
    a->now_us = t_end;
    if (engine_finish(a->eng, t_end) < 0)
        fprintf(stderr, "stipple practice: out of memory\n");
    if (session_writer_close(a->writer, t_end) != 0)
        fprintf(stderr, "stipple practice: writing %s failed\n", a->session_path);
    a->writer = NULL;
    input_source_close(a->src);
    a->src = NULL;
    haptics_close(a->hap);
    a->hap = NULL;
    live_input_close(a->li);
    a->li = NULL;
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    if (score_session(&a->lesson, a->surface, dots, n, &a->score) != 0) {
        fprintf(stderr, "stipple practice: out of memory scoring\n");
        a->exit_code = 1;
        a->running = 0;
        return;
    }
    a->have_score = 1;
    free(a->flag_list);
    a->flag_list = malloc((n ? n : 1) * sizeof *a->flag_list);
    a->flag_count = 0;
    for (size_t i = 0; i < n && a->flag_list; i++)
        if (a->score.dot_flags[i])
            a->flag_list[a->flag_count++] = i;
    printf("session: %s\n", a->session_path);
    print_score(a, stdout);
    if (a->lat_n)
        printf("latency: pen-to-photon mean %.1f ms, max %.1f ms over %zu dots\n", a->lat_sum / (double)a->lat_n,
               a->lat_max, a->lat_n);
    fflush(stdout);
    if (a->opt->report_json) {
        report_meta m;
        memset(&m, 0, sizeof m);
        m.session_path = a->session_path;
        m.source = a->hdr.source;
        m.duration_us = t_end;
        m.pen_samples = engine_pen_samples(a->eng);
        m.complete = 1;
        char *js = report_json(&a->lesson, dots, &a->score, &m);
        FILE *f = js ? fopen(a->opt->report_json, "w") : NULL;
        if (f) {
            fprintf(f, "%s\n", js);
            fclose(f);
        } else {
            fprintf(stderr, "stipple practice: cannot write %s\n", a->opt->report_json);
        }
        free(js);
    }
    a->scr = SCR_SCORE;
    a->fly = 0;
    a->fly_dot = -1;
    goto_score_view(a);
    a->dirty = 1;
}

static void discard_practice(app *a)
{
    session_writer_abandon(a->writer);
    a->writer = NULL;
    unlink(a->session_path);
    printf("session discarded\n");
}

/* ---- camera (live) -------------------------------------------------------------------- */

static void cam_snap(app *a, int which)
{
    view_state v;
    engine_default_view(&a->lesson, a->surface, &v);
    v.aspect = (float)a->gl.width / (float)a->gl.height;
    if (a->lesson.surface == SURFACE_HEAD) {
        static const float yaw[5] = { 0, 0, 90, -90, 180 };
        static const float pitch[5] = { 8, 89.9f, 10, 10, 10 };
        v.yaw_deg = yaw[which];
        v.pitch_deg = pitch[which];
        if (which == 1)
            v.target_mm[1] += 40.0f;
    } else {
        /* the practice skin faces +z: pitch 0 looks straight at it */
        static const float yaw[5] = { 0, 0, -40, 40, 0 };
        static const float pitch[5] = { 0, 40, 0, 0, -40 };
        v.yaw_deg = yaw[which];
        v.pitch_deg = pitch[which];
    }
    a->cam = v;
    a->cam_dirty = 1;
}

/* Where a window point meets the skin. */
static int pick(const app *a, const view_state *v, int x, int y, surface_hit *h)
{
    double o[3], d[3];
    view_state vv = *v;
    vv.aspect = (float)a->gl.width / (float)a->gl.height;
    view_ray(&vv, (x + 0.5) / a->gl.width, (y + 0.5) / a->gl.height, o, d);
    return surface_raycast(a->surface, o, d, h);
}

static void face_point(const app *a, const double pos[3], const double nrm[3], double field_mm, view_state *v)
{
    *v = *engine_view(a->eng);
    v->aspect = (float)a->gl.width / (float)a->gl.height;
    for (int i = 0; i < 3; i++)
        v->target_mm[i] = (float)pos[i];
    v->yaw_deg = (float)(atan2(nrm[0], nrm[2]) / DEG2RAD);
    double py = asin(nrm[1] < -1 ? -1 : nrm[1] > 1 ? 1 : nrm[1]) / DEG2RAD;
    v->pitch_deg = (float)(py > 89.9 ? 89.9 : py);
    double th = tan(0.5 * (double)v->fov_y_deg * DEG2RAD);
    v->distance_mm = (float)(field_mm / (2.0 * th));
}

static void cam_orbit(view_state *v, double dyaw, double dpitch)
{
    v->yaw_deg = (float)fmod((double)v->yaw_deg + dyaw, 360.0);
    double p = (double)v->pitch_deg + dpitch;
    v->pitch_deg = (float)(p > 89.9 ? 89.9 : p < -60.0 ? -60.0 : p);
}

static void cam_pan(view_state *v, double dx_px, double dy_px, int height)
{
    double eye[3], right[3], up[3], fwd[3];
    view_basis(v, eye, right, up, fwd);
    double mm_per_px = view_field_height_mm(v) / height;
    for (int i = 0; i < 3; i++)
        v->target_mm[i] -= (float)((right[i] * dx_px - up[i] * dy_px) * mm_per_px);
}

static void cam_zoom(view_state *v, double factor)
{
    double d = (double)v->distance_mm * factor;
    v->distance_mm = (float)(d < 8.0 ? 8.0 : d > 3000.0 ? 3000.0 : d);
}

/* ---- score screen camera ------------------------------------------------------------ */

static void goto_score_view(app *a)
{
    a->view_score = *engine_view(a->eng);
    a->view_score.aspect = (float)a->gl.width / (float)a->gl.height;
    /* step back to see the work: the zone at a glance */
    view_state d;
    engine_default_view(&a->lesson, a->surface, &d);
    if (a->lesson.surface == SURFACE_HEAD) {
        d.pitch_deg = 35.0f;
        d.target_mm[1] += 30.0f;
        d.distance_mm *= 0.85f;
        d.target_mm[0] -= 0.0f;
    }
    d.aspect = a->view_score.aspect;
    /* shift left: the panel covers the right of the window */
    double eye[3], right[3], up[3], fwd[3];
    view_basis(&d, eye, right, up, fwd);
    double shift = 0.18 * view_field_height_mm(&d) * d.aspect;
    for (int i = 0; i < 3; i++)
        d.target_mm[i] += (float)(right[i] * shift);
    a->view_score = d;
}

static void fly_to_dot(app *a, size_t i)
{
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    if (i >= n)
        return;
    a->fly_from = a->view_score;
    face_point(a, dots[i].pos_mm, dots[i].normal, 25.0, &a->fly_to);
    /* keep the dot left of the panel */
    double eye[3], right[3], up[3], fwd[3];
    view_basis(&a->fly_to, eye, right, up, fwd);
    double shift = 0.18 * view_field_height_mm(&a->fly_to) * a->fly_to.aspect;
    for (int k = 0; k < 3; k++)
        a->fly_to.target_mm[k] += (float)(right[k] * shift);
    a->fly = 1;
    a->fly_t0 = app_now_s();
    a->fly_dot = (long)i;
    a->dirty = 1;
}

static void fly_step(app *a)
{
    if (!a->fly)
        return;
    double t = (app_now_s() - a->fly_t0) / 0.7;
    if (t >= 1.0) {
        t = 1.0;
        a->fly = 0;
    }
    double s = t * t * (3.0 - 2.0 * t);
    view_state *v = &a->view_score;
    const view_state *f = &a->fly_from, *g = &a->fly_to;
    for (int i = 0; i < 3; i++)
        v->target_mm[i] = (float)((double)f->target_mm[i] + s * ((double)g->target_mm[i] - (double)f->target_mm[i]));
    double dy = fmod((double)g->yaw_deg - (double)f->yaw_deg + 540.0, 360.0) - 180.0;
    v->yaw_deg = (float)((double)f->yaw_deg + s * dy);
    v->pitch_deg = (float)((double)f->pitch_deg + s * ((double)g->pitch_deg - (double)f->pitch_deg));
    /* distance: geometric, so zooming feels even */
    v->distance_mm = (float)exp(log((double)f->distance_mm) + s * (log((double)g->distance_mm) - log((double)f->distance_mm)));
    a->dirty = 1;
}

/* ---- advancing the session ------------------------------------------------------------ */

/* The earliest pending stop (screenshot or exit time) after the current time. */
static int64_t next_stop(const app *a)
{
    int64_t t = INT64_MAX;
    for (int i = 0; i < a->opt->shot_count; i++)
        if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_AT && a->shots[i].t_us < t)
            t = a->shots[i].t_us;
    if (a->opt->exit_after == 1 && a->opt->exit_after_us < t)
        t = a->opt->exit_after_us;
    if (a->src && a->src_end_us < t)
        t = a->src_end_us;
    return t;
}

static void emit_mouse(app *a, double wall)
{
    if (a->cam_dirty) {
        session_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = SEV_VIEW;
        ev.t_us = a->now_us;
        ev.u.view = a->cam;
        feed(a, &ev, 0.0);
        a->cam_dirty = 0;
    }
    if (a->pen_dirty || a->pen_down) {
        session_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = SEV_PEN;
        ev.t_us = a->now_us;
        pen_sample *p = &ev.u.pen;
        p->t_us = a->now_us;
        p->x = (int32_t)((a->mx + 0.5) / a->gl.width * (a->mouse_desc.x.max + 1));
        p->y = (int32_t)((a->my + 0.5) / a->gl.height * (a->mouse_desc.y.max + 1));
        p->pressure = a->pen_down ? (int32_t)lround(a->pressure * a->mouse_desc.pressure.max) : 0;
        p->flags = (a->mouse_in ? PEN_IN_PROXIMITY : 0u) | (a->pen_down ? PEN_TOUCH : 0u);
        feed(a, &ev, wall);
        a->pen_dirty = 0;
    }
}

/* The live pen: everything the input thread read since the last frame, in order; side-button
 * motion moves the camera (the samples themselves then carry no touch). */
static void emit_tablet(app *a)
{
    session_event buf[512];
    int64_t kus[512];
    live_input_camera cam;
    memset(&cam, 0, sizeof cam);
    double aspect = (double)a->gl.width / (double)a->gl.height;
    for (;;) {
        size_t n = live_input_pump(a->li, a->last_written_us, aspect, buf, kus, 512, &cam);
        for (size_t i = 0; i < n; i++)
            if (feed(a, &buf[i], (double)kus[i] * 1e-6) < 0) {
                a->running = 0;
                a->exit_code = 1;
                return;
            }
        if (n < 512)
            break;
    }
    /* events the thread read after this frame's clock was taken: the clock follows them, so
     * what the app emits next (keys, views) never goes back in time */
    if (a->last_written_us > a->now_us)
        a->now_us = a->last_written_us;
    if (cam.orbit_dx != 0.0 || cam.orbit_dy != 0.0 || cam.pan_dx != 0.0 || cam.pan_dy != 0.0) {
        if (!a->cam_dirty)
            a->cam = *engine_view(a->eng);
        /* the same gain as a mouse drag: 0.3 degrees a pixel */
        cam_orbit(&a->cam, -0.3 * cam.orbit_dx * a->gl.width, 0.3 * cam.orbit_dy * a->gl.height);
        cam_pan(&a->cam, cam.pan_dx * a->gl.width, cam.pan_dy * a->gl.height, a->gl.height);
        a->cam_dirty = 1;
    }
    if (a->cam_dirty) {
        session_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = SEV_VIEW;
        ev.t_us = a->now_us;
        ev.u.view = a->cam;
        feed(a, &ev, 0.0);
        a->cam_dirty = 0;
    }
}

/* Devices coming and going: our unplugged pen coming back resumes the lesson; a new pen is
 * announced (it is used from the next lesson: a session keeps one device). */
static void poll_hotplug(app *a)
{
    hotplug_event hev[16];
    size_t n = input_hotplug_poll(a->hotplug, hev, 16);
    for (size_t i = 0; i < n; i++) {
        if (a->li && a->scr == SCR_PRACTICE) {
            int r = live_input_hotplug(a->li, &hev[i]);
            if (r == 1) {
                snprintf(a->pen_note, sizeof a->pen_note, "Pen back: %s", live_input_source(a->li)->name);
                a->pen_note_t = app_now_s();
                a->dirty = 1;
            }
            if (r != 0 || live_input_unplugged(a->li))
                continue;
        }
        device_caps caps;
        if (hev[i].kind == HOTPLUG_ADDED && !a->opt->input_file && live_input_is_pen(hev[i].devnode, &caps)) {
            snprintf(a->pen_note, sizeof a->pen_note, "%s connected: %s", caps.desc.name,
                     a->scr == SCR_PRACTICE ? "used from the next lesson" : "it will be used");
            a->pen_note_t = app_now_s();
            a->dirty = 1;
            printf("hot-plug: %s (%s)\n", caps.desc.name, hev[i].devnode);
        }
    }
}

static void emit_action(app *a, int kind, int32_t value, const needle *nd)
{
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.t_us = a->now_us;
    if (nd)
        ev.u.needle = *nd;
    else
        ev.u.value = value;
    feed(a, &ev, 0.0);
}

static void advance(app *a)
{
    double wall = app_now_s();
    int64_t stop = next_stop(a);
    if (a->src && a->opt->fast) {
        /* as fast as possible, in slices that keep the window alive */
        session_event buf[512];
        int64_t reached = a->now_us;
        int more = 1;
        while (more) {
            input_status st = INPUT_OK;
            size_t n = a->src->poll(a->src, stop, buf, 512, &st);
            for (size_t i = 0; i < n; i++) {
                if (feed(a, &buf[i], 0.0) < 0) {
                    a->running = 0;
                    a->exit_code = 1;
                    return;
                }
                reached = buf[i].t_us;
            }
            if (st == INPUT_END) {
                a->src_done = 1;
                if (a->src_end_us == INT64_MAX)
                    a->src_end_us = reached;
            }
            if (n < 512 || st != INPUT_OK) {
                /* nothing more before the stop */
                reached = stop == INT64_MAX ? reached : stop;
                more = 0;
            } else if (app_now_s() - wall > 0.03) {
                more = 0;
            }
        }
        if (reached > a->now_us)
            a->now_us = reached;
    } else {
        int64_t t = (int64_t)((wall - a->wall0) * 1e6);
        if (t > stop)
            t = stop;
        if (t > a->now_us)
            a->now_us = t;
        if (a->src) {
            session_event buf[512];
            for (;;) {
                input_status st = INPUT_OK;
                size_t n = a->src->poll(a->src, a->now_us, buf, 512, &st);
                for (size_t i = 0; i < n; i++)
                    if (feed(a, &buf[i], a->wall0 + (double)buf[i].t_us * 1e-6) < 0) {
                        a->running = 0;
                        a->exit_code = 1;
                        return;
                    }
                if (st == INPUT_END) {
                    a->src_done = 1;
                    if (a->src_end_us == INT64_MAX)
                        a->src_end_us = a->now_us;
                }
                if (n < 512 || st != INPUT_OK)
                    break;
            }
        } else if (a->li) {
            emit_tablet(a);
        } else {
            emit_mouse(a, wall);
        }
    }
    if (a->hap && a->eng) {
        size_t nd;
        const dot *dd = engine_dots(a->eng, &nd);
        double depth = 0.0;
        int in = engine_contact_depth(a->eng, &depth);
        if (engine_paused(a->eng))
            haptics_silence(a->hap);
        else
            haptics_frame(a->hap, engine_machine_on(a->eng), in, depth, nd, nd ? dd[nd - 1].depth_mm : 0.0);
    }
    if (a->writer)
        session_writer_tick(a->writer, a->now_us);
    int64_t sec = a->now_us / 1000000;
    if (sec != a->last_clock_s) {
        a->last_clock_s = sec;
        a->dirty = 1;
    }
}

/* ---- drawing ------------------------------------------------------------------------ */

static const hud_rgba C_TEXT = { 235, 235, 235, 255 }, C_DIM = { 170, 175, 180, 255 }, C_PANEL = { 12, 14, 18, 200 },
                      C_GOOD = { 90, 210, 120, 255 }, C_BAD = { 240, 90, 80, 255 }, C_WARN = { 240, 190, 70, 255 },
                      C_ACCENT = { 120, 200, 255, 255 };

static void pen_cursor(app *a, const view_state *v)
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
        add_marker(a, h.pos_mm, h.normal, 255, 70, 60, 255, 9.0f);
    else
        add_marker(a, h.pos_mm, h.normal, 255, 255, 255, 200, 9.0f);
}

static void live_flags(app *a, const dot *dots, size_t n)
{
    double close = 0.5 * a->lesson.target_spacing_mm, deep = a->lesson.depth_acceptable_mm[1];
    size_t count = 0;
    for (size_t i = 0; i < n && count < MAX_MARKERS; i++) {
        int too_deep = dots[i].depth_mm > deep || (dots[i].flags & DOT_BLOWOUT);
        int too_close = live_nn_mm(a->live, i) < close;
        if (too_deep) {
            add_marker(a, dots[i].pos_mm, dots[i].normal, 90, 150, 255, 255, 6.0f);
            count++;
        } else if (too_close) {
            add_marker(a, dots[i].pos_mm, dots[i].normal, 255, 150, 40, 255, 6.0f);
            count++;
        }
    }
}

static void depth_gauge(app *a, float x, float y, float w)
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
        scar = scalp_depth_bands(l, render_scalp_features(a->ren), at[0], at[1], &band, &acc);
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

static void draw_practice_hud(app *a, const view_state *v)
{
    hud *h = a->hud;
    const lesson *l = &a->lesson;
    float W = (float)a->gl.width, H = (float)a->gl.height;
    size_t n;
    engine_dots(a->eng, &n);
    float x = 14.0f, y = 12.0f, lh = hud_line_height(h, HUD_NORMAL);
    hud_rect(h, 0, 0, W, 66.0f, C_PANEL);
    hud_text(h, HUD_NORMAL, x, y, C_TEXT, l->title);
    const char *nd = needle_config_name(l->needle.config);
    hud_textf(h, HUD_SMALL, x, y + lh + 2.0f, C_DIM,
              "Goal: %.0f dots/cm\xC2\xB2 (spacing %.2f mm), depth %.2f\xE2\x80\x93%.2f mm, shade %d, %s %.2f mm%s",
              l->target_density_per_cm2, l->target_spacing_mm, l->depth_band_mm[0], l->depth_band_mm[1], l->target_shade,
              nd, (double)l->needle.diameter_mm,
              l->has_hairline ? "; follow the red design line" : l->scar_count ? "; blend the scars (pale)" : l->has_hair ? "; fill between the hairs" : "");
    char clock[32];
    fmt_clock(a->now_us, clock, sizeof clock);
    float cw = hud_text_width(h, HUD_LARGE, clock);
    hud_text(h, HUD_LARGE, W - cw - 16.0f, 14.0f, C_TEXT, clock);
    if (a->opt->exam)
        hud_text(h, HUD_SMALL, W - cw - 110.0f, 24.0f, C_WARN, "EXAM");

    /* left panel: the machine and the pen */
    float px = 12.0f, py = 80.0f, pw = 290.0f;
    float ph = a->opt->exam ? 120.0f : 228.0f;
    hud_rect(h, px - 4.0f, py - 6.0f, pw, ph, C_PANEL);
    int on = engine_machine_on(a->eng);
    hud_text(h, HUD_LARGE, px + 4.0f, py, on ? C_GOOD : C_BAD, on ? "Machine ON" : "Machine OFF");
    hud_text(h, HUD_SMALL, px + 200.0f, py + 10.0f, C_DIM, a->src ? "" : "(M)");
    py += 38.0f;
    const needle *ne = engine_needle(a->eng);
    hud_textf(h, HUD_NORMAL, px + 4.0f, py, C_TEXT, "Needle %s %.2f mm   Shade %d", needle_config_name(ne->config),
              (double)ne->diameter_mm, engine_shade(a->eng));
    py += lh + 2.0f;
    hud_textf(h, HUD_NORMAL, px + 4.0f, py, C_TEXT, "Dots %zu", n);
    py += lh + 6.0f;
    if (!a->opt->exam) {
        depth_gauge(a, px + 4.0f, py, pw - 24.0f);
        py += 42.0f;
        if (!a->src) {
            hud_text(h, HUD_SMALL, px + 4.0f, py, C_DIM, "Pressure ([ ], wheel while pressing)");
            py += 16.0f;
            hud_rect(h, px + 4.0f, py, pw - 24.0f, 8.0f, (hud_rgba){ 60, 60, 60, 230 });
            hud_rect(h, px + 4.0f, py, (pw - 24.0f) * (float)a->pressure, 8.0f, C_ACCENT);
            py += 16.0f;
        }
        /* density around the centre of the view */
        surface_hit hit;
        if (pick(a, v, a->gl.width / 2, a->gl.height / 2, &hit)) {
            double field = view_field_height_mm(v);
            double r = fmin(fmax(0.25 * field, 3.0), 20.0);
            double dens = live_density_at(a->live, hit.chart_mm[0], hit.chart_mm[1], r);
            hud_textf(h, HUD_NORMAL, px + 4.0f, py, C_TEXT, "Density here %.0f/cm\xC2\xB2 (target %.0f)", dens,
                      l->target_density_per_cm2);
        }
        py += lh + 2.0f;
        const char *ov = a->overlay_mode == LIVE_OVERLAY_SPACING ? "spacing" : a->overlay_mode == LIVE_OVERLAY_DENSITY ? "density" : "off";
        hud_textf(h, HUD_SMALL, px + 4.0f, py, C_DIM, "Overlay %s (G/D)   Flags %s (X)", ov,
                  a->flags_on ? "on" : "off");
    }
    if (a->healed) {
        const char *t = "Healed view: day 30 (H)";
        hud_text(h, HUD_LARGE, (W - hud_text_width(h, HUD_LARGE, t)) * 0.5f, 76.0f, C_WARN, t);
    }
    /* bottom line: keys */
    hud_rect(h, 0, H - 24.0f, W, 24.0f, C_PANEL);
    hud_text(h, HUD_SMALL, 12.0f, H - 20.0f, C_DIM,
             a->src ? "Playing a recording.  F/Enter finish   H healed view   G/D overlays   X flags   F3 debug   Esc quit"
                    : "Left button: needle   right-drag orbit   shift/middle-drag pan   wheel zoom   1-5 views   W work here   "
                      "M machine   N needle   , . shade   F/Enter finish   H healed   Esc quit");
    if (a->debug) {
        float dx = W - 330.0f, dy = 80.0f;
        hud_rect(h, dx - 6.0f, dy - 4.0f, 320.0f, 112.0f, C_PANEL);
        hud_textf(h, HUD_SMALL, dx, dy, C_TEXT, "%.1f fps, frame %.1f ms", a->fps, a->frame_ms);
        hud_textf(h, HUD_SMALL, dx, dy + 16, C_TEXT, "pen-to-photon last %.1f ms, mean %.1f, max %.1f", a->lat_last,
                  a->lat_n ? a->lat_sum / (double)a->lat_n : 0.0, a->lat_max);
        hud_textf(h, HUD_SMALL, dx, dy + 32, C_TEXT, "crisp dots drawn %zu; texel %.3f mm", render_crisp_count(a->ren),
                  render_texel_mm(a->ren));
        hud_textf(h, HUD_SMALL, dx, dy + 48, C_TEXT, "field %.1f mm, yaw %.0f pitch %.0f", view_field_height_mm(v),
                  (double)v->yaw_deg, (double)v->pitch_deg);
        hud_textf(h, HUD_SMALL, dx, dy + 64, C_TEXT, "pen samples %zu, dropped %zu", engine_pen_samples(a->eng),
                  engine_dropped_count(a->eng));
        hud_textf(h, HUD_SMALL, dx, dy + 80, C_TEXT, "session %.60s", a->session_path);
    }
    if (a->li && live_input_unplugged(a->li)) {
        float bw = 560.0f, bh = 110.0f, bx = (W - bw) * 0.5f, by = (H - bh) * 0.5f;
        hud_rect(h, bx, by, bw, bh, (hud_rgba){ 40, 20, 20, 235 });
        hud_text(h, HUD_LARGE, bx + 20.0f, by + 16.0f, C_WARN, "Pen unplugged: lesson paused");
        hud_text(h, HUD_NORMAL, bx + 20.0f, by + 60.0f, C_DIM, "Plug it back in to carry on. Nothing is lost.");
    }
    if (a->pen_note[0] && app_now_s() - a->pen_note_t < 4.0) {
        hud_rect(h, 12.0f, H - 56.0f, hud_text_width(h, HUD_NORMAL, a->pen_note) + 20.0f, 26.0f, C_PANEL);
        hud_text(h, HUD_NORMAL, 22.0f, H - 52.0f, C_ACCENT, a->pen_note);
    }
    if (a->confirm_quit) {
        float bw = 520.0f, bh = 110.0f, bx = (W - bw) * 0.5f, by = (H - bh) * 0.5f;
        hud_rect(h, bx, by, bw, bh, (hud_rgba){ 20, 20, 26, 240 });
        hud_text(h, HUD_LARGE, bx + 20.0f, by + 16.0f, C_TEXT, "Quit and discard this session?");
        hud_text(h, HUD_NORMAL, bx + 20.0f, by + 60.0f, C_DIM, "Y discard   N keep working   F finish and save");
    }
}

static void metric_words(const app *a, int m, char *buf, size_t n)
{
    const score_result *s = &a->score;
    switch (m) {
    case METRIC_SPACING:
        snprintf(buf, n, "density %.1f/cm\xC2\xB2 (expected %.1f); spacing %.2f \xC2\xB1 %.2f mm (target %.2f); %s pattern (R %.2f); "
                 "largest gap %.1f spacings; %.1f%% too close",
                 s->spacing.density_per_cm2, s->spacing.expected_density_per_cm2, s->spacing.nn_mean_mm, s->spacing.nn_sd_mm,
                 s->spacing.target_spacing_mm, spacing_pattern_name(s->spacing.pattern), s->spacing.clark_evans_r,
                 s->spacing.largest_gap_spacings, 100.0 * s->spacing.too_close_fraction);
        break;
    case METRIC_DEPTH:
        snprintf(buf, n, "%.0f%% in the ideal band %.2f\xE2\x80\x93%.2f mm; mean %.2f \xC2\xB1 %.2f mm; %zu shed, %zu blown out",
                 100.0 * s->depth.in_band_fraction, a->lesson.depth_band_mm[0], a->lesson.depth_band_mm[1], s->depth.mean_mm,
                 s->depth.sd_mm, s->depth.shed_count, s->depth.blowout_count);
        break;
    case METRIC_PIGMENT:
        snprintf(buf, n, "\xCE\x94" "E00 %.1f mean (max %.1f) from the target; shade %d %s", s->pigment.delta_e00_mean,
                 s->pigment.delta_e00_max, s->pigment.shade_used, s->pigment.shade_suitable ? "suits this session" : "does not suit this session");
        break;
    case METRIC_HAIRLINE:
        snprintf(buf, n, "%zu dots in front of the line; front density ratio %.2f (asked %.2f); softness %.2f",
                 s->hairline.in_front_count, s->hairline.front_band_density_ratio, s->hairline.target_density_ratio,
                 s->hairline.softness);
        break;
    default:
        snprintf(buf, n, "dot size %.2f mm (CV %.2f); %zu dragged; %zu size outliers", s->quality.diameter_mean_mm,
                 s->quality.diameter_cv, s->quality.dragged_count, s->quality.size_outlier_count);
        break;
    }
}

/* Wraps text into the width; returns the height used. */
static float wrapped(hud *h, hud_font f, float x, float y, float w, hud_rgba c, const char *s)
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
        hud_text(h, f, x, y, c, line);
        y += lh;
        p += best;
        while (*p == ' ')
            p++;
    }
    return y - y0;
}

static void draw_score_hud(app *a)
{
    hud *h = a->hud;
    const score_result *s = &a->score;
    float W = (float)a->gl.width, H = (float)a->gl.height;
    float pw = 470.0f, px = W - pw, x = px + 18.0f, y = 14.0f, tw = pw - 36.0f;
    hud_rect(h, px, 0, pw, H, (hud_rgba){ 14, 16, 20, 228 });
    hud_text(h, HUD_NORMAL, x, y, C_DIM, a->lesson.title);
    y += 24.0f;
    hud_textf(h, HUD_LARGE, x, y, s->passed ? C_GOOD : C_BAD, "%.1f / 100  %s", s->total, s->passed ? "PASS" : "FAIL");
    y += 34.0f;
    hud_textf(h, HUD_SMALL, x, y, C_DIM, "pass mark %.0f; %zu dots; %s", a->lesson.pass_total, s->dot_count,
              a->opt->exam ? "exam" : "practice");
    y += 22.0f;
    char words[512];
    for (int m = 0; m < METRIC_COUNT; m++) {
        if (!s->metric_applies[m])
            continue;
        hud_textf(h, HUD_NORMAL, x, y, C_TEXT, "%s", metric_name(m));
        hud_textf(h, HUD_NORMAL, x + 110.0f, y, s->metric_passed[m] ? C_GOOD : C_BAD, "%5.1f  %s", s->metric_score[m],
                  s->metric_passed[m] ? "pass" : "FAIL");
        hud_textf(h, HUD_SMALL, x + 250.0f, y + 2.0f, C_DIM, "(pass %.0f)", a->lesson.pass[m]);
        y += hud_line_height(h, HUD_NORMAL);
        metric_words(a, m, words, sizeof words);
        y += wrapped(h, HUD_SMALL, x + 10.0f, y, tw - 10.0f, C_DIM, words) + 6.0f;
    }
    y += 4.0f;
    hud_textf(h, HUD_NORMAL, x, y, C_TEXT, "Flagged dots: %zu%s", a->flag_count, a->flag_count ? " (click one to look)" : "");
    y += hud_line_height(h, HUD_NORMAL) + 2.0f;
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    a->flag_rows_y0 = (int)y;
    a->flag_row_h = 17;
    int rows = (int)((H - 70.0f - y) / (float)a->flag_row_h);
    if (rows < 0)
        rows = 0;
    if ((size_t)rows > a->flag_count)
        rows = (int)a->flag_count;
    a->flag_rows = rows;
    for (int r = 0; r < rows; r++) {
        size_t i = a->flag_list[r];
        char reason[256];
        score_dot_reason(s, &a->lesson, dots, i, reason, sizeof reason);
        char line[320];
        snprintf(line, sizeof line, "#%zu %s", i + 1, reason);
        size_t len = strlen(line);
        while (len > 4 && hud_text_width(h, HUD_SMALL, line) > tw) {
            line[len - 4] = 0;
            strcat(line, "...");
            len = strlen(line) - 1;
        }
        int sel = a->fly_dot == (long)i;
        if (sel)
            hud_rect(h, x - 4.0f, y - 1.0f, tw + 8.0f, (float)a->flag_row_h, (hud_rgba){ 60, 70, 90, 230 });
        hud_text(h, HUD_SMALL, x, y, sel ? C_TEXT : C_WARN, line);
        y += (float)a->flag_row_h;
    }
    hud_textf(h, HUD_SMALL, x, H - 62.0f, C_ACCENT, "Session saved: %s", a->session_path);
    hud_text(h, HUD_SMALL, x, H - 44.0f, C_DIM, "Same numbers as: stipple grade SESSION --json");
    hud_text(h, HUD_SMALL, x, H - 26.0f, C_DIM, "Enter lessons   H healed view   Esc quit");
    if (a->healed)
        hud_text(h, HUD_LARGE, 20.0f, 16.0f, C_WARN, "Healed view: day 30 (H)");
}

static void draw_picker(app *a)
{
    hud *h = a->hud;
    float W = (float)a->gl.width, H = (float)a->gl.height;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, a->gl.width, a->gl.height);
    glClearColor(0.09f, 0.10f, 0.12f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    hud_begin(h, a->gl.width, a->gl.height);
    hud_text(h, HUD_LARGE, 60.0f, 50.0f, C_TEXT, "Stipple: choose a lesson");
    hud_text(h, HUD_NORMAL, 60.0f, 90.0f, C_DIM, "Up/Down and Enter, or click.  Esc quits.");
    float y = 140.0f;
    if (!a->nlessons)
        hud_textf(h, HUD_NORMAL, 60.0f, y, C_BAD, "No lessons found in %s", a->opt->lessons_dir ? a->opt->lessons_dir : "(none)");
    for (size_t i = 0; i < a->nlessons; i++) {
        const lesson_entry *e = &a->lessons[i];
        if ((int)i == a->sel)
            hud_rect(h, 50.0f, y - 6.0f, W - 100.0f, 48.0f, (hud_rgba){ 45, 60, 85, 255 });
        hud_text(h, HUD_NORMAL, 64.0f, y, C_TEXT, e->title);
        hud_textf(h, HUD_SMALL, 64.0f, y + 21.0f, C_DIM, "%s  (%s)", e->id, e->head ? "head" : "practice skin");
        y += 56.0f;
        if (y > H - 40.0f)
            break;
    }
    hud_end(h);
}

static void take_shot(app *a, app_shot *s)
{
    size_t n = (size_t)a->gl.width * (size_t)a->gl.height * 3;
    uint8_t *px = malloc(n);
    if (!px)
        return;
    gl_read_back_rgb(a->gl.width, a->gl.height, px);
    char err[256];
    if (png_write_rgb(s->path, px, a->gl.width, a->gl.height, err, sizeof err) != 0)
        fprintf(stderr, "stipple practice: %s\n", err);
    else
        printf("screenshot: %s\n", s->path);
    free(px);
    s->done = 1;
}

static void draw_scene(app *a)
{
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    render_sync_dots(a->ren, dots, n, a->healed);
    live_sync(a->live, dots, n);
    a->nmarkers = 0;
    const view_state *v;
    view_state vv;
    if (a->scr == SCR_SCORE) {
        fly_step(a);
        vv = a->view_score;
        v = &vv;
        /* flagged dots */
        for (size_t k = 0; k < a->flag_count && a->nmarkers < MAX_MARKERS; k++) {
            size_t i = a->flag_list[k];
            uint32_t f = a->score.dot_flags[i];
            uint8_t r = 255, g = 255, b = 255;
            if (f & (SF_BLOWOUT | SF_SHED | SF_OUT_OF_BAND)) {
                r = 90; g = 150; b = 255;
            } else if (f & SF_TOO_CLOSE) {
                r = 255; g = 150; b = 40;
            } else if (f & (SF_OUTSIDE_ZONE | SF_IN_FRONT | SF_OFF_SCALP)) {
                r = 255; g = 60; b = 200;
            } else if (f & SF_WRONG_COLOUR) {
                r = 250; g = 230; b = 60;
            }
            add_marker(a, dots[i].pos_mm, dots[i].normal, r, g, b, 255, (long)i == a->fly_dot ? 14.0f : 6.0f);
        }
    } else {
        vv = *engine_view(a->eng);
        v = &vv;
        if (!a->opt->exam && a->flags_on)
            live_flags(a, dots, n);
        pen_cursor(a, v);
    }
    int ov = !a->opt->exam && a->overlay_mode != LIVE_OVERLAY_NONE && a->scr == SCR_PRACTICE;
    if (ov && (n != a->overlay_n || a->overlay_shown != a->overlay_mode) &&
        (app_now_s() - a->overlay_t > 0.25 || a->overlay_shown != a->overlay_mode || a->opt->shot_count)) {
        int w, h;
        double u0, v0, cell;
        const uint8_t *img = live_overlay_image(a->live, a->overlay_mode, dots, &w, &h, &u0, &v0, &cell);
        if (img)
            render_set_overlay(a->ren, img, w, h, u0, v0, cell);
        a->overlay_n = n;
        a->overlay_shown = a->overlay_mode;
        a->overlay_t = app_now_s();
    }
    render_frame f;
    memset(&f, 0, sizeof f);
    f.view = v;
    f.width = a->gl.width;
    f.height = a->gl.height;
    f.guides = 1;
    f.overlay = ov;
    f.crisp = 1;
    /* a replay's own clock while it plays, so its screenshots do not depend on the speed */
    f.time_us = a->src && !a->src_done ? a->now_us : (int64_t)(app_now_s() * 1e6);
    f.settle = a->settle_render;
    f.markers = a->markers;
    f.marker_count = a->nmarkers;
    f.background[0] = 28;
    f.background[1] = 31;
    f.background[2] = 36;
    render_draw(a->ren, &f);
    hud_begin(a->hud, a->gl.width, a->gl.height);
    if (a->scr == SCR_SCORE)
        draw_score_hud(a);
    else
        draw_practice_hud(a, v);
    hud_end(a->hud);
}

/* ---- events --------------------------------------------------------------------------- */

static void request_finish(app *a)
{
    int64_t t = a->now_us;
    finish_practice(a, t);
}

static void on_key_practice(app *a, SDL_Keysym k)
{
    int live_in = a->src == NULL;
    if (a->confirm_quit) {
        if (k.sym == SDLK_y) {
            discard_practice(a);
            a->running = 0;
        } else if (k.sym == SDLK_n || k.sym == SDLK_ESCAPE) {
            a->confirm_quit = 0;
        } else if (k.sym == SDLK_f) {
            a->confirm_quit = 0;
            request_finish(a);
        }
        a->dirty = 1;
        return;
    }
    a->dirty = 1;
    switch (k.sym) {
    case SDLK_ESCAPE:
        a->confirm_quit = 1;
        return;
    case SDLK_f:
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        request_finish(a);
        return;
    case SDLK_h:
        a->healed = !a->healed;
        return;
    case SDLK_F3:
        a->debug = !a->debug;
        return;
    case SDLK_g:
        a->overlay_mode = a->overlay_mode == LIVE_OVERLAY_SPACING ? LIVE_OVERLAY_NONE : LIVE_OVERLAY_SPACING;
        return;
    case SDLK_d:
        a->overlay_mode = a->overlay_mode == LIVE_OVERLAY_DENSITY ? LIVE_OVERLAY_NONE : LIVE_OVERLAY_DENSITY;
        return;
    case SDLK_x:
        a->flags_on = !a->flags_on;
        return;
    default:
        break;
    }
    if (!live_in)
        return;
    switch (k.sym) {
    case SDLK_m:
        emit_action(a, SEV_MACHINE, !engine_machine_on(a->eng), NULL);
        break;
    case SDLK_n: {
        needle nd = *engine_needle(a->eng);
        nd.config = nd.config == NEEDLE_1RL ? NEEDLE_3RL : NEEDLE_1RL;
        emit_action(a, SEV_NEEDLE, 0, &nd);
        break;
    }
    case SDLK_COMMA:
    case SDLK_PERIOD: {
        int s = engine_shade(a->eng) + (k.sym == SDLK_PERIOD ? 1 : -1);
        emit_action(a, SEV_SHADE, s < 0 ? 0 : s > 30 ? 30 : s, NULL);
        break;
    }
    case SDLK_LEFTBRACKET:
    case SDLK_RIGHTBRACKET:
        a->pressure = fmin(1.0, fmax(0.0, a->pressure + (k.sym == SDLK_RIGHTBRACKET ? 0.02 : -0.02)));
        a->pen_dirty = a->pen_down;
        break;
    case SDLK_1: case SDLK_2: case SDLK_3: case SDLK_4: case SDLK_5:
        cam_snap(a, (int)(k.sym - SDLK_1));
        break;
    case SDLK_LEFT: case SDLK_RIGHT:
        a->cam = *engine_view(a->eng);
        cam_orbit(&a->cam, k.sym == SDLK_LEFT ? -5.0 : 5.0, 0.0);
        a->cam_dirty = 1;
        break;
    case SDLK_UP: case SDLK_DOWN:
        a->cam = *engine_view(a->eng);
        cam_orbit(&a->cam, 0.0, k.sym == SDLK_UP ? 5.0 : -5.0);
        a->cam_dirty = 1;
        break;
    case SDLK_EQUALS: case SDLK_PLUS: case SDLK_KP_PLUS: case SDLK_MINUS: case SDLK_KP_MINUS:
        a->cam = *engine_view(a->eng);
        cam_zoom(&a->cam, (k.sym == SDLK_MINUS || k.sym == SDLK_KP_MINUS) ? 1.25 : 0.8);
        a->cam_dirty = 1;
        break;
    case SDLK_w: {
        surface_hit hit;
        if (pick(a, engine_view(a->eng), a->mx, a->my, &hit)) {
            face_point(a, hit.pos_mm, hit.normal, 30.0, &a->cam);
            a->cam_dirty = 1;
        }
        break;
    }
    default:
        break;
    }
}

static void on_event_practice(app *a, const SDL_Event *e)
{
    int live_in = a->src == NULL && !a->confirm_quit;
    switch (e->type) {
    case SDL_KEYDOWN:
        on_key_practice(a, e->key.keysym);
        break;
    case SDL_MOUSEMOTION:
        a->mx = e->motion.x;
        a->my = e->motion.y;
        a->mouse_in = 1;
        if (!live_in)
            break;
        a->pen_dirty = 1;
        if (a->rdrag || a->mdrag) {
            a->cam = *engine_view(a->eng);
            int pan = a->mdrag || (SDL_GetModState() & KMOD_SHIFT);
            if (pan)
                cam_pan(&a->cam, e->motion.xrel, e->motion.yrel, a->gl.height);
            else
                cam_orbit(&a->cam, -0.3 * e->motion.xrel, 0.3 * e->motion.yrel);
            a->cam_dirty = 1;
            a->drag_moved = 1;
        }
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (!live_in)
            break;
        if (e->button.button == SDL_BUTTON_LEFT) {
            a->pen_down = 1;
            a->pen_dirty = 1;
        } else if (e->button.button == SDL_BUTTON_RIGHT) {
            a->rdrag = 1;
        } else if (e->button.button == SDL_BUTTON_MIDDLE) {
            a->mdrag = 1;
            a->drag_moved = 0;
        }
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.button == SDL_BUTTON_LEFT) {
            a->pen_down = 0;
            a->pen_dirty = 1;
        } else if (e->button.button == SDL_BUTTON_RIGHT) {
            a->rdrag = 0;
        } else if (e->button.button == SDL_BUTTON_MIDDLE) {
            a->mdrag = 0;
            surface_hit hit;
            if (live_in && !a->drag_moved && pick(a, engine_view(a->eng), e->button.x, e->button.y, &hit)) {
                a->cam = *engine_view(a->eng);
                for (int i = 0; i < 3; i++)
                    a->cam.target_mm[i] = (float)hit.pos_mm[i];
                a->cam_dirty = 1;
            }
        }
        break;
    case SDL_MOUSEWHEEL:
        if (!live_in)
            break;
        if (a->pen_down) {
            a->pressure = fmin(1.0, fmax(0.0, a->pressure + 0.02 * e->wheel.y));
            a->pen_dirty = 1;
        } else {
            a->cam = *engine_view(a->eng);
            cam_zoom(&a->cam, pow(0.85, e->wheel.y));
            a->cam_dirty = 1;
        }
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_MOVED && a->li && !a->opt->tablet_area &&
            live_input_map(a->li)->device.device_class == DEVICE_CLASS_PEN_DISPLAY) {
            /* a pen display stays 1:1: the area follows the window */
            tablet_area ar;
            if (pen_display_area(a, &live_input_map(a->li)->device, &ar) == 0)
                tablet_map_set_area(live_input_map(a->li), &ar);
        }
        if (e->window.event == SDL_WINDOWEVENT_LEAVE) {
            a->mouse_in = 0;
            a->pen_down = 0;
            a->pen_dirty = 1;
        }
        break;
    default:
        break;
    }
    a->dirty = 1;
}

static void on_event_score(app *a, const SDL_Event *e)
{
    a->dirty = 1;
    if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        if (k == SDLK_ESCAPE || k == SDLK_q) {
            a->running = 0;
        } else if (k == SDLK_h) {
            a->healed = !a->healed;
        } else if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
            if (a->nlessons && !a->opt->input_file) {
                stop_practice(a);
                a->scr = SCR_PICKER;
            } else {
                a->running = 0;
            }
        } else if (k == SDLK_F3) {
            a->debug = !a->debug;
        }
    } else if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        int x = e->button.x, y = e->button.y;
        if (x > a->gl.width - 470) {
            int row = (y - a->flag_rows_y0) / (a->flag_row_h ? a->flag_row_h : 1);
            if (y >= a->flag_rows_y0 && row >= 0 && row < a->flag_rows)
                fly_to_dot(a, a->flag_list[row]);
            return;
        }
        /* a click on the head: the nearest flagged dot within 4 mm */
        surface_hit hit;
        if (!pick(a, &a->view_score, x, y, &hit))
            return;
        size_t n;
        const dot *dots = engine_dots(a->eng, &n);
        double best = 16.0;
        long bi = -1;
        for (size_t k = 0; k < a->flag_count; k++) {
            const dot *d = &dots[a->flag_list[k]];
            double dx = d->pos_mm[0] - hit.pos_mm[0], dy = d->pos_mm[1] - hit.pos_mm[1], dz = d->pos_mm[2] - hit.pos_mm[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 < best) {
                best = d2;
                bi = (long)a->flag_list[k];
            }
        }
        if (bi >= 0)
            fly_to_dot(a, (size_t)bi);
    } else if (e->type == SDL_MOUSEWHEEL) {
        cam_zoom(&a->view_score, pow(0.85, e->wheel.y));
    } else if (e->type == SDL_MOUSEMOTION && (e->motion.state & SDL_BUTTON_RMASK)) {
        cam_orbit(&a->view_score, -0.3 * e->motion.xrel, 0.3 * e->motion.yrel);
    }
}

static void on_event_picker(app *a, const SDL_Event *e)
{
    a->dirty = 1;
    int choose = -1;
    if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        if (k == SDLK_ESCAPE || k == SDLK_q)
            a->running = 0;
        else if (k == SDLK_UP && a->sel > 0)
            a->sel--;
        else if (k == SDLK_DOWN && a->sel + 1 < (int)a->nlessons)
            a->sel++;
        else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && a->nlessons)
            choose = a->sel;
    } else if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        int row = (e->button.y - 134) / 56;
        if (row >= 0 && row < (int)a->nlessons)
            choose = row;
    }
    if (choose >= 0) {
        if (start_practice(a, a->lessons[choose].path) != 0) {
            stop_practice(a);
            a->scr = SCR_PICKER;
        }
    }
}

/* ---- the loop ------------------------------------------------------------------------- */

static void check_stops(app *a, int *shots_now)
{
    /* screenshots due at this exact time, the end of the input, the exit time */
    *shots_now = 0;
    if (a->scr != SCR_PRACTICE)
        return;
    for (int i = 0; i < a->opt->shot_count; i++)
        if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_AT && a->shots[i].t_us <= a->now_us)
            *shots_now = 1;
    int at_end = a->src && a->src_done && a->now_us >= a->src_end_us;
    if (at_end)
        for (int i = 0; i < a->opt->shot_count; i++)
            if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_END)
                *shots_now = 1;
}

int app_run(const app_options *o)
{
    app *a = calloc(1, sizeof *a);
    if (!a)
        return 1;
    a->opt = o;
    /* a head lesson (or the lesson picker, which may pick one): its surface is built on a
     * worker thread while the window, GL and the shaders are made */
    int head = !o->lesson_path;
    if (o->lesson_path) {
        lesson peek;
        char perr[256];
        if (lesson_load_file(o->lesson_path, &peek, perr, sizeof perr) == 0) {
            head = peek.surface == SURFACE_HEAD;
            lesson_free(&peek);
        }
    }
    if (head)
        app_head_prefetch_start();
    memcpy(a->shots, o->shots, sizeof a->shots);
    a->markers = calloc(MAX_MARKERS + 8, sizeof *a->markers);
    int rc = app_gl_open(&a->gl, o->width, o->height, "Stipple");
    if (rc != 0) {
        surface_free(app_head_prefetch_take());
        free(a->markers);
        free(a);
        return rc;
    }
    char err[512];
    a->hud = hud_create(FONT_PATH, err, sizeof err);
    if (!a->hud || !a->markers) {
        fprintf(stderr, "stipple practice: %s\n", a->hud ? "out of memory" : err);
        hud_free(a->hud);
        app_gl_close(&a->gl);
        free(a->markers);
        free(a);
        return 1;
    }
    a->running = 1;
    a->fly_dot = -1;
    if (!o->input_file && !o->mouse) {
        /* new tablets without a restart; none where there is no /dev/input (containers) */
        char herr[256];
        a->hotplug = input_hotplug_open(o->input_dir, herr, sizeof herr);
    }
    a->last_clock_s = -1;
    if (o->lesson_path) {
        if (start_practice(a, o->lesson_path) != 0) {
            a->exit_code = 1;
            a->running = 0;
        }
    } else {
        scan_lessons(a);
        a->scr = SCR_PICKER;
    }
    a->fps_t0 = app_now_s();
    a->dirty = 1;
    int exit_after_score = 0;
    while (a->running) {
        SDL_Event e;
        while (SDL_PollEvent(&e)) {
            if (e.type == SDL_QUIT) {
                if (a->scr == SCR_PRACTICE && !o->exit_after)
                    a->confirm_quit = 1;
                else
                    a->running = 0;
                a->dirty = 1;
                continue;
            }
            if (a->scr == SCR_PICKER)
                on_event_picker(a, &e);
            else if (a->scr == SCR_PRACTICE)
                on_event_practice(a, &e);
            else
                on_event_score(a, &e);
        }
        if (!a->running)
            break;
        if (a->hotplug)
            poll_hotplug(a);
        double t_frame = app_now_s();
        int shots_now = 0;
        if (a->scr == SCR_PRACTICE) {
            advance(a);
            if (!a->running)
                break;
            check_stops(a, &shots_now);
            if (shots_now)
                a->dirty = 1;
            if (a->pen_down || a->rdrag || a->mdrag)
                a->dirty = 1;
        }
        if (a->scr == SCR_SCORE && (a->fly || exit_after_score))
            a->dirty = 1;
        int score_shot = 0;
        if (a->scr == SCR_SCORE)
            for (int i = 0; i < o->shot_count; i++)
                if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_SCORE)
                    score_shot = a->dirty = 1;

        if (a->dirty) {
            a->dirty = 0;
            a->settle_render = shots_now || score_shot;   /* shots do not catch a cross-fade */
            if (a->scr == SCR_PICKER)
                draw_picker(a);
            else
                draw_scene(a);
            if (shots_now) {
                for (int i = 0; i < o->shot_count; i++) {
                    app_shot *s = &a->shots[i];
                    if (s->done)
                        continue;
                    if ((s->kind == APP_SHOT_AT && s->t_us <= a->now_us) ||
                        (s->kind == APP_SHOT_END && a->src_done && a->now_us >= a->src_end_us))
                        take_shot(a, s);
                }
            }
            if (score_shot)
                for (int i = 0; i < o->shot_count; i++)
                    if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_SCORE)
                        take_shot(a, &a->shots[i]);
            glFinish();
            SDL_GL_SwapWindow(a->gl.window);
            double t_swap = app_now_s();
            a->frame_ms = (t_swap - t_frame) * 1e3;
            if (!a->first_frame_done) {
                a->first_frame_done = 1;
                if (o->start_s > 0.0)
                    printf("start-to-first-frame: %.3f s\n", t_swap - o->start_s);
            }
            if (a->lat_avail_min > 0.0) {
                double l = (t_swap - a->lat_avail_min) * 1e3;
                a->lat_last = l;
                a->lat_sum += l;
                a->lat_max = fmax(a->lat_max, l);
                a->lat_n++;
                a->lat_avail_min = 0.0;
            }
            a->fps_frames++;
            if (t_swap - a->fps_t0 > 0.5) {
                a->fps = a->fps_frames / (t_swap - a->fps_t0);
                a->fps_frames = 0;
                a->fps_t0 = t_swap;
            }
            if (exit_after_score) {
                a->running = 0;
                break;
            }
        }
        /* stops after the frame that showed them */
        if (a->scr == SCR_PRACTICE) {
            int at_end = a->src && a->src_done && a->now_us >= a->src_end_us;
            if (o->exit_after == 1 && a->now_us >= o->exit_after_us) {
                finish_practice(a, o->exit_after_us);
                exit_after_score = 1;
            } else if (o->exit_after == 2 && at_end) {
                finish_practice(a, a->src_end_us);
                exit_after_score = 1;
            }
        }
        if (exit_after_score)
            continue;
        if (!a->dirty) {
            /* idle: sleep until something can change */
            int wait_ms = 100;
            if (a->scr == SCR_PRACTICE && !o->fast) {
                int64_t next = (a->now_us / 1000000 + 1) * 1000000;
                if (a->src) {
                    int64_t pk = a->src->peek_time(a->src);
                    if (pk < next)
                        next = pk;
                }
                int64_t st = next_stop(a);
                if (st < next)
                    next = st;
                double dt = a->wall0 + (double)next * 1e-6 - app_now_s();
                wait_ms = dt <= 0.0 ? 0 : (int)ceil(dt * 1e3);
                if (wait_ms > 100)
                    wait_ms = 100;
                if (a->li && wait_ms > 4)
                    wait_ms = 4;   /* pen samples do not wake SDL: look again soon */
            }
            if (wait_ms > 0)
                SDL_WaitEventTimeout(NULL, wait_ms);
        }
    }
    if (a->scr == SCR_PRACTICE && a->writer) {
        /* quit without finishing (window closed under --exit-after, or an error): keep what
         * was written, as a crash would */
        session_writer_close(a->writer, a->now_us);
        a->writer = NULL;
    }
    int code = a->exit_code;
    stop_practice(a);
    input_hotplug_close(a->hotplug);
    hud_free(a->hud);
    surface_free(app_head_prefetch_take());   /* unused (picker left) */
    app_gl_close(&a->gl);
    free(a->lessons);
    free(a->markers);
    free(a);
    return code;
}
