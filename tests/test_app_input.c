/* test_app_input.c: the practice app's live-pen path without a device or a display.
 * 1. Tablet-area maths, checked against values worked out by hand.
 * 2. Unplug -> pause -> replug -> resume through live_input (the input thread, the ring,
 *    the hot-plug handling) with a fake source implementing input_source, into a real engine
 *    and a real session file: the lesson pauses and resumes, no sample is lost, the session
 *    replays to the same dots. (The real evdev path is the QEMU test's, test_input_vm.sh.)
 * 3. Pen side buttons move the camera and never puncture.
 * 4. A 1 kHz pen while slow frames "render": no drops with the input thread; and the same
 *    bench without the thread does drop, so the check can fail. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "input_bench.h"
#include "live_input.h"
#include "tablet_map.h"

/* ---- 1. tablet areas ----------------------------------------------------------------- */

static void test_tablet_area(void)
{
    device_desc d;
    device_desc_virtual(&d);   /* 200 x 125 mm, 100 units/mm, x 0..20000, y 0..12500 */
    CHECK(d.x.resolution == 100 && d.x.max == 20000 && d.y.max == 12500, "virtual pen as assumed");
    char err[256];
    double mm[4];
    CHECK(tablet_area_parse_mm("50,25,150,100", mm, err, sizeof err) == 0, "parse: %s", err);
    CHECK(tablet_area_parse_mm("50,25,150", mm, err, sizeof err) != 0, "three numbers rejected");
    CHECK(tablet_area_parse_mm("150,25,50,100", mm, err, sizeof err) != 0 && strstr(err, "x0 < x1"), "x1 < x0: %s", err);
    tablet_area a;
    tablet_area_parse_mm("50,25,150,100", mm, err, sizeof err);
    CHECK(tablet_area_from_mm(&d, mm, &a, err, sizeof err) == 0, "%s", err);
    CHECK(a.x0 == 5000 && a.y0 == 2500 && a.x1 == 15000 && a.y1 == 10000, "area %g,%g,%g,%g", a.x0, a.y0, a.x1, a.y1);
    double big[4] = { 0, 0, 250, 100 };
    CHECK(tablet_area_from_mm(&d, big, &a, err, sizeof err) != 0 && strstr(err, "outside"), "too big: %s", err);
    tablet_area_from_mm(&d, mm, &a, err, sizeof err);

    tablet_map m;
    tablet_map_init(&m, &d, &a);
    CHECK(m.mapped.x.min == 5000 && m.mapped.x.max == 15000 && m.mapped.y.min == 2500 && m.mapped.y.max == 10000,
          "recorded description = the area");
    /* the area (100 x 75 mm, aspect 4:3) on a 16:10 viewport: full width... no: 4:3 < 16:10, so
     * the full area width spans the viewport width and the middle 0.8333 of its height the
     * viewport height (fh = (4/3) / 1.6). Centre -> centre. */
    pen_sample s;
    memset(&s, 0, sizeof s);
    s.x = 10000;
    s.y = 6250;
    s.flags = PEN_IN_PROXIMITY | PEN_TOUCH;
    s.pressure = 3000;
    CHECK(tablet_map_apply(&m, &s) == 1 && s.x == 10000 && s.y == 6250, "inside: unchanged units (%d, %d)", s.x, s.y);
    double tx, ty, vx, vy;
    pen_position_norm(&m.mapped, &s, &tx, &ty);
    CHECK(pen_map_to_viewport(&m.mapped, 1.6, tx, ty, &vx, &vy) == 1, "centre maps");
    CHECK_NEAR(vx, 0.5, 1e-12, "centre x");
    CHECK_NEAR(vy, 0.5, 1e-12, "centre y");
    /* the top of the used band: y = 2500 + 7500 * (1 - 0.8333) / 2 = 3125 -> viewport top */
    s.x = 5000;
    s.y = 3125;
    tablet_map_apply(&m, &s);
    pen_position_norm(&m.mapped, &s, &tx, &ty);
    pen_map_to_viewport(&m.mapped, 1.6, tx, ty, &vx, &vy);
    CHECK_NEAR(vx, 0.0, 1e-12, "left edge of the area = left of the viewport");
    CHECK_NEAR(vy, 0.0, 1e-9, "y 3125 = top of the viewport");
    /* a point 1 mm right of the area's left edge: 1/100 of the viewport width */
    s.x = 5100;
    s.y = 6250;
    tablet_map_apply(&m, &s);
    pen_position_norm(&m.mapped, &s, &tx, &ty);
    pen_map_to_viewport(&m.mapped, 1.6, tx, ty, &vx, &vy);
    CHECK_NEAR(vx, 0.01, 1e-12, "1 mm = 1/100 of the width");
    /* outside the area: out of proximity, so it can neither puncture nor show */
    s.x = 4000;
    s.y = 6250;
    s.flags = PEN_IN_PROXIMITY | PEN_TOUCH;
    s.pressure = 3000;
    CHECK(tablet_map_apply(&m, &s) == 0 && s.flags == 0 && s.pressure == 0, "outside: flags %u pressure %d", s.flags,
          s.pressure);

    /* a pen display: 1920x1080 screen, digitiser x 0..34500, y 0..19400; window at
     * (320, 140) 1280x800. A window pixel's centre must map to itself (1:1). */
    device_desc pd = d;
    pd.device_class = DEVICE_CLASS_PEN_DISPLAY;
    pd.x = (device_axis){ 0, 34500, 100 };
    pd.y = (device_axis){ 0, 19400, 100 };
    int disp[4] = { 0, 0, 1920, 1080 }, win[4] = { 320, 140, 1280, 800 };
    tablet_area wa;
    CHECK(tablet_area_for_window(&pd, disp, win, &wa) == 0, "window on the display");
    tablet_map pm;
    tablet_map_init(&pm, &pd, &wa);
    double worst = 0.0;
    for (int py = 0; py < 800; py += 37)
        for (int px = 0; px < 1280; px += 53) {
            pen_sample q;
            memset(&q, 0, sizeof q);
            q.flags = PEN_IN_PROXIMITY;
            q.x = (int32_t)lround((320 + px + 0.5) / 1920.0 * 34500);
            q.y = (int32_t)lround((140 + py + 0.5) / 1080.0 * 19400);
            tablet_map_apply(&pm, &q);
            pen_position_norm(&pm.mapped, &q, &tx, &ty);
            pen_map_to_viewport(&pm.mapped, 1280.0 / 800.0, tx, ty, &vx, &vy);
            double ex = fabs(vx * 1280 - (px + 0.5)), ey = fabs(vy * 800 - (py + 0.5));
            worst = fmax(worst, fmax(ex, ey));
        }
    CHECK(worst < 1.0, "pen display 1:1: worst error %.3f px", worst);
    int off[4] = { 2000, 0, 640, 480 };
    CHECK(tablet_area_for_window(&pd, disp, off, &wa) != 0, "a window on another screen");
    /* the window moves 100 px right: the pen under the same window pixel lands in the same place */
    int win2[4] = { 420, 140, 1280, 800 };
    tablet_area wa2;
    tablet_area_for_window(&pd, disp, win2, &wa2);
    tablet_map_set_area(&pm, &wa2);
    pen_sample q;
    memset(&q, 0, sizeof q);
    q.flags = PEN_IN_PROXIMITY;
    q.x = (int32_t)lround((420 + 640.5) / 1920.0 * 34500);
    q.y = (int32_t)lround((140 + 400.5) / 1080.0 * 19400);
    tablet_map_apply(&pm, &q);
    pen_position_norm(&pm.mapped, &q, &tx, &ty);
    pen_map_to_viewport(&pm.mapped, 1.6, tx, ty, &vx, &vy);
    CHECK(fabs(vx * 1280 - 640.5) < 1.0 && fabs(vy * 800 - 400.5) < 1.0, "after a move: %.2f, %.2f", vx * 1280, vy * 800);
}

