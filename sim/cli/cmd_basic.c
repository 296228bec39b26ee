/* cmd_basic.c: lesson check, simulate, demo. (grade and dots: cmd_grade.c) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "curriculum.h"
#include "text_escape.h"
#include "trainee.h"

/* ---- lesson check ------------------------------------------------------------------------ */

static int run_lesson_check(const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;)
        return cli_args_exit(k);
    if (a.npos == 0)
        return cli_usage_error(cmd, "name at least one lesson file");
    int bad = 0;
    for (int i = 0; i < a.npos; i++) {
        const char *path = a.pos[i];
        if (curriculum_is_path(path)) {   /* a curriculum beside the lessons */
            bad += cli_curriculum_check(path);
            continue;
        }
        char err[1024];
        lesson l;
        if (lesson_load_file(path, &l, err, sizeof err) != 0) {
            cli_lesson_error(path, err);
            bad++;
            continue;
        }
        printf("%s: ok: %s v%d \"%s\" (%s, session %d, %.0f dots/cm2, %zu source%s)\n", path, text_escaped(l.id),
               l.version, text_escaped(l.title), l.surface == SURFACE_HEAD ? "head" : "practice skin",
               l.session_number, l.target_density_per_cm2, l.source_count, l.source_count == 1 ? "" : "s");
        lesson_free(&l);
    }
    return bad ? 1 : 0;
}

const cli_command cli_cmd_lesson_check = {
    "lesson check", "FILE...", "validate lessons and curricula (errors name file:line:column)", NULL, run_lesson_check,
    "Prints one line per lesson: ok with its id, version and title, or the first error.\n"
    "Exit status: 0 when every lesson is valid, 1 otherwise.\n"
};

/* ---- simulate ------------------------------------------------------------------------------ */

enum { OPT_LESSON = CLI_LONG, OPT_TRAINEE, OPT_SEED };

static const cli_option simulate_options[] = {
    { OPT_LESSON, "lesson", "FILE", "the lesson to work (required)" },
    { OPT_TRAINEE, "trainee", "PROFILE", "the virtual trainee (default expert; see stipple --help)" },
    { OPT_SEED, "seed", "N", "random seed: the same seed gives the same session bytes (default 1)" },
    { 'o', "output", "FILE", "the session file to write (required; - is standard output)" },
    { 0 }
};

static int run_simulate(const cli_command *cmd, int argc, char **argv)
{
    const char *lesson_path = NULL, *trainee = "expert", *out = NULL;
    uint64_t seed = 1;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case OPT_LESSON: lesson_path = a.value; break;
        case OPT_TRAINEE: trainee = a.value; break;
        case OPT_SEED:
            if (cli_value_u64(cmd, "--seed", a.value, &seed) != 0)
                return 2;
            break;
        case 'o': out = a.value; break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos > 0)
        return cli_usage_error(cmd, "unexpected argument '%s'", a.pos[0]);
    if (!lesson_path || !out)
        return cli_usage_error(cmd, "%s is required", !lesson_path ? "--lesson FILE" : "-o FILE");
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
    if (!strcmp(out, "-"))
        return 0;   /* the session is on stdout: nothing else goes there */
    session_data d;
    char err[256];
    if (session_load_file(out, &d, err, sizeof err) == 0) {
        printf("wrote %s: %zu pen samples, %.1f s of session, trainee %s, seed %" PRIu64 "\n", out,
               session_count_kind(&d, SEV_PEN), (double)d.end_t_us / 1e6, trainee, seed);
        session_data_free(&d);
    }
    return 0;
}

const cli_command cli_cmd_simulate = {
    "simulate", "", "write a session made by a virtual trainee", simulate_options, run_simulate,
    "The trainee produces pen samples, never dots: the dots come from the same engine a real pen uses.\n"
    "example: stipple simulate --lesson lessons/01-spacing-drill.json --trainee grid --seed 3 -o s.stp\n"
};

/* ---- demo ------------------------------------------------------------------------------------ */

static const cli_option demo_options[] = {
    { OPT_LESSON, "lesson", "FILE", "the lesson (default lessons/01-spacing-drill.json)" },
    { 0 }
};

static int run_demo(const cli_command *cmd, int argc, char **argv)
{
    const char *lesson_path = NULL;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        if (k == OPT_LESSON)
            lesson_path = a.value;
        else
            return cli_args_exit(k);
    }
    if (a.npos > 0)
        return cli_usage_error(cmd, "unexpected argument '%s'", a.pos[0]);
    char default_lesson[4096];
    if (!lesson_path) {
        snprintf(default_lesson, sizeof default_lesson, "%s/01-spacing-drill.json", cli_lessons_dir(NULL));
        lesson_path = default_lesson;
    }
    char out[] = "/tmp/stipple-demo-XXXXXX";
    int fd = mkstemp(out);
    if (fd < 0) {
        fprintf(stderr, "stipple: /tmp: cannot make a temporary file: %s\n", strerror(errno));
        return 1;
    }
    close(fd);
    printf("Simulating %s with the expert virtual trainee (seed 1)...\n", lesson_path);
    int rc = cli_simulate_to_file(lesson_path, TRAINEE_EXPERT, 1, out);
    if (rc == 0) {
        printf("Session written to %s; re-simulating and grading it:\n\n", out);
        fflush(stdout);
        rc = cli_grade_text(out, lesson_path, NULL, stdout) < 0 ? 1 : 0;
    } else {
        rc = 1;
    }
    return rc;
}

const cli_command cli_cmd_demo = {
    "demo", "", "simulate a lesson with the expert trainee and grade it", demo_options, run_demo, NULL
};
