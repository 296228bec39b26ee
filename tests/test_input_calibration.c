/* test_input_calibration.c: the same physical technique recorded on two tablets with
 * different pressure ranges and response curves (A: 0-2047 linear; B: 0-8191, raw = f^0.6;
 * tests/data/devices/pen-{a-2047,b-8191}.*.events from gen_synthetic.py) gives the same
 * depth distribution through the engine once each is calibrated from its own guided
 * exercise, while with the default calibration the two differ. Also: storage round trip. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibration.h"
#include "check.h"
#include "practice_lesson.h"
#include "engine.h"
#include "evemu_source.h"

#define DATA STIPPLE_SOURCE_DIR "/tests/data/devices/"

static session_event *read_all(const char *path, device_desc *desc, size_t *n)
{
    char err[512];
    input_source *s = evemu_source_open_profile(path, NULL, NULL, 0, err, sizeof err);
    CHECK(s != NULL, "%s: %s", path, err);
    *n = 0;
    if (!s)
        return NULL;
    *desc = s->desc;
    size_t cap = 4096;
    session_event *ev = malloc(cap * sizeof *ev);
    input_status st = INPUT_OK;
    while (ev && st == INPUT_OK) {
        if (*n + 256 > cap) {
            cap *= 2;
            session_event *nb = realloc(ev, cap * sizeof *nb);
            if (!nb)
                break;
            ev = nb;
        }
        *n += s->poll(s, INT64_MAX, ev + *n, 256, &st);
    }
    input_source_close(s);
    return ev;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct dist {
    size_t n;
    double mean, q10, q50, q90;
} dist;

/* Strokes through the engine with a calibration: the depth distribution of the dots. */
static void depths(const lesson *l, const surface *sf, const char *strokes, const pen_calibration *cal, dist *out)
{
    device_desc d;
    size_t n;
    memset(out, 0, sizeof *out);
    session_event *ev = read_all(strokes, &d, &n);
    if (!ev)
        return;
    engine *e = engine_create(l, sf, &d, cal);
    session_event on;
    memset(&on, 0, sizeof on);
    on.kind = SEV_MACHINE;
    on.u.value = 1;
    engine_feed(e, &on);
    for (size_t i = 0; i < n; i++)
        engine_feed(e, &ev[i]);
    engine_finish(e, engine_time_us(e));
    size_t k;
    const dot *dots = engine_dots(e, &k);
    double *v = malloc((k ? k : 1) * sizeof *v);
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        v[i] = dots[i].depth_mm;
        sum += v[i];
    }
    qsort(v, k, sizeof *v, cmp_double);
    out->n = k;
    if (k) {
        out->mean = sum / (double)k;
        out->q10 = v[k / 10];
        out->q50 = v[k / 2];
        out->q90 = v[k * 9 / 10];
    }
    free(v);
    engine_free(e);
    free(ev);
}

static int calibrate(const char *path, pen_calibration *cal, device_desc *d)
{
    size_t n;
    char err[256];
    session_event *ev = read_all(path, d, &n);
    if (!ev)
        return -1;
    calibration_result r;
    int rc = calibration_analyse(ev, n, d, &r, err, sizeof err);
    CHECK(rc == 0, "%s: %s", path, err);
    if (rc == 0) {
        CHECK(r.light == 10 && r.firm == 5, "%s: 10 light taps, 5 firm presses (%zu, %zu)", path, r.light, r.firm);
        *cal = r.cal;
        printf("  %s: activation %.4f saturation %.4f gamma %.3f\n", strrchr(path, '/') + 1, (double)cal->activation,
               (double)cal->saturation, (double)cal->gamma);
    }
    free(ev);
    return rc;
}

