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
#include "cli_app_args.h"
#include "gradebook.h"
#include "input_bench.h"

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

/* The trainees of the gradebook ($STIPPLE_GRADEBOOK, else the default file) when there is
 * one: none is made here. NULL and *n = 0 without. */
static app_trainee *gradebook_trainees(size_t *n)
{
    *n = 0;
    char path[4096];
    const char *where = getenv("STIPPLE_GRADEBOOK");
    if (!where || !*where) {
        if (gradebook_default_path(path, sizeof path) != 0)
            return NULL;
        where = path;
    }
    int uri = strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0;
    if (!uri && access(where, R_OK) != 0)
        return NULL;
    gradebook *g;
    char err[1024];
    gb_person *v = NULL;
    size_t k = 0;
    if (gradebook_open(where, &g, err, sizeof err) != 0) {
        fprintf(stderr, "stipple practice: the gradebook's trainees are not offered: %s\n", err);
        return NULL;
    }
    int rc = gradebook_people(g, GB_TRAINEE, &v, &k, err, sizeof err);
    gradebook_close(g);
    if (rc != 0) {
        fprintf(stderr, "stipple practice: the gradebook's trainees are not offered: %s\n", err);
        return NULL;
    }
    app_trainee *t = calloc(k ? k : 1, sizeof *t);
    if (t) {
        for (size_t i = 0; i < k; i++) {
            snprintf(t[i].id, sizeof t[i].id, "%s", v[i].id);
            snprintf(t[i].name, sizeof t[i].name, "%s", v[i].name);
        }
        *n = k;
    }
    free(v);
    return t;
}

enum {
    OPT_LESSON = CLI_LONG, OPT_LESSONS, OPT_INPUT_FILE, OPT_FAST, OPT_DESC, OPT_SCREENSHOT_AT, OPT_EXIT_AFTER,
    OPT_EXAM, OPT_REPORT_JSON, OPT_SIZE, OPT_BENCH, OPT_BENCH_INPUT, OPT_SELFTEST, OPT_DEVICE, OPT_MOUSE,
    OPT_TABLET_AREA, OPT_VIEW, OPT_FIELD, OPT_TRAINEE
};

static const cli_option practice_options[] = {
    { OPT_LESSON, "lesson", "FILE", "the lesson to practise (or the one a replayed session names)" },
    { OPT_LESSONS, "lessons", "DIR", "the folder of lessons to find a session's lesson in" },
    { OPT_INPUT_FILE, "input-file", "FILE", "replay a session (.stp) or a device recording (.events) as the pen" },
    { OPT_FAST, "fast", NULL, "replay as fast as frames render, not in real time" },
    { OPT_DESC, "desc", "FILE", "the device description of a .events recording" },
    { OPT_SCREENSHOT_AT, "screenshot-at", "T:FILE", "save a PNG at T seconds, `end`, `score` or `prompt` (repeatable)" },
    { OPT_EXIT_AFTER, "exit-after", "T", "quit after T seconds of session time, or at `end` of the input" },
    { OPT_EXAM, "exam", NULL, "exam mode: no feedback overlays" },
    { OPT_TRAINEE, "trainee", "ID", "who is practising (a name or gradebook id), recorded in the session; asked when not given" },
    { 'o', "output", "SESSION", "where to save the session (default: the data folder)" },
    { OPT_REPORT_JSON, "report-json", "FILE", "write the graded report as JSON when the session ends" },
    { OPT_SIZE, "size", "WxH", "window size in pixels (default 1280x800)" },
    { OPT_BENCH, "bench", NULL, "frames per second over the zoom range, latency, first frame" },
    { OPT_BENCH_INPUT, "bench-input", "SECONDS", "a 1 kHz pen while frames render, for SECONDS" },
    { OPT_SELFTEST, "selftest", "NAME", "a built-in self-test (zoom-mean)" },
    { OPT_DEVICE, "device", "PATH", "the pen: /dev/input/eventN (default: the first pen found, else the mouse)" },
    { OPT_MOUSE, "mouse", NULL, "use the mouse as the pen even when a tablet is plugged in" },
    { OPT_TABLET_AREA, "tablet-area", "X0,Y0,X1,Y1", "the part of the tablet (mm from its top-left) mapped onto the view" },
    { OPT_VIEW, "view", "SIDE", "open looking at the head from the front, back, left, right or top" },
    { OPT_FIELD, "field", "MM", "with --view: show MM of skin in the view's height (default: the whole head)" },
    { 0 }
};

