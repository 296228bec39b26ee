/* cmd_bench.c: `stipple bench`: the core's speed targets, measured and printed.
 *   resim  re-simulate a one-hour session of 200 Hz pen samples (target < 1 s)
 *   size   session bytes per pen sample (target <= 8)
 *   score  score 50,000 dots (target < 0.05 s), re-simulation not included; then grade a
 *          hostile session of 200,000 punctures at one spot (target < 1 s)
 *   nn     nearest neighbours of 10^4..10^6 dots, and against SciPy's cKDTree
 *   input  evdev event handling (target >= 10 M events/s) and evemu parsing (>= 100 MB/s)
 *   csv    100 sessions re-simulated, graded and written as CSV (target < 10 s on 2 cores)
 *   report the PDF report of a 14,000-dot session with its views (target < 2 s)
 * Medians of repeated runs: the machines are shared and noisy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_input.h"
#include "bench_nn.h"
#include "fixture.h"
#include "pattern_order.h"
#include "spatial.h"
#include "bench_sign.h"
#include "cli.h"
#include "score.h"
#include "trainee.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process (every thread). */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The one-minute load average, to print beside a timing (-1 where unknown). */
static double load_average(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double v = -1.0;
    if (f) {
        if (fscanf(f, "%lf", &v) != 1)
            v = -1.0;
        fclose(f);
    }
    return v;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- a one-hour session: the expert on the head lesson, again and again ------------ */

typedef struct event_buf {
    session_event *ev;
    size_t n, cap;
    int64_t offset_us;
} event_buf;

static int collect(void *ctx, const session_event *ev)
{
    event_buf *b = ctx;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        session_event *ne = realloc(b->ev, cap * sizeof *ne);
        if (!ne)
            return -1;
        b->ev = ne;
        b->cap = cap;
    }
    session_event e = *ev;
    e.t_us += b->offset_us;
    if (e.kind == SEV_PEN)
        e.u.pen.t_us += b->offset_us;
    b->ev[b->n++] = e;
    return 0;
}

