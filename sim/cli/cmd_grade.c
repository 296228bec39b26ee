/* cmd_grade.c: `stipple grade` (graded reports of one or many sessions: text, JSON, CSV)
 * and `stipple dots` (every dot as CSV or JSON). Many sessions are graded on every core
 * (cli_batch); the output keeps the order of the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "report.h"
#include "score.h"

/* ---- one session graded ------------------------------------------------------------------- */

static void fill_meta(const replayed *r, const char *path, report_meta *m)
{
    memset(m, 0, sizeof *m);
    m->session_path = path;
    m->source = r->data.header.source;
    m->duration_us = r->data.end_t_us;
    m->pen_samples = engine_pen_samples(r->engine);
    m->complete = r->data.complete;
    m->warning = r->data.warning[0] ? r->data.warning : NULL;
    m->header = &r->data.header;
}

/* The session under the rules asked for (sc) and under every other rule set (others, in
 * order): the report keeps the others' figures where they differ. 0 or -1 (out of memory). */
static int score_rules(const replayed *r, int rules, score_result *sc, score_result others[SCORE_RULES_LATEST],
                       size_t *n_others)
{
    *n_others = 0;
    memset(sc, 0, sizeof *sc);
    score_zone *z = score_zone_prepare(&r->lesson, r->surface);
    int rc = z ? score_session_rules(z, r->dots, r->dot_count, rules, sc) : -1;
    for (int k = SCORE_RULES_OLDEST; rc == 0 && k <= SCORE_RULES_LATEST; k++) {
        if (k == rules)
            continue;
        if (score_session_rules(z, r->dots, r->dot_count, k, &others[*n_others]) != 0) {
            rc = -1;
            break;
        }
        (*n_others)++;
    }
    score_zone_free(z);
    if (rc != 0) {
        score_result_free(sc);
        for (size_t k = 0; k < *n_others; k++)
            score_result_free(&others[k]);
        *n_others = 0;
    }
    return rc;
}

