/* test_input_sources.c: the handler's rules (SYN_DROPPED, eraser, proximity, resync,
 * machine trigger), the unplug -> pause path, fusion of a tablet and an instrumented pen,
 * device profiles (matching and "file:line:col" errors) and the hot-plug watcher, on the
 * synthetic recordings in tests/data/devices (made by gen_synthetic.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "practice_lesson.h"
#include "device_profile.h"
#include "engine.h"
#include "evdev_pen.h"
#include "evdev_source.h"
#include "evemu.h"
#include "evemu_source.h"
#include "fusion.h"

#define DATA STIPPLE_SOURCE_DIR "/tests/data/devices/"
#define PROFILES STIPPLE_SOURCE_DIR "/assets/devices"

/* Reads a whole source into a growing array. */
static session_event *drain(input_source *s, size_t *n, input_status *last)
{
    size_t cap = 1024;
    session_event *ev = malloc(cap * sizeof *ev);
    *n = 0;
    input_status st = INPUT_OK;
    while (ev && st == INPUT_OK) {
        if (*n + 64 > cap) {
            cap *= 2;
            session_event *nb = realloc(ev, cap * sizeof *nb);
            if (!nb) {
                free(ev);
                return NULL;
            }
            ev = nb;
        }
        *n += s->poll(s, INT64_MAX, ev + *n, 64, &st);
    }
    *last = st;
    return ev;
}

static input_source *open_data(const char *name, const device_profile *p)
{
    char err[512];
    input_source *s = evemu_source_open_profile(name, NULL, p, 0, err, sizeof err);
    CHECK(s != NULL, "%s opens: %s", name, err);
    return s;
}

static void test_syn_dropped(void)
{
    input_source *s = open_data(DATA "syn-dropped.events", NULL);
    if (!s)
        return;
    size_t n;
    input_status st;
    session_event *ev = drain(s, &n, &st);
    size_t pens = 0, drops = 0;
    int32_t max_p = 0, max_x = 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].kind == SEV_SYN_DROPPED) {
            drops++;
            CHECK(ev[i].u.value == 1, "SEV_SYN_DROPPED carries the count so far");
            CHECK(pens == 2, "the drop comes after the 2 complete frames (got %zu)", pens);
        }
        if (ev[i].kind == SEV_PEN) {
            pens++;
            if (ev[i].u.pen.pressure > max_p)
                max_p = ev[i].u.pen.pressure;
            if (ev[i].u.pen.x > max_x)
                max_x = ev[i].u.pen.x;
        }
    }
    CHECK(drops == 1, "one SYN_DROPPED (%zu)", drops);
    CHECK(pens == 5, "the SYN_REPORT ending the dropped run makes no sample: 5 samples (%zu)", pens);
    CHECK(max_p == 400, "the partial frame (1999) and the ignored events (2047) never reach a sample (max %d)", max_p);
    CHECK(max_x == 1000, "x rolled back to the last complete frame and the ignored 9999 is gone (max %d)", max_x);
    const evdev_pen *pen = input_source_pen(s);
    CHECK(pen && pen->dropped == 1, "handler counts the drop");
    free(ev);
    input_source_close(s);

    /* a live reader resynchronises: the whole state comes from the device */
    evdev_pen p;
    device_desc d;
    device_desc_virtual(&d);
    evdev_pen_init(&p, &d, 0);
    struct input_event e;
    memset(&e, 0, sizeof e);
    session_event out;
    e.type = EV_SYN;
    e.code = SYN_DROPPED;
    CHECK(evdev_pen_feed(&p, &e, &out) == 1 && out.kind == SEV_SYN_DROPPED, "drop event");
    pen_sample cur = { 0, 111, 222, 333, 4, 5, 6, PEN_IN_PROXIMITY | PEN_TOUCH, 0 };
    evdev_pen_resync(&p, &cur);
    e.type = EV_ABS;
    e.code = ABS_X;
    e.value = 999;
    CHECK(evdev_pen_feed(&p, &e, &out) == 0, "after resync events apply again");
    e.type = EV_SYN;
    e.code = SYN_REPORT;
    e.value = 0;
    CHECK(evdev_pen_feed(&p, &e, &out) == 1 && out.kind == SEV_PEN, "sample after resync");
    CHECK(out.u.pen.x == 999 && out.u.pen.y == 222 && out.u.pen.pressure == 333 && (out.u.pen.flags & PEN_TOUCH),
          "resynced state plus the new event");
}

