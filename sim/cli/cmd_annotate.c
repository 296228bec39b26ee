/* cmd_annotate.c: `stipple annotate SESSION`: an instructor's notes on a session from the
 * command line (the review screen makes the same): comments pinned to a time, a dot or a
 * chart region, and per-metric grade overrides with their reason. They go into the sidecar
 * beside the session (annotations.h); the session is never modified. Without a note to add
 * it lists the notes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "annotations.h"
#include "cli.h"
#include "lesson.h"
#include "score.h"
#include "text_escape.h"

enum { OPT_AT = CLI_LONG, OPT_DOT, OPT_REGION, OPT_TEXT, OPT_OVERRIDE, OPT_REASON, OPT_AUTHOR, OPT_JSON };

static const cli_option annotate_options[] = {
    { OPT_TEXT, "text", "TEXT", "a comment, pinned with --at, --dot or --region" },
    { OPT_AT, "at", "T", "pin the comment to T seconds of session time" },
    { OPT_DOT, "dot", "N", "pin the comment to dot N (numbered from 1, as review and dots show them)" },
    { OPT_REGION, "region", "U0,V0,U1,V1", "pin the comment to a region of the chart (mm)" },
    { OPT_OVERRIDE, "override", "METRIC=SCORE", "replace a metric's score (0-100), or its verdict (pass, fail), beside the computed one; needs --reason" },
    { OPT_REASON, "reason", "TEXT", "why the override" },
    { OPT_AUTHOR, "author", "NAME", "who writes it (default: $USER)" },
    { OPT_JSON, "json", NULL, "list the notes as the sidecar's JSON" },
    { 0 }
};

static void list_notes(const annotations *a)
{
    if (!a->count) {
        printf("No notes.\n");
        return;
    }
    for (size_t i = 0; i < a->count; i++) {
        const annotation *n = &a->notes[i];
        char value[64];
        annotations_override_value(n, value, sizeof value);
        if (n->kind == ANNOT_OVERRIDE)
            printf("override %s = %s: %s", metric_name(n->metric), value, text_escaped(n->text));
        else if (n->pin == ANNOT_AT_TIME)
            printf("at %.3f s: %s", (double)n->at_us * 1e-6, text_escaped(n->text));
        else if (n->pin == ANNOT_AT_DOT)
            printf("dot %ld: %s", n->dot, text_escaped(n->text));
        else
            printf("region %.1f,%.1f-%.1f,%.1f mm: %s", n->region_mm[0], n->region_mm[1], n->region_mm[2], n->region_mm[3],
                   text_escaped(n->text));
        if (n->author[0])
            printf(" (%s)", text_escaped(n->author));
        printf("\n");
    }
}

void cli_write_overrides(FILE *f, const char *session_path, const score_result *sc)
{
    annotations an;
    char err[1024];
    int rc = annotations_load(session_path, &an, err, sizeof err);
    if (rc == ANNOT_MISMATCH || rc == ANNOT_CORRUPT) {
        fprintf(f, "\nInstructor's notes: not applied: %s\n", text_escaped(err));
    } else if (rc == ANNOT_OK) {
        int first = 1;
        for (int m = 0; m < METRIC_COUNT; m++) {
            const annotation *o = annotations_override(&an, m);
            if (!o)
                continue;
            if (first)
                fprintf(f, "\nInstructor's overrides (the computed scores above are kept):\n");
            first = 0;
            char value[64];
            annotations_override_value(o, value, sizeof value);
            fprintf(f, "  %-10s %5s  (computed %.1f, %s)  %s%s%s%s\n", metric_name(m), value,
                    sc->metric_applies[m] ? sc->metric_score[m] : 0.0, sc->metric_passed[m] ? "passed" : "failed",
                    text_escaped(o->text), o->author[0] ? " (" : "", o->author[0] ? text_escaped(o->author) : "",
                    o->author[0] ? ")" : "");
        }
    }
    annotations_free(&an);
}

/* The notes as grade --json carries them: "instructor": {"notes_file", "applied", "message"?,
 * "overrides": {METRIC: {"score"?, "passed"?, "computed_score", "computed_passed", "reason",
 * "author"?}}, "comments": [...]}. Comments and overrides are listed even when not applied
 * (another session's notes), and "applied" says so. */
