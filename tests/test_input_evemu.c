/* test_input_evemu.c: the evemu parser and the pen handler on the real recordings.
 * Every recording in ../shared/devices plays through evemu_source (evdev_pen); a
 * deliberately simple second reader here (sscanf per line, nothing shared with evemu.c)
 * gives the expected frame count, timestamps and last axis values. Parser errors are checked
 * with line numbers computed from the text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "evdev_pen.h"
#include "evemu.h"
#include "evemu_source.h"

#define SHARED STIPPLE_SHARED_DIR "/devices/"

/* The 1-based line of the first line containing `needle`. */
static size_t line_of(const char *text, const char *marker)
{
    const char *at = strstr(text, marker);
    size_t line = 1;
    for (const char *p = text; at && p < at; p++)
        line += *p == '\n';
    return at ? line : 0;
}

static void expect_error(const char *text, const char *bad_line_marker, const char *what)
{
    evemu_recording r;
    char err[256], want[128];
    int rc = evemu_parse(text, strlen(text), "t.events", &r, err, sizeof err);
    CHECK(rc == -1, "%s: rejected", what);
    if (rc == 0) {
        evemu_free(&r);
        return;
    }
    snprintf(want, sizeof want, "t.events:%zu: ", line_of(text, bad_line_marker));
    CHECK(strncmp(err, want, strlen(want)) == 0, "%s: error '%s' should start with '%s'", what, err, want);
}

