/* grade_csv.c: `stipple grade --csv`: one row per session, made from the JSON report itself
 * so that the columns follow the report as it grows (a new metric or statistic becomes a
 * column without a change here).
 *
 * Columns: file, lesson, lesson_version, lesson_title, source, trainee, station, exam,
 * origin, date, duration_s, dots,
 * total, passed, scoring_rules, rulesN.total and rulesN.passed for each earlier rule set N
 * that gives other figures, then for each metric (in the report's order) METRIC.score,
 * METRIC.passed, METRIC.applies, METRIC.pass_mark (empty where the metric does not apply)
 * and its other statistics METRIC.KEY; a
 * list of numbers becomes METRIC.KEY.0, METRIC.KEY.1, ... The columns are the union over
 * all rows, in the order first seen; a cell a session lacks is empty.
 *
 * Quoting (RFC 4180): a cell with a comma, quote, CR or LF is quoted, quotes doubled.
 * Text from files passes through text_escape (no control characters reach a terminal), and
 * text cells starting with = + - @ get a leading apostrophe, so a spreadsheet shows them
 * instead of running them as formulas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "text_escape.h"

typedef struct row {
    json_t *cells;   /* object: column name -> scalar */
} row;

typedef struct columns {
    char **name;
    size_t n, cap;
} columns;

static int column_add(columns *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->name[i], name))
            return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        char **nn = realloc(c->name, cap * sizeof *nn);
        if (!nn)
            return -1;
        c->name = nn;
        c->cap = cap;
    }
    if (!(c->name[c->n] = strdup(name)))
        return -1;
    c->n++;
    return 0;
}

static int cell(json_t *cells, columns *c, const char *name, json_t *v)
{
    if (!v || json_is_object(v))
        return 0;
    if (json_is_null(v))   /* the column stays (a file that does not say), its cell empty */
        return column_add(c, name);
    if (json_is_array(v)) {   /* a list of scalars: one column per element */
        char sub[256];
        for (size_t i = 0; i < json_array_size(v); i++) {
            snprintf(sub, sizeof sub, "%s.%zu", name, i);
            if (cell(cells, c, sub, json_array_get(v, i)) != 0)
                return -1;
        }
        return 0;
    }
    if (column_add(c, name) != 0 || json_object_set(cells, name, v) != 0)
        return -1;
    return 0;
}

/* The session's date: its recorded wall-clock start (format 2, live sessions), else the file's
 * time of last change, as ISO 8601 UTC. */