/* The text report into a malloc'd string (so workers can write while the main thread prints). */
static char *text_report(const replayed *r, const score_result *sc, const report_meta *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int bad = report_write_text(f, &r->lesson, r->dots, sc, m) != 0;
    cli_write_overrides(f, m->session_path, sc);   /* an instructor's, beside the computed scores */
    bad |= fclose(f) != 0;
    if (bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

int cli_grade_one(const char *session, const cli_grade_options *o, cli_graded *out)
{
    memset(out, 0, sizeof *out);
    replayed r;
    if (cli_replay(session, o->lesson_path, o->lessons_dir, &r) != 0)
        return -1;
    score_result sc, others[SCORE_RULES_LATEST];
    size_t n_others = 0;
    if (score_rules(&r, o->rules > 0 ? o->rules : SCORE_RULES_LATEST, &sc, others, &n_others) != 0) {
        fprintf(stderr, "stipple: %s: out of memory scoring\n", session);
        cli_replayed_free(&r);
        return -1;
    }
    report_meta m;
    fill_meta(&r, session, &m);
    m.other_rules = others;
    m.other_rules_count = n_others;
    int rc = 0;
    out->passed = sc.passed;
    out->total = sc.total;
    if (o->want_text && !(out->text = text_report(&r, &sc, &m)))
        rc = -1;
    if (o->want_json && !(out->json = cli_json_add_instructor(report_json(&r.lesson, r.dots, &sc, &m), session, &sc)))
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "stipple: %s: out of memory writing the report\n", session);
    score_result_free(&sc);
    for (size_t k = 0; k < n_others; k++)
        score_result_free(&others[k]);
    cli_replayed_free(&r);
    return rc;
}

void cli_graded_free(cli_graded *g)
{
    free(g->text);
    free(g->json);
    memset(g, 0, sizeof *g);
}

int cli_grade_text(const char *session, const char *lesson_path, const char *lessons_dir, FILE *out)
{
    cli_grade_options o = { lesson_path, lessons_dir, 1, 0, 0 };
    cli_graded g;
    if (cli_grade_one(session, &o, &g) != 0)
        return -1;
    fputs(g.text, out);
    int passed = g.passed;
    cli_graded_free(&g);
    return passed;
}

/* ---- stipple grade ------------------------------------------------------------------------- */

enum { OPT_JSON = CLI_LONG, OPT_CSV, OPT_LESSON, OPT_LESSONS, OPT_FAIL_EXIT, OPT_JOBS, OPT_RULES };

static const cli_option grade_options[] = {
    { OPT_JSON, "json", NULL, "the versioned JSON report (an array when there are several sessions)" },
    { OPT_CSV, "csv", NULL, "one CSV row per session: file, lesson, source, date, total, each metric" },
    { 'o', "output", "FILE", "write to FILE instead of standard output (- is standard output)" },
    { OPT_LESSON, "lesson", "FILE", "grade against this lesson file instead of finding it by id" },
    { OPT_LESSONS, "lessons", "DIR", "the folder of lessons to find the session's lesson in" },
    { OPT_FAIL_EXIT, "fail-exit", NULL, "exit with status 3 when a session fails the lesson (for scripts)" },
    { 'j', "jobs", "N", "grade N sessions at a time (default: one per core)" },
    { OPT_RULES, "rules", "N", "score under scoring rules N (1 to the latest; default the latest)" },
    { 0 }
};

static int run_grade(const cli_command *cmd, int argc, char **argv)
{
    int json = 0, csv = 0, fail_exit = 0;
    const char *out_path = "-";
    cli_grade_options o = { NULL, NULL, 0, 0, 0 };
    uint64_t jobs = 0, rules = 0;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case OPT_JSON: json = 1; break;
        case OPT_CSV: csv = 1; break;
        case 'o': out_path = a.value; break;
        case OPT_LESSON: o.lesson_path = a.value; break;
        case OPT_LESSONS: o.lessons_dir = a.value; break;
        case OPT_FAIL_EXIT: fail_exit = 1; break;
        case 'j':
            if (cli_value_u64(cmd, "--jobs", a.value, &jobs) != 0)
                return 2;
            break;
        case OPT_RULES:
            if (cli_value_u64(cmd, "--rules", a.value, &rules) != 0)
                return 2;
            if (rules < SCORE_RULES_OLDEST || rules > SCORE_RULES_LATEST)
                return cli_usage_error(cmd, "--rules %s: scoring rules go from %d to %d", a.value, SCORE_RULES_OLDEST,
                                       SCORE_RULES_LATEST);
            o.rules = (int)rules;
            break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos == 0)
        return cli_usage_error(cmd, "name at least one session file");
    if (json && csv)
        return cli_usage_error(cmd, "--json and --csv are two formats: choose one");
    o.want_text = !json && !csv;
    o.want_json = json || csv;

    size_t n = (size_t)a.npos;
    cli_graded *g = calloc(n, sizeof *g);
    int *rc = calloc(n, sizeof *rc);
    if (!g || !rc) {
        free(g);
        free(rc);
        fprintf(stderr, "stipple: out of memory\n");
        return 1;
    }
    cli_grade_batch((const char *const *)a.pos, n, &o, (int)(jobs > 64 ? 64 : jobs), g, rc);

    int status = 0, any_failed = 0;
    FILE *out = cli_open_output(out_path);
    if (!out)
        status = 1;
    size_t written = 0;
    if (out && csv && cli_write_grade_csv(out, (const char *const *)a.pos, g, rc, n) != 0)
        status = 1;
    if (out && json && n > 1)
        fputs("[\n", out);
    for (size_t i = 0; i < n; i++) {
        if (rc[i] != 0) {
            status = 1;
            continue;
        }
        any_failed |= !g[i].passed;
        if (!out || csv)
            continue;
        if (json) {
            fprintf(out, "%s%s", written ? ",\n" : "", g[i].json);
            if (n == 1)
                fputc('\n', out);
        } else {
            fprintf(out, "%s%s", written ? "\n" : "", g[i].text);
        }
        written++;
    }
    if (out && json && n > 1)
        fputs("\n]\n", out);
    if (out && cli_close_output(out, out_path) != 0)
        status = 1;
    for (size_t i = 0; i < n; i++)
        cli_graded_free(&g[i]);
    free(g);
    free(rc);
    if (status == 0 && fail_exit && any_failed)
        status = 3;
    return status;
}

const cli_command cli_cmd_grade = {
    "grade", "SESSION...", "re-simulate sessions and print their graded reports", grade_options, run_grade,
    "The session's lesson is found by id in the lessons folder (--lessons DIR, $STIPPLE_LESSONS, or\n"
    "the source tree's lessons/) and its content hash is checked; --lesson FILE names it directly.\n"
    "Exit status: 0 graded (pass or fail), 1 a session could not be graded, 2 bad usage,\n"
    "3 with --fail-exit when every session was graded and at least one failed.\n"
    "Scoring rules: every report names the rules it was scored by; where an earlier rule set\n"
    "gives other figures, the report keeps them too (text: a line; JSON: \"other_rules\").\n"
    "--rules N scores under an earlier set, e.g. to compare with a report made then.\n"
    "examples:\n"
    "  stipple grade s.stp\n"
    "  stipple grade --csv sessions/*.stp -o grades.csv\n"
};