static int bench_session(const char *lesson_path, int quick)
{
    char err[512];
    lesson l;
    if (lesson_load_file(lesson_path, &l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    surface *s = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    if (!s) {
        lesson_free(&l);
        fprintf(stderr, "bench: out of memory\n");
        return 1;
    }
    session_header h;
    trainee_session_header(&l, TRAINEE_EXPERT, 1, &h);
    snprintf(h.source, sizeof h.source, "bench");

    int64_t target_us = quick ? 300LL * 1000000 : 3600LL * 1000000;
    event_buf b = { 0 };
    uint64_t seed = 1;
    while (b.offset_us < target_us) {
        int64_t end_us = 0;
        if (trainee_run(&l, s, TRAINEE_EXPERT, seed++, &h.device, &h.calibration, collect, &b, &end_us) != 0) {
            fprintf(stderr, "bench: out of memory\n");
            return 1;
        }
        b.offset_us += end_us + 1000000;
    }
    /* write it as the app would, as it goes */
    char path[] = "/tmp/stipple-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    session_writer *w = session_writer_open(path, &h, err, sizeof err);
    if (!w) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    size_t pens = 0;
    for (size_t i = 0; i < b.n; i++) {
        session_writer_add(w, &b.ev[i]);
        pens += b.ev[i].kind == SEV_PEN;
    }
    session_writer_close(w, b.offset_us);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fclose(f);
    printf("size: %zu pen samples (%.1f min at 200 Hz) + %zu other events in %ld bytes: %.2f bytes per pen sample (target <= 8)\n",
           pens, (double)b.offset_us / 60e6, b.n - pens, bytes, (double)bytes / (double)pens);
    if (bench_signing(&h, b.ev, b.n, b.offset_us, quick) != 0)
        return 1;

    int runs = quick ? 3 : 5;
    double t[9];
    size_t dots = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        session_data d;
        if (session_load_file(path, &d, err, sizeof err) != 0) {
            fprintf(stderr, "bench: %s\n", err);
            return 1;
        }
        engine *e = engine_replay(&l, s, &d);
        t[r] = now_s() - t0;
        engine_dots(e, &dots);
        engine_free(e);
        session_data_free(&d);
    }
    double med = median(t, runs);
    printf("resim: %.1f min of session (%zu pen samples, %zu dots) loaded and re-simulated in %.3f s "
           "(median of %d; target < 1 s for 60 min): %.3f s per hour of session\n",
           (double)b.offset_us / 60e6, pens, dots, med, runs, med * 3600e6 / (double)b.offset_us);
    unlink(path);
    free(b.ev);
    surface_free(s);
    lesson_free(&l);
    return 0;
}

/* ---- scoring 50,000 dots on a whole scalp ------------------------------------------ */

static void chart_scales(void *ctx, double u, double v, double *su, double *sv)
{
    surface_chart_scales(ctx, u, v, su, sv);
}

/* The rows-and-grids measure alone (its share of the score), given the nearest neighbours. */
static void bench_pattern_order(surface *s, const dot *dots, size_t n, double spacing_mm, int runs)
{
    float *xyz = malloc(3 * n * sizeof *xyz);
    double *uv = malloc(2 * n * sizeof *uv), *nn = malloc(n * sizeof *nn);
    size_t *ix = malloc(n * sizeof *ix);
    spatial_index *idx = NULL;
    if (xyz && uv && nn && ix) {
        for (size_t i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++)
                xyz[3 * i + (size_t)a] = (float)dots[i].pos_mm[a];
            uv[2 * i] = dots[i].chart_mm[0];
            uv[2 * i + 1] = dots[i].chart_mm[1];
        }
        idx = spatial_build(xyz, n, spacing_mm);
    }
    if (idx && spatial_all_nearest(idx, nn, ix) == 0) {
        double t[9];
        pattern_order o;
        for (int r = 0; r < runs; r++) {
            double t0 = now_s();
            pattern_order_measure(uv, ix, n, 12.0 * spacing_mm, chart_scales, s, &o);
            t[r] = now_s() - t0;
        }
        printf("score: of which rows-and-grids order of %zu dots: %.4f s (median of %d); order %.3f (psi2 %.2f psi4 %.2f psi6 %.2f: %s)\n", n,
               median(t, runs), runs, o.order, o.psi[0], o.psi[1], o.psi[2], pattern_order_kind_name(o.kind));
    }
    spatial_free(idx);
    free(xyz);
    free(uv);
    free(nn);
    free(ix);
}

