/* test_needle_depth.c: an instrumented pen that measures the needle's travel itself.
 * The measurement rides in pen samples (pen_sample.needle_depth_um), survives the session
 * file bit for bit, reaches the engine (which uses it instead of calibrated pressure), and
 * comes through a device profile and the tablet + pen fusion from a recording. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "practice_lesson.h"
#include "device_profile.h"
#include "engine.h"
#include "evemu.h"
#include "evemu_source.h"
#include "fusion.h"

#define DATA STIPPLE_SOURCE_DIR "/tests/data/devices/"
#define PROFILES STIPPLE_SOURCE_DIR "/assets/devices"

static session_event pen_event(int64_t t, int32_t x, int32_t y, int32_t pressure, int32_t depth_um, uint32_t flags)
{
    session_event e;
    memset(&e, 0, sizeof e);
    e.kind = SEV_PEN;
    e.t_us = t;
    e.u.pen.t_us = t;
    e.u.pen.x = x;
    e.u.pen.y = y;
    e.u.pen.pressure = pressure;
    e.u.pen.needle_depth_um = depth_um;
    e.u.pen.flags = flags;
    return e;
}

static void test_session_round_trip(void)
{
    session_header h;
    memset(&h, 0, sizeof h);
    h.format_version = SESSION_FORMAT_VERSION;
    device_desc_virtual(&h.device);
    h.device.axes |= DEVICE_HAS_NEEDLE_DEPTH;
    h.device.device_class = DEVICE_CLASS_INSTRUMENTED_PEN;
    pen_calibration_default(&h.calibration);
    session_event ev[400];
    size_t n = 0;
    for (int i = 0; i < 400; i++) {
        /* depth rises and falls within each press; flags change with it sometimes only */
        int32_t depth = (i % 40 < 20) ? (i % 40) * 23 : 0;
        uint32_t flags = PEN_IN_PROXIMITY | (depth > 0 ? PEN_TOUCH : 0);
        ev[n++] = pen_event(5000 * (int64_t)i, 1000 + i, 2000 - i, depth > 0 ? 3000 : 0, depth, flags);
    }
    char *buf = NULL, err[256];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    session_writer *w = session_writer_open_stream(f, &h, err, sizeof err);
    CHECK(w != NULL, "writer: %s", err);
    for (size_t i = 0; w && i < n; i++)
        CHECK(session_writer_add(w, &ev[i]) == 0, "add %zu", i);
    session_event too_deep = pen_event(5000 * 400, 0, 0, 0, PEN_NEEDLE_DEPTH_MAX_UM + 1, PEN_IN_PROXIMITY);
    CHECK(w && session_writer_add(w, &too_deep) == -1, "a depth past %d um is refused", PEN_NEEDLE_DEPTH_MAX_UM);
    session_event negative = pen_event(5000 * 400, 0, 0, 0, -1, PEN_IN_PROXIMITY);
    CHECK(w && session_writer_add(w, &negative) == -1, "a negative depth is refused");
    session_writer_close(w, 5000 * 400);
    fclose(f);
    session_data d;
    CHECK(session_load_mem((const uint8_t *)buf, len, &d, err, sizeof err) == 0, "read back: %s", err);
    CHECK(d.complete && d.event_count == n, "all %zu events back (%zu)", n, d.event_count);
    CHECK(d.header.device.axes & DEVICE_HAS_NEEDLE_DEPTH, "the header keeps the depth-sensor bit");
    size_t same = 0;
    for (size_t i = 0; i < n && i < d.event_count; i++)
        same += memcmp(&d.events[i].u.pen, &ev[i].u.pen, sizeof ev[i].u.pen) == 0;
    CHECK(same == n, "every sample bit-identical, depth included (%zu of %zu)", same, n);
    session_data_free(&d);
    free(buf);
}

