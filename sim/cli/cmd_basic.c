/* cmd_basic.c: lesson check, simulate, grade, dots, demo. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "score.h"
#include "trainee.h"

int cmd_lesson(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "usage: stipple lesson check FILE...\n");
        return 2;
    }
    int bad = 0;
    for (int i = 2; i < argc; i++) {
        char err[1024];
        lesson l;
        if (lesson_load_file(argv[i], &l, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            bad++;
            continue;
        }
        printf("%s: ok: %s v%d \"%s\" (%s, session %d, %.0f dots/cm2, %zu source%s)\n", argv[i], l.id, l.version,
               l.title, l.surface == SURFACE_HEAD ? "head" : "practice skin", l.session_number,
               l.target_density_per_cm2, l.source_count, l.source_count == 1 ? "" : "s");
        lesson_free(&l);
    }
    return bad ? 1 : 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    const char *lesson_path = NULL, *trainee = "expert", *out = NULL;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--lesson") == 0 && i + 1 < argc)
            lesson_path = argv[++i];
        else if (strcmp(argv[i], "--trainee") == 0 && i + 1 < argc)
            trainee = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (parse_u64(argv[++i], &seed) != 0) {
                fprintf(stderr, "stipple simulate: --seed takes a non-negative integer, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else {
            fprintf(stderr, "stipple simulate: unexpected argument '%s'\n"
                            "usage: stipple simulate --lesson FILE --trainee PROFILE --seed N -o OUT\n", argv[i]);
            return 2;
        }
    }
    if (!lesson_path || !out) {
        fprintf(stderr, "usage: stipple simulate --lesson FILE --trainee PROFILE --seed N -o OUT\n");
        return 2;
    }
    int profile = trainee_profile_from_name(trainee);
    if (profile < 0) {
        fprintf(stderr, "stipple simulate: unknown trainee '%s'; profiles:", trainee);
        for (int p = 0; p < TRAINEE_COUNT; p++)
            fprintf(stderr, " %s", trainee_profile_name(p));
        fprintf(stderr, "\n");
        return 2;
    }
    if (cli_simulate_to_file(lesson_path, profile, seed, out) != 0)
        return 1;
    session_data d;
    char err[256];
    if (session_load_file(out, &d, err, sizeof err) == 0) {
        printf("wrote %s: %zu pen samples, %.1f s of session, trainee %s, seed %" PRIu64 "\n", out,
               session_count_kind(&d, SEV_PEN), (double)d.end_t_us / 1e6, trainee, seed);
        session_data_free(&d);
    }
    return 0;
}

static void fill_meta(const replayed *r, const char *path, report_meta *m)
{
    memset(m, 0, sizeof *m);
    m->session_path = path;
    m->source = r->data.header.source;
    m->duration_us = r->data.end_t_us;
    m->pen_samples = engine_pen_samples(r->engine);
    m->complete = r->data.complete;
    m->warning = r->data.warning[0] ? r->data.warning : NULL;
}

static int grade_common(const char *session, const char *lesson_path, const char *dir, int json, FILE *out)
{
    replayed r;
    if (cli_replay(session, lesson_path, dir, &r) != 0)
        return 1;
    score_result sc;
    if (score_session(&r.lesson, r.surface, r.dots, r.dot_count, &sc) != 0) {
        fprintf(stderr, "stipple: out of memory scoring %s\n", session);
        cli_replayed_free(&r);
        return 1;
    }
    report_meta m;
    fill_meta(&r, session, &m);
    int rc = 0;
    if (json) {
        char *js = report_json(&r.lesson, r.dots, &sc, &m);
        if (js) {
            fprintf(out, "%s\n", js);
            free(js);
        } else {
            rc = 1;
        }
    } else if (report_write_text(out, &r.lesson, r.dots, &sc, &m) != 0) {
        rc = 1;
    }
    score_result_free(&sc);
    cli_replayed_free(&r);
    return rc;
}

/* Arguments shared by grade and dots: SESSION [--lesson FILE] [--lessons DIR], and
 * --json where json is not NULL. 0, or 2 after printing the usage. */
typedef struct session_args {
    const char *session, *lesson_path, *dir;
    int json;
} session_args;

