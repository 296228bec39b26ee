/* cmd_gradebook.c: `stipple gradebook`: trainees, stations and instructors, importing
 * sessions, progress per lesson, instructor overrides and CSV export. The database is
 * --db PATH or --db postgresql://..., else $STIPPLE_GRADEBOOK, else the default file. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "certificate_pdf.h"
#include "curriculum.h"
#include "gb_certify.h"
#include "gb_import.h"
#include "gb_keys.h"
#include "gb_progress.h"
#include "gradebook.h"
#include "sign.h"
#include "text_escape.h"
#include "trainee.h"

enum {
    OPT_DB = CLI_LONG, OPT_NAME, OPT_KEY, OPT_TRAINEE, OPT_LESSONS, OPT_INSTRUCTOR, OPT_VERDICT, OPT_REASON,
    OPT_JSON, OPT_CSV, OPT_JOBS, OPT_SESSIONS, OPT_QUICK,
};

#define DB_OPTION { OPT_DB, "db", "PATH|URI", "the gradebook: a file, or postgresql://... (default $STIPPLE_GRADEBOOK, else $XDG_DATA_HOME/stipple/gradebook.db)" }

static const char gradebook_details[] =
    "Only sessions that verify, come from a registered station, name a registered trainee and are\n"
    "not made by a virtual trainee count as evidence; the rest are kept as practice, with the reason.\n"
    "Importing a session again changes nothing, except one kept as practice because its station or\n"
    "trainee was not registered yet: it is verified again, and counts once they are.\n";

typedef struct gb_args {
    const char *db, *name, *key, *trainee, *lessons, *output, *instructor, *verdict, *reason;
    int json, csv, jobs, quick;
    long sessions;
    char **rest;
    int nrest;
} gb_args;

/* Options through the command's table; returns -1 to go on, else the exit status. */
static int parse_args(const cli_command *cmd, int argc, char **argv, gb_args *a)
{
    memset(a, 0, sizeof *a);
    a->db = getenv("STIPPLE_GRADEBOOK");
    if (a->db && !*a->db)
        a->db = NULL;
    cli_args ca;
    cli_args_init(&ca, cmd, argc, argv);
    for (int k; (k = cli_args_next(&ca)) != CLI_END;) {
        switch (k) {
        case OPT_DB: a->db = ca.value; break;
        case OPT_NAME: a->name = ca.value; break;
        case OPT_KEY: a->key = ca.value; break;
        case OPT_TRAINEE: a->trainee = ca.value; break;
        case OPT_LESSONS: a->lessons = ca.value; break;
        case 'o': a->output = ca.value; break;
        case OPT_INSTRUCTOR: a->instructor = ca.value; break;
        case OPT_VERDICT: a->verdict = ca.value; break;
        case OPT_REASON: a->reason = ca.value; break;
        case OPT_JSON: a->json = 1; break;
        case OPT_CSV: a->csv = 1; break;
        case OPT_QUICK: a->quick = 1; break;
        case OPT_SESSIONS: {
            uint64_t v;
            if (cli_value_u64(cmd, "--sessions", ca.value, &v) != 0)
                return 2;
            if (v < 1 || v > 100000)
                return cli_usage_error(cmd, "--sessions takes 1 to 100000");
            a->sessions = (long)v;
            break;
        }
        case OPT_JOBS: {
            uint64_t v;
            if (cli_value_u64(cmd, "--jobs", ca.value, &v) != 0)
                return 2;
            if (v < 1 || v > 64)
                return cli_usage_error(cmd, "--jobs takes 1 to 64, not '%s'", ca.value);
            a->jobs = (int)v;
            break;
        }
        default: return cli_args_exit(k);
        }
    }
    a->rest = ca.pos;
    a->nrest = ca.npos;
    return -1;
}

static gradebook *open_db(const gb_args *a)
{
    gradebook *g;
    char err[1024];
    if (gradebook_open(a->db, &g, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        return NULL;
    }
    return g;
}

static int want_args(const cli_command *cmd, const gb_args *a, int lo, int hi)
{
    if (a->nrest < lo)
        return cli_usage_error(cmd, "expected %s", cmd->args);
    if (a->nrest > hi)
        return cli_usage_error(cmd, "unexpected argument '%s'", text_escaped(a->rest[hi]));
    return 0;
}

/* ---- people ------------------------------------------------------------------------ */

static const char *const role_word[] = { "trainee", "station", "instructor" };

static int list_people(gradebook *g, gb_role role, int json)
{
    gb_person *v;
    size_t n;
    char err[512];
    if (gradebook_people(g, role, &v, &n, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        return 1;
    }
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_pack("{s:s, s:s, s:s}", "id", v[i].id, "name", v[i].name, "added_at", v[i].added_at);
            if (role != GB_TRAINEE)
                json_object_set_new(o, "public_key", json_string(v[i].public_key_hex));
            json_array_append_new(arr, o);
        }
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(arr);
    } else {
        for (size_t i = 0; i < n; i++) {
            printf("%-20s %s", v[i].id, text_escaped(v[i].name));
            if (role != GB_TRAINEE)
                printf("  key %.16s...", v[i].public_key_hex);
            printf("  (added %.10s)\n", v[i].added_at);
        }
        if (n == 0)
            printf("no %ss in the gradebook\n", role_word[role]);
    }
    free(v);
    return 0;
}