static void test_eraser(void)
{
    char err[256];
    lesson l;
    if (load_practice_lesson(&l, err, sizeof err) != 0) {
        CHECK(0, "lesson: %s", err);
        return;
    }
    surface *sf = surface_create(SURFACE_PRACTICE_SKIN, 100, 70);
    input_source *s = open_data(DATA "eraser.events", NULL);
    if (!s || !sf) {
        surface_free(sf);
        lesson_free(&l);
        input_source_close(s);
        return;
    }
    size_t n;
    input_status st;
    session_event *ev = drain(s, &n, &st);
    engine *e = engine_create(&l, sf, &s->desc, &s->calibration);
    session_event on;
    memset(&on, 0, sizeof on);
    on.kind = SEV_MACHINE;
    on.u.value = 1;
    engine_feed(e, &on);
    size_t eraser_frames = 0, eraser_touch = 0, pen_touch = 0;
    for (size_t i = 0; i < n; i++) {
        engine_feed(e, &ev[i]);
        if (ev[i].kind != SEV_PEN)
            continue;
        uint32_t f = ev[i].u.pen.flags;
        eraser_frames += (f & PEN_ERASER) != 0;
        eraser_touch += (f & PEN_ERASER) && (f & PEN_TOUCH);
        pen_touch += !(f & PEN_ERASER) && (f & PEN_TOUCH);
        CHECK(!(f & PEN_ERASER) || (f & PEN_IN_PROXIMITY), "eraser implies proximity");
    }
    engine_finish(e, engine_time_us(e));
    size_t dots;
    engine_dots(e, &dots);
    CHECK(eraser_frames > 0 && eraser_touch > 0 && pen_touch > 0, "eraser and pen contacts seen (%zu, %zu, %zu)",
          eraser_frames, eraser_touch, pen_touch);
    CHECK(dots == 1, "the eraser makes no dot, the pen tip one (%zu)", dots);
    free(ev);
    engine_free(e);
    input_source_close(s);
    surface_free(sf);
    lesson_free(&l);
}

/* The unplug path: a recording cut with the pen pressed, then the pause event the live
 * source emits on -ENODEV (same function), then the resume after a replug. */
static void test_unplug(void)
{
    char err[256];
    lesson l;
    if (load_practice_lesson(&l, err, sizeof err) != 0)
        return;
    surface *sf = surface_create(SURFACE_PRACTICE_SKIN, 100, 70);
    char e2[512];
    evemu_recording r;
    if (!sf || evemu_load(DATA "unplug-midstroke.events", NULL, &r, e2, sizeof e2) != 0) {
        CHECK(0, "unplug recording: %s", e2);
        surface_free(sf);
        lesson_free(&l);
        return;
    }
    device_desc d;
    evemu_to_device_desc(&r, &d);
    evdev_pen p;
    evdev_pen_init(&p, &d, 0);
    pen_calibration cal;
    pen_calibration_default(&cal);
    engine *e = engine_create(&l, sf, &d, &cal);
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_MACHINE;
    ev.u.value = 1;
    engine_feed(e, &ev);
    for (size_t i = 0; i < r.event_count; i++)
        if (evdev_pen_feed(&p, &r.events[i], &ev))
            engine_feed(e, &ev);
    double depth;
    CHECK(engine_contact_depth(e, &depth) == 1 && depth > 0.0, "the recording ends with the needle in (%.3f mm)", depth);
    int64_t t_unplug = p.last_t_us + 20000;
    evdev_pen_unplug(&p, t_unplug, &ev);
    CHECK(ev.kind == SEV_PAUSE && ev.u.value == 1 && ev.t_us == t_unplug, "unplug gives SEV_PAUSE (1 = unplugged)");
    CHECK(engine_feed(e, &ev) == 1, "the pause ends the contact: one dot");
    CHECK(engine_paused(e), "the lesson is paused");
    CHECK(!(p.state.flags & (PEN_IN_PROXIMITY | PEN_TOUCH)) && p.state.pressure == 0, "the pen left proximity");
    evdev_pen_replug(&p, t_unplug - 5, &ev);   /* a replug time before the last is clamped */
    CHECK(ev.kind == SEV_RESUME && ev.t_us == t_unplug, "replug gives SEV_RESUME, time monotonic");
    engine_feed(e, &ev);
    CHECK(!engine_paused(e), "resumed");
    size_t dots;
    engine_dots(e, &dots);
    CHECK(dots == 1, "exactly one dot (%zu)", dots);
    engine_free(e);
    evemu_free(&r);
    surface_free(sf);
    lesson_free(&l);

    /* the live source's own report (no device here): opening a missing node fails cleanly */
    input_source *live = evdev_source_open("/nonexistent/event99", 0, err, sizeof err);
    CHECK(live == NULL && strstr(err, "/nonexistent/event99") != NULL, "missing device: %s", err);
    CHECK(input_source_pen(NULL) == NULL && !evdev_source_unplugged(NULL), "NULL-safe queries");
    CHECK(evdev_source_replug(NULL, "/x") == 0 && evdev_source_vibrate(NULL) < 0, "NULL-safe live calls");
}

