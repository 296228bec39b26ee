/* cmd_sessions.c: `stipple sessions`: the sessions the practice app saved (in
 * $XDG_DATA_HOME/stipple/sessions, or --dir), each with its lesson, date, duration, dots and
 * score, oldest first. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "session_list.h"
#include "session_store.h"
#include "text_escape.h"

static void date_text(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tmv;
    localtime_r(&tt, &tmv);
    strftime(buf, n, "%Y-%m-%d %H:%M", &tmv);
}

static int print_json(const session_summary *s, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n && arr; i++) {
        char date[32];
        date_text(s[i].mtime_s, date, sizeof date);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:b, s:b}", "path", s[i].path, "lesson", s[i].lesson_id,
                              "title", s[i].lesson_title, "source", s[i].source, "date", date,
                              "duration_s", (double)s[i].duration_us * 1e-6, "complete", s[i].complete, "scored", s[i].scored);
        if (!o)
            continue;
        if (s[i].scored) {
            json_object_set_new(o, "dots", json_integer((json_int_t)s[i].dots));
            json_object_set_new(o, "score", json_real(s[i].total));
            json_object_set_new(o, "passed", json_boolean(s[i].passed));
        }
        if (s[i].problem[0])
            json_object_set_new(o, "problem", json_string(s[i].problem));
        json_array_append_new(arr, o);
    }
    char *txt = arr ? json_dumps(arr, JSON_INDENT(2)) : NULL;
    json_decref(arr);
    if (!txt)
        return 1;
    printf("%s\n", txt);
    free(txt);
    return 0;
}

enum { OPT_JSON = CLI_LONG, OPT_DIR, OPT_LESSONS };

static const cli_option sessions_options[] = {
    { OPT_JSON, "json", NULL, "one JSON array, for scripts" },
    { OPT_DIR, "dir", "DIR", "the sessions folder (default $XDG_DATA_HOME/stipple/sessions, ~/.local/share/...)" },
    { OPT_LESSONS, "lessons", "DIR", "where to find their lessons" },
    { 0 }
};

static int run_sessions(const cli_command *cmd, int argc, char **argv)
{
    int json = 0;
    const char *dir = NULL, *lessons = NULL;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case OPT_JSON: json = 1; break;
        case OPT_DIR: dir = a.value; break;
        case OPT_LESSONS: lessons = a.value; break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos > 0)
        return cli_usage_error(cmd, "unexpected argument '%s'", a.pos[0]);
    char dbuf[1024], err[256];
    if (!dir) {
        if (session_store_dir(dbuf, sizeof dbuf, 0, err, sizeof err) != 0) {
            fprintf(stderr, "stipple: %s\n", err);
            return 1;
        }
        dir = dbuf;
    }
    session_summary *s;
    size_t n;
    if (session_list(dir, cli_lessons_dir(lessons), &s, &n) != 0) {
        if (json) {
            printf("[]\n");
            return 0;
        }
        printf("No sessions yet (%s does not exist): the practice app saves them there.\n", text_escaped(dir));
        return 0;
    }
    int rc = 0;
    if (json) {
        rc = print_json(s, n);
    } else if (!n) {
        printf("No sessions in %s.\n", text_escaped(dir));
    } else {
        printf("%-16s  %-22s %9s %6s  %-10s  %s\n", "DATE", "LESSON", "DURATION", "DOTS", "SCORE", "FILE");
        for (size_t i = 0; i < n; i++) {
            char date[32], dur[32], score[32] = "-", dots[32] = "-";
            date_text(s[i].mtime_s, date, sizeof date);
            int64_t sec = s[i].duration_us / 1000000;
            snprintf(dur, sizeof dur, "%lld:%02lld%s", (long long)(sec / 60), (long long)(sec % 60), s[i].complete ? "" : "+");
            if (s[i].scored) {
                snprintf(score, sizeof score, "%.1f %s", s[i].total, s[i].passed ? "PASS" : "FAIL");
                snprintf(dots, sizeof dots, "%zu", s[i].dots);
            }
            printf("%-16s  %-22s %9s %6s  %-10s  %s", date, s[i].loaded ? text_escaped(s[i].lesson_id) : "?", dur, dots,
                   score, text_escaped(s[i].path));
            if (s[i].problem[0])
                printf("  (%s)", text_escaped(s[i].problem));
            printf("\n");
        }
        printf("%zu session%s in %s; open one with: stipple review FILE\n", n, n == 1 ? "" : "s", text_escaped(dir));
    }
    free(s);
    return rc;
}

const cli_command cli_cmd_sessions = {
    "sessions", "", "the saved sessions: date, lesson, duration, dots, score, file", sessions_options, run_sessions,
    "Open one with: stipple review FILE\n"
};