static int parse_session_args(const char *cmd, int argc, char **argv, int allow_json, session_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        if (allow_json && strcmp(argv[i], "--json") == 0)
            a->json = 1;
        else if (strcmp(argv[i], "--lesson") == 0 && i + 1 < argc)
            a->lesson_path = argv[++i];
        else if (strcmp(argv[i], "--lessons") == 0 && i + 1 < argc)
            a->dir = argv[++i];
        else if (argv[i][0] != '-' && !a->session)
            a->session = argv[i];
        else {
            fprintf(stderr, "stipple %s: unexpected argument '%s'\n", cmd, argv[i]);
            return 2;
        }
    }
    if (!a->session) {
        fprintf(stderr, "usage: stipple %s SESSION%s [--lesson FILE] [--lessons DIR]\n", cmd, allow_json ? " [--json]" : "");
        return 2;
    }
    return 0;
}

int cmd_grade(int argc, char **argv)
{
    session_args a;
    if (parse_session_args("grade", argc, argv, 1, &a) != 0)
        return 2;
    return grade_common(a.session, a.lesson_path, a.dir, a.json, stdout);
}

int cmd_dots(int argc, char **argv)
{
    session_args a;
    if (parse_session_args("dots", argc, argv, 0, &a) != 0)
        return 2;
    replayed r;
    if (cli_replay(a.session, a.lesson_path, a.dir, &r) != 0)
        return 1;
    printf("index,time_s,x_mm,y_mm,z_mm,u_mm,v_mm,region,depth_mm,diameter_fresh_mm,diameter_healed_mm,"
           "needle,shade,angle_deg,dwell_ms,drag_mm,healed_L,healed_a,healed_b,flags\n");
    for (size_t i = 0; i < r.dot_count; i++) {
        const dot *d = &r.dots[i];
        char flags[64] = "";
        if (d->flags & DOT_SHED) strcat(flags, "shed|");
        if (d->flags & DOT_BLOWOUT) strcat(flags, "blowout|");
        if (d->flags & DOT_DRAGGED) strcat(flags, "dragged|");
        if (d->flags & DOT_OFF_SCALP) strcat(flags, "off_scalp|");
        size_t fl = strlen(flags);
        if (fl)
            flags[fl - 1] = '\0';
        printf("%zu,%.6f,%.4f,%.4f,%.4f,%.4f,%.4f,%s,%.4f,%.4f,%.4f,%s,%d,%.2f,%.1f,%.4f,%.2f,%.2f,%.2f,%s\n", i,
               (double)d->t_us / 1e6, d->pos_mm[0], d->pos_mm[1], d->pos_mm[2], d->chart_mm[0], d->chart_mm[1],
               region_name((region_id)d->region), d->depth_mm, d->diameter_fresh_mm, d->diameter_healed_mm,
               needle_config_name(d->needle_config), d->shade, d->angle_deg, (double)d->dwell_us / 1e3,
               d->drag_mm, d->lab_healed.L, d->lab_healed.a, d->lab_healed.b, flags);
    }
    cli_replayed_free(&r);
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    const char *lesson_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--lesson") == 0 && i + 1 < argc)
            lesson_path = argv[++i];
        else {
            fprintf(stderr, "usage: stipple demo [--lesson FILE]\n");
            return 2;
        }
    }
    char default_lesson[4096];
    if (!lesson_path) {
        snprintf(default_lesson, sizeof default_lesson, "%s/01-spacing-drill.json", cli_lessons_dir(NULL));
        lesson_path = default_lesson;
    }
    char out[] = "/tmp/stipple-demo-XXXXXX";
    int fd = mkstemp(out);
    if (fd < 0) {
        fprintf(stderr, "stipple demo: cannot make a temporary file: %s\n", strerror(errno));
        return 1;
    }
    close(fd);
    printf("Simulating %s with the expert virtual trainee (seed 1)...\n", lesson_path);
    int rc = cli_simulate_to_file(lesson_path, TRAINEE_EXPERT, 1, out);
    if (rc == 0) {
        printf("Session written to %s; re-simulating and grading it:\n\n", out);
        rc = grade_common(out, lesson_path, NULL, 0, stdout);
    } else {
        rc = 1;
    }
    return rc;
}