static int add_person(gradebook *g, gb_role role, const gb_args *a)
{
    gb_person p;
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", a->rest[1]);
    if (strlen(a->rest[1]) >= sizeof p.id) {
        fprintf(stderr, "stipple: a %s id is at most %d bytes\n", role_word[role], GB_ID_MAX - 1);
        return 2;
    }
    if (a->name && strlen(a->name) >= sizeof p.name) {
        fprintf(stderr, "stipple: a name is at most %d bytes\n", GB_NAME_MAX - 1);
        return 2;
    }
    snprintf(p.name, sizeof p.name, "%s", a->name ? a->name : a->rest[1]);
    char err[1024];
    if (role == GB_INSTRUCTOR && !a->key) {
        char path[4096], kname[GB_ID_MAX + 16];
        gb_keypair kp;
        int made = 0;
        if (!gradebook_id_valid(p.id)) {
            fprintf(stderr, "stipple: '%s' is not a valid instructor id\n", text_escaped(p.id));
            return 2;
        }
        snprintf(kname, sizeof kname, "instructor-%s", p.id);
        if (gb_key_path(kname, path, sizeof path) != 0 || gb_key_load(path, 1, &kp, &made, err, sizeof err) != 0) {
            fprintf(stderr, "stipple: %s\n", err[0] ? err : "no home folder for keys");
            return 1;
        }
        gb_key_public_hex(&kp, p.public_key_hex);
        sodium_memzero(&kp, sizeof kp);
        printf("%s instructor key %s\n", made ? "made" : "using", text_escaped(path));
    } else if (a->key) {
        snprintf(p.public_key_hex, sizeof p.public_key_hex, "%s", a->key);
    }
    if (gradebook_person_add(g, role, &p, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        return 1;
    }
    printf("added %s %s (%s)\n", role_word[role], p.id, text_escaped(p.name));
    return 0;
}

static int run_people(gb_role role, const cli_command *cmd, int argc, char **argv)
{
    const char *add_verb = role == GB_STATION ? "register" : "add";
    gb_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (a.nrest < 1)
        return cli_usage_error(cmd, "say %s or list", add_verb);
    if (strcmp(a.rest[0], "list") == 0) {
        if ((rc = want_args(cmd, &a, 1, 1)) != 0)
            return rc;
        gradebook *g = open_db(&a);
        if (!g)
            return 1;
        rc = list_people(g, role, a.json);
        gradebook_close(g);
        return rc;
    }
    if (strcmp(a.rest[0], add_verb) != 0)
        return cli_usage_error(cmd, "'%s' is neither %s nor list", text_escaped(a.rest[0]), add_verb);
    if ((rc = want_args(cmd, &a, 2, 2)) != 0)
        return rc;
    struct stat st;
    if (role == GB_STATION && !a.key && stat(a.rest[1], &st) == 0) {
        /* a station's export (`stipple station --export FILE`): its id, key and name */
        station_public sp;
        char err[512];
        if (station_public_load(a.rest[1], &sp, err, sizeof err) != 0) {
            fprintf(stderr, "stipple: %s: %s\n", text_escaped(a.rest[1]), err);
            return 1;
        }
        static char id[SIGN_STATION_ID_LEN + 1], key[2 * SIGN_PUBLIC_BYTES + 1], name[64];
        snprintf(id, sizeof id, "%s", sp.station_id);
        sign_hex(sp.public_key, SIGN_PUBLIC_BYTES, key);
        snprintf(name, sizeof name, "%s", sp.name[0] ? sp.name : sp.station_id);
        a.rest[1] = id;
        a.key = key;
        if (!a.name)
            a.name = name;
    }
    if (role == GB_STATION && !a.key)
        return cli_usage_error(cmd, "--key HEX is needed (the station's public key), or the file `stipple station --export` wrote");
    gradebook *g = open_db(&a);
    if (!g)
        return 1;
    rc = add_person(g, role, &a);
    gradebook_close(g);
    return rc;
}

static int run_trainees(const cli_command *cmd, int argc, char **argv)
{
    return run_people(GB_TRAINEE, cmd, argc, argv);
}

static int run_stations(const cli_command *cmd, int argc, char **argv)
{
    return run_people(GB_STATION, cmd, argc, argv);
}

static int run_instructors(const cli_command *cmd, int argc, char **argv)
{
    return run_people(GB_INSTRUCTOR, cmd, argc, argv);
}

static const cli_option trainees_options[] = {
    { OPT_NAME, "name", "NAME", "the trainee's name as printed on reports (default: the id)" },
    { OPT_JSON, "json", NULL, "list as JSON" },
    DB_OPTION,
    { 0 }
};
static const cli_option stations_options[] = {
    { OPT_KEY, "key", "HEX", "the station's Ed25519 public key (64 hex digits)" },
    { OPT_NAME, "name", "NAME", "a name for the station (default: the id)" },
    { OPT_JSON, "json", NULL, "list as JSON" },
    DB_OPTION,
    { 0 }
};
static const cli_option instructors_options[] = {
    { OPT_KEY, "key", "HEX", "the instructor's Ed25519 public key; without it a key pair is made here" },
    { OPT_NAME, "name", "NAME", "the instructor's name (default: the id)" },
    { OPT_JSON, "json", NULL, "list as JSON" },
    DB_OPTION,
    { 0 }
};

const cli_command cli_cmd_gradebook_trainees = {
    "gradebook trainees", "add ID | list", "register trainees in the gradebook, or list them", trainees_options,
    run_trainees, "An id is 1 to 63 letters, digits, '.', '_' or '-'; a name is any text.\n"
};
const cli_command cli_cmd_gradebook_stations = {
    "gradebook stations", "register ID|FILE | list", "register a station's public key (or its export file), or list them", stations_options,
    run_stations, "Sessions count as evidence only from registered stations.\n"
};
const cli_command cli_cmd_gradebook_instructors = {
    "gradebook instructors", "add ID | list", "register instructors (their key signs overrides), or list them",
    instructors_options, run_instructors,
    "Without --key a key pair is made under $XDG_CONFIG_HOME/stipple/keys/instructor-ID.key (mode 0600).\n"
};

/* ---- import ------------------------------------------------------------------------- */

typedef struct import_ui {
    int tty;
    int json;
} import_ui;

static void import_report(void *ctx, const char *path, gb_outcome what, const gb_session *s, const char *reason)
{
    import_ui *ui = ctx;
    if (ui->tty)
        fprintf(stderr, "\r\033[K");
    switch (what) {
    case GB_IMPORTED:
        printf("%s: imported %.16s (%s, total %.1f)\n", text_escaped(path), s->hash, s->lesson_id, s->total);
        break;
    case GB_PRACTICE:
        printf("%s: kept as practice %.16s (%s, total %.1f), not evidence: %s\n", text_escaped(path), s->hash,
               s->lesson_id, s->total, text_escaped(reason));
        break;
    case GB_ALREADY:
        printf("%s: already in the gradebook\n", text_escaped(path));
        break;
    case GB_REVERIFIED:
        if (s->evidence)
            printf("%s: verified again %.16s (%s, total %.1f): now evidence\n", text_escaped(path), s->hash,
                   s->lesson_id, s->total);
        else
            printf("%s: verified again %.16s (%s, total %.1f), still not evidence: %s\n", text_escaped(path),
                   s->hash, s->lesson_id, s->total, text_escaped(reason));
        break;
    case GB_REJECTED:
        fprintf(stderr, "stipple: %s: %s\n", text_escaped(path), text_escaped(reason));
        break;
    }
    fflush(stdout);
}

static void import_progress(void *ctx, size_t done, size_t total)
{
    import_ui *ui = ctx;
    if (!ui->tty)
        return;
    int width = 30, fill = (int)((double)width * (double)done / (double)total);
    fprintf(stderr, "\rimporting [%.*s%*s] %zu/%zu", fill, "##############################", width - fill, "", done,
            total);
    if (done == total)
        fprintf(stderr, "\r\033[K");
    fflush(stderr);
}

static int run_import(const cli_command *cmd, int argc, char **argv)
{
    gb_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if ((rc = want_args(cmd, &a, 1, 1 << 30)) != 0)
        return rc;
    if (a.trainee && !gradebook_id_valid(a.trainee))
        return cli_usage_error(cmd, "'%s' is not a valid trainee id", text_escaped(a.trainee));
    gb_import_opts o;
    memset(&o, 0, sizeof o);
    gb_limits_default(&o.limits);
    char err[1024] = "";
    char **files = NULL;
    size_t nfiles = 0;
    if (gb_expand_paths((const char *const *)a.rest, (size_t)a.nrest, &o.limits, &files, &nfiles, err, sizeof err)
        != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        return 1;
    }
    const char *dir = cli_lessons_dir(a.lessons);
    gb_lessons *ls = gb_lessons_load(dir, err, sizeof err);
    if (!ls) {
        fprintf(stderr, "stipple: %s\n", err);
        gb_paths_free(files, nfiles);
        return 1;
    }
    gradebook *g = open_db(&a);
    if (!g) {
        gb_lessons_free(ls);
        gb_paths_free(files, nfiles);
        return 1;
    }
    import_ui ui = { .tty = isatty(2) };
    o.trainee_id = a.trainee;
    o.threads = a.jobs;
    o.lessons = ls;
    o.report = import_report;
    o.progress = import_progress;
    o.ctx = &ui;
    gb_import_stats st;
    rc = gb_import(g, files, nfiles, &o, &st, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "stipple: the import stopped: %s\n", err);
    printf("%zu file%s: %zu imported as evidence, %zu kept as practice, %zu verified again, %zu already there, "
           "%zu refused\n", st.files, st.files == 1 ? "" : "s", st.imported, st.practice, st.reverified, st.already,
           st.rejected);
    gradebook_close(g);
    gb_lessons_free(ls);
    gb_paths_free(files, nfiles);
    return rc != 0 || st.rejected ? 1 : 0;
}

/* ---- progress ------------------------------------------------------------------------ */

static int run_progress(const cli_command *cmd, int argc, char **argv)
{
    gb_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if ((rc = want_args(cmd, &a, 1, 1)) != 0)
        return rc;
    const char *who = a.rest[0];
    gradebook *g = open_db(&a);
    if (!g)
        return 1;
    char err[1024];
    gb_person p;
    gb_session *s = NULL;
    gb_lesson_progress *pr = NULL;
    size_t n = 0, np = 0;
    int found = gradebook_person_find(g, GB_TRAINEE, who, &p, err, sizeof err);
    if (found <= 0 || gradebook_sessions(g, who, &s, &n, err, sizeof err) != 0 || gb_progress(s, n, &pr, &np) != 0) {
        if (found == 0)
            fprintf(stderr, "stipple: no trainee '%s' in the gradebook (see gradebook trainees list)\n",
                    text_escaped(who));
        else
            fprintf(stderr, "stipple: %s\n", err);
        free(s);
        gradebook_close(g);
        return 1;
    }
    size_t evidence = 0;
    for (size_t i = 0; i < n; i++)
        evidence += s[i].evidence != 0;
    if (a.json) {
        json_t *root = json_pack("{s:i, s:{s:s, s:s}, s:I, s:I, s:[]}", "progress_version", 1, "trainee", "id", p.id,
                                 "name", p.name, "sessions", (json_int_t)n, "evidence", (json_int_t)evidence, "lessons");
        json_t *arr = json_object_get(root, "lessons");
        for (size_t i = 0; i < np; i++) {
            const gb_lesson_progress *q = &pr[i];
            json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:b, s:o, s:o, s:s, s:s}", "lesson", q->lesson_id,
                                  "attempts", (json_int_t)q->attempts, "evidence", (json_int_t)q->evidence, "passed",
                                  (json_int_t)q->passed, "best", q->best, "last", q->last, "running_complete",
                                  q->running_complete, "running_average",
                                  q->running_complete ? json_real(q->running_avg) : json_null(), "trend_points",
                                  q->has_trend ? json_real(q->trend) : json_null(), "trend", gb_trend_word(q),
                                  "last_attempt_at", q->last_at);
            json_array_append_new(arr, o);
        }
        char *js = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        if (js)
            printf("%s\n", js);
        free(js);
        json_decref(root);
    } else {
        printf("Trainee %s (%s): %zu session%s, %zu counting as evidence\n", p.id, text_escaped(p.name), n,
               n == 1 ? "" : "s", evidence);
        if (np)
            printf("%-24s %8s %8s %6s %6s %12s  %s\n", "lesson", "attempts", "evidence", "passed", "best",
                   "last-3 avg", "trend");
        for (size_t i = 0; i < np; i++) {
            const gb_lesson_progress *q = &pr[i];
            char avg[32], trend[48];
            if (q->running_complete)
                snprintf(avg, sizeof avg, "%.1f", q->running_avg);
            else
                snprintf(avg, sizeof avg, "Inc (%zu of %d)", q->attempts, GB_RUNNING_WINDOW);
            if (q->has_trend)
                snprintf(trend, sizeof trend, "%s (%+.1f)", gb_trend_word(q), q->trend);
            else
                snprintf(trend, sizeof trend, "-");
            printf("%-24s %8zu %8zu %6zu %6.1f %12s  %s\n", text_escaped(q->lesson_id), q->attempts, q->evidence,
                   q->passed, q->best, avg, trend);
        }
        printf("(last-3 avg: the mean total of the last three attempts; Inc: fewer than three so far)\n");
    }
    free(pr);
    free(s);
    gradebook_close(g);
    return 0;
}