static json_t *instructor_json(const char *session_path, const score_result *sc)
{
    annotations an;
    char err[1024];
    int rc = annotations_load(session_path, &an, err, sizeof err);
    if (rc == ANNOT_NONE) {
        annotations_free(&an);
        return NULL;
    }
    char path[4096];
    annotations_path(session_path, path, sizeof path);
    json_t *o = json_object(), *ov = json_object(), *cm = json_array();
    json_object_set_new(o, "notes_file", json_string(path));
    json_object_set_new(o, "applied", json_boolean(rc == ANNOT_OK));
    if (rc != ANNOT_OK)
        json_object_set_new(o, "message", json_string(err));
    for (int m = 0; m < METRIC_COUNT; m++) {
        const annotation *n = annotations_override(&an, m);
        if (!n)
            continue;
        json_t *x = json_object();
        if (n->has_score)
            json_object_set_new(x, "score", json_real(n->score));
        if (n->has_verdict)
            json_object_set_new(x, "passed", json_boolean(n->passed));
        json_object_set_new(x, "computed_score", json_real(sc->metric_applies[m] ? sc->metric_score[m] : 0.0));
        json_object_set_new(x, "computed_passed", json_boolean(sc->metric_passed[m]));
        json_object_set_new(x, "reason", json_string(n->text));
        if (n->author[0])
            json_object_set_new(x, "author", json_string(n->author));
        json_object_set_new(ov, metric_name(m), x);
    }
    for (size_t i = 0; i < an.count; i++) {
        const annotation *n = &an.notes[i];
        if (n->kind != ANNOT_COMMENT)
            continue;
        json_t *x = json_object();
        json_object_set_new(x, "comment", json_string(n->text));
        if (n->pin == ANNOT_AT_TIME)
            json_object_set_new(x, "at_s", json_real((double)n->at_us * 1e-6));
        else if (n->pin == ANNOT_AT_DOT)
            json_object_set_new(x, "dot", json_integer((json_int_t)n->dot));
        else
            json_object_set_new(x, "region_mm", json_pack("[f, f, f, f]", n->region_mm[0], n->region_mm[1], n->region_mm[2],
                                                          n->region_mm[3]));
        if (n->author[0])
            json_object_set_new(x, "author", json_string(n->author));
        json_array_append_new(cm, x);
    }
    json_object_set_new(o, "overrides", ov);
    json_object_set_new(o, "comments", cm);
    annotations_free(&an);
    return o;
}

char *cli_json_add_instructor(char *report, const char *session_path, const score_result *sc)
{
    if (!report)
        return NULL;
    json_t *ins = instructor_json(session_path, sc);
    if (!ins)
        return report;   /* no notes: the report as it was, byte for byte */
    json_t *root = json_loads(report, 0, NULL);
    char *out = NULL;
    if (json_is_object(root) && json_object_set_new(root, "instructor", ins) == 0) {
        ins = NULL;
        out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    }
    json_decref(ins);
    json_decref(root);
    free(report);
    return out;
}