static void parser_tests(void)
{
    const char *good =
        "# EVEMU 1.3\n"
        "N: Test Pen\n"
        "I: 0003 056a 00b9 0100\r\n"
        "P: 02 00 00 00 00 00 00 00\n"
        "B: 01 00 00 00 00 00 00 00 00\n"
        "B: 01 00 00 00 00 00 00 00 00\n"
        "B: 01 00 00 00 00 00 00 00 00\n"
        "B: 01 00 00 00 00 00 00 00 00\n"
        "B: 01 00 00 00 00 00 00 00 00\n"
        "B: 01 03 04 00 00 00 00 00 00\n"
        "A: 00 0 44704 4 0 200\n"
        "A: 18 0 2047 0 0\n"                       /* old evemu: no resolution */
        "A: 1a -64 63 0 0 57\nA: 1b -64 63 0 0 57\n"
        "E: 12.5 0003 0000 0x10\n"                  /* a short fraction is 500000 us; 0x: rejected below */
        ;
    evemu_recording r;
    char err[256];
    /* the last line has a hex value where decimal is required */
    expect_error(good, "E: 12.5", "hex event value");

    const char *ok =
        "# EVEMU 1.3\nN: Test Pen  \nI: 0003 056a 00b9 0100\nP: 02 00 00 00 00 00 00 00\n"
        "B: 01 00 00 00 00 00 00 00 00\nB: 01 00 00 00 00 00 00 00 00\nB: 01 00 00 00 00 00 00 00 00\n"
        "B: 01 00 00 00 00 00 00 00 00\nB: 01 00 00 00 00 00 00 00 00\nB: 01 03 04 00 00 00 00 00 00\n"
        "A: 00 0 44704 4 0 200\nA: 01 0 27940 4 0 200\nA: 18 0 2047 0 0\nA: 1a -64 63 0 0 57\nA: 1b -64 63 0 0 57\n"
        "E: 12.5 0003 0000 16\t# EV_ABS / ABS_X\n"
        "E: 12.500001 0004 0000 -1719661677\n"
        "E: 12.500001 0004 0000 4294967295\n"
        "E: 12.500001 0000 0000 0000\n";
    int rc = evemu_parse(ok, strlen(ok), "t.events", &r, err, sizeof err);
    CHECK(rc == 0, "a valid recording parses: %s", err);
    if (rc == 0) {
        CHECK(strcmp(r.name, "Test Pen") == 0, "name trimmed: '%s'", r.name);
        CHECK(r.vendor == 0x56a && r.product == 0xb9 && r.bustype == 3, "ids");
        CHECK(r.event_count == 4, "4 events (%zu)", r.event_count);
        CHECK(r.events[0].input_event_sec == 12 && r.events[0].input_event_usec == 500000, "12.5 s = 12 s 500000 us");
        CHECK(r.events[0].value == 16 && r.events[1].value == -1719661677 && r.events[2].value == -1,
              "values: decimal, negative, unsigned 32-bit wraps");
        CHECK(r.abs[ABS_PRESSURE].present && r.abs[ABS_PRESSURE].max == 2047 && r.abs[ABS_PRESSURE].resolution == 0,
              "absinfo without resolution");
        CHECK(evemu_has(&r, EV_KEY, BTN_TOUCH) && evemu_has(&r, EV_KEY, BTN_TOOL_PEN) &&
              evemu_has(&r, EV_KEY, BTN_TOOL_RUBBER) && !evemu_has(&r, EV_KEY, BTN_STYLUS),
              "key bitmap from B: lines (byte 40 = 0x03, 41 = 0x04)");
        device_desc d;
        evemu_to_device_desc(&r, &d);
        CHECK(d.device_class == DEVICE_CLASS_PEN_DISPLAY, "INPUT_PROP_DIRECT makes a pen display");
        CHECK(d.x.resolution == 200 && d.y.max == 27940 && (d.axes & DEVICE_HAS_TILT) && (d.axes & DEVICE_HAS_PRESSURE),
              "axes into the device description");
        evemu_free(&r);
    }

    /* errors, each with the line computed from the text */
    expect_error("N: x\nE: 1.0 0003 0000\n", "E: 1.0", "missing value");
    expect_error("N: x\n\n# c\nE: 1.000000 0003 0000 5 junk\n", "E: 1.0", "text after the value");
    expect_error("N: x\nE: 1.0000000000 0003 0000 5\n", "E: 1.0", "too many fraction digits");
    expect_error("N: x\nE: 1.0 0003 0000 4294967296\n", "E: 1.0", "value over 32 bits");
    expect_error("N: x\nE: 1.0 0003 0000 -2147483649\n", "E: 1.0", "value under 32 bits");
    expect_error("N: x\nE: 1.0 0020 0000 5\n", "E: 1.0", "event type out of range");
    expect_error("N: x\nE: -1.0 0003 0000 5\n", "E: -1", "negative time");
    expect_error("N: x\nI: 0003 056a\n", "I: 0003", "short id");
    expect_error("N: x\nI: 0003 056a 10000 0001\n", "I: 0003", "id over 16 bits");
    expect_error("N: x\nA: 40 0 1 0 0 0\n", "A: 40", "absinfo code past ABS_MAX");
    expect_error("N: x\nA: 00 10 1 0 0 0\n", "A: 00", "min above max");
    expect_error("N: x\nB: 20 00\n", "B: 20", "bitmap type past EV_MAX");
    expect_error("N: x\nB: 01 0g\n", "B: 01", "bad hex byte");
    expect_error("N: x\nX: what\n", "X: what", "unknown line type");
    expect_error("N: x\nhello\n", "hello", "not a line type at all");
    expect_error("N: x\nN:   \n", "N:   ", "empty name");
    char withnul[] = "N: x\nE: 1.0 0003\0 0000 5\n";
    {
        char err2[256];
        rc = evemu_parse(withnul, sizeof withnul - 1, "t.events", &r, err2, sizeof err2);
        CHECK(rc == -1 && strncmp(err2, "t.events:2: ", 12) == 0, "NUL inside an event line: %s", err2);
    }
    /* an empty text is a valid, empty recording without a description */
    rc = evemu_parse("", 0, "empty", &r, err, sizeof err);
    CHECK(rc == 0 && r.event_count == 0 && !r.has_description, "empty text");
    if (rc == 0)
        evemu_free(&r);
    evemu_free(NULL);

    /* load: an events-only file needs its description */
    rc = evemu_load(SHARED "Wacom Intuos4 6x9.stylus-tap.events", NULL, &r, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "no device description") != NULL, "events-only file without desc: %s", err);
    rc = evemu_load(SHARED "no-such-file.events", NULL, &r, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "no-such-file.events") != NULL, "missing file named: %s", err);
}

/* ---- the simple second reader ---------------------------------------------------------- */

typedef struct simple {
    size_t frames;
    long long first_us, last_syn_us;
    int last_x, last_y, last_p;
    size_t touch_down;
} simple;

static void simple_read(const char *path, simple *s)
{
    memset(s, 0, sizeof *s);
    s->first_us = -1;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        long long sec, usec;
        unsigned type, code;
        long long value;
        if (sscanf(line, "E: %lld.%lld %x %x %lld", &sec, &usec, &type, &code, &value) != 5)
            continue;
        long long t = sec * 1000000 + usec;
        if (s->first_us < 0)
            s->first_us = t;
        if (type == EV_SYN && code == SYN_REPORT) {
            s->frames++;
            s->last_syn_us = t;
        }
        if (type == EV_ABS && code == ABS_X)
            s->last_x = (int)value;
        if (type == EV_ABS && code == ABS_Y)
            s->last_y = (int)value;
        if (type == EV_ABS && code == ABS_PRESSURE)
            s->last_p = (int)value;
        if (type == EV_KEY && code == BTN_TOUCH && value == 1)
            s->touch_down++;
    }
    fclose(f);
}