static int run_practice(const cli_command *cmd, int argc, char **argv)
{
    static app_options o;
    memset(&o, 0, sizeof o);
    o.start_s = process_start_s();
    o.width = 1280;
    o.height = 800;
    const char *lessons_dir = NULL, *selftest = NULL;
    int bench = 0;
    double bench_input_s = 0.0;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        const char *v = a.value;
        switch (k) {
        case OPT_FAST: o.fast = 1; break;
        case OPT_EXAM: o.exam = 1; break;
        case OPT_TRAINEE: o.trainee_id = v; break;
        case OPT_BENCH: bench = 1; break;
        case OPT_MOUSE: o.mouse = 1; break;
        case OPT_LESSON: o.lesson_path = v; break;
        case OPT_LESSONS: lessons_dir = v; break;
        case OPT_INPUT_FILE: o.input_file = v; break;
        case OPT_DEVICE: o.device = v; break;
        case OPT_TABLET_AREA: o.tablet_area = v; break;
        case OPT_DESC: o.desc_path = v; break;
        case 'o': o.session_out = v; break;
        case OPT_REPORT_JSON: o.report_json = v; break;
        case OPT_SELFTEST: selftest = v; break;
        case OPT_BENCH_INPUT:
            if (cli_value_double(cmd, "--bench-input", v, 0.001, 600.0, &bench_input_s) != 0)
                return 2;
            break;
        case OPT_VIEW:
            if (strcmp(v, "front") && strcmp(v, "back") && strcmp(v, "left") && strcmp(v, "right") && strcmp(v, "top"))
                return cli_usage_error(cmd, "--view wants front, back, left, right or top (got '%s')", v);
            o.view = v;
            break;
        case OPT_FIELD:
            if (cli_value_double(cmd, "--field", v, 5.0, 2000.0, &o.view_field_mm) != 0)
                return 2;
            break;
        case OPT_SIZE:
            if (cli_app_size(cmd, v, &o) != 0)
                return 2;
            break;
        case OPT_EXIT_AFTER:
            if (cli_app_exit_after(cmd, v, "end", &o) != 0)
                return 2;
            break;
        case OPT_SCREENSHOT_AT: {
            static const cli_shot_word moments[] = { { "end", APP_SHOT_END }, { "score", APP_SHOT_SCORE },
                                                     { "prompt", APP_SHOT_PROMPT } };
            if (cli_app_screenshot_at(cmd, v, moments, sizeof moments / sizeof moments[0], &o) != 0)
                return 2;
            break;
        }
        default: return cli_args_exit(k);
        }
    }
    if (a.npos > 0)
        return cli_usage_error(cmd, "unexpected argument '%s'", a.pos[0]);
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
        return cli_usage_error(cmd, "unknown self-test '%s' (zoom-mean)", selftest);
    }
    static char lesson_path[4096];
    session_data d;   /* the input session, loaded once: the app plays it from memory */
    memset(&d, 0, sizeof d);
    if (o.input_file) {
        size_t n = strlen(o.input_file);
        int events = n > 7 && !strcmp(o.input_file + n - 7, ".events");
        if (events && !o.lesson_path) {
            return cli_usage_error(cmd, "a device recording (.events) needs --lesson FILE");
        }
        if (!events) {
            /* a session: its own lesson, found by id and content hash */
            char err[512];
            if (session_load_file(o.input_file, &d, err, sizeof err) != 0) {
                cli_file_error(o.input_file, err);
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
    /* Who is practising: --trainee, the played-in session's trainee, else the app asks (in
     * its window), offering the gradebook's trainees when there is a gradebook. */
    if (!o.trainee_id && d.header.trainee_id[0])
        o.trainee_id = d.header.trainee_id;
    app_trainee *trainees = NULL;
    if (!o.trainee_id && !o.input_file && !o.exit_after) {
        trainees = gradebook_trainees(&o.trainee_count);
        o.trainees = trainees;
    }
    if (o.exit_after == 2 && !o.input_file) {
        session_data_free(&d);
        return cli_usage_error(cmd, "--exit-after end needs --input-file");
    }
    int rc = app_run(&o);
    session_data_free(&d);
    free(trainees);
    return rc;
}

const cli_command cli_cmd_practice = {
    "practice", "", "the 3D practice app (mouse or tablet pen)", practice_options, run_practice,
    "Without --input-file the pen is --device, else the first pen device found, else the mouse.\n"
    "T is seconds of session time, `end` (the end of the input), `score` (the score screen) or `prompt`\n"
    "(the question \"Who is practising?\", asked before a live session without --trainee: the\n"
    "trainees of the gradebook ($STIPPLE_GRADEBOOK, else the default one) are offered, or a name is typed).\n"
    "Exit status 3: no display could be opened.\n"
    "keys: M machine, [ ] pressure (mouse), 1-5 views, N needle, , . shade, H healed view,\n"
    "      G D X feedback overlays, F or Enter finish, Esc discard\n"
};