static void session_date(const char *path, json_t *session, char out[32])
{
    const char *keys[] = { "started_utc", NULL };
    for (int i = 0; keys[i]; i++) {
        const char *s = json_string_value(json_object_get(session, keys[i]));
        if (s) {
            snprintf(out, 32, "%s", s);
            return;
        }
    }
    struct stat st;
    struct tm tm;
    out[0] = '\0';
    if (stat(path, &st) == 0 && gmtime_r(&st.st_mtime, &tm))
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int make_row(const char *path, const char *json_text, columns *c, row *r)
{
    json_error_t e;
    json_t *doc = json_loads(json_text, 0, &e);
    r->cells = json_object();
    if (!doc || !r->cells) {
        json_decref(doc);
        return -1;
    }
    json_t *cells = r->cells, *les = json_object_get(doc, "lesson"), *session = json_object_get(doc, "session");
    char date[32];
    session_date(path, session, date);
    json_t *d = json_string(date);
    int bad = 0;
    json_t *file = json_string(path);
    bad |= cell(cells, c, "file", file);
    json_decref(file);
    bad |= cell(cells, c, "lesson", json_object_get(les, "id"));
    bad |= cell(cells, c, "lesson_version", json_object_get(les, "version"));
    bad |= cell(cells, c, "lesson_title", json_object_get(les, "title"));
    bad |= cell(cells, c, "source", json_object_get(session, "source"));
    bad |= cell(cells, c, "trainee", json_object_get(session, "trainee"));
    bad |= cell(cells, c, "station", json_object_get(session, "station"));
    bad |= cell(cells, c, "exam", json_object_get(session, "exam"));
    bad |= cell(cells, c, "origin", json_object_get(session, "origin"));
    bad |= cell(cells, c, "date", d);
    json_decref(d);
    bad |= cell(cells, c, "duration_s", json_object_get(session, "duration_s"));
    bad |= cell(cells, c, "dots", json_object_get(session, "dots"));
    bad |= cell(cells, c, "total", json_object_get(doc, "total"));
    bad |= cell(cells, c, "passed", json_object_get(doc, "passed"));
    bad |= cell(cells, c, "scoring_rules", json_object_get(doc, "scoring_rules"));
    /* where an earlier rule set gives other figures: rulesN.total, rulesN.passed */
    size_t k;
    json_t *other;
    json_array_foreach(json_object_get(doc, "other_rules"), k, other) {
        char name[64];
        json_int_t n = json_integer_value(json_object_get(other, "scoring_rules"));
        snprintf(name, sizeof name, "rules%lld.total", (long long)n);
        bad |= cell(cells, c, name, json_object_get(other, "total"));
        snprintf(name, sizeof name, "rules%lld.passed", (long long)n);
        bad |= cell(cells, c, name, json_object_get(other, "passed"));
    }
    const char *mname;
    json_t *m;
    char col[256];
    static const char *const first[] = { "score", "passed", "applies", "pass_mark", NULL };
    json_object_foreach(json_object_get(doc, "metrics"), mname, m) {
        for (int i = 0; first[i]; i++) {
            snprintf(col, sizeof col, "%s.%s", mname, first[i]);
            /* every metric has these columns; a metric that does not apply leaves its score,
             * passed and pass mark empty (never 0 or false, which would read as a failure) */
            bad |= column_add(c, col) != 0;
            bad |= cell(cells, c, col, json_object_get(m, first[i]));
        }
        const char *key;
        json_t *v;
        json_object_foreach(m, key, v) {
            snprintf(col, sizeof col, "%s.%s", mname, key);
            bad |= cell(cells, c, col, v);
        }
    }
    json_decref(doc);
    return bad ? -1 : 0;
}

static void write_text_cell(FILE *f, const char *s)
{
    char buf[2048];
    text_escape(buf, sizeof buf, s);
    const char *lead = strchr("=+-@", buf[0]) && buf[0] ? "'" : "";
    if (!strpbrk(buf, ",\"\r\n")) {
        fprintf(f, "%s%s", lead, buf);
        return;
    }
    fprintf(f, "\"%s", lead);
    for (const char *p = buf; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static void write_cell(FILE *f, json_t *v)
{
    if (!v)
        return;
    if (json_is_string(v)) {
        write_text_cell(f, json_string_value(v));
    } else if (json_is_boolean(v)) {
        fputs(json_is_true(v) ? "true" : "false", f);
    } else {
        /* numbers as the JSON report writes them */
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
        if (s)
            fputs(s, f);
        free(s);
    }
}

int cli_write_grade_csv(FILE *f, const char *const *paths, const cli_graded *g, const int *rc, size_t n)
{
    columns c = { 0 };
    row *rows = calloc(n ? n : 1, sizeof *rows);
    int bad = !rows;
    for (size_t i = 0; !bad && i < n; i++)
        if (rc[i] == 0 && g[i].json && make_row(paths[i], g[i].json, &c, &rows[i]) != 0)
            bad = 1;
    if (bad) {
        fprintf(stderr, "stipple: out of memory making the CSV\n");
    } else {
        for (size_t j = 0; j < c.n; j++) {
            if (j)
                fputc(',', f);
            write_text_cell(f, c.name[j]);
        }
        fputs("\r\n", f);
        for (size_t i = 0; i < n; i++) {
            if (!rows[i].cells)
                continue;   /* not graded: the error is on stderr, the exit status says it */
            for (size_t j = 0; j < c.n; j++) {
                if (j)
                    fputc(',', f);
                write_cell(f, json_object_get(rows[i].cells, c.name[j]));
            }
            fputs("\r\n", f);
        }
    }
    for (size_t i = 0; rows && i < n; i++)
        json_decref(rows[i].cells);
    free(rows);
    for (size_t j = 0; j < c.n; j++)
        free(c.name[j]);
    free(c.name);
    return bad ? -1 : 0;
}
