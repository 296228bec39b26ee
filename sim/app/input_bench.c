/* input_bench.c: see input_bench.h. */
#include "input_bench.h"

#include <SDL.h>
#include <errno.h>
#include <fcntl.h>
#include <glad/gl.h>
#include <linux/input.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "fd_source.h"
#include "hud.h"
#include "input_thread.h"
#include "renderer.h"

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031   /* Linux; <fcntl.h> shows it only with _GNU_SOURCE */
#endif

/* the pretend tablet: 200 x 125 mm at 100 units/mm, 8192 pressure levels */
static void bench_device(device_desc *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "Stipple bench pen (1 kHz)");
    d->device_class = DEVICE_CLASS_PEN_TABLET;
    d->axes = DEVICE_HAS_PRESSURE;
    d->x = (device_axis){ 0, 20000, 100 };
    d->y = (device_axis){ 0, 12500, 100 };
    d->pressure = (device_axis){ 0, 8191, 0 };
}

/* frames the writer sends at once to catch up after waking late: a few periods of
 * scheduling jitter are made good; more than this means the host stalled (see writer) */
#define WRITER_MAX_CATCH_UP 8

typedef struct writer_args {
    int     fd, rate_hz;
    double  seconds;
    size_t  sent, lost, skipped;
    int64_t stall_max_us;
} writer_args;

static void put(struct input_event *e, int64_t us, unsigned type, unsigned code, int value)
{
    e->input_event_sec = us / 1000000;
    e->input_event_usec = us % 1000000;
    e->type = (uint16_t)type;
    e->code = (uint16_t)code;
    e->value = value;
}

static void *writer(void *arg)
{
    writer_args *w = arg;
    size_t total = (size_t)(w->seconds * w->rate_hz);
    int64_t period_ns = 1000000000 / w->rate_hz;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    int touching = 0;
    for (size_t i = 0; i < total; i++) {
        next.tv_nsec += period_ns;
        while (next.tv_nsec >= 1000000000) {
            next.tv_nsec -= 1000000000;
            next.tv_sec++;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
        }
        int64_t now = input_mono_us();
        /* Woken far behind its clock, the writer was itself not running: the machine was
         * stalled (a shared host, a busy CI). Writing every missed frame at once would be a
         * burst no tablet makes (a tablet reports once a period, whatever the host does), and
         * it would fill the pipe before the reader could be scheduled, blaming the app for the
         * host. The missed frames are counted as not sent, and the clock starts again from
         * now; a stall of the reader alone still overflows the pipe and counts as dropped. */
        int64_t next_us = (int64_t)next.tv_sec * 1000000 + next.tv_nsec / 1000;
        int64_t behind = (now - next_us) * w->rate_hz / 1000000;
        if (behind > WRITER_MAX_CATCH_UP) {
            size_t skip = (size_t)behind;
            if (skip > total - 1 - i)
                skip = total - 1 - i;
            w->skipped += skip;
            i += skip;
            if (w->stall_max_us < now - next_us)
                w->stall_max_us = now - next_us;
            clock_gettime(CLOCK_MONOTONIC, &next);
        }
        /* a slow circle, tapping: 60 ms down, 40 ms up */
        double a = (double)i * 0.002;
        int down = (i % 100) < 60;
        struct input_event ev[5];
        int k = 0;
        put(&ev[k++], now, EV_ABS, ABS_X, (int)(10000 + 3000 * cos(a)));
        put(&ev[k++], now, EV_ABS, ABS_Y, (int)(6250 + 3000 * sin(a)));
        put(&ev[k++], now, EV_ABS, ABS_PRESSURE, down ? 2600 : 0);
        if (down != touching)
            put(&ev[k++], now, EV_KEY, BTN_TOUCH, down);
        put(&ev[k++], now, EV_SYN, SYN_REPORT, 0);
        /* <= PIPE_BUF: all or nothing, as a kernel buffer takes a whole packet or drops it */
        ssize_t n = write(w->fd, ev, (size_t)k * sizeof ev[0]);
        w->sent++;
        if (n != (ssize_t)((size_t)k * sizeof ev[0]))
            w->lost++;
        else
            touching = down;
    }
    close(w->fd);
    return NULL;
}