int main(void)
{
    char err[256];
    lesson l;
    if (load_practice_lesson(&l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    surface *sf = surface_create(SURFACE_PRACTICE_SKIN, 100, 70);

    pen_calibration ca, cb, def;
    device_desc da, db;
    pen_calibration_default(&def);
    int ok = calibrate(DATA "pen-a-2047.calibration.events", &ca, &da) == 0 &&
             calibrate(DATA "pen-b-8191.calibration.events", &cb, &db) == 0;
    CHECK(da.pressure.max == 2047 && db.pressure.max == 8191, "two pressure ranges");
    if (ok) {
        dist a, b, ua, ub;
        depths(&l, sf, DATA "pen-a-2047.strokes.events", &ca, &a);
        depths(&l, sf, DATA "pen-b-8191.strokes.events", &cb, &b);
        depths(&l, sf, DATA "pen-a-2047.strokes.events", &def, &ua);
        depths(&l, sf, DATA "pen-b-8191.strokes.events", &def, &ub);
        printf("  calibrated   A: n %zu mean %.3f q10 %.3f q50 %.3f q90 %.3f\n", a.n, a.mean, a.q10, a.q50, a.q90);
        printf("  calibrated   B: n %zu mean %.3f q10 %.3f q50 %.3f q90 %.3f\n", b.n, b.mean, b.q10, b.q50, b.q90);
        printf("  uncalibrated A: n %zu mean %.3f q10 %.3f q50 %.3f q90 %.3f\n", ua.n, ua.mean, ua.q10, ua.q50, ua.q90);
        printf("  uncalibrated B: n %zu mean %.3f q10 %.3f q50 %.3f q90 %.3f\n", ub.n, ub.mean, ub.q10, ub.q50, ub.q90);
        CHECK(a.n == 40 && b.n == 40, "40 strokes, 40 dots on each (%zu, %zu)", a.n, b.n);
        const double tol = 0.02;   /* mm */
        CHECK_NEAR(a.mean, b.mean, tol, "calibrated mean depth A vs B");
        CHECK_NEAR(a.q10, b.q10, tol, "calibrated 10th percentile A vs B");
        CHECK_NEAR(a.q50, b.q50, tol, "calibrated median A vs B");
        CHECK_NEAR(a.q90, b.q90, tol, "calibrated 90th percentile A vs B");
        CHECK(fabs(ua.mean - ub.mean) > 5 * tol, "uncalibrated the devices differ (mean %.3f vs %.3f)", ua.mean, ub.mean);
        CHECK(fabs(ua.q10 - ub.q10) > 5 * tol, "uncalibrated 10th percentiles differ (%.3f vs %.3f)", ua.q10, ub.q10);
        /* the firm presses of the exercise land at the nominal deep-dot travel */
        CHECK(a.q90 < 0.6 && a.q10 > 0.05, "calibrated depths lie in a sensible range (%.3f-%.3f)", a.q10, a.q90);
    }

    /* storage: $XDG_CONFIG_HOME/stipple/calibration/<vendor>-<product>-<name>-<serial>.json */
    char dir[] = "/tmp/stipple-cal-XXXXXX";
    if (mkdtemp(dir)) {
        setenv("XDG_CONFIG_HOME", dir, 1);
        char path[1024];
        CHECK(calibration_path(&da, 0x5a5a, path, sizeof path) == 0 && strstr(path, "/stipple/calibration/") &&
                  strstr(path, "5354-0a01-Synthetic_Tablet_A-2047_Pen-00005a5a.json"), "path: %s", path);
        pen_calibration back = def;
        CHECK(calibration_load(&da, 0x5a5a, &back, err, sizeof err) == 0, "no file yet");
        CHECK(calibration_save(&da, 0x5a5a, &ca, err, sizeof err) == 0, "save: %s", err);
        CHECK(calibration_load(&da, 0x5a5a, &back, err, sizeof err) == 1, "load: %s", err);
        CHECK(back.activation == ca.activation && back.saturation == ca.saturation && back.gamma == ca.gamma,
              "round trip");
        CHECK(calibration_load(&da, 0x1234, &back, err, sizeof err) == 0, "another stylus has its own file");
        /* a pen opened before its serial is known (0) uses the newest calibration of this tablet */
        pen_calibration any;
        memset(&any, 0, sizeof any);
        CHECK(calibration_load(&da, 0, &any, err, sizeof err) == 1 && any.activation == ca.activation
                  && any.saturation == ca.saturation, "serial not known yet: the tablet's stylus calibration");
        FILE *f = fopen(path, "w");
        if (f) {
            fputs("{\"format\": \"stipple-calibration/1\",\n \"activation\": 0.9, \"saturation\": 0.5, "
                  "\"gamma\": 1, \"travel_at_full_mm\": 1}\n", f);
            fclose(f);
        }
        CHECK(calibration_load(&da, 0x5a5a, &back, err, sizeof err) == -1 && strstr(err, path), "damaged: %s", err);
        f = fopen(path, "w");
        if (f) {
            fputs("{\"format\": \n", f);
            fclose(f);
        }
        CHECK(calibration_load(&da, 0x5a5a, &back, err, sizeof err) == -1 && strstr(err, ":2:"), "syntax: %s", err);
        remove(path);
        char sub[1100];
        snprintf(sub, sizeof sub, "%s/stipple/calibration", dir);
        rmdir(sub);
        snprintf(sub, sizeof sub, "%s/stipple", dir);
        rmdir(sub);
        rmdir(dir);
    }

    /* an exercise without contacts says what is missing */
    calibration_result r;
    session_event none;
    memset(&none, 0, sizeof none);
    none.kind = SEV_PEN;
    CHECK(calibration_analyse(&none, 1, &da, &r, err, sizeof err) == -1 && strstr(err, "found 0 pen contacts"),
          "no contacts: %s", err);

    surface_free(sf);
    lesson_free(&l);
    return check_summary("test_input_calibration");
}