static void test_engine_uses_measured_depth(void)
{
    char err[256];
    lesson l;
    CHECK(load_practice_lesson(&l, err, sizeof err) == 0, "%s", err);
    surface *s = surface_create(SURFACE_PRACTICE_SKIN, 100, 70);
    device_desc dev;
    device_desc_virtual(&dev);
    dev.axes |= DEVICE_HAS_NEEDLE_DEPTH;
    pen_calibration cal;
    pen_calibration_default(&cal);
    engine *e = engine_create(&l, s, &dev, &cal);
    session_event on;
    memset(&on, 0, sizeof on);
    on.kind = SEV_MACHINE;
    on.u.value = 1;
    engine_feed(e, &on);
    /* three presses with the same pressure and different measured depths */
    int32_t depths[3] = { 120, 300, 800 };
    int64_t t = 1000;
    for (int k = 0; k < 3; k++) {
        double p[3] = { 40.0 + 10.0 * k, 35.0, 0.0 }, vx, vy, tx, ty;
        view_project(engine_view(e), p, &vx, &vy);
        pen_map_from_viewport(&dev, (double)engine_view(e)->aspect, vx, vy, &tx, &ty);
        int32_t x = (int32_t)lround(tx * dev.x.max), y = (int32_t)lround(ty * dev.y.max);
        for (int i = 0; i < 12; i++) {
            int32_t depth = i < 6 ? depths[k] * (i + 1) / 6 : depths[k];
            session_event pe = pen_event(t, x, y, 4000, depth, PEN_IN_PROXIMITY | PEN_TOUCH);
            engine_feed(e, &pe);
            t += 5000;
        }
        session_event up = pen_event(t, x, y, 0, 0, PEN_IN_PROXIMITY);
        engine_feed(e, &up);
        t += 5000;
    }
    size_t n;
    const dot *d = engine_dots(e, &n);
    CHECK(n == 3, "three dots (%zu)", n);
    for (size_t k = 0; k < n && k < 3; k++) {
        double cosang = cos(d[k].angle_deg * 3.14159265358979323846 / 180.0);
        CHECK_NEAR(d[k].depth_mm, depths[k] / 1000.0 * cosang, 1e-9, "depth = measured travel x cos(angle)");
    }
    engine_free(e);
    surface_free(s);
    lesson_free(&l);
}

/* The deepest ABS_Z value the recording holds, read straight from its E: lines. */
static int32_t max_abs_z(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    int32_t best = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned type, code;
        long value;
        double tm;
        if (sscanf(line, "E: %lf %x %x %ld", &tm, &type, &code, &value) == 4 && type == EV_ABS && code == ABS_Z
            && value > best)
            best = (int32_t)value;
    }
    if (f)
        fclose(f);
    return best;
}

static void test_profile_and_fusion(void)
{
    char err[512];
    device_profile gen, inst;
    CHECK(device_profile_load(PROFILES "/generic-tablet.json", &gen, err, sizeof err) == 0, "%s", err);
    CHECK(device_profile_load(PROFILES "/instrumented-pen.json", &inst, err, sizeof err) == 0, "%s", err);
    CHECK(strcmp(inst.abs[PCH_NEEDLE_DEPTH].unit, "0.01 mm") == 0 && device_profile_depth_um_per_unit(&inst) == 10,
          "\"0.01 mm\" is 10 um a unit (%d)", device_profile_depth_um_per_unit(&inst));
    CHECK(device_profile_depth_um_per_unit(&gen) == 0, "a tablet's profile has no depth channel");
    evemu_recording tr, pr;
    if (evemu_load(DATA "fusion-tablet.events", NULL, &tr, err, sizeof err) != 0
        || evemu_load(DATA "fusion-pen.events", NULL, &pr, err, sizeof err) != 0) {
        CHECK(0, "recordings: %s", err);
        return;
    }
    input_source *tab = evemu_source_from_recording(&tr, &gen, 0, err, sizeof err);
    input_source *pen = evemu_source_from_recording(&pr, &inst, 0, err, sizeof err);
    CHECK(pen && (pen->desc.axes & DEVICE_HAS_NEEDLE_DEPTH), "the pen source says it measures depth");
    input_source *fu = fusion_source_open(tab, pen, err, sizeof err);
    CHECK(fu && (fu->desc.axes & DEVICE_HAS_NEEDLE_DEPTH), "so does the fused source");
    int32_t want_max = max_abs_z(DATA "fusion-pen.events") * 10;
    CHECK(want_max > 0, "the pen recording holds needle depths");
    int32_t got_max = 0;
    size_t with_depth = 0;
    session_event buf[256];
    input_status st = INPUT_OK;
    while (fu && st == INPUT_OK) {
        size_t k = fu->poll(fu, INT64_MAX, buf, 256, &st);
        for (size_t i = 0; i < k; i++)
            if (buf[i].kind == SEV_PEN) {
                with_depth += buf[i].u.pen.needle_depth_um > 0;
                if (buf[i].u.pen.needle_depth_um > got_max)
                    got_max = buf[i].u.pen.needle_depth_um;
            }
        if (k == 0)
            break;
    }
    CHECK(got_max == want_max, "deepest fused needle depth %d um = 10 x the recording's deepest ABS_Z (%d um)",
          got_max, want_max);
    CHECK(with_depth > 0, "fused samples carry the depth (%zu)", with_depth);
    input_source_close(fu);
    evemu_free(&tr);
    evemu_free(&pr);
}

int main(void)
{
    test_session_round_trip();
    test_engine_uses_measured_depth();
    test_profile_and_fusion();
    return check_summary("test_needle_depth");
}