static int run_annotate(const cli_command *cmd, int argc, char **argv)
{
    annotation n;
    memset(&n, 0, sizeof n);
    const char *text = NULL, *reason = NULL, *override = NULL, *author = getenv("USER");
    int pins = 0, json = 0;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        const char *v = a.value;
        switch (k) {
        case OPT_TEXT: text = v; break;
        case OPT_REASON: reason = v; break;
        case OPT_AUTHOR: author = v; break;
        case OPT_JSON: json = 1; break;
        case OPT_OVERRIDE: override = v; break;
        case OPT_AT: {
            double t;
            if (cli_value_double(cmd, "--at", v, 0.0, 1e7, &t) != 0)
                return 2;
            n.pin = ANNOT_AT_TIME;
            n.at_us = (int64_t)(t * 1e6 + 0.5);
            pins++;
            break;
        }
        case OPT_DOT: {
            uint64_t d;
            if (cli_value_u64(cmd, "--dot", v, &d) != 0)
                return 2;
            if (d < 1 || d > 100000000)
                return cli_usage_error(cmd, "--dot counts from 1");
            n.pin = ANNOT_AT_DOT;
            n.dot = (long)d;
            pins++;
            break;
        }
        case OPT_REGION: {
            double *r = n.region_mm;
            char extra;
            if (sscanf(v, "%lf,%lf,%lf,%lf%c", &r[0], &r[1], &r[2], &r[3], &extra) != 4)
                return cli_usage_error(cmd, "--region wants U0,V0,U1,V1 in mm, not '%s'", v);
            for (int i = 0; i < 4; i++)
                if (!(r[i] >= -1e4 && r[i] <= 1e4))
                    return cli_usage_error(cmd, "--region: values within 10000 mm");
            n.pin = ANNOT_AT_REGION;
            pins++;
            break;
        }
        default: return cli_args_exit(k);
        }
    }
    if (a.npos != 1)
        return cli_usage_error(cmd, a.npos ? "one session at a time" : "name the session");
    const char *session = a.pos[0];
    if (text && override)
        return cli_usage_error(cmd, "a comment (--text) or an override (--override), one at a time");
    if (text && pins != 1)
        return cli_usage_error(cmd, "pin the comment with one of --at, --dot or --region");
    if (!text && pins)
        return cli_usage_error(cmd, "--at, --dot and --region pin a --text comment");
    if (override && !reason)
        return cli_usage_error(cmd, "an override needs its --reason");
    if (reason && !override)
        return cli_usage_error(cmd, "--reason goes with --override");
    if (override) {
        char metric[32];
        double score = 0.0;
        const char *eq = strchr(override, '=');
        char *end = NULL;
        size_t ml = eq ? (size_t)(eq - override) : 0;
        if (eq && ml < sizeof metric) {
            memcpy(metric, override, ml);
            metric[ml] = 0;
            if (!strcmp(eq + 1, "pass") || !strcmp(eq + 1, "fail")) {
                n.has_verdict = 1;
                n.passed = eq[1] == 'p';
                end = (char *)eq + 1 + strlen(eq + 1);
            } else {
                score = strtod(eq + 1, &end);
                n.has_score = 1;
            }
        }
        if (!eq || ml >= sizeof metric || !end || *end || end == eq + 1 || !(score >= 0.0 && score <= 100.0) ||
            (n.metric = annotations_metric_from_name(metric)) < 0)
            return cli_usage_error(cmd, "--override wants METRIC=SCORE or METRIC=pass|fail (spacing, depth, pigment, "
                                        "hairline or quality; 0-100)");
        n.kind = ANNOT_OVERRIDE;
        n.score = score;
    }
    const char *body = text ? text : reason;
    if (body && strlen(body) > ANNOT_MAX_TEXT)
        return cli_usage_error(cmd, "the text is longer than %d bytes", ANNOT_MAX_TEXT);
    if (body)
        snprintf(n.text, sizeof n.text, "%s", body);
    if (author)
        snprintf(n.author, sizeof n.author, "%s", author);

    annotations an;
    char err[1024];
    int rc = annotations_load(session, &an, err, sizeof err);
    if (rc == ANNOT_CORRUPT) {
        fprintf(stderr, "stipple: %s\n", err);
        return 1;
    }
    if (rc == ANNOT_MISMATCH) {
        fprintf(stderr, "stipple: warning: %s\n", err);
        if (body) {
            fprintf(stderr, "stipple: %s: not adding to notes that belong to another session\n", session);
            annotations_free(&an);
            return 1;
        }
    }
    int status = 0;
    if (!body) {
        if (json) {
            char *js = annotations_json(&an);
            if (js)
                printf("%s\n", js);
            free(js);
        } else {
            list_notes(&an);
        }
    } else if (annotations_add(&an, &n) != 0) {
        fprintf(stderr, "stipple: %s: at most %d notes\n", session, ANNOT_MAX_NOTES);
        status = 1;
    } else if (annotations_save(session, &an, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        status = 1;
    } else {
        char path[4096];
        annotations_path(session, path, sizeof path);
        printf("noted in %s (%zu note%s)\n", text_escaped(path), an.count, an.count == 1 ? "" : "s");
    }
    annotations_free(&an);
    return status;
}

const cli_command cli_cmd_annotate = {
    "annotate", "SESSION", "an instructor's notes on a session: comments and grade overrides (beside it, never in it)",
    annotate_options, run_annotate,
    "Without --text or --override it lists the notes.\n"
    "examples: stipple annotate s.stp --dot 412 --text \"too deep here: lighten your hand\"\n"
    "          stipple annotate s.stp --override depth=80 --reason \"scar tissue: the band is too strict here\"\n"
    "          stipple annotate s.stp --override hairline=pass --reason \"the client asked for a hard line\"\n"
};
