/* app_pen.c: the pen feed. Every pen sample, view change and machine/needle/shade action
 * becomes a session_event that goes into engine_feed and, in the same order, into the session
 * file (session_writer_add, then session_writer_tick each frame: a crash loses <= 250 ms).
 * Time: live (mouse) and real-time playback take it from the wall clock since the lesson
 * started; --fast playback jumps ahead as fast as the machine allows. A screenshot or exit
 * time T stops the clock at exactly T, so what is captured depends only on the events up to T. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "calibration.h"

void pen_mouse_device(device_desc *d, int w, int h)
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

/* A loaded session as an input source: its events in order, up to the time asked. */
typedef struct data_source {
    const session_data *d;
    size_t next;
} data_source;

static size_t data_poll(input_source *self, int64_t until_us, session_event *out, size_t max, input_status *status)
{
    data_source *ds = self->impl;
    size_t n = 0;
    while (n < max && ds->next < ds->d->event_count && ds->d->events[ds->next].t_us <= until_us)
        out[n++] = ds->d->events[ds->next++];
    *status = ds->next < ds->d->event_count ? INPUT_OK : INPUT_END;
    return n;
}

static int64_t data_peek(input_source *self)
{
    data_source *ds = self->impl;
    return ds->next < ds->d->event_count ? ds->d->events[ds->next].t_us : INT64_MAX;
}

static void data_close(input_source *self)
{
    free(self->impl);
    free(self);
}

input_source *pen_session_source(const session_data *d)
{
    input_source *src = calloc(1, sizeof *src);
    data_source *ds = calloc(1, sizeof *ds);
    if (!src || !ds) {
        free(src);
        free(ds);
        return NULL;
    }
    ds->d = d;
    snprintf(src->name, sizeof src->name, "session %s", d->header.lesson_id);
    src->desc = d->header.device;
    src->calibration = d->header.calibration;
    src->poll = data_poll;
    src->peek_time = data_peek;
    src->close = data_close;
    src->impl = ds;
    return src;
}

/* A pen display: the part of its digitiser under the window (1:1). The display is the one
 * the window is on. */
int pen_display_area(const app *a, const device_desc *d, tablet_area *out)
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
int pen_open_live(app *a)
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
int pen_feed(app *a, const session_event *ev, double avail_wall)
{
    int r = write_event(a, ev);
    if (r == 1 && avail_wall > 0.0 && (a->lat_avail_min <= 0.0 || avail_wall < a->lat_avail_min))
        a->lat_avail_min = avail_wall;
    return r;
}

void pen_emit_action(app *a, int kind, int32_t value, const needle *nd)
{
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.t_us = a->now_us;
    if (nd)
        ev.u.needle = *nd;
    else
        ev.u.value = value;
    pen_feed(a, &ev, 0.0);
}

/* The earliest pending stop (screenshot or exit time) after the current time. */
int64_t pen_next_stop(const app *a)
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
        pen_feed(a, &ev, 0.0);
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
        pen_feed(a, &ev, wall);
        a->pen_dirty = 0;
    }
}

/* The mouse as a pen, sampled the moment a button or a drag is handled rather than once a
 * frame: a quick click (down and up between two frames, as on a slow frame) would otherwise
 * never reach the engine as a touch, and a press just after a move would land where the
 * next frame finds the pointer. */
void pen_mouse_now(app *a)
{
    if (a->src || a->li || !a->eng)
        return;
    double wall = app_now_s();
    int64_t t = (int64_t)((wall - a->wall0) * 1e6);
    int64_t stop = pen_next_stop(a);
    if (t > stop)
        t = stop;
    if (t > a->now_us)
        a->now_us = t;
    emit_mouse(a, wall);
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
            if (pen_feed(a, &buf[i], (double)kus[i] * 1e-6) < 0) {
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
        pen_feed(a, &ev, 0.0);
        a->cam_dirty = 0;
    }
}

/* Devices coming and going: our unplugged pen coming back resumes the lesson; a new pen is
 * announced (it is used from the next lesson: a session keeps one device). */
void pen_poll_hotplug(app *a)
{
    hotplug_event hev[16];
    size_t n = input_hotplug_poll(a->hotplug, hev, 16);
    for (size_t i = 0; i < n; i++) {
        if (a->li && a->scr == &app_screen_practice) {
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
                     a->scr == &app_screen_practice ? "used from the next lesson" : "it will be used");
            a->pen_note_t = app_now_s();
            a->dirty = 1;
            printf("hot-plug: %s (%s)\n", caps.desc.name, hev[i].devnode);
        }
    }
}

void pen_advance(app *a)
{
    double wall = app_now_s();
    int64_t stop = pen_next_stop(a);
    if (a->src && a->opt->fast) {
        /* as fast as possible, in slices that keep the window alive */
        session_event buf[512];
        int64_t reached = a->now_us;
        int more = 1;
        while (more) {
            input_status st = INPUT_OK;
            size_t n = a->src->poll(a->src, stop, buf, 512, &st);
            for (size_t i = 0; i < n; i++) {
                if (pen_feed(a, &buf[i], 0.0) < 0) {
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
                    if (pen_feed(a, &buf[i], a->wall0 + (double)buf[i].t_us * 1e-6) < 0) {
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
        /* the band of the skin the needle is in (or the newest dot went into) */
        double at[2];
        const double *band, *acc;
        if (engine_contact_chart(a->eng, at) || nd) {
            if (!engine_contact_chart(a->eng, at)) {
                at[0] = dd[nd - 1].chart_mm[0];
                at[1] = dd[nd - 1].chart_mm[1];
            }
            app_depth_bands_at(a, at[0], at[1], &band, &acc);
            haptics_set_band_max(a->hap, band[1]);
        }
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