int input_bench_run(double seconds, int rate_hz, int threaded, input_bench_frame_fn frame, void *ctx,
                    input_bench_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->rate_hz = rate_hz;
    out->threaded = threaded;
    out->seconds = seconds;
    int p[2];
    if (rate_hz <= 0 || seconds <= 0.0 || pipe(p) != 0) {
        snprintf(err, errlen, "cannot make the bench's pipe: %s", strerror(errno));
        return -1;
    }
    fcntl(p[0], F_SETPIPE_SZ, 4096);   /* one page: 170 events */
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    device_desc d;
    bench_device(&d);
    input_source *src = fd_source_open(p[0], &d, 0);
    if (!src) {
        close(p[0]);
        close(p[1]);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    input_thread *thr = NULL;
    if (threaded && !(thr = input_thread_start(src, 0, err, errlen))) {
        input_source_close(src);
        close(p[1]);
        return -1;
    }
    size_t cap = 1 << 16;
    input_item *items = malloc(cap * sizeof *items);
    session_event *evs = malloc(cap * sizeof *evs);
    writer_args w = { p[1], rate_hz, seconds, 0, 0, 0, 0 };
    pthread_t wt;
    if (!items || !evs || pthread_create(&wt, NULL, writer, &w) != 0) {
        snprintf(err, errlen, "cannot start the bench's writer");
        input_thread_stop(thr);
        input_source_close(src);
        close(p[1]);
        free(items);
        free(evs);
        return -1;
    }
    double delay_sum = 0.0;
    int ended = 0;
    while (!ended) {
        size_t n = 0;
        int64_t now;
        if (thr) {
            n = input_thread_drain(thr, items, cap);
            now = input_mono_us();
            input_thread_stats st;
            input_thread_stats_get(thr, &st);
            ended = st.status == INPUT_END && n == 0;
            for (size_t i = 0; i < n; i++) {
                evs[i] = items[i].ev;
                double rd = (double)(items[i].read_us - items[i].kernel_us) / 1000.0;
                if (rd > out->max_read_ms)
                    out->max_read_ms = rd;
            }
        } else {
            input_status st = INPUT_OK;
            n = src->poll(src, INT64_MAX, evs, cap, &st);
            now = input_mono_us();
            const evdev_pen *pen = fd_source_pen(src);
            for (size_t i = 0; i < n; i++)
                items[i].kernel_us = evs[i].t_us + pen->origin_us - pen->start_us;
            ended = st == INPUT_END && n == 0;
        }
        for (size_t i = 0; i < n; i++) {
            if (evs[i].kind != SEV_PEN)
                continue;
            out->received++;
            double dl = (double)(now - items[i].kernel_us) / 1000.0;
            delay_sum += dl;
            if (dl > out->max_delay_ms)
                out->max_delay_ms = dl;
        }
        if (ended)
            break;
        int64_t f0 = input_mono_us();
        if (frame)
            frame(ctx, evs, n);
        else if (!n) {
            struct timespec ts = { 0, 1000000 };
            nanosleep(&ts, NULL);
        }
        double fm = (double)(input_mono_us() - f0) / 1000.0;
        if (frame) {
            out->frames++;
            out->frame_ms_mean += fm;
            if (fm > out->frame_ms_max)
                out->frame_ms_max = fm;
        }
    }
    pthread_join(wt, NULL);
    if (thr) {
        input_thread_stats st;
        input_thread_stats_get(thr, &st);
        out->ring_overflow = st.overflowed;
        input_thread_stop(thr);
    }
    input_source_close(src);
    free(items);
    free(evs);
    out->sent = w.sent;
    out->lost_in_pipe = w.lost;
    out->writer_skipped = w.skipped;
    out->writer_stall_ms = (double)w.stall_max_us / 1000.0;
    out->dropped = out->sent > out->received ? out->sent - out->received : 0;
    out->mean_delay_ms = out->received ? delay_sum / (double)out->received : 0.0;
    if (out->frames)
        out->frame_ms_mean /= (double)out->frames;
    return 0;
}

void input_bench_print(const input_bench_result *r, FILE *f)
{
    fprintf(f, "input: %d Hz pen for %g s while rendering%s: %zu dropped, max queue delay %.1f ms "
            "(mean %.1f ms; %zu of %zu samples arrived; %zu frames, %.1f ms mean, %.1f ms max%s",
            r->rate_hz, r->seconds, r->threaded ? "" : " (no input thread)", r->dropped, r->max_delay_ms,
            r->mean_delay_ms, r->received, r->sent, r->frames, r->frame_ms_mean, r->frame_ms_max,
            r->threaded ? "" : ")\n");
    if (r->threaded)
        fprintf(f, "; read by the input thread within %.1f ms; ring overflow %zu)\n", r->max_read_ms, r->ring_overflow);
    if (r->writer_skipped)
        fprintf(f, "input: the machine was busy: the bench's pen writer itself stalled up to %.1f ms, and the "
                "%zu samples it would have sent meanwhile were not sent (not counted as dropped)\n",
                r->writer_stall_ms, r->writer_skipped);
}

/* ---- the app's frame: engine + renderer + HUD, as the practice screen draws ---------- */

static const char bench_lesson[] =
    "{\"format\":\"stipple-lesson/1\",\"id\":\"bench-input\",\"title\":\"Bench: 1 kHz pen while rendering\","
    "\"version\":1,\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
    "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
    "\"zones\":[{\"name\":\"all\",\"polygon_mm\":[[5,5],[95,5],[95,65],[5,65]]}],"
    "\"session\":{\"number\":3,\"density_per_cm2\":100},"
    "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},\"pigment\":{\"target_shade\":6,\"allowed_shades\":[4,10]},"
    "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},"
    "\"sources\":[\"model-defaults.md: full density 100/cm2\"]}";

typedef struct gl_ctx {
    app_gl   *g;
    engine   *eng;
    renderer *ren;
    hud      *hud;
    size_t    samples;
} gl_ctx;

static void gl_frame(void *arg, const session_event *ev, size_t n)
{
    gl_ctx *c = arg;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
    }
    for (size_t i = 0; i < n; i++) {
        engine_feed(c->eng, &ev[i]);
        c->samples += ev[i].kind == SEV_PEN;
    }
    size_t nd;
    const dot *dots = engine_dots(c->eng, &nd);
    render_sync_dots(c->ren, dots, nd, 0);
    render_frame f;
    memset(&f, 0, sizeof f);
    f.view = engine_view(c->eng);
    f.width = c->g->width;
    f.height = c->g->height;
    f.guides = 1;
    f.crisp = 1;
    f.time_us = (int64_t)(app_now_s() * 1e6);
    f.background[0] = 28;
    f.background[1] = 31;
    f.background[2] = 36;
    render_draw(c->ren, &f);
    if (c->hud) {
        hud_begin(c->hud, c->g->width, c->g->height);
        hud_rect(c->hud, 0, 0, (float)c->g->width, 66.0f, (hud_rgba){ 12, 14, 18, 200 });
        hud_textf(c->hud, HUD_NORMAL, 14, 12, (hud_rgba){ 235, 235, 235, 255 }, "Bench: 1 kHz pen, %zu samples, %zu dots",
                  c->samples, nd);
        hud_end(c->hud);
    }
    glFinish();
    SDL_GL_SwapWindow(c->g->window);
}

