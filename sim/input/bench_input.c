/* bench_input.c: how fast the input layer is. A synthetic pen recording (a pen drawing
 * circles with varying pressure and tilt at 200 Hz, 7 events a frame like a Wacom) is built
 * in memory, as struct input_event for the handler and as evemu text for the parser. Each
 * measurement is repeated 5 times; the median is printed. */
#include "bench_input.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evdev_pen.h"
#include "evemu.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void put(struct input_event *e, int64_t t_us, uint16_t type, uint16_t code, int32_t value)
{
    memset(e, 0, sizeof *e);
    e->input_event_sec = (__typeof__(e->input_event_sec))(t_us / 1000000);
    e->input_event_usec = (__typeof__(e->input_event_usec))(t_us % 1000000);
    e->type = type;
    e->code = code;
    e->value = value;
}

/* Deterministic integer "waves": no libm, no RNG. */
static int32_t tri(int64_t i, int32_t period, int32_t amp)
{
    int32_t k = (int32_t)(i % period);
    return k < period / 2 ? k * 2 * amp / period : (period - k) * 2 * amp / period;
}

static size_t make_events(struct input_event *ev, size_t frames)
{
    size_t n = 0;
    int64_t t = INT64_C(1700000000000000);
    put(&ev[n++], t, EV_KEY, BTN_TOOL_PEN, 1);
    for (size_t f = 0; f < frames; f++) {
        int64_t i = (int64_t)f;
        t += 5000;
        put(&ev[n++], t, EV_ABS, ABS_X, 10000 + tri(i, 400, 20000));
        put(&ev[n++], t, EV_ABS, ABS_Y, 8000 + tri(i + 100, 400, 12000));
        put(&ev[n++], t, EV_ABS, ABS_PRESSURE, tri(i, 60, 2047));
        put(&ev[n++], t, EV_ABS, ABS_TILT_X, tri(i, 900, 100) - 50);
        put(&ev[n++], t, EV_ABS, ABS_TILT_Y, tri(i, 700, 100) - 50);
        put(&ev[n++], t, EV_MSC, MSC_SERIAL, -1719661677);
        put(&ev[n++], t, EV_SYN, SYN_REPORT, 0);
    }
    return n;
}

static const char desc_text[] =
    "# EVEMU 1.3\nN: Bench Tablet Pen\nI: 0003 056a 00b9 0100\nP: 01 00 00 00 00 00 00 00\n"
    "A: 00 0 44704 4 0 200\nA: 01 0 27940 4 0 200\nA: 18 0 2047 0 0 0\nA: 1a -64 63 0 0 57\nA: 1b -64 63 0 0 57\n";

static char *make_text(const struct input_event *ev, size_t n, size_t *len)
{
    size_t cap = sizeof desc_text + n * 48;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    size_t used = sizeof desc_text - 1;
    memcpy(buf, desc_text, used);
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(buf + used, cap - used, "E: %lld.%06lld %04x %04x %d\n", (long long)ev[i].input_event_sec,
                         (long long)ev[i].input_event_usec, ev[i].type, ev[i].code, ev[i].value);
        if (k < 0 || (size_t)k >= cap - used)
            break;
        used += (size_t)k;
    }
    *len = used;
    return buf;
}

int bench_input(int argc, char **argv)
{
    int quick = 0;
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
    size_t frames = quick ? 100000 : 1000000;
    struct input_event *ev = malloc((frames * 7 + 1) * sizeof *ev);
    if (!ev)
        return 1;
    size_t n = make_events(ev, frames);
    device_desc d;
    device_desc_virtual(&d);

    double rate[5];
    volatile int64_t sink = 0;
    for (int r = 0; r < 5; r++) {
        evdev_pen p;
        evdev_pen_init(&p, &d, 0);
        session_event out;
        double t0 = now_s();
        for (size_t i = 0; i < n; i++)
            if (evdev_pen_feed(&p, &ev[i], &out))
                sink += out.u.pen.pressure;
        double dt = now_s() - t0;
        rate[r] = (double)n / (dt > 0 ? dt : 1e-9);
    }
    qsort(rate, 5, sizeof rate[0], cmp_double);
    printf("input: evdev handling %.1f M events/s (median of 5)\n", rate[2] / 1e6);

    size_t len = 0;
    char *text = make_text(ev, n, &len);
    free(ev);
    if (!text)
        return 1;
    double mbs[5];
    for (int r = 0; r < 5; r++) {
        evemu_recording rec;
        char err[256];
        double t0 = now_s();
        int rc = evemu_parse(text, len, "bench", &rec, err, sizeof err);
        double dt = now_s() - t0;
        if (rc != 0) {
            fprintf(stderr, "bench input: %s\n", err);
            free(text);
            return 1;
        }
        sink += (int64_t)rec.event_count;
        evemu_free(&rec);
        mbs[r] = (double)len / 1e6 / (dt > 0 ? dt : 1e-9);
    }
    qsort(mbs, 5, sizeof mbs[0], cmp_double);
    printf("input: evemu parsing %.0f MB/s (median of 5)\n", mbs[2]);
    free(text);
    (void)sink;
    return 0;
}