static int bench_score(int quick)
{
    char err[512];
    lesson l;
    if (fixture_full_scalp_lesson(&l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    surface *s = surface_create(SURFACE_HEAD, 0, 0);
    size_t n = 0;
    dot *dots = s ? fixture_dots(&l, s, 50000, 7, &n) : NULL;
    if (!dots) {
        fprintf(stderr, "bench: out of memory\n");
        surface_free(s);
        lesson_free(&l);
        return 1;
    }
    int runs = quick ? 3 : 7;
    double t[9], tz[9], tc[9];
    double total = 0;
    for (int r = 0; r < runs; r++) {
        score_result sc;
        double t0 = now_s();
        score_zone *z = score_zone_prepare(&l, s);
        double t1 = now_s(), c1 = cpu_s();
        score_session_zone(z, dots, n, &sc);
        t[r] = now_s() - t1;
        tc[r] = cpu_s() - c1;
        tz[r] = t1 - t0;
        total = sc.total;
        score_result_free(&sc);
        score_zone_free(z);
    }
    printf("score: %zu dots on the whole scalp scored in %.4f s, %.4f s of CPU (medians of %d; target < 0.05 s; "
           "load average %.2f); total %.1f\n"
           "score: preparing the lesson's zone (once per lesson, not per session): %.4f s\n",
           n, median(t, runs), median(tc, runs), runs, load_average(), total, median(tz, runs));
    bench_pattern_order(s, dots, n, l.target_spacing_mm, runs);

    /* The same dots with a soft hairline drawn across the front (lesson 04's line), which
     * scoring rules 3 judge by its style: what the hairline's measures add. */
    static const chart_point line[] = { { -45, 86 }, { -30, 91 }, { -15, 94 }, { 0, 95 }, { 15, 94 }, { 30, 91 }, { 45, 86 } };
    l.hairline.line = malloc(sizeof line);
    if (l.hairline.line) {
        memcpy(l.hairline.line, line, sizeof line);
        l.has_hairline = 1;
        l.hairline.style = HAIRLINE_SOFT;
        l.hairline.line_count = sizeof line / sizeof line[0];
        l.hairline.feather_mm = 20.0;
        l.hairline.front_density_fraction = 0.3;
        l.hairline.tolerance_mm = 0.5;
        for (int r = 0; r < runs; r++) {
            score_result sc;
            score_zone *z = score_zone_prepare(&l, s);   /* as above: each run on its own zone */
            double t1 = now_s();
            score_session_zone(z, dots, n, &sc);
            t[r] = now_s() - t1;
            total = sc.total;
            score_result_free(&sc);
            score_zone_free(z);
        }
        printf("score: the same %zu dots with a soft hairline across the front, judged by its style (rules %d): "
               "%.4f s (median of %d); total %.1f\n",
               n, SCORE_RULES_LATEST, median(t, runs), runs, total);
    }
    free(dots);
    surface_free(s);
    lesson_free(&l);
    return 0;
}

/* ---- 100 sessions graded to CSV on every core ---------------------------------------- */

static int bench_csv(int quick)
{
    static const char *const lessons[] = { "01-spacing-drill.json", "02-depth-control.json",
                                           "03-session1-frontal.json", "04-soft-hairline.json" };
    static const int profiles[] = { TRAINEE_EXPERT, TRAINEE_DEEP, TRAINEE_GRID, TRAINEE_SPARSE, TRAINEE_CLUMPED };
    size_t n = quick ? 12 : 100;
    char dir[] = "/tmp/stipple-bench-csv-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench: cannot make a temporary folder\n");
        return 1;
    }
    char **paths = calloc(n, sizeof *paths);
    cli_graded *g = calloc(n, sizeof *g);
    int *rc = calloc(n, sizeof *rc);
    int bad = !paths || !g || !rc;
    double t_sim = now_s();
    for (size_t i = 0; !bad && i < n; i++) {
        char lesson_path[4096], path[4096];
        snprintf(lesson_path, sizeof lesson_path, "%s/%s", cli_lessons_dir(NULL), lessons[i % 4]);
        snprintf(path, sizeof path, "%s/s%03zu.stp", dir, i);
        paths[i] = strdup(path);
        bad = !paths[i] || cli_simulate_to_file(lesson_path, profiles[(i / 4) % 5], 1 + i, path) != 0;
    }
    t_sim = now_s() - t_sim;
    cli_grade_options o = { NULL, NULL, 0, 1, 0 };
    int jobs[2] = { 1, cli_default_jobs() };
    double med[2] = { 0, 0 }, cpu_med[2] = { 0, 0 };
    int runs = quick ? 1 : 3;
    for (int j = 0; !bad && j < 2; j++) {
        double t[5], cpu[5];
        for (int r = 0; r < runs && !bad; r++) {
            double c0 = cpu_s(), t0 = now_s();
            cli_grade_batch((const char *const *)paths, n, &o, jobs[j], g, rc);
            FILE *devnull = fopen("/dev/null", "w");
            bad = !devnull || cli_write_grade_csv(devnull, (const char *const *)paths, g, rc, n) != 0;
            if (devnull)
                fclose(devnull);
            t[r] = now_s() - t0;
            cpu[r] = cpu_s() - c0;
            for (size_t i = 0; i < n; i++) {
                bad |= rc[i] != 0;
                cli_graded_free(&g[i]);
            }
        }
        med[j] = median(t, runs);
        cpu_med[j] = median(cpu, runs);
    }
    double load = 0.0;
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) {
        if (fscanf(lf, "%lf", &load) != 1)
            load = 0.0;
        fclose(lf);
    }
    if (!bad)
        printf("csv: %zu sessions (lessons 01-04, %.0f s to simulate them) re-simulated, graded and written as CSV "
               "in %.2f s on %d threads (median of %d; target < 10 s for 100 on 2 cores); %.2f s on 1 thread\n"
               "csv: CPU time %.2f s (%.1f ms a session): %.2f s of wall time on %d idle cores; the load average "
               "was %.1f while measuring\n",
               n, t_sim, med[1], jobs[1], runs, med[0], cpu_med[1], 1e3 * cpu_med[1] / (double)n,
               cpu_med[1] / jobs[1], jobs[1], load);
    else
        fprintf(stderr, "bench: csv: a session could not be made or graded\n");
    for (size_t i = 0; paths && i < n; i++) {
        if (paths[i])
            unlink(paths[i]);
        free(paths[i]);
    }
    rmdir(dir);
    free(paths);
    free(g);
    free(rc);
    return bad;
}