/* ---- a fake live source ------------------------------------------------------------------ */

#define FAKE_MAX 4096

typedef struct fake {
    session_event ev[FAKE_MAX];
    size_t n, next;
    size_t unplug_at;        /* before emitting ev[unplug_at]: the device goes away */
    int unplugged, paused_sent, resume_pending;
    int64_t t_unplug;
} fake;

static size_t fake_poll(input_source *self, int64_t until_us, session_event *out, size_t max, input_status *status)
{
    fake *f = self->impl;
    size_t k = 0;
    *status = INPUT_OK;
    (void)until_us;
    while (k < max) {
        if (f->resume_pending) {
            memset(&out[k], 0, sizeof out[k]);
            out[k].kind = SEV_RESUME;
            out[k].t_us = f->t_unplug + 1000;
            k++;
            f->resume_pending = 0;
            continue;
        }
        if (f->unplugged)
            break;
        if (f->next == f->unplug_at && !f->paused_sent) {
            f->unplugged = f->paused_sent = 1;
            memset(&out[k], 0, sizeof out[k]);
            out[k].kind = SEV_PAUSE;
            out[k].u.value = 1;
            out[k].t_us = f->t_unplug = f->ev[f->next - 1].t_us + 500;
            k++;
            break;
        }
        if (f->next == f->n)
            break;
        out[k++] = f->ev[f->next++];
        /* a live device trickles: at most 7 events a poll */
        if (k == 7)
            break;
    }
    if (f->unplugged)
        *status = INPUT_UNPLUGGED;
    return k;
}