static void play_shared(const char *file, const char *desc, int want_class)
{
    char path[1024], dpath[1024], err[512];
    snprintf(path, sizeof path, "%s%s", SHARED, file);
    if (desc)
        snprintf(dpath, sizeof dpath, "%s%s", SHARED, desc);
    simple want;
    simple_read(path, &want);
    CHECK(want.frames > 0, "%s: the simple reader found frames", file);

    const int64_t start = 5000000;
    input_source *src = evemu_source_open_profile(path, desc ? dpath : NULL, NULL, start, err, sizeof err);
    CHECK(src != NULL, "%s opens: %s", file, err);
    if (!src)
        return;
    CHECK(src->desc.device_class == (uint32_t)want_class, "%s: class %u, want %d", file, src->desc.device_class,
          want_class);
    session_event buf[64];
    size_t frames = 0, touch_down = 0;
    int64_t prev = INT64_MIN, last_t = 0;
    pen_sample last;
    memset(&last, 0, sizeof last);
    uint32_t prev_flags = 0;
    int monotonic = 1;
    input_status st = INPUT_OK;
    /* play in 10 ms steps of session time, as an app would in real time */
    int64_t until = start;
    int bounded = 1;
    while (st == INPUT_OK) {
        size_t n = src->poll(src, until, buf, 64, &st);
        for (size_t i = 0; i < n; i++) {
            if (buf[i].t_us < prev)
                monotonic = 0;
            if (buf[i].t_us > until)
                bounded = 0;
            prev = buf[i].t_us;
            if (buf[i].kind != SEV_PEN)
                continue;
            frames++;
            last = buf[i].u.pen;
            last_t = buf[i].t_us;
            if ((last.flags & PEN_TOUCH) && !(prev_flags & PEN_TOUCH))
                touch_down++;
            prev_flags = last.flags;
        }
        if (n < 64)
            until += 10000;
    }
    CHECK(st == INPUT_END, "%s: ends", file);
    CHECK(monotonic && bounded, "%s: time never goes back, never past until_us", file);
    CHECK(frames == want.frames, "%s: %zu samples, one per SYN_REPORT (%zu)", file, frames, want.frames);
    CHECK(touch_down == want.touch_down, "%s: %zu touch-downs, raw %zu", file, touch_down, want.touch_down);
    CHECK(last_t == start + (want.last_syn_us - want.first_us), "%s: session time = start + kernel delta (%lld vs %lld)",
          file, (long long)last_t, (long long)(start + (want.last_syn_us - want.first_us)));
    CHECK(last.x == want.last_x && last.y == want.last_y, "%s: last position %d,%d, raw %d,%d", file, last.x, last.y,
          want.last_x, want.last_y);
    const evdev_pen *pen = input_source_pen(src);
    CHECK(pen && pen->events > 0 && pen->frames == frames, "%s: handler counters", file);
    input_source_close(src);
}

int main(void)
{
    parser_tests();
    FILE *probe = fopen(SHARED "Wacom Cintiq 13HD touch Pen.events", "r");
    if (!probe) {
        /* the parser's own checks ran; without the recordings the rest cannot: skipped */
        int rc = check_summary("test_input_evemu");
        printf("SKIP: no shared recordings under %s\n", SHARED);
        return rc ? rc : 77;
    }
    fclose(probe);
    play_shared("Wacom Cintiq 13HD touch Pen.events", NULL, DEVICE_CLASS_PEN_DISPLAY);
    play_shared("UC-LOGIC Tablet WP5540U Pen.events", NULL, DEVICE_CLASS_PEN_TABLET);
    play_shared("Wacom Intuos4 6x9.stylus-tap.events", "Wacom Intuos4 6x9 Pen.desc", DEVICE_CLASS_PEN_TABLET);
    play_shared("Wacom Intuos4 6x9.stylus-drag.events", "Wacom Intuos4 6x9 Pen.desc", DEVICE_CLASS_PEN_TABLET);
    play_shared("Wacom Intuos4 6x9.stylus-move.events", "Wacom Intuos4 6x9 Pen.desc", DEVICE_CLASS_PEN_TABLET);
    return check_summary("test_input_evemu");
}