/* ---- a hostile session: 200,000 punctures at one spot -------------------------------- */

/* The expert's session up to its first puncture, then that puncture's pen-down sample and a
 * lift, again and again at the same spot: what a file made to stall the grader looks like.
 * Written by the real session writer and re-simulated by the engine, like any session. */
static int write_hostile_session(const lesson *l, const surface *s, size_t punctures, const char *path,
                                 long *bytes)
{
    char err[512];
    session_header h;
    trainee_session_header(l, TRAINEE_EXPERT, 1, &h);
    snprintf(h.source, sizeof h.source, "bench:hostile");
    event_buf b = { 0 };
    int64_t end_us = 0;
    if (trainee_run(l, s, TRAINEE_EXPERT, 1, &h.device, &h.calibration, collect, &b, &end_us) != 0)
        return -1;
    /* find the event completing the first dot, and where its contact began */
    engine *e = engine_create(l, s, &h.device, &h.calibration);
    size_t done = b.n;
    for (size_t i = 0; e && i < b.n && done == b.n; i++)
        if (engine_feed(e, &b.ev[i]) == 1)
            done = i;
    engine_free(e);
    size_t start = done;
    while (start > 0 && b.ev[start - 1].kind == SEV_PEN
           && pen_pressure_norm(&h.device, b.ev[start - 1].u.pen.pressure) > (double)h.calibration.activation)
        start--;
    if (done == b.n || start == done) {
        free(b.ev);
        return -1;
    }
    session_writer *w = session_writer_open(path, &h, err, sizeof err);
    if (!w) {
        free(b.ev);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < start && rc == 0; i++)
        rc = session_writer_add(w, &b.ev[i]);
    session_event down = b.ev[start], up = b.ev[start];
    up.u.pen.pressure = 0;
    up.u.pen.flags &= ~(uint32_t)PEN_TOUCH;
    int64_t t0 = down.t_us, dwell_us = b.ev[done].t_us - down.t_us, period_us = dwell_us + 5000;
    for (size_t k = 0; k < punctures && rc == 0; k++) {
        down.t_us = down.u.pen.t_us = t0 + (int64_t)k * period_us;
        up.t_us = up.u.pen.t_us = down.t_us + dwell_us;
        rc = session_writer_add(w, &down) | session_writer_add(w, &up);
    }
    free(b.ev);
    if (session_writer_close(w, t0 + (int64_t)punctures * period_us) != 0 || rc != 0)
        return -1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    *bytes = ftell(f);
    fclose(f);
    return 0;
}

