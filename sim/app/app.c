/* app.c: the practice app's loop over its screens (lesson picker -> practice -> score).
 * Each screen (screen_*.c) handles its events, steps once a frame and draws; the loop polls
 * events, draws when something changed, takes the screenshots due, measures frames and
 * pen-to-photon latency, and sleeps when idle. The renderer and the live feedback only read
 * what the engine holds. */
#include "app_internal.h"

#include <glad/gl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "png_write.h"

void app_set_screen(app *a, const app_screen *s)
{
    a->scr = s;
    a->dirty = 1;
}

void app_take_shot(app *a, app_shot *s)
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

/* Screenshots due with the frame just drawn. */
static void take_due_shots(app *a, int score_shot)
{
    for (int i = 0; i < a->opt->shot_count; i++) {
        app_shot *s = &a->shots[i];
        if (s->done)
            continue;
        if (a->shots_now && ((s->kind == APP_SHOT_AT && s->t_us <= a->now_us) ||
                             (s->kind == APP_SHOT_END && a->src_done && a->now_us >= a->src_end_us)))
            app_take_shot(a, s);
        else if (score_shot && s->kind == APP_SHOT_SCORE)
            app_take_shot(a, s);
    }
}

static void frame_timing(app *a, double t_frame)
{
    double t_swap = app_now_s();
    a->frame_ms = (t_swap - t_frame) * 1e3;
    if (!a->first_frame_done) {
        a->first_frame_done = 1;
        if (a->opt->start_s > 0.0)
            printf("start-to-first-frame: %.3f s\n", t_swap - a->opt->start_s);
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
}

static void loop(app *a)
{
    const app_options *o = a->opt;
    while (a->running) {
        SDL_Event e;
        while (SDL_PollEvent(&e)) {
            if (e.type == SDL_QUIT) {
                if (a->scr->quit)
                    a->scr->quit(a);
                else
                    a->running = 0;
                a->dirty = 1;
                continue;
            }
            a->scr->event(a, &e);
        }
        if (!a->running)
            break;
        if (a->hotplug)
            pen_poll_hotplug(a);
        double t_frame = app_now_s();
        a->shots_now = 0;
        a->scr->update(a);
        if (!a->running)
            break;
        int score_shot = 0;
        if (a->scr == &app_screen_score)
            for (int i = 0; i < o->shot_count; i++)
                if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_SCORE)
                    score_shot = a->dirty = 1;
        if (a->dirty) {
            a->dirty = 0;
            a->settle_render = a->shots_now || score_shot;   /* shots do not catch a cross-fade */
            a->scr->draw(a);
            if (a->scr->take_shots && a->shots_now)
                a->scr->take_shots(a);
            else
                take_due_shots(a, score_shot);
            glFinish();
            SDL_GL_SwapWindow(a->gl.window);
            frame_timing(a, t_frame);
            if (a->exit_after_score) {
                a->running = 0;
                break;
            }
        }
        if (a->scr->after_frame)
            a->scr->after_frame(a);
        if (a->exit_after_score)
            continue;
        if (!a->dirty) {
            int wait_ms = a->scr->idle_ms ? a->scr->idle_ms(a) : 100;
            if (wait_ms > 0)
                SDL_WaitEventTimeout(NULL, wait_ms);
        }
    }
}

int app_run(const app_options *o)
{
    app *a = calloc(1, sizeof *a);
    if (!a)
        return 1;
    a->opt_local = *o;
    a->opt = &a->opt_local;
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
    app_hud_prefetch_start(APP_FONT_PATH);
    memcpy(a->shots, o->shots, sizeof a->shots);
    /* practice caps its flags at APP_MAX_MARKERS; review draws a ghost and a hover path too */
    a->marker_cap = o->review ? 4 * APP_MAX_MARKERS : APP_MAX_MARKERS + 8;
    a->markers = calloc((size_t)a->marker_cap, sizeof *a->markers);
    int rc = app_gl_open(&a->gl, o->width, o->height, "Stipple");
    if (rc != 0) {
        surface_free(app_head_prefetch_take(NULL));
        app_head_mesh_take(NULL);
        app_hud_prefetch_drop();
        free(a->markers);
        free(a);
        return rc;
    }
    char err[512];
    a->hud = app_hud_take(APP_FONT_PATH, err, sizeof err);
    if (!a->hud || !a->markers) {
        fprintf(stderr, "stipple practice: %s\n", a->hud ? "out of memory" : err);
        hud_free(a->hud);
        surface_free(app_head_prefetch_take(NULL));
        app_head_mesh_take(NULL);
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
    app_set_screen(a, &app_screen_picker);
    if (o->review) {
        if (review_start(a) != 0) {
            a->exit_code = 1;
            a->running = 0;
        }
    } else if (o->lesson_path) {
        if (app_practice_begin(a, o->lesson_path, 0) != 0) {
            a->exit_code = 1;
            a->running = 0;
        }
    } else {
        lesson_dir_scan(o->lessons_dir, &a->lessons, &a->nlessons);
    }
    a->fps_t0 = app_now_s();
    a->dirty = 1;
    loop(a);
    if (a->scr == &app_screen_practice && a->writer) {
        /* quit without finishing (window closed under --exit-after, or an error): keep what
         * was written, as a crash would */
        practice_close_session(a, a->now_us);
    }
    int code = a->exit_code;
    review_stop(a);
    sessions_free(a);
    practice_stop(a);
    app_trainee_prompt_free(a);
    input_hotplug_close(a->hotplug);
    hud_free(a->hud);
    surface_free(app_head_prefetch_take(NULL));   /* unused (picker left) */
    app_head_mesh_take(NULL);
    app_gl_close(&a->gl);
    free(a->lessons);
    free(a->markers);
    free(a);
    return code;
}