/* ---- export ------------------------------------------------------------------------- */

/* RFC 4180 quoting; a cell a spreadsheet would run as a formula gets a leading quote. */
static void csv_cell(FILE *f, const char *s, int last)
{
    int quote = strpbrk(s, ",\"\r\n") != NULL || (s[0] && strchr("=+-@\t", s[0]));
    if (quote) {
        fputc('"', f);
        if (s[0] && strchr("=+-@\t", s[0]))
            fputc('\'', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static int run_export(const cli_command *cmd, int argc, char **argv)
{
    gb_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if ((rc = want_args(cmd, &a, 0, 0)) != 0)
        return rc;
    if (!a.csv)
        return cli_usage_error(cmd, "say the format: --csv");
    gradebook *g = open_db(&a);
    if (!g)
        return 1;
    char err[1024];
    gb_session *s;
    size_t n;
    if (gradebook_sessions(g, NULL, &s, &n, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        gradebook_close(g);
        return 1;
    }
    FILE *f = cli_open_output(a.output ? a.output : "-");
    if (!f) {
        free(s);
        gradebook_close(g);
        return 1;
    }
    fputs("session_hash,trainee,lesson,lesson_hash,attempt_at,started_known,imported_at,file,origin,station,"
          "verification,synthetic,exam,rules_version,total,passed,failed_metrics,metrics,dots,dots_outside_zone,"
          "wrong_pigment,evidence,refusal\r\n", f);
    for (size_t i = 0; i < n; i++) {
        const gb_session *x = &s[i];
        char num[9][32];
        snprintf(num[0], 32, "%d", x->started_known);
        snprintf(num[1], 32, "%d", x->synthetic);
        snprintf(num[2], 32, "%d", x->exam);
        snprintf(num[3], 32, "%d", x->rules_version);
        snprintf(num[4], 32, "%.4f", x->total);
        snprintf(num[5], 32, "%d", x->passed);
        snprintf(num[6], 32, "%" PRId64, x->dots);
        snprintf(num[7], 32, "%" PRId64, x->dots_outside_zone);
        snprintf(num[8], 32, "%d", x->wrong_pigment);
        const char *cells[] = { x->hash, x->trainee_id, x->lesson_id, x->lesson_hash, x->attempt_at, num[0],
                                x->imported_at, x->file_name, x->origin, x->station_id, x->verification, num[1],
                                num[2], num[3], num[4], num[5], x->failed_metrics, x->metrics, num[6], num[7],
                                num[8], x->evidence ? "1" : "0", x->refusal };
        size_t nc = sizeof cells / sizeof cells[0];
        for (size_t c = 0; c < nc; c++)
            csv_cell(f, cells[c], c + 1 == nc);
    }
    rc = cli_close_output(f, a.output ? a.output : "-") == 0 ? 0 : 1;
    free(s);
    gradebook_close(g);
    return rc;
}

/* ---- override ------------------------------------------------------------------------ */

static int run_override(const cli_command *cmd, int argc, char **argv)
{
    gb_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if ((rc = want_args(cmd, &a, 1, 1)))
        return rc;
    if (!a.instructor || !a.verdict || !a.reason)
        return cli_usage_error(cmd, "--instructor, --verdict and --reason are needed");
    gb_override o;
    memset(&o, 0, sizeof o);
    if (strlen(a.rest[0]) != 64 || strlen(a.instructor) >= sizeof o.instructor_id || strlen(a.reason) >= sizeof o.reason
        || strlen(a.verdict) >= sizeof o.verdict)
        return cli_usage_error(cmd, "the session is its 64-digit hash; the reason at most %zu bytes", sizeof o.reason - 1);
    snprintf(o.session_hash, sizeof o.session_hash, "%s", a.rest[0]);
    snprintf(o.instructor_id, sizeof o.instructor_id, "%s", a.instructor);
    snprintf(o.verdict, sizeof o.verdict, "%s", a.verdict);
    snprintf(o.reason, sizeof o.reason, "%s", a.reason);
    gradebook_now(o.made_at);
    char path[4096], err[1024] = "";
    if (a.key) {
        snprintf(path, sizeof path, "%s", a.key);
    } else {
        char kname[GB_ID_MAX + 16];
        snprintf(kname, sizeof kname, "instructor-%s", o.instructor_id);
        if (!gradebook_id_valid(o.instructor_id) || gb_key_path(kname, path, sizeof path) != 0)
            return cli_usage_error(cmd, "no key for '%s' (use --key FILE)", text_escaped(a.instructor));
    }
    gb_keypair kp;
    if (gb_key_load(path, 0, &kp, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        return 1;
    }
    char msg[1024];
    size_t mlen = gradebook_override_message(&o, msg, sizeof msg);
    gb_key_sign_hex(&kp, msg, mlen, o.signature_hex);
    sodium_memzero(&kp, sizeof kp);
    gradebook *g = open_db(&a);
    if (!g)
        return 1;
    if (gradebook_override_add(g, &o, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        rc = 1;
    } else {
        printf("override recorded: session %.16s... %s by %s\n", o.session_hash, o.verdict, o.instructor_id);
    }
    gradebook_close(g);
    return rc;
}

static const cli_option import_options[] = {
    { OPT_TRAINEE, "trainee", "ID", "the trainee of sessions that name none (format-1 sessions)" },
    { OPT_LESSONS, "lessons", "DIR", "where the sessions' lessons are (default: lessons/ or $STIPPLE_LESSONS)" },
    { OPT_JOBS, "jobs", "N", "grade on N threads (default: one per core)" },
    DB_OPTION,
    { 0 }
};
static const cli_option progress_options[] = {
    { OPT_JSON, "json", NULL, "one JSON object, for scripts" },
    DB_OPTION,
    { 0 }
};
static const cli_option export_options[] = {
    { OPT_CSV, "csv", NULL, "CSV, one row per session (the only format so far)" },
    { 'o', "output", "FILE", "write there (- is stdout, the default)" },
    DB_OPTION,
    { 0 }
};
static const cli_option override_options[] = {
    { OPT_INSTRUCTOR, "instructor", "ID", "the registered instructor who judges" },
    { OPT_VERDICT, "verdict", "pass|fail|void", "the judgement (void: the attempt does not count)" },
    { OPT_REASON, "reason", "TEXT", "why, in words (kept with the signature)" },
    { OPT_KEY, "key", "FILE", "the instructor's secret key (default $XDG_CONFIG_HOME/stipple/keys/instructor-ID.key)" },
    DB_OPTION,
    { 0 }
};

const cli_command cli_cmd_gradebook_import = {
    "gradebook import", "PATH...", "grade session files (folders: every *.stp) and store them", import_options,
    run_import, gradebook_details
};
const cli_command cli_cmd_gradebook_progress = {
    "gradebook progress", "TRAINEE", "per lesson: attempts, best, average of the last 3, trend", progress_options,
    run_progress, "Below three attempts the running average is Inc (incomplete).\n"
};
const cli_command cli_cmd_gradebook_override = {
    "gradebook override", "SESSION-HASH", "an instructor's signed judgement of one stored session",
    override_options, run_override, "An override signed by a key the gradebook does not know is refused.\n"
};
const cli_command cli_cmd_gradebook_export = {
    "gradebook export", "", "every stored session as CSV", export_options, run_export, NULL
};

/* ---- bench ------------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec * 1e-6 + (double)u.ru_stime.tv_sec
           + (double)u.ru_stime.tv_usec * 1e-6;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* A 15-minute session (the issue's unit of import speed): the expert's whole first session
 * (12.8 min), then, a second later, the first minutes of another expert pass over the same
 * zone until 15 minutes are reached. The second pass adds dots where there are dots already,
 * so grading it costs a little more than a real 15-minute session would. */
#define BENCH_SESSION_US (15 * 60 * INT64_C(1000000))
static int bench_session_15min(const char *lesson_path, unsigned seed, const char *tmp, const char *out)
{
    char pa[4200], pb[4200], err[1024];
    snprintf(pa, sizeof pa, "%s/part-a.stp", tmp);
    snprintf(pb, sizeof pb, "%s/part-b.stp", tmp);
    session_data da, db;
    if (cli_simulate_to_file(lesson_path, TRAINEE_EXPERT, seed, pa) != 0 ||
        cli_simulate_to_file(lesson_path, TRAINEE_EXPERT, seed + 50000u, pb) != 0)
        return -1;
    if (session_load_file(pa, &da, err, sizeof err) != 0)
        return -1;
    if (session_load_file(pb, &db, err, sizeof err) != 0) {
        session_data_free(&da);
        return -1;
    }
    int rc = -1;
    session_writer *w = session_writer_open(out, &da.header, err, sizeof err);
    if (w) {
        rc = 0;
        for (size_t i = 0; i < da.event_count && rc == 0; i++)
            rc = session_writer_add(w, &da.events[i]);
        int64_t shift = da.end_t_us + 1000000;
        for (size_t i = 0; i < db.event_count && rc == 0; i++) {
            session_event e = db.events[i];
            e.t_us += shift;
            if (e.t_us >= BENCH_SESSION_US)
                break;
            if (e.kind == SEV_PEN)
                e.u.pen.t_us += shift;
            rc = session_writer_add(w, &e);
        }
        if (session_writer_close(w, BENCH_SESSION_US) != 0)
            rc = -1;
    }
    session_data_free(&da);
    session_data_free(&db);
    unlink(pa);
    unlink(pb);
    return rc;
}

/* Import: 15-minute virtual-trainee sessions of the full first-session lesson, graded on
 * `jobs` threads into the gradebook. */
static int bench_import(gradebook *g, const gb_args *a, const char *tmp)
{
    int k = a->quick ? 4 : 32, jobs = a->jobs ? a->jobs : 2;
    char lesson_path[4096];
    snprintf(lesson_path, sizeof lesson_path, "%s/03-session1-frontal.json", cli_lessons_dir(a->lessons));
    char **files = calloc((size_t)k, sizeof *files);
    if (!files)
        return 1;
    for (int i = 0; i < k; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/s%02d.stp", tmp, i);
        files[i] = strdup(p);
        if (!files[i] || bench_session_15min(lesson_path, 1000u + (unsigned)i, tmp, p) != 0) {
            gb_paths_free(files, (size_t)i + 1);
            return 1;
        }
    }
    session_data d;
    char err[1024];
    double minutes = 0;
    if (session_load_file(files[0], &d, err, sizeof err) == 0) {
        minutes = (double)d.end_t_us / 60e6;
        session_data_free(&d);
    }
    gb_import_opts o;
    memset(&o, 0, sizeof o);
    gb_limits_default(&o.limits);
    o.threads = jobs;
    char tname[GB_ID_MAX];
    snprintf(tname, sizeof tname, "bench-%ld", (long)getpid());
    o.trainee_id = tname;
    gb_lessons *ls = gb_lessons_load(cli_lessons_dir(a->lessons), err, sizeof err);
    if (!ls) {
        fprintf(stderr, "stipple: %s\n", err);
        gb_paths_free(files, (size_t)k);
        return 1;
    }
    o.lessons = ls;
    /* the first session pays for making the lesson's surface and zone (once per import) */
    gb_session first;
    double p0 = now_s(), pc0 = cpu_s();
    int rc = gb_grade_file(files[0], ls, &o.limits, NULL, tname, &first, err, sizeof err);
    double prep_wall = now_s() - p0, prep_cpu = cpu_s() - pc0;
    gb_import_stats st;
    double t0 = now_s(), c0 = cpu_s();
    if (rc == 0)
        rc = gb_import(g, files, (size_t)k, &o, &st, err, sizeof err);
    double wall = now_s() - t0, cpu = cpu_s() - c0;
    if (rc == 0) {
        printf("gradebook import: lesson preparation (surface, zone) and one session: %.0f ms wall, %.0f ms CPU, "
               "once per import\n", 1e3 * prep_wall, 1e3 * prep_cpu);
        printf("gradebook import: %d sessions of %.1f min (%s) on %d threads: %.2f s wall, %.2f s CPU: "
               "%.1f sessions/s (%.0f ms CPU each; %.1f sessions/s when %d cores are free)\n", k, minutes,
               "session1-frontal, expert, then a second pass", jobs, wall, cpu, (double)k / wall, 1e3 * cpu / k,
               cpu > 0 ? (double)jobs * k / cpu : 0.0, jobs);
    } else {
        fprintf(stderr, "stipple: %s\n", err);
    }
    gb_lessons_free(ls);
    for (int i = 0; i < k; i++)
        unlink(files[i]);
    gb_paths_free(files, (size_t)k);
    return rc != 0;
}

/* Progress and certify for one trainee with n stored sessions over the shipped curriculum. */
static int bench_queries(gradebook *g, const gb_args *a, const char *tmp)
{
    char cpath[4096], err[1024];
    snprintf(cpath, sizeof cpath, "%s/smp-technician-1.curriculum", cli_lessons_dir(a->lessons));
    curriculum c;
    if (curriculum_load_file(cpath, &c, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    long n = a->sessions ? a->sessions : 500;
    gb_person p;
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "bench-q-%ld-%ld", (long)getpid(), (long)time(NULL));
    snprintf(p.name, sizeof p.name, "Bench Trainee");
    if (gradebook_person_add(g, GB_TRAINEE, &p, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        curriculum_free(&c);
        return 1;
    }
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        gb_session s;
        memset(&s, 0, sizeof s);
        unsigned char h[32];
        char seed[160];
        snprintf(seed, sizeof seed, "%s/%ld", p.id, i);
        crypto_generichash(h, sizeof h, (const unsigned char *)seed, strlen(seed), NULL, 0);
        sodium_bin2hex(s.hash, sizeof s.hash, h, sizeof h);
        const curriculum_lesson *cl = &c.lessons[(size_t)i % c.lesson_count];
        snprintf(s.trainee_id, sizeof s.trainee_id, "%s", p.id);
        snprintf(s.lesson_id, sizeof s.lesson_id, "%s", cl->id);
        snprintf(s.lesson_hash, sizeof s.lesson_hash, "%064d", 0);
        snprintf(s.origin, sizeof s.origin, "live");
        snprintf(s.station_id, sizeof s.station_id, "bench-station");
        snprintf(s.attempt_at, sizeof s.attempt_at, "2026-%02ld-%02ldT%02ld:00:00.000000Z", 1 + i / 300 % 12,
                 1 + i / 12 % 28, i % 12 + 8);
        s.started_known = 1;
        gradebook_now(s.imported_at);
        snprintf(s.file_name, sizeof s.file_name, "bench-%ld.stp", i);
        snprintf(s.verification, sizeof s.verification, "verified");
        s.exam = cl->exam;
        s.rules_version = 1;
        s.total = 80.0 + (double)(i % 17);
        s.passed = 1;
        snprintf(s.metrics, sizeof s.metrics, "spacing=%.2f,depth=90.00", s.total);
        s.dots = 1500;
        s.evidence = 1;
        if (gradebook_session_put(g, &s, NULL, err, sizeof err) != 0) {
            fprintf(stderr, "stipple: %s\n", err);
            curriculum_free(&c);
            return 1;
        }
    }
    double put_s = now_s() - t0;
    enum { RUNS = 7 };
    double tp[RUNS], tc[RUNS];
    int met = 0;
    size_t got = 0;
    for (int r = 0; r < RUNS; r++) {
        gb_session *s = NULL;
        gb_override *ov = NULL;
        gb_lesson_progress *pr = NULL;
        size_t ns = 0, nov = 0, np = 0;
        double a0 = now_s();
        if (gradebook_sessions(g, p.id, &s, &ns, err, sizeof err) != 0 || gb_progress(s, ns, &pr, &np) != 0) {
            fprintf(stderr, "stipple: %s\n", err);
            free(s);
            curriculum_free(&c);
            return 1;
        }
        tp[r] = now_s() - a0;
        free(pr);
        free(s);
        got = ns;
        /* certify as the command does it: read, judge, sign, write the PDF */
        a0 = now_s();
        gb_cert_result cr;
        memset(&cr, 0, sizeof cr);
        if (gradebook_sessions(g, p.id, &s, &ns, err, sizeof err) == 0
            && gradebook_overrides(g, p.id, &ov, &nov, err, sizeof err) == 0
            && gb_certify_judge(&c, s, ns, ov, nov, &cr) == 0 && cr.met) {
            gb_keypair kp;
            crypto_sign_keypair(kp.pk, kp.sk);
            char pk[65], sig[129], code[16], now[GB_TIME_MAX], pdf[4200];
            gb_key_public_hex(&kp, pk);
            gradebook_now(now);
            char *payload = gb_certificate_payload(&c, &p, &cr, now, pk);
            if (payload) {
                gb_key_sign_hex(&kp, payload, strlen(payload), sig);
                gb_certificate_code(payload, sig, code);
                snprintf(pdf, sizeof pdf, "%s/bench.pdf", tmp);
                met = certificate_pdf_write(pdf, payload, sig, code, err, sizeof err) == 0;
                unlink(pdf);
            }
            free(payload);
        }
        tc[r] = now_s() - a0;
        gb_cert_result_free(&cr);
        free(s);
        free(ov);
    }
    certificate_pdf_release_fonts();
    printf("gradebook %s: stored %ld sessions for one trainee in %.2f s (%.1f ms each)\n", gradebook_engine(g), n,
           put_s, 1e3 * put_s / (double)n);
    printf("gradebook %s: progress of a trainee with %zu sessions: %.1f ms (median of %d)\n", gradebook_engine(g),
           got, 1e3 * median(tp, RUNS), RUNS);
    printf("gradebook %s: certify (judge, sign, PDF) with %zu sessions: %.1f ms (median of %d)%s\n",
           gradebook_engine(g), got, 1e3 * median(tc, RUNS), RUNS, met ? "" : " [the rule was not met: no PDF made]");
    curriculum_free(&c);
    return 0;
}

static int run_bench(const cli_command *cmd, int argc, char **argv)
{
    gb_args a;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if ((rc = want_args(cmd, &a, 0, 0)) != 0)
        return rc;
    char tmp[] = "/tmp/stipple-gbbench-XXXXXX";
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "stipple: cannot make a temporary folder: %s\n", strerror(errno));
        return 1;
    }
    char dbpath[4200];
    gb_args b = a;
    if (!a.db || !*a.db) {
        snprintf(dbpath, sizeof dbpath, "%s/bench.db", tmp);
        b.db = dbpath;
    }
    gradebook *g = open_db(&b);
    if (!g) {
        rmdir(tmp);
        return 1;
    }
    rc = bench_import(g, &a, tmp);
    if (rc == 0)
        rc = bench_queries(g, &a, tmp);
    gradebook_close(g);
    if (!a.db) {
        char f[4300];
        const char *suffix[] = { "", "-wal", "-shm" };
        for (int i = 0; i < 3; i++) {
            snprintf(f, sizeof f, "%s%s", dbpath, suffix[i]);
            unlink(f);
        }
    }
    rmdir(tmp);
    return rc;
}

static const cli_option bench_options[] = {
    { OPT_SESSIONS, "sessions", "N", "sessions of the one trainee for progress and certify (default 500)" },
    { OPT_JOBS, "jobs", "N", "import threads (default 2)" },
    { OPT_QUICK, "quick", NULL, "fewer sessions to import (a smoke test)" },
    { OPT_LESSONS, "lessons", "DIR", "the lessons folder" },
    { OPT_DB, "db", "PATH|URI", "the gradebook to measure (default: a temporary SQLite file); its rows stay" },
    { 0 }
};

const cli_command cli_cmd_gradebook_bench = {
    "gradebook bench", "", "measure import, progress and certify speed", bench_options, run_bench,
    "Import: 32 15-minute virtual-trainee sessions of session1-frontal (the expert's 12.8 minutes, then a\n"
    "second pass to 15) on 2 threads (sessions/s), after\n"
    "the lesson is prepared once (its surface and zone).\n"
    "Progress and certify: one trainee with 500 stored sessions (medians of 7 runs).\n"
};
