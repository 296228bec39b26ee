/* cmd_review.c: `stipple review SESSION`, the instructor's player (sim/app/screen_review.c).
 * Finds the session's lesson as `grade` does and hands over to the app; it never writes a
 * session. --bench measures the replay's seek and the open-to-first-frame (review_bench.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "cli_app_args.h"
#include "review.h"
#include "review_bench.h"

enum { OPT_AT = CLI_LONG, OPT_STEP, OPT_SCREENSHOT_AT, OPT_EXIT_AFTER, OPT_KIND, OPT_GHOST, OPT_LESSON, OPT_LESSONS,
       OPT_SIZE, OPT_BENCH, OPT_SCRIPT_LOG };

static const cli_option review_options[] = {
    { OPT_AT, "at", "T", "open at T seconds of session time (default: the start; End shows all the work)" },
    { OPT_STEP, "step", "STEP", "after --at: dot+ dot- (next, previous dot), flag+ flag- (flagged dot of --kind); repeatable" },
    { OPT_KIND, "kind", "KIND", "the flags shown and stepped through: all depth spacing placement colour drag" },
    { OPT_SCREENSHOT_AT, "screenshot-at", "T:FILE", "a PNG at T seconds, or `here` (after --at and --step); repeatable" },
    { OPT_EXIT_AFTER, "exit-after", "T", "quit once the screenshots are taken (T: seconds, or `here`)" },
    { OPT_GHOST, "ghost", "SESSION", "overlay a reference session's dots: a file, or `expert` (the lesson's expert, seed 1)" },
    { OPT_LESSON, "lesson", "FILE", "the session's lesson file instead of finding it by id" },
    { OPT_LESSONS, "lessons", "DIR", "the folder of lessons to find the session's lesson in" },
    { OPT_SIZE, "size", "WxH", "window size in pixels (default 1280x800)" },
    { OPT_SCRIPT_LOG, "script-log", NULL, "print the player's state (time, playing, speed, dot, notes) after each key and click" },
    { OPT_BENCH, "bench", NULL, "open to first frame, seek times (median, max over random seeks), frames a second at 1x, 8x, 64x" },
    { 0 }
};

static int run_review(const cli_command *cmd, int argc, char **argv)
{
    static app_options o;
    memset(&o, 0, sizeof o);
    o.width = 1280;
    o.height = 800;
    o.review = 1;
    o.review_at_us = -1;
    const char *lessons_dir = NULL;
    int bench = 0;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        const char *v = a.value;
        switch (k) {
        case OPT_BENCH: bench = 1; break;
        case OPT_SCRIPT_LOG: o.review_log = 1; break;
        case OPT_LESSON: o.lesson_path = v; break;
        case OPT_LESSONS: lessons_dir = v; break;
        case OPT_GHOST: o.review_ghost = v; break;
        case OPT_AT:
            if (cli_session_time_us(v, &o.review_at_us) != 0)
                return cli_usage_error(cmd, "--at wants seconds, not '%s'", v);
            break;
        case OPT_KIND:
            if ((o.review_kind = review_kind_from_name(v)) < 0)
                return cli_usage_error(cmd, "--kind: '%s' is not all, depth, spacing, placement, colour or drag", v);
            break;
        case OPT_STEP:
            if (strcmp(v, "dot+") && strcmp(v, "dot-") && strcmp(v, "flag+") && strcmp(v, "flag-"))
                return cli_usage_error(cmd, "--step: '%s' is not dot+, dot-, flag+ or flag-", v);
            if (o.review_step_count == APP_MAX_SHOTS)
                return cli_usage_error(cmd, "at most %d --step", APP_MAX_SHOTS);
            o.review_steps[o.review_step_count++] = v;
            break;
        case OPT_SIZE:
            if (cli_app_size(cmd, v, &o) != 0)
                return 2;
            break;
        case OPT_EXIT_AFTER:
            if (cli_app_exit_after(cmd, v, "here", &o) != 0)
                return 2;
            break;
        case OPT_SCREENSHOT_AT: {
            static const cli_shot_word moments[] = { { "here", APP_SHOT_END } };
            if (cli_app_screenshot_at(cmd, v, moments, sizeof moments / sizeof moments[0], &o) != 0)
                return 2;
            break;
        }
        default: return cli_args_exit(k);
        }
    }
    if (a.npos != 1)
        return cli_usage_error(cmd, a.npos ? "one session at a time" : "name the session to review");
    o.input_file = a.pos[0];
    o.lessons_dir = cli_lessons_dir(lessons_dir);
    if (o.exit_after == 1 && o.review_at_us < 0 && !o.shot_count)
        o.review_at_us = o.exit_after_us;   /* show T, then quit */
    session_data d;
    char err[512];
    if (session_load_file(o.input_file, &d, err, sizeof err) != 0) {
        cli_file_error(o.input_file, err);
        return 1;
    }
    if (d.warning[0])
        fprintf(stderr, "stipple: warning: %s: %s\n", o.input_file, d.warning);
    lesson l;
    if (cli_lesson_for_session(&d, o.lesson_path, o.lessons_dir, &l) != 0) {
        session_data_free(&d);
        return 1;
    }
    static char lesson_path[4096];
    snprintf(lesson_path, sizeof lesson_path, "%s", l.path);
    o.lesson_path = lesson_path;
    o.input_session = &d;
    int rc;
    if (bench)
        rc = review_bench(&o, &l);
    else
        rc = app_run(&o);
    lesson_free(&l);
    session_data_free(&d);
    return rc;
}

const cli_command cli_cmd_review = {
    "review", "SESSION", "the review player: seek, timeline, dot inspector, flags, ghost (never writes the session)",
    review_options, run_review,
    "keys: Space play/pause, - + speed (0.25x-64x), left/right next/previous dot, shift+left/right\n"
    "      (or Page Up/Down, or the pen's side buttons) next/previous flagged dot of the kind, K the kind,\n"
    "      C the trainee's camera or a free one, H healed view, Home/End, J jump to the inspected dot\n"
    "mouse: click the timeline to seek, click a dot to inspect it, right-drag orbit, wheel zoom\n"
    "example: stipple review s.stp --at 120 --step flag+ --kind depth --screenshot-at here:shot.png --exit-after here\n"
};