/* ---- stipple dots ----------------------------------------------------------------------------- */

static const cli_option dots_options[] = {
    { OPT_JSON, "json", NULL, "a JSON array of dots instead of CSV" },
    { 'o', "output", "FILE", "write to FILE instead of standard output (- is standard output)" },
    { OPT_LESSON, "lesson", "FILE", "the lesson file instead of finding it by id" },
    { OPT_LESSONS, "lessons", "DIR", "the folder of lessons to find the session's lesson in" },
    { 0 }
};

static void dot_flags(const dot *d, char flags[64])
{
    flags[0] = '\0';
    if (d->flags & DOT_SHED) strcat(flags, "shed|");
    if (d->flags & DOT_BLOWOUT) strcat(flags, "blowout|");
    if (d->flags & DOT_DRAGGED) strcat(flags, "dragged|");
    if (d->flags & DOT_OFF_SCALP) strcat(flags, "off_scalp|");
    size_t fl = strlen(flags);
    if (fl)
        flags[fl - 1] = '\0';
}

static const char dot_columns[] =
    "index,time_s,x_mm,y_mm,z_mm,u_mm,v_mm,region,depth_mm,diameter_fresh_mm,diameter_healed_mm,"
    "needle,shade,angle_deg,dwell_ms,drag_mm,healed_L,healed_a,healed_b,flags";

static void write_dot(FILE *f, size_t i, const dot *d, int json)
{
    char flags[64];
    dot_flags(d, flags);
    /* one format string for both: JSON quotes the names, CSV leaves them bare */
    const char *fmt = json
        ? "%s{\"index\":%zu,\"time_s\":%.6f,\"x_mm\":%.4f,\"y_mm\":%.4f,\"z_mm\":%.4f,\"u_mm\":%.4f,"
          "\"v_mm\":%.4f,\"region\":\"%s\",\"depth_mm\":%.4f,\"diameter_fresh_mm\":%.4f,"
          "\"diameter_healed_mm\":%.4f,\"needle\":\"%s\",\"shade\":%d,\"angle_deg\":%.2f,\"dwell_ms\":%.1f,"
          "\"drag_mm\":%.4f,\"healed_L\":%.2f,\"healed_a\":%.2f,\"healed_b\":%.2f,\"flags\":\"%s\"}"
        : "%s%zu,%.6f,%.4f,%.4f,%.4f,%.4f,%.4f,%s,%.4f,%.4f,%.4f,%s,%d,%.2f,%.1f,%.4f,%.2f,%.2f,%.2f,%s\n";
    fprintf(f, fmt, json ? (i ? ",\n" : "") : "", i, (double)d->t_us / 1e6, d->pos_mm[0], d->pos_mm[1],
            d->pos_mm[2], d->chart_mm[0], d->chart_mm[1], region_name((region_id)d->region), d->depth_mm,
            d->diameter_fresh_mm, d->diameter_healed_mm, needle_config_name(d->needle_config), d->shade,
            d->angle_deg, (double)d->dwell_us / 1e3, d->drag_mm, d->lab_healed.L, d->lab_healed.a,
            d->lab_healed.b, flags);
}

static int run_dots(const cli_command *cmd, int argc, char **argv)
{
    int json = 0;
    const char *out_path = "-", *lesson_path = NULL, *dir = NULL;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case OPT_JSON: json = 1; break;
        case 'o': out_path = a.value; break;
        case OPT_LESSON: lesson_path = a.value; break;
        case OPT_LESSONS: dir = a.value; break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos != 1)
        return cli_usage_error(cmd, a.npos ? "one session at a time" : "name a session file");
    replayed r;
    if (cli_replay(a.pos[0], lesson_path, dir, &r) != 0)
        return 1;
    FILE *out = cli_open_output(out_path);
    if (!out) {
        cli_replayed_free(&r);
        return 1;
    }
    if (json)
        fputs("[\n", out);
    else
        fprintf(out, "%s\n", dot_columns);
    for (size_t i = 0; i < r.dot_count; i++)
        write_dot(out, i, &r.dots[i], json);
    if (json)
        fputs(r.dot_count ? "\n]\n" : "]\n", out);
    cli_replayed_free(&r);
    return cli_close_output(out, out_path) == 0 ? 0 : 1;
}

const cli_command cli_cmd_dots = {
    "dots", "SESSION", "every dot of a session, re-simulated, as CSV (or JSON)", dots_options, run_dots,
    "Columns: index, time, position on the skin (x,y,z) and on the lesson's chart (u,v), region,\n"
    "depth, fresh and healed diameter, needle, shade, angle, dwell, drag, healed colour (CIELAB), flags.\n"
};