static int64_t fake_peek(input_source *self)
{
    (void)self;
    return INT64_MAX;
}

static void fake_close(input_source *self)
{
    free(self->impl);
    free(self);
}

static int fake_replug(input_source *s, const char *devnode)
{
    fake *f = s->impl;
    if (!f->unplugged || strcmp(devnode, "/dev/input/event7") != 0)
        return 0;
    f->unplugged = 0;
    f->resume_pending = 1;
    return 1;
}

static void pen_ev(session_event *e, int64_t t, int32_t x, int32_t y, int32_t p, uint32_t flags)
{
    memset(e, 0, sizeof *e);
    e->kind = SEV_PEN;
    e->t_us = t;
    e->u.pen.t_us = t;
    e->u.pen.x = x;
    e->u.pen.y = y;
    e->u.pen.pressure = p;
    e->u.pen.flags = flags;
}

/* Pumps until `want` pen samples and (optionally) the pause/resume came, or 3 s pass. */
typedef struct sink {
    engine *eng;
    session_writer *w;
    size_t pens, pauses, resumes;
    live_input_camera cam;
} sink;

static void pump_until(live_input *li, sink *k, size_t want_pens, size_t want_pauses, size_t want_resumes)
{
    session_event buf[256];
    for (int spin = 0; spin < 3000; spin++) {
        size_t n = live_input_pump(li, 0, 1.6, buf, NULL, 256, &k->cam);
        for (size_t i = 0; i < n; i++) {
            session_writer_add(k->w, &buf[i]);
            engine_feed(k->eng, &buf[i]);
            k->pens += buf[i].kind == SEV_PEN;
            k->pauses += buf[i].kind == SEV_PAUSE;
            k->resumes += buf[i].kind == SEV_RESUME;
        }
        if (k->pens >= want_pens && k->pauses >= want_pauses && k->resumes >= want_resumes)
            return;
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
}

static input_source *fake_open(fake **out)
{
    input_source *s = calloc(1, sizeof *s);
    fake *f = calloc(1, sizeof *f);
    snprintf(s->name, sizeof s->name, "fake pen");
    device_desc_virtual(&s->desc);
    s->desc.device_class = DEVICE_CLASS_PEN_TABLET;
    pen_calibration_default(&s->calibration);
    s->poll = fake_poll;
    s->peek_time = fake_peek;
    s->close = fake_close;
    s->impl = f;
    *out = f;
    return s;
}

static void test_unplug_replug(void)
{
    char err[512];
    lesson l;
    if (lesson_load_file(STIPPLE_SOURCE_DIR "/lessons/01-spacing-drill.json", &l, err, sizeof err) != 0) {
        CHECK(0, "%s", err);
        return;
    }
    surface *sf = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    fake *f;
    input_source *src = fake_open(&f);
    /* 300 samples at 1 kHz: hover, then a press held across the unplug at sample 200; after
     * the replug 300 more with one tap */
    int64_t t = 1000;
    for (int i = 0; i < 600; i++, t += 1000) {
        int down = (i >= 150 && i < 260) || (i >= 400 && i < 450);
        pen_ev(&f->ev[f->n++], t, 10000 + i, 6250, down ? 5000 : 0, PEN_IN_PROXIMITY | (down ? PEN_TOUCH : 0u));
    }
    f->unplug_at = 200;
    live_input *li = live_input_open(src, NULL, err, sizeof err);
    CHECK(li != NULL, "%s", err);
    if (!li)
        return;
    live_input_set_replug(li, fake_replug);
    const device_desc *dd = live_input_desc(li);
    pen_calibration cal;
    pen_calibration_default(&cal);
    sink k;
    memset(&k, 0, sizeof k);
    k.eng = engine_create(&l, sf, dd, &cal);
    session_header h;
    memset(&h, 0, sizeof h);
    h.format_version = SESSION_FORMAT_VERSION;
    snprintf(h.lesson_id, sizeof h.lesson_id, "%s", l.id);
    memcpy(h.lesson_hash, l.content_hash, 32);
    snprintf(h.source, sizeof h.source, "live");
    h.device = *dd;
    h.calibration = cal;
    char path[] = STIPPLE_BINARY_DIR "/test_app_input.stp";
    k.w = session_writer_open(path, &h, err, sizeof err);
    CHECK(k.w != NULL, "%s", err);
    session_event e;
    memset(&e, 0, sizeof e);
    e.kind = SEV_VIEW;
    engine_default_view(&l, sf, &e.u.view);
    e.u.view.aspect = 1.6f;
    session_writer_add(k.w, &e);
    engine_feed(k.eng, &e);
    memset(&e, 0, sizeof e);
    e.kind = SEV_MACHINE;
    e.u.value = 1;
    session_writer_add(k.w, &e);
    engine_feed(k.eng, &e);

    pump_until(li, &k, 200, 1, 0);
    CHECK(k.pens == 200 && k.pauses == 1, "before the unplug: %zu samples, %zu pauses", k.pens, k.pauses);
    CHECK(live_input_unplugged(li), "the app sees the pen unplugged");
    CHECK(engine_paused(k.eng), "the engine paused");
    size_t dots;
    engine_dots(k.eng, &dots);
    CHECK(dots == 1, "the press held across the unplug ends as one dot (got %zu)", dots);
    /* another device appears: not ours */
    hotplug_event hv = { HOTPLUG_ADDED, "/dev/input/event9" };
    CHECK(live_input_hotplug(li, &hv) == 0, "another device does not resume the lesson");
    hotplug_event gone = { HOTPLUG_REMOVED, "/dev/input/event7" };
    CHECK(live_input_hotplug(li, &gone) == 0, "a removal is not a replug");
    pump_until(li, &k, 200, 1, 0);
    CHECK(live_input_unplugged(li) && engine_paused(k.eng), "still paused");
    /* our pen is back */
    hotplug_event back = { HOTPLUG_ADDED, "/dev/input/event7" };
    CHECK(live_input_hotplug(li, &back) == 1, "replugged");
    pump_until(li, &k, 600, 1, 1);
    CHECK(k.resumes == 1 && !live_input_unplugged(li) && !engine_paused(k.eng), "resumed");
    CHECK(k.pens == 600, "every sample arrived: %zu of 600", k.pens);
    engine_dots(k.eng, &dots);
    /* the press still held when the pen came back (samples 200-259) does not puncture again:
     * only the tap at 400-449 does. 2 dots in all. */
    CHECK(dots == 2, "dots after the resume: %zu (want 2)", dots);
    input_thread_stats st;
    live_input_stats(li, &st);
    CHECK(st.overflowed == 0, "ring overflow %zu", st.overflowed);
    session_writer_close(k.w, t);
    session_data sd;
    if (session_load_file(path, &sd, err, sizeof err) == 0) {
        CHECK(session_count_kind(&sd, SEV_PAUSE) == 1 && session_count_kind(&sd, SEV_RESUME) == 1,
              "the session holds the pause and the resume");
        CHECK(session_count_kind(&sd, SEV_PEN) == 600, "the session holds every sample");
        engine *re = engine_replay(&l, sf, &sd);
        size_t rn;
        engine_dots(re, &rn);
        CHECK(rn == dots, "replay: %zu dots, live %zu", rn, dots);
        engine_free(re);
        session_data_free(&sd);
    } else {
        CHECK(0, "%s", err);
    }
    unlink(path);
    live_input_close(li);
    engine_free(k.eng);
    surface_free(sf);
    lesson_free(&l);
}

/* ---- 3. side buttons -------------------------------------------------------------------- */

static void test_side_buttons(void)
{
    char err[512];
    lesson l;
    if (lesson_load_file(STIPPLE_SOURCE_DIR "/lessons/01-spacing-drill.json", &l, err, sizeof err) != 0) {
        CHECK(0, "%s", err);
        return;
    }
    surface *sf = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    fake *f;
    input_source *src = fake_open(&f);
    int64_t t = 1000;
    /* BTN_STYLUS held, tip down and moving right 2 mm a sample for 100 samples (orbit); then
     * released with the tip still down (no puncture until it lifts); lift; BTN_STYLUS2 held
     * moving down (pan) with the tip down; lift; one real tap */
    for (int i = 0; i < 100; i++, t += 1000)
        pen_ev(&f->ev[f->n++], t, 8000 + 200 * i / 10, 6000, 5000, PEN_IN_PROXIMITY | PEN_TOUCH | PEN_BUTTON1);
    for (int i = 0; i < 20; i++, t += 1000)
        pen_ev(&f->ev[f->n++], t, 10000, 6000, 5000, PEN_IN_PROXIMITY | PEN_TOUCH);
    for (int i = 0; i < 5; i++, t += 1000)
        pen_ev(&f->ev[f->n++], t, 10000, 6000, 0, PEN_IN_PROXIMITY);
    for (int i = 0; i < 50; i++, t += 1000)
        pen_ev(&f->ev[f->n++], t, 10000, 6000 + 10 * i, 5000, PEN_IN_PROXIMITY | PEN_TOUCH | PEN_BUTTON2);
    for (int i = 0; i < 5; i++, t += 1000)
        pen_ev(&f->ev[f->n++], t, 10000, 6500, 0, PEN_IN_PROXIMITY);
    size_t before_tap = f->n;
    for (int i = 0; i < 30; i++, t += 1000)
        pen_ev(&f->ev[f->n++], t, 10000, 6500, 5000, PEN_IN_PROXIMITY | PEN_TOUCH);
    pen_ev(&f->ev[f->n++], t, 10000, 6500, 0, PEN_IN_PROXIMITY);
    f->unplug_at = (size_t)-1;
    live_input *li = live_input_open(src, NULL, err, sizeof err);
    pen_calibration cal;
    pen_calibration_default(&cal);
    sink k;
    memset(&k, 0, sizeof k);
    k.eng = engine_create(&l, sf, live_input_desc(li), &cal);
    k.w = session_writer_open_stream(tmpfile(), &(session_header){ .format_version = SESSION_FORMAT_VERSION }, err,
                                     sizeof err);
    session_event e;
    memset(&e, 0, sizeof e);
    e.kind = SEV_VIEW;
    engine_default_view(&l, sf, &e.u.view);
    e.u.view.aspect = 1.6f;
    engine_feed(k.eng, &e);
    memset(&e, 0, sizeof e);
    e.kind = SEV_MACHINE;
    e.u.value = 1;
    engine_feed(k.eng, &e);
    pump_until(li, &k, before_tap, 0, 0);
    size_t dots;
    engine_dots(k.eng, &dots);
    CHECK(dots == 0, "camera moves with the tip down made %zu dots", dots);
    /* orbit: 99 steps of 20 units on a 20000-unit-wide tablet at 16:10 on a 1.6 viewport */
    CHECK_NEAR(k.cam.orbit_dx, 99 * 20.0 / 20000.0, 1e-9, "orbit dx (viewport widths)");
    CHECK_NEAR(k.cam.orbit_dy, 0.0, 1e-12, "orbit dy");
    CHECK(k.cam.pan_dy > 0.0 && fabs(k.cam.pan_dx) < 1e-12, "pan: %g, %g", k.cam.pan_dx, k.cam.pan_dy);
    pump_until(li, &k, f->n, 0, 0);
    engine_dots(k.eng, &dots);
    CHECK(dots == 1, "the real tap after the camera moves makes one dot (got %zu)", dots);
    session_writer_abandon(k.w);
    live_input_close(li);
    engine_free(k.eng);
    surface_free(sf);
    lesson_free(&l);
}

/* ---- 4. 1 kHz while rendering ------------------------------------------------------------- */

static void slow_frame(void *ctx, const session_event *ev, size_t n)
{
    (void)ev;
    (void)n;
    long ms = *(const long *)ctx;
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

static void test_bench(void)
{
    char err[256];
    input_bench_result r;
    long frame_ms = 40;
    CHECK(input_bench_run(1.5, 1000, 1, slow_frame, &frame_ms, &r, err, sizeof err) == 0, "%s", err);
    input_bench_print(&r, stdout);
    CHECK(r.sent + r.writer_skipped == 1500 && r.sent >= 1000 && r.received == r.sent && r.dropped == 0,
          "threaded: %zu sent (%zu not sent: the writer stalled), %zu received", r.sent, r.writer_skipped, r.received);
    CHECK(r.frames >= 20, "frames rendered meanwhile: %zu", r.frames);
    /* how fast the thread read is a figure for the benchmark, not asserted here */
    /* the control: the same pen read only between 60 ms frames overflows a one-page buffer */
    frame_ms = 60;
    CHECK(input_bench_run(1.0, 1000, 0, slow_frame, &frame_ms, &r, err, sizeof err) == 0, "%s", err);
    input_bench_print(&r, stdout);
    CHECK(r.dropped > 0, "without the thread slow frames drop samples (got %zu dropped): the check can fail",
          r.dropped);
}

int main(void)
{
    test_tablet_area();
    test_unplug_replug();
    test_side_buttons();
    test_bench();
    return check_summary("test_app_input");
}
