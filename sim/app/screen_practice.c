/* screen_practice.c: the practice screen: a lesson under way, from the live pen (mouse or
 * tablet) or a recording played through the same path; its HUD; finishing into the score. */
#include <dirent.h>
#include <glad/gl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app_internal.h"
#include "surface_cache.h"
#include "curriculum.h"
#include "report.h"
#include "score.h"
#include "report_text.h"
#include "session_source.h"
#include "session_store.h"
#include "sign.h"
#if defined(__has_include)
#if __has_include("evemu_source.h")
#include "evemu_source.h"
#define APP_HAVE_EVEMU_SOURCE 1
#endif
#endif

/* Whether a curriculum in the lessons folder makes this lesson an exam (feedback hidden,
 * for the whole session: there is no way out of exam mode). */
static int lesson_is_exam(const char *dir, const char *lesson_id)
{
    DIR *dp = dir ? opendir(dir) : NULL;
    if (!dp)
        return 0;
    int exam = 0;
    struct dirent *de;
    while (!exam && (de = readdir(dp)) != NULL) {
        if (!curriculum_is_path(de->d_name))
            continue;
        char path[2048], err[256];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        curriculum c;
        if (curriculum_load_file(path, &c, err, sizeof err) != 0)
            continue;
        int i = curriculum_find(&c, lesson_id);
        exam = i >= 0 && c.lessons[i].exam;
        curriculum_free(&c);
    }
    closedir(dp);
    return exam;
}

/* Opens the writer: signed by this station's key when it can be had (made on first use);
 * otherwise unsigned, and said once. */
