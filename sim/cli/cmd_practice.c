/* cmd_practice.c: `stipple practice`, the 3D app (sim/app). Parses the options, finds a
 * recorded session's lesson (as `grade` does) and hands over to app_run. With no display
 * it returns 3 so a caller can fall back to the headless demo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "input_bench.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: stipple practice [--lesson FILE] [--lessons DIR] [--input-file FILE [--fast] [--desc FILE]]\n"
            "                        [--screenshot-at T:FILE]... [--exit-after T|end] [--exam] [-o SESSION]\n"
            "                        [--report-json FILE] [--size WxH] [--bench] [--bench-input SECONDS]\n"
            "                        [--selftest zoom-mean] [--device /dev/input/eventN | --mouse]\n"
            "                        [--tablet-area X0,Y0,X1,Y1]\n"
            "  without --input-file the pen is --device, else the first pen device found, else the mouse;\n"
            "  --tablet-area (mm from the tablet's top-left corner) maps part of the tablet onto the view\n"
            "  T is seconds of session time, `end` (the end of the input) or `score` (the score screen)\n");
}

/* Process start on the CLOCK_MONOTONIC scale (10 ms resolution), or now if unknown. */
static double process_start_s(void)
{
    struct timespec mono, boot;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_BOOTTIME, &boot);
    double now_mono = (double)mono.tv_sec + (double)mono.tv_nsec * 1e-9;
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f)
        return now_mono;
    char buf[2048];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return now_mono;
    /* fields after the command: state is field 3; starttime is field 22 */
    unsigned long long start = 0;
    int field = 2;
    for (char *t = p + 1; *t; t++) {
        if (*t == ' ') {
            field++;
            if (field == 22) {
                start = strtoull(t + 1, NULL, 10);
                break;
            }
        }
    }
    long hz = sysconf(_SC_CLK_TCK);
    if (!start || hz <= 0)
        return now_mono;
    double age = (double)boot.tv_sec + (double)boot.tv_nsec * 1e-9 - (double)start / (double)hz;
    return now_mono - (age > 0.0 ? age : 0.0);
}

static int parse_time(const char *s, int64_t *us)
{
    char *end;
    double t = strtod(s, &end);
    if (end == s || *end || !(t >= 0.0) || t > 1e7)
        return -1;
    *us = (int64_t)(t * 1e6 + 0.5);
    return 0;
}