static int bench_hostile(const char *lesson_path, int quick)
{
    char err[512];
    lesson l;
    if (lesson_load_file(lesson_path, &l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    surface *s = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    char path[] = "/tmp/stipple-hostile-XXXXXX";
    int fd = mkstemp(path);
    long bytes = 0;
    const size_t punctures = 200000;
    if (!s || fd < 0 || (close(fd), write_hostile_session(&l, s, punctures, path, &bytes)) != 0) {
        fprintf(stderr, "bench: cannot make the hostile session\n");
        if (fd >= 0)
            unlink(path);
        surface_free(s);
        lesson_free(&l);
        return 1;
    }
    int runs = quick ? 3 : 5, rc = 0;
    double t[9], ts[9];
    size_t dots = 0, spots = 0;
    for (int r = 0; r < runs && rc == 0; r++) {
        double t0 = now_s();
        session_data d;
        engine *e = NULL;
        score_result sc;
        if (session_load_file(path, &d, err, sizeof err) != 0 || !(e = engine_replay(&l, s, &d))) {
            rc = 1;
            break;
        }
        const dot *dd = engine_dots(e, &dots);
        double t1 = now_s();
        if (score_session(&l, s, dd, dots, &sc) != 0)
            rc = 1;
        double t2 = now_s();
        t[r] = t2 - t0;
        ts[r] = t2 - t1;
        spots = dots > 0;
        for (size_t i = 1; i < dots; i++)
            spots += memcmp(dd[i].pos_mm, dd[0].pos_mm, sizeof dd[0].pos_mm) != 0;
        if (rc == 0)
            score_result_free(&sc);
        engine_free(e);
        session_data_free(&d);
    }
    if (rc == 0)
        printf("hostile: %zu dots at %zu spot%s (a %ld-byte session) graded (load, re-simulate, score) in %.3f s "
               "(median of %d; target < 1 s); scoring alone %.3f s\n",
               dots, spots, spots == 1 ? "" : "s", bytes, median(t, runs), runs, median(ts, runs));
    else
        fprintf(stderr, "bench: grading the hostile session failed\n");
    unlink(path);
    surface_free(s);
    lesson_free(&l);
    return rc;
}

/* ---- the PDF report of a 14,000-dot session ---------------------------------------------- */

/* Writes the expert's runs of a lesson, one after another, as one session at path. */
static int write_long_session(const char *lesson_path, int runs, const char *path)
{
    char err[512];
    lesson l;
    if (lesson_load_file(lesson_path, &l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    surface *s = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    session_header h;
    trainee_session_header(&l, TRAINEE_EXPERT, 1, &h);
    event_buf b = { 0 };
    int rc = s ? 0 : -1;
    for (int r = 0; rc == 0 && r < runs; r++) {
        int64_t end_us = 0;
        rc = trainee_run(&l, s, TRAINEE_EXPERT, (uint64_t)r + 1, &h.device, &h.calibration, collect, &b, &end_us);
        b.offset_us += end_us + 1000000;
    }
    session_writer *w = rc == 0 ? session_writer_open(path, &h, err, sizeof err) : NULL;
    for (size_t i = 0; w && i < b.n; i++)
        session_writer_add(w, &b.ev[i]);
    if (!w || session_writer_close(w, b.offset_us) != 0)
        rc = -1;
    free(b.ev);
    surface_free(s);
    lesson_free(&l);
    return rc;
}

static int bench_report(int quick)
{
    char lesson_path[4096], path[] = "/tmp/stipple-bench-report-XXXXXX";
    snprintf(lesson_path, sizeof lesson_path, "%s/03-session1-frontal.json", cli_lessons_dir(NULL));
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    /* six runs of the expert on the frontal lesson: about 14,000 dots */
    if (write_long_session(lesson_path, quick ? 1 : 6, path) != 0) {
        fprintf(stderr, "bench: report: cannot make the session\n");
        unlink(path);
        return 1;
    }
    size_t dots = 0;
    replayed r;
    if (cli_replay(path, NULL, NULL, &r) == 0) {
        dots = r.dot_count;
        cli_replayed_free(&r);
    }
    int runs = quick ? 1 : 3, bad = 0;
    double t[2][5], cpu[2][5];
    for (int views = 0; views < 2; views++)
        for (int k = 0; k < runs; k++) {
            cli_report_options o = { "/dev/null", NULL, NULL, 0, views };
            double c0 = cpu_s(), t0 = now_s();
            bad |= cli_report_pdf(path, &o) != 0;
            t[views][k] = now_s() - t0;
            cpu[views][k] = cpu_s() - c0;
        }
    unlink(path);
    if (bad) {
        fprintf(stderr, "bench: report: the report failed\n");
        return 1;
    }
    /* the runs above share the head the first replay made (cli_surface_shared); a lone
     * `stipple report` makes it first, so that time is measured and added */
    double th[5], ch[5];
    for (int k = 0; k < runs; k++) {
        double c0 = cpu_s(), t0 = now_s();
        surface *h = surface_create(SURFACE_HEAD, 0.0, 0.0);
        th[k] = now_s() - t0;
        ch[k] = cpu_s() - c0;
        bad |= h == NULL;
        surface_free(h);
    }
    double head_t = median(th, runs), head_cpu = median(ch, runs);
    printf("report: a %zu-dot session re-simulated, graded and written as a 4-page PDF with its views in %.2f s "
           "(CPU %.2f s; median of %d; target < 2 s), %.2f s (CPU %.2f s) with making the head as a lone "
           "`stipple report` does; without the views %.2f s (CPU %.2f s)\n",
           dots, median(t[1], runs), median(cpu[1], runs), runs, median(t[1], runs) + head_t,
           median(cpu[1], runs) + head_cpu, median(t[0], runs), median(cpu[0], runs));
    return bad;
}

enum { OPT_QUICK = CLI_LONG };

static const cli_option bench_options[] = {
    { OPT_QUICK, "quick", NULL, "fewer and shorter runs (a smoke test of the benchmarks)" },
    { 0 }
};

static int run_bench(const cli_command *cmd, int argc, char **argv)
{
    const char *what = "all";
    int quick = 0;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        if (k == OPT_QUICK)
            quick = 1;
        else
            return cli_args_exit(k);
    }
    if (a.npos > 1)
        return cli_usage_error(cmd, "one benchmark at a time");
    if (a.npos == 1)
        what = a.pos[0];
    static const char *const known[] = { "all", "score", "resim", "size", "sign", "nn", "input", "csv", "report", NULL };
    int ok = 0;
    for (int i = 0; known[i]; i++)
        ok |= !strcmp(what, known[i]);
    if (!ok)
        return cli_usage_error(cmd, "unknown benchmark '%s' (all, score, resim, size, sign, nn, input, csv, report)", what);
    char lesson_path[4096];
    snprintf(lesson_path, sizeof lesson_path, "%s/03-session1-frontal.json", cli_lessons_dir(NULL));
    int rc = 0;
    int all = strcmp(what, "all") == 0;
    if (all || strcmp(what, "resim") == 0 || strcmp(what, "size") == 0 || strcmp(what, "sign") == 0)
        rc |= bench_session(lesson_path, quick);
    if (strcmp(what, "sign") == 0)   /* not in `all`: it runs the app in real time */
        rc |= bench_signing_app(cli_lessons_dir(NULL), quick ? 10.0 : 60.0);
    if (all || strcmp(what, "score") == 0) {
        rc |= bench_score(quick);
        rc |= bench_hostile(lesson_path, quick);
    }
    if (all || strcmp(what, "nn") == 0) {
        char *nn_argv[] = { "nn", quick ? "--quick" : NULL, NULL };
        rc |= bench_nn(quick ? 2 : 1, nn_argv);
    }
    if (all || strcmp(what, "input") == 0) {
        char *in_argv[] = { "input", quick ? "--quick" : NULL, NULL };
        rc |= bench_input(quick ? 2 : 1, in_argv);
    }
    if (all || strcmp(what, "csv") == 0)
        rc |= bench_csv(quick);
    if (all || strcmp(what, "report") == 0)
        rc |= bench_report(quick);
    return rc;
}

const cli_command cli_cmd_bench = {
    "bench", "[all|score|resim|size|sign|nn|input|csv|report]", "measure the core's speed (medians of repeated runs)", bench_options,
    run_bench,
    "  resim  re-simulate a one-hour session of 200 Hz pen samples (target < 1 s)\n"
    "  size   session bytes per pen sample (target <= 8)\n"
    "  sign   size, plus signing's share of the practice app's CPU while it records 60 s of a drill\n"
    "         in real time (target < 5 %; not part of all: it needs a display and a minute)\n"
    "  score  score 50,000 dots (target < 0.05 s); grade 200,000 dots at one spot (< 1 s)\n"
    "  nn     nearest neighbours of 10^4..10^6 dots\n"
    "  input  evdev event handling and evemu parsing\n"
    "  csv    100 sessions re-simulated, graded and written as CSV (target < 10 s on 2 cores)\n"
    "  report the PDF report of a 14,000-dot session, with its views (target < 2 s)\n"
};