static session_writer *open_writer(app *a, const char *path, FILE *f, char *err, size_t errlen)
{
    station_key key;
    char kerr[1024];
    const station_key *k = station_key_load_or_create(NULL, &key, NULL, kerr, sizeof kerr) == 0 ? &key : NULL;
    if (!k)
        fprintf(stderr, "stipple practice: warning: %s; the session is recorded unsigned\n", kerr);
    session_writer *w = path ? session_writer_open_signed(path, &a->hdr, k, err, errlen)
                             : session_writer_open_stream_signed(f, &a->hdr, k, err, errlen);
    if (w && k) {   /* the header as written names the signing station: so do the app's reports */
        memcpy(a->hdr.station_id, k->station_id, sizeof a->hdr.station_id);
        memcpy(a->hdr.station_key, k->public_key, sizeof a->hdr.station_key);
    }
    memset(&key, 0, sizeof key);
    return w;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* The session file, written as it goes: -o PATH, else a new file in the sessions folder
 * (an exclusive create: a session never writes into another's file). */
static int open_session_file(app *a, char *err, size_t errlen)
{
    if (a->opt->session_out) {
        snprintf(a->session_path, sizeof a->session_path, "%s", a->opt->session_out);
        a->writer = open_writer(a, a->session_path, NULL, err, errlen);
        return a->writer ? 0 : -1;
    }
    char dir[1024];
    if (session_store_dir(dir, sizeof dir, 1, err, errlen) != 0)
        return -1;
    a->session_file = session_store_create(dir, a->lesson.id, time(NULL), a->session_path, sizeof a->session_path, err, errlen);
    if (!a->session_file)
        return -1;
    a->writer = open_writer(a, NULL, a->session_file, err, errlen);
    if (!a->writer) {
        fclose(a->session_file);
        a->session_file = NULL;
        unlink(a->session_path);
        return -1;
    }
    return 0;
}

/* Closes the session file (the writer closes only a file it opened itself). 0 or -1. */
int practice_close_session(app *a, int64_t t_end)
{
    int rc = session_writer_close(a->writer, t_end);
    a->writer = NULL;
    if (a->session_file && fclose(a->session_file) != 0)
        rc = -1;
    a->session_file = NULL;
    return rc;
}

void practice_stop(app *a)
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
    if (a->have_own_session)
        session_data_free(&a->own_session);
    a->have_own_session = 0;
    a->have_lesson = 0;
    score_result_free(&a->score);
    memset(&a->score, 0, sizeof a->score);
    a->have_score = 0;
    free(a->flag_list);
    a->flag_list = NULL;
    a->flag_count = 0;
}

int practice_start(app *a, const char *lesson_path)
{
    char err[512];
    if (lesson_load_file(lesson_path, &a->lesson, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    a->have_lesson = 1;
    a->surface = a->lesson.surface == SURFACE_HEAD ? app_head_prefetch_take(NULL) : NULL;
    if (!a->surface)
        a->surface = surface_open(a->lesson.surface, a->lesson.skin_width_mm, a->lesson.skin_height_mm, NULL);
    if (!a->surface) {
        fprintf(stderr, "stipple practice: out of memory\n");
        return -1;
    }
    /* input */
    a->src_kind = SRC_MOUSE;
    a->src_done = 0;
    a->src_end_us = INT64_MAX;
    pen_mouse_device(&a->mouse_desc, a->gl.width, a->gl.height);
    pen_calibration_default(&a->cal);
    const device_desc *dev = &a->mouse_desc;
    const pen_calibration *cal = &a->cal;
    const char *source_name = "live";
    int input_synthetic = 0;   /* a virtual trainee's session played in stays synthetic */
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
            /* the session cmd_practice loaded to find its lesson: read once */
            const session_data *d = a->opt->input_session;
            if (!d && session_load_file(f, &a->own_session, err, sizeof err) == 0) {
                a->have_own_session = 1;
                d = &a->own_session;
            }
            a->src = d ? pen_session_source(d) : NULL;
            if (d && !a->src)
                snprintf(err, sizeof err, "out of memory");
            a->src_kind = SRC_SESSION;
            source_name = "replay";
            if (a->src) {
                const session_header *ih = &d->header;
                input_synthetic = ih->synthetic || ih->origin == SESSION_ORIGIN_SIMULATED ||
                                  strncmp(ih->source, "trainee:", 8) == 0;
                a->src_end_us = d->end_t_us;
                snprintf(warn, sizeof warn, "%s", d->warning);
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
        if (pen_open_live(a) != 0)
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
    a->ren = render_create_from(&a->lesson, a->surface, 0, app_head_mesh_take(a->surface), err, sizeof err);
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
    /* who, where and how (format 2): a played-in recording is never recorded as live. A
     * trainee's attempt at an exam lesson is an exam; a recording played back (to watch
     * it, never an attempt: its origin says so) keeps the feedback unless --exam. */
    if (!a->opt->input_file && !a->opt->exam && lesson_is_exam(a->opt->lessons_dir, a->lesson.id)) {
        a->opt_local.exam = 1;
        printf("exam lesson: feedback hidden for the whole session\n");
    }
    snprintf(a->hdr.trainee_id, sizeof a->hdr.trainee_id, "%s", a->opt->trainee_id ? a->opt->trainee_id : "");
    a->hdr.exam_mode = a->opt->exam ? 1 : 0;
    a->hdr.rules_version = SCORE_RULES_VERSION;
    if (a->opt->input_file) {
        a->hdr.origin = SESSION_ORIGIN_RECORDING;
        a->hdr.synthetic = (uint8_t)input_synthetic;
    } else {
        a->hdr.origin = a->li ? SESSION_ORIGIN_LIVE_DEVICE : SESSION_ORIGIN_MOUSE;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        a->hdr.start_utc_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
    }
    if (open_session_file(a, err, sizeof err) != 0) {
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
    a->pressure = pen_pressure_for_travel(&a->cal, 0.30);   /* the middle of the ideal band */
    a->pen_down = 0;
    a->have_pen = 0;
    app_set_screen(a, &app_screen_practice);
    if (a->src_kind == SRC_MOUSE) {
        /* the session starts with the view the trainee sees: the whole head, turned to
         * the working zone (the occiput for a scar lesson, not the face) */
        a->cam = *engine_view(a->eng);
        a->cam.aspect = (float)a->gl.width / (float)a->gl.height;
        cam_turn_to_zone(a, &a->cam);
        if (a->opt->view)
            cam_from_side(a, a->opt->view, a->opt->view_field_mm, &a->cam);
        a->cam_dirty = 1;
    }
    if (a->src_kind == SRC_EVEMU && a->src->desc.device_class != DEVICE_CLASS_INSTRUMENTED_PEN) {
        /* A tablet recording cannot press M: its contacts are punctures, so the machine runs
         * from the start (recorded in the session like any action). An instrumented pen's
         * recording switches the machine with its own trigger. */
        pen_emit_action(a, SEV_MACHINE, 1, NULL);
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

void practice_finish(app *a, int64_t t_end)
{
    if (t_end < a->now_us)
        t_end = a->now_us;
    a->now_us = t_end;
    if (engine_finish(a->eng, t_end) < 0)
        fprintf(stderr, "stipple practice: out of memory\n");
    if (practice_close_session(a, t_end) != 0)
        fprintf(stderr, "stipple practice: writing %s failed\n", a->session_path);
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
        m.header = &a->hdr;
        /* the other scoring rules' figures too, as grade --json keeps them */
        score_result others[SCORE_RULES_LATEST];
        size_t n_others = 0;
        score_zone *z = score_zone_prepare(&a->lesson, a->surface);
        for (int k = SCORE_RULES_OLDEST; z && k <= SCORE_RULES_LATEST; k++)
            if (k != a->score.rules && score_session_rules(z, dots, n, k, &others[n_others]) == 0)
                n_others++;
        score_zone_free(z);
        m.other_rules = others;
        m.other_rules_count = n_others;
        char *js = report_json(&a->lesson, dots, &a->score, &m);
        for (size_t k = 0; k < n_others; k++)
            score_result_free(&others[k]);
        FILE *f = js ? fopen(a->opt->report_json, "w") : NULL;
        if (f) {
            fprintf(f, "%s\n", js);
            fclose(f);
        } else {
            fprintf(stderr, "stipple practice: cannot write %s\n", a->opt->report_json);
        }
        free(js);
    }
    score_enter(a);
    a->dirty = 1;
}

static void discard_practice(app *a)
{
    session_writer_abandon(a->writer);
    a->writer = NULL;
    if (a->session_file)
        fclose(a->session_file);
    a->session_file = NULL;
    unlink(a->session_path);
    printf("session discarded\n");
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
    /* the neighbour distances of a natural pattern at this density, as grading states them
     * (the lattice spacing would describe a grid, which fails) */
    double nn_mm[2];
    report_natural_nn_band_mm(l, l->target_density_per_cm2, nn_mm);
    hud_textf(h, HUD_SMALL, x, y + lh + 2.0f, C_DIM,
              "Goal: %.0f dots/cm\xC2\xB2 (%.2f\xE2\x80\x93%.2f mm apart, never in rows), depth %.2f\xE2\x80\x93%.2f mm, shade %d, %s %.2f mm%s",
              l->target_density_per_cm2, nn_mm[0], nn_mm[1], l->depth_band_mm[0], l->depth_band_mm[1], l->target_shade,
              nd, (double)l->needle.diameter_mm,
              l->has_hairline ? "; follow the red design line" : l->scar_count ? "; blend the scars (pale)" : l->has_hair ? "; fill between the hairs" : "");
    char clock[32];
    hud_fmt_clock(a->now_us, clock, sizeof clock);
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
        hud_depth_gauge(a, px + 4.0f, py, pw - 24.0f);
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
        if (cam_pick(a, v, a->gl.width / 2, a->gl.height / 2, &hit)) {
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

void scene_begin(app *a)
{
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    render_sync_dots(a->ren, dots, n, a->healed);
    live_sync(a->live, dots, n);
    a->nmarkers = 0;
}

void scene_end(app *a, const view_state *v, void (*hud_fn)(app *a, const view_state *v))
{
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    int ov = !a->opt->exam && a->overlay_mode != LIVE_OVERLAY_NONE && a->scr == &app_screen_practice;
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
    f.covered_top_px = a->covered_top_px;
    f.covered_bottom_px = a->covered_bottom_px;
    a->covered_top_px = a->covered_bottom_px = 0;   /* a screen's own, each frame */
    render_draw(a->ren, &f);
    hud_begin(a->hud, a->gl.width, a->gl.height);
    hud_fn(a, v);
    hud_end(a->hud);
}

static void practice_draw(app *a)
{
    scene_begin(a);
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    view_state v = *engine_view(a->eng);
    if (!a->opt->exam && a->flags_on)
        hud_live_flags(a, dots, n);
    hud_pen_cursor(a, &v);
    scene_end(a, &v, draw_practice_hud);
}

static void request_finish(app *a)
{
    int64_t t = a->now_us;
    practice_finish(a, t);
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
        pen_emit_action(a, SEV_MACHINE, !engine_machine_on(a->eng), NULL);
        break;
    case SDLK_n: {
        needle nd = *engine_needle(a->eng);
        nd.config = nd.config == NEEDLE_1RL ? NEEDLE_3RL : NEEDLE_1RL;
        pen_emit_action(a, SEV_NEEDLE, 0, &nd);
        break;
    }
    case SDLK_COMMA:
    case SDLK_PERIOD: {
        int s = engine_shade(a->eng) + (k.sym == SDLK_PERIOD ? 1 : -1);
        pen_emit_action(a, SEV_SHADE, s < 0 ? 0 : s > 30 ? 30 : s, NULL);
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
        if (cam_pick(a, engine_view(a->eng), a->mx, a->my, &hit)) {
            cam_face_point(a, hit.pos_mm, hit.normal, 30.0, &a->cam);
            a->cam_dirty = 1;
        }
        break;
    }
    default:
        break;
    }
}

static void practice_event(app *a, const SDL_Event *e)
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
        if (a->pen_down)
            pen_mouse_now(a);   /* a drag in the skin, sample by sample */
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
            pen_mouse_now(a);
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
            if (live_in)
                pen_mouse_now(a);
        } else if (e->button.button == SDL_BUTTON_RIGHT) {
            a->rdrag = 0;
        } else if (e->button.button == SDL_BUTTON_MIDDLE) {
            a->mdrag = 0;
            surface_hit hit;
            if (live_in && !a->drag_moved && cam_pick(a, engine_view(a->eng), e->button.x, e->button.y, &hit)) {
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

/* screenshots due at this exact time, or at the end of the input */
static int shots_due(const app *a)
{
    for (int i = 0; i < a->opt->shot_count; i++)
        if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_AT && a->shots[i].t_us <= a->now_us)
            return 1;
    int at_end = a->src && a->src_done && a->now_us >= a->src_end_us;
    if (at_end)
        for (int i = 0; i < a->opt->shot_count; i++)
            if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_END)
                return 1;
    return 0;
}

static void practice_update(app *a)
{
    pen_advance(a);
    if (!a->running)
        return;
    a->shots_now = shots_due(a);
    if (a->shots_now)
        a->dirty = 1;
    if (a->pen_down || a->rdrag || a->mdrag)
        a->dirty = 1;
}

/* stops after the frame that showed them: the exit time, the end of the input */
static void practice_after_frame(app *a)
{
    const app_options *o = a->opt;
    int at_end = a->src && a->src_done && a->now_us >= a->src_end_us;
    if (o->exit_after == 1 && a->now_us >= o->exit_after_us) {
        practice_finish(a, o->exit_after_us);
        a->exit_after_score = 1;
    } else if (o->exit_after == 2 && at_end) {
        practice_finish(a, a->src_end_us);
        a->exit_after_score = 1;
    }
}

/* idle: sleep until something can change */
static int practice_idle_ms(app *a)
{
    if (a->opt->fast)
        return 100;
    int64_t next = (a->now_us / 1000000 + 1) * 1000000;
    if (a->src) {
        int64_t pk = a->src->peek_time(a->src);
        if (pk < next)
            next = pk;
    }
    int64_t st = pen_next_stop(a);
    if (st < next)
        next = st;
    double dt = a->wall0 + (double)next * 1e-6 - app_now_s();
    int wait_ms = dt <= 0.0 ? 0 : (int)ceil(dt * 1e3);
    if (wait_ms > 100)
        wait_ms = 100;
    if (a->li && wait_ms > 4)
        wait_ms = 4;   /* pen samples do not wake SDL: look again soon */
    return wait_ms;
}

static void practice_quit(app *a)
{
    if (!a->opt->exit_after)
        a->confirm_quit = 1;
    else
        a->running = 0;
}

const app_screen app_screen_practice = {
    .name = "practice",
    .event = practice_event,
    .update = practice_update,
    .draw = practice_draw,
    .after_frame = practice_after_frame,
    .idle_ms = practice_idle_ms,
    .quit = practice_quit,
};