static void test_profiles_and_fusion(void)
{
    char err[512];
    device_profile gen, inst;
    CHECK(device_profile_load(PROFILES "/generic-tablet.json", &gen, err, sizeof err) == 0, "generic: %s", err);
    CHECK(device_profile_load(PROFILES "/instrumented-pen.json", &inst, err, sizeof err) == 0, "instrumented: %s", err);
    CHECK(inst.abs[PCH_FORCE].code == ABS_PRESSURE && inst.abs[PCH_FORCE].has_range &&
              inst.abs[PCH_FORCE].range[1] == 4000 && strcmp(inst.abs[PCH_FORCE].unit, "mN") == 0,
          "force: ABS_PRESSURE in mN, 0-4000");
    CHECK(inst.abs[PCH_NEEDLE_DEPTH].code == ABS_Z && inst.machine_key == BTN_0 && inst.ff_effect == FF_RUMBLE,
          "needle depth ABS_Z, machine BTN_0, FF_RUMBLE");

    evemu_recording tr, pr;
    if (evemu_load(DATA "fusion-tablet.events", NULL, &tr, err, sizeof err) != 0 ||
        evemu_load(DATA "fusion-pen.events", NULL, &pr, err, sizeof err) != 0) {
        CHECK(0, "fusion recordings: %s", err);
        return;
    }
    device_caps tc, pc;
    device_caps_from_evemu(&tr, &tc);
    device_caps_from_evemu(&pr, &pc);
    device_profile found;
    CHECK(device_profile_find(PROFILES, &pc, &found, err, sizeof err) == 1 && strcmp(found.name, inst.name) == 0,
          "the instrumented pen picks its own profile (%s)", found.name);
    CHECK(device_profile_find(PROFILES, &tc, &found, err, sizeof err) == 1 && strcmp(found.name, gen.name) == 0,
          "a tablet picks the generic profile");
    CHECK(device_profile_score(&inst, &tc) < 0, "the instrumented profile does not apply to a tablet");

    input_source *tab = evemu_source_from_recording(&tr, &gen, 0, err, sizeof err);
    input_source *pen = evemu_source_from_recording(&pr, &inst, 0, err, sizeof err);
    CHECK(pen && pen->desc.device_class == DEVICE_CLASS_INSTRUMENTED_PEN && pen->desc.pressure.max == 4000,
          "pen source: instrumented, force axis 0-4000");
    input_source *fu = fusion_source_open(tab, pen, err, sizeof err);
    CHECK(fu != NULL, "fusion opens: %s", err);
    if (!fu) {
        evemu_free(&tr);
        evemu_free(&pr);
        return;
    }
    CHECK(fu->desc.x.max == 32767 && fu->desc.pressure.max == 4000 && fu->desc.device_class ==
          DEVICE_CLASS_INSTRUMENTED_PEN, "fused description: tablet position, pen force");
    size_t n;
    input_status st;
    session_event *ev = drain(fu, &n, &st);
    CHECK(st == INPUT_END, "fusion ends when both end");
    int64_t prev = INT64_MIN;
    int mono = 1, machine_on = 0;
    size_t machine = 0, pens = 0, pen_from_force = 0;
    int32_t max_force = 0, last_x = 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].t_us < prev)
            mono = 0;
        prev = ev[i].t_us;
        if (ev[i].kind == SEV_MACHINE) {
            machine++;
            machine_on = ev[i].u.value;
        }
        if (ev[i].kind == SEV_PEN) {
            pens++;
            if (ev[i].u.pen.pressure > max_force)
                max_force = ev[i].u.pen.pressure;
            if (ev[i].u.pen.pressure > 0 && (ev[i].t_us % 5000) == 2500)
                pen_from_force++;   /* samples at the pen's own times (between tablet reports) */
            if (ev[i].u.pen.pressure > 0 && !(ev[i].u.pen.flags & PEN_TOUCH))
                mono = 0;
            last_x = ev[i].u.pen.x;
        }
    }
    CHECK(mono, "fused stream in time order, touch follows force");
    CHECK(machine == 2 && machine_on == 0, "BTN_0 toggles the machine on then off (%zu events)", machine);
    /* expected figures from the recordings' raw events: frames of each, the pen's top force */
    size_t frames = 0;
    int32_t raw_max_force = 0;
    for (size_t i = 0; i < tr.event_count; i++)
        frames += tr.events[i].type == EV_SYN && tr.events[i].code == SYN_REPORT;
    for (size_t i = 0; i < pr.event_count; i++) {
        frames += pr.events[i].type == EV_SYN && pr.events[i].code == SYN_REPORT;
        if (pr.events[i].type == EV_ABS && pr.events[i].code == ABS_PRESSURE && pr.events[i].value > raw_max_force)
            raw_max_force = pr.events[i].value;
    }
    CHECK(pens == frames, "one fused sample per frame of either source (%zu of %zu)", pens, frames);
    CHECK(max_force == raw_max_force && max_force > 0, "force from the pen: the recording's top %d (%d)",
          raw_max_force, max_force);
    CHECK(pen_from_force > 0, "force changes between tablet reports are seen at their own time");
    CHECK(last_x == 16384 + 1000, "position from the tablet (%d)", last_x);
    free(ev);
    input_source_close(fu);
    evemu_free(&tr);
    evemu_free(&pr);

    /* profile errors: file:line:col at the offending value */
    struct {
        const char *text, *marker, *what;
    } bad[] = {
        { "{\"format\": \"stipple-device-profile/1\", \"name\": \"x\",\n \"channels\": {\n  \"force\": {\"code\": \"ABS_NOPE\"}}}",
          "\"ABS_NOPE\"", "unknown code" },
        { "{\"format\": \"stipple-device-profile/1\", \"name\": \"x\",\n \"channels\": {\"force\": {\"code\": \"BTN_0\"}}}",
          "\"BTN_0\"", "a key where an axis is needed" },
        { "{\"format\": \"stipple-device-profile/1\", \"name\": \"x\", \"channels\": {\n \"force\": {\"code\": \"ABS_Z\",\n"
          "  \"range\": [10, 5]}}}", "[10, 5]", "range min >= max" },
        { "{\"format\": \"stipple-device-profile/1\", \"name\": \"x\", \"channels\": {},\n \"colour\": 3}", "3}",
          "unknown key" },
        { "{\"format\": \"stipple-device-profile/1\", \"name\": \"x\", \"channels\": {\n \"smell\": {}}}", "{}}}",
          "unknown channel" },
        { "{\"format\": \"stipple-device-profile/2\", \"name\": \"x\", \"channels\": {}}", "\"stipple-device-profile/2\"",
          "wrong format" },
        { "{\"format\": \"stipple-device-profile/1\",\n \"name\": \"x\", \"channels\": {\n \"machine_trigger\": "
          "{\"code\": \"ABS_X\"}}}", "\"ABS_X\"", "an axis as the machine trigger" },
        { "{\"format\": \"stipple-device-profile/1\",\n \"name\": \"x\",,}", ",}", "syntax error" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        device_profile p;
        const char *t = bad[i].text, *at = strstr(t, bad[i].marker);
        size_t line = 1, col = 1;
        for (const char *q = t; at && q < at; q++) {
            if (*q == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        char want[64];
        snprintf(want, sizeof want, "p.json:%zu:%zu: ", line, col);
        int rc = device_profile_load_mem(t, strlen(t), "p.json", &p, err, sizeof err);
        CHECK(rc == -1, "%s: rejected", bad[i].what);
        if (i + 1 == sizeof bad / sizeof bad[0])
            snprintf(want, sizeof want, "p.json:%zu:", line);   /* jansson's own column */
        CHECK(strncmp(err, want, strlen(want)) == 0, "%s: '%s' should start with '%s'", bad[i].what, err, want);
    }
}

static void test_hotplug(void)
{
    char dir[] = "/tmp/stipple-hotplug-XXXXXX", err[256], path[128];
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    input_hotplug *h = input_hotplug_open(dir, err, sizeof err);
    CHECK(h != NULL, "watching a folder: %s", err);
    if (!h)
        return;
    hotplug_event ev[8];
    CHECK(input_hotplug_poll(h, ev, 8) == 0, "nothing yet");
    snprintf(path, sizeof path, "%s/event7", dir);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "%s/mouse0", dir);
    f = fopen(path, "w");
    if (f)
        fclose(f);
    size_t n = input_hotplug_poll(h, ev, 8);
    CHECK(n >= 1 && ev[0].kind == HOTPLUG_ADDED && strstr(ev[0].devnode, "/event7"), "event7 added (%zu)", n);
    for (size_t i = 0; i < n; i++)
        CHECK(strstr(ev[i].devnode, "mouse0") == NULL, "only event nodes");
    snprintf(path, sizeof path, "%s/event7", dir);
    unlink(path);
    n = input_hotplug_poll(h, ev, 8);
    CHECK(n == 1 && ev[0].kind == HOTPLUG_REMOVED, "event7 removed");
    snprintf(path, sizeof path, "%s/mouse0", dir);
    unlink(path);
    input_hotplug_close(h);
    input_hotplug_close(NULL);
    rmdir(dir);
    CHECK(input_hotplug_open("/nonexistent-dir", err, sizeof err) == NULL && strstr(err, "/nonexistent-dir"),
          "missing folder: %s", err);
}

int main(void)
{
    test_syn_dropped();
    test_eraser();
    test_unplug();
    test_profiles_and_fusion();
    test_hotplug();
    return check_summary("test_input_sources");
}