int app_input_bench(const app_options *o, double seconds)
{
    app_gl g;
    int rc = app_gl_open(&g, o->width, o->height, "Stipple input bench");
    if (rc != 0)
        return rc;
    char err[512];
    lesson l;
    if (lesson_load_mem(bench_lesson, sizeof bench_lesson - 1, "bench-input", &l, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        app_gl_close(&g);
        return 1;
    }
    surface *s = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    device_desc d;
    bench_device(&d);
    pen_calibration cal;
    pen_calibration_default(&cal);
    gl_ctx c = { &g, NULL, NULL, NULL, 0 };
    c.eng = s ? engine_create(&l, s, &d, &cal) : NULL;
    c.ren = s ? render_create(&l, s, err, sizeof err) : NULL;
    c.hud = hud_create("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", err, sizeof err);
    rc = 1;
    if (c.eng && c.ren) {
        session_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = SEV_VIEW;
        engine_default_view(&l, s, &ev.u.view);
        ev.u.view.aspect = (float)g.width / (float)g.height;
        engine_feed(c.eng, &ev);
        memset(&ev, 0, sizeof ev);
        ev.kind = SEV_MACHINE;
        ev.u.value = 1;
        engine_feed(c.eng, &ev);
        input_bench_result r;
        if (input_bench_run(seconds, 1000, 1, gl_frame, &c, &r, err, sizeof err) == 0) {
            input_bench_print(&r, stdout);
            size_t nd;
            engine_dots(c.eng, &nd);
            printf("input: %zu dots made from the bench pen's taps\n", nd);
            rc = r.dropped ? 1 : 0;
        } else {
            fprintf(stderr, "bench: %s\n", err);
        }
    } else {
        fprintf(stderr, "bench: %s\n", err);
    }
    hud_free(c.hud);
    render_free(c.ren);
    engine_free(c.eng);
    surface_free(s);
    lesson_free(&l);
    app_gl_close(&g);
    return rc;
}