int cmd_practice(int argc, char **argv)
{
    static app_options o;
    memset(&o, 0, sizeof o);
    o.start_s = process_start_s();
    o.width = 1280;
    o.height = 800;
    const char *lessons_dir = NULL, *selftest = NULL;
    int bench = 0;
    double bench_input_s = 0.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--fast")) {
            o.fast = 1;
        } else if (!strcmp(a, "--exam")) {
            o.exam = 1;
        } else if (!strcmp(a, "--bench")) {
            bench = 1;
        } else if (!strcmp(a, "--mouse")) {
            o.mouse = 1;
        } else if (!val) {
            fprintf(stderr, "stipple practice: %s needs a value\n", a);
            usage();
            return 2;
        } else if (!strcmp(a, "--lesson")) {
            o.lesson_path = argv[++i];
        } else if (!strcmp(a, "--lessons")) {
            lessons_dir = argv[++i];
        } else if (!strcmp(a, "--input-file")) {
            o.input_file = argv[++i];
        } else if (!strcmp(a, "--device")) {
            o.device = argv[++i];
        } else if (!strcmp(a, "--tablet-area")) {
            o.tablet_area = argv[++i];
        } else if (!strcmp(a, "--bench-input")) {
            char *end;
            bench_input_s = strtod(argv[++i], &end);
            if (*end || !(bench_input_s > 0.0 && bench_input_s <= 600.0)) {
                fprintf(stderr, "stipple practice: --bench-input wants seconds (0-600]\n");
                return 2;
            }
        } else if (!strcmp(a, "--desc")) {
            o.desc_path = argv[++i];
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            o.session_out = argv[++i];
        } else if (!strcmp(a, "--report-json")) {
            o.report_json = argv[++i];
        } else if (!strcmp(a, "--selftest")) {
            selftest = argv[++i];
        } else if (!strcmp(a, "--size")) {
            if (sscanf(argv[++i], "%dx%d", &o.width, &o.height) != 2 || o.width < 320 || o.height < 240 ||
                o.width > 8192 || o.height > 8192) {
                fprintf(stderr, "stipple practice: --size wants WxH, e.g. 1280x800\n");
                return 2;
            }
        } else if (!strcmp(a, "--exit-after")) {
            const char *t = argv[++i];
            if (!strcmp(t, "end")) {
                o.exit_after = 2;
            } else if (parse_time(t, &o.exit_after_us) == 0) {
                o.exit_after = 1;
            } else {
                fprintf(stderr, "stipple practice: --exit-after wants seconds or `end` (got '%s')\n", t);
                return 2;
            }
        } else if (!strcmp(a, "--screenshot-at")) {
            const char *t = argv[++i];
            const char *colon = strchr(t, ':');
            if (!colon || !colon[1] || o.shot_count == APP_MAX_SHOTS) {
                fprintf(stderr, "stipple practice: --screenshot-at wants T:FILE (at most %d)\n", APP_MAX_SHOTS);
                return 2;
            }
            app_shot *s = &o.shots[o.shot_count];
            char ts[64];
            size_t tl = (size_t)(colon - t);
            if (tl >= sizeof ts)
                tl = sizeof ts - 1;
            memcpy(ts, t, tl);
            ts[tl] = 0;
            if (!strcmp(ts, "end")) {
                s->kind = APP_SHOT_END;
            } else if (!strcmp(ts, "score")) {
                s->kind = APP_SHOT_SCORE;
            } else if (parse_time(ts, &s->t_us) == 0) {
                s->kind = APP_SHOT_AT;
            } else {
                fprintf(stderr, "stipple practice: --screenshot-at: '%s' is not seconds, `end` or `score`\n", ts);
                return 2;
            }
            snprintf(s->path, sizeof s->path, "%s", colon + 1);
            o.shot_count++;
        } else {
            fprintf(stderr, "stipple practice: unknown option '%s'\n", a);
            usage();
            return 2;
        }
    }
    o.lessons_dir = cli_lessons_dir(lessons_dir);
    if (bench_input_s > 0.0 && !bench)
        return app_input_bench(&o, bench_input_s);
    if (bench) {
        int rc = app_bench(&o);
        if (rc != 0)
            return rc;
        /* issue 4: a 1 kHz pen while frames render (10 s unless --bench-input says) */
        return app_input_bench(&o, bench_input_s > 0.0 ? bench_input_s : 10.0);
    }
    if (selftest) {
        if (!strcmp(selftest, "zoom-mean"))
            return app_selftest_zoom(&o);
        fprintf(stderr, "stipple practice: unknown self-test '%s' (zoom-mean)\n", selftest);
        return 2;
    }
    static char lesson_path[4096];
    session_data d;   /* the input session, loaded once: the app plays it from memory */
    memset(&d, 0, sizeof d);
    if (o.input_file) {
        size_t n = strlen(o.input_file);
        int events = n > 7 && !strcmp(o.input_file + n - 7, ".events");
        if (events && !o.lesson_path) {
            fprintf(stderr, "stipple practice: a device recording (.events) needs --lesson FILE\n");
            return 2;
        }
        if (!events) {
            /* a session: its own lesson, found by id and content hash */
            char err[512];
            if (session_load_file(o.input_file, &d, err, sizeof err) != 0) {
                fprintf(stderr, "stipple practice: %s: %s\n", o.input_file, err);
                return 1;
            }
            lesson l;
            int rc = cli_lesson_for_session(&d, o.lesson_path, o.lessons_dir, &l);
            if (rc != 0) {
                session_data_free(&d);
                return 1;
            }
            o.input_session = &d;
            snprintf(lesson_path, sizeof lesson_path, "%s", l.path);
            lesson_free(&l);
            o.lesson_path = lesson_path;
        }
    }
    if (o.exit_after == 2 && !o.input_file) {
        fprintf(stderr, "stipple practice: --exit-after end needs --input-file\n");
        session_data_free(&d);
        return 2;
    }
    int rc = app_run(&o);
    session_data_free(&d);
    return rc;
}
