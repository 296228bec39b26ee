/* cmd_verify.c: `stipple verify SESSION...`: is each session exactly what a registered
 * station signed? Names the station and trainee, and says what is wrong. Exit 0 only when
 * every session is wholly verified. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "session_verify.h"
#include "sign.h"
#include "text_escape.h"

#define MAX_KEY_DIRS 16

enum { OPT_JSON = CLI_LONG, OPT_KEYS };

static const cli_option verify_options[] = {
    { OPT_JSON, "json", NULL, "one JSON object per session (an array for several), for scripts" },
    { OPT_KEYS, "keys", "DIR", "registered stations: the files `stipple station --export` wrote, in DIR or "
                               "DIR itself a file (repeatable; default: this station and "
                               "$XDG_CONFIG_HOME/stipple/stations)" },
    { 0 }
};

static void warn_station_file(const char *msg)
{
    fprintf(stderr, "stipple: warning: %s\n", text_escaped(msg));
}

/* The registered stations: the --keys folders or files, else this station's own public key
 * and the registry folder. */
static int load_known(const char *const *dirs, int ndirs, station_set *known)
{
    char buf[4096];
    if (ndirs == 0) {
        if (station_keys_dir(buf, sizeof buf) == 0 && station_set_add_dir(known, buf, warn_station_file) != 0)
            return -1;
        if (station_registry_dir(buf, sizeof buf) == 0 && station_set_add_dir(known, buf, warn_station_file) != 0)
            return -1;
        return 0;
    }
    for (int i = 0; i < ndirs; i++) {
        struct stat st;
        if (stat(dirs[i], &st) != 0) {
            cli_file_error(dirs[i], "no such file or folder of station keys");
            return -2;
        }
        if (S_ISDIR(st.st_mode)) {
            if (station_set_add_dir(known, dirs[i], warn_station_file) != 0)
                return -1;
            continue;
        }
        station_public p;
        char err[512];
        if (station_public_load(dirs[i], &p, err, sizeof err) != 0) {
            cli_file_error(dirs[i], err);
            return -2;
        }
        if (station_set_add(known, &p) != 0)
            return -1;
    }
    return 0;
}

static void utc_text(int64_t us, char *out, size_t n)
{
    if (us == 0) {
        snprintf(out, n, "none");
        return;
    }
    time_t t = (time_t)(us / 1000000);
    struct tm tmv;
    if (!gmtime_r(&t, &tmv) || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tmv) == 0)
        snprintf(out, n, "?");
}

static const char *status_key(int status)
{
    switch (status) {
    case VERIFY_OK:            return "verified";
    case VERIFY_UNKNOWN_KEY:   return "unknown_key";
    case VERIFY_UNSIGNED_TAIL: return "unsigned_tail";
    case VERIFY_UNSIGNED:      return "unsigned";
    case VERIFY_FAILED:        return "failed";
    default:                   return "not_a_session";
    }
}

static void print_text(const char *path, const session_verification *v, const station_set *known)
{
    if (v->status == VERIFY_NOT_SESSION) {
        printf("%s: NOT VERIFIED: %s\n", text_escaped(path), text_escaped(v->error));
        return;
    }
    const session_header *h = &v->header;
    const char *head = v->status == VERIFY_OK ? "verified" : "NOT VERIFIED";
    printf("%s: %s (%s)\n", text_escaped(path), head, verify_status_name(v->status));
    if (h->station_id[0]) {
        char hex[2 * SIGN_PUBLIC_BYTES + 1];
        sign_hex(h->station_key, SIGN_PUBLIC_BYTES, hex);
        const station_public *st = station_set_find(known, h->station_key);
        printf("  station   %s%s%s%s, key %.16s...\n", h->station_id, st && st->name[0] ? " \"" : "",
               st && st->name[0] ? text_escaped(st->name) : "", st && st->name[0] ? "\"" : "",
               hex);
        printf("            %s\n", st ? "registered here" : "NOT registered here");
    } else {
        printf("  station   none (not signed)\n");
    }
    char when[40];
    utc_text(h->start_utc_us, when, sizeof when);
    printf("  trainee   %s\n", h->trainee_id[0] ? text_escaped(h->trainee_id) : "(not recorded)");
    printf("  input     %s%s; source %s\n", session_origin_name(h->origin), h->synthetic ? " (synthetic)" : "",
           text_escaped(h->source));
    printf("  lesson    %s, %s, scoring rules %lu\n", text_escaped(h->lesson_id), h->exam_mode ? "exam" : "practice",
           (unsigned long)h->rules_version);
    printf("  recorded  %s by %s, format %d\n", when, text_escaped(h->program_version), v->format_version);
    if (v->checkpoints || h->station_id[0])
        printf("  signed    %zu of %zu chunks (%llu of %llu bytes) by %zu checkpoint%s, session time to %.3f s%s\n",
               v->verified_chunks, v->chunks, (unsigned long long)v->verified_bytes,
               (unsigned long long)v->file_bytes, v->checkpoints, v->checkpoints == 1 ? "" : "s",
               v->verified_t_us < 0 ? 0.0 : (double)v->verified_t_us / 1e6, v->complete ? "; end marker signed" : "");
    for (size_t i = 0; i < v->finding_count; i++)
        printf("  %-13s %s\n", verify_problem_name(v->findings[i].problem), v->findings[i].text);
    if (v->findings_total > v->finding_count)
        printf("  ... and %zu more problems\n", v->findings_total - v->finding_count);
}

static json_t *to_json(const char *path, const session_verification *v, const station_set *known)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "file", json_string(path));
    json_object_set_new(o, "status", json_string(status_key(v->status)));
    json_object_set_new(o, "verified", json_boolean(v->status == VERIFY_OK));
    if (v->status == VERIFY_NOT_SESSION) {
        json_object_set_new(o, "error", json_string(v->error));
        return o;
    }
    const session_header *h = &v->header;
    json_object_set_new(o, "format_version", json_integer(v->format_version));
    if (h->station_id[0]) {
        char hex[2 * SIGN_PUBLIC_BYTES + 1];
        sign_hex(h->station_key, SIGN_PUBLIC_BYTES, hex);
        const station_public *st = station_set_find(known, h->station_key);
        json_object_set_new(o, "station", json_pack("{s:s, s:s, s:b, s:s?}", "id", h->station_id, "public_key", hex,
                                                    "registered", st != NULL, "name",
                                                    st && st->name[0] ? st->name : NULL));
    } else {
        json_object_set_new(o, "station", json_null());
    }
    json_object_set_new(o, "trainee", h->trainee_id[0] ? json_stringn(h->trainee_id, strlen(h->trainee_id)) : json_null());
    json_object_set_new(o, "origin", json_string(session_origin_name(h->origin)));
    json_object_set_new(o, "synthetic", json_boolean(h->synthetic));
    json_object_set_new(o, "exam_mode", json_boolean(h->exam_mode));
    json_object_set_new(o, "lesson", json_stringn(h->lesson_id, strlen(h->lesson_id)));
    json_object_set_new(o, "source", json_stringn(h->source, strlen(h->source)));
    json_object_set_new(o, "program_version", json_stringn(h->program_version, strlen(h->program_version)));
    json_object_set_new(o, "rules_version", json_integer(h->rules_version));
    char when[40];
    utc_text(h->start_utc_us, when, sizeof when);
    json_object_set_new(o, "start_utc", h->start_utc_us ? json_string(when) : json_null());
    json_object_set_new(o, "chunks", json_integer((json_int_t)v->chunks));
    json_object_set_new(o, "checkpoints", json_integer((json_int_t)v->checkpoints));
    json_object_set_new(o, "verified_chunks", json_integer((json_int_t)v->verified_chunks));
    json_object_set_new(o, "verified_bytes", json_integer((json_int_t)v->verified_bytes));
    json_object_set_new(o, "file_bytes", json_integer((json_int_t)v->file_bytes));
    json_object_set_new(o, "verified_until_s", v->verified_t_us < 0 ? json_null() : json_real((double)v->verified_t_us / 1e6));
    json_object_set_new(o, "complete", json_boolean(v->complete));
    json_t *arr = json_array();
    for (size_t i = 0; i < v->finding_count; i++) {
        const verify_finding *f = &v->findings[i];
        json_array_append_new(arr, json_pack("{s:s, s:o, s:I, s:I, s:s}", "problem", verify_problem_name(f->problem),
                                             "chunk", f->chunk >= 0 ? json_integer(f->chunk) : json_null(),
                                             "byte_from", (json_int_t)f->byte_from, "byte_to", (json_int_t)f->byte_to,
                                             "text", f->text));
    }
    json_object_set_new(o, "problems", arr);
    json_object_set_new(o, "problems_total", json_integer((json_int_t)v->findings_total));
    return o;
}

static int run_verify(const cli_command *cmd, int argc, char **argv)
{
    int json = 0, ndirs = 0;
    const char *dirs[MAX_KEY_DIRS];
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case OPT_JSON: json = 1; break;
        case OPT_KEYS:
            if (ndirs == MAX_KEY_DIRS)
                return cli_usage_error(cmd, "at most %d --keys", MAX_KEY_DIRS);
            dirs[ndirs++] = a.value;
            break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos == 0)
        return cli_usage_error(cmd, "which session? (stipple verify SESSION)");
    station_set known = { NULL, 0 };
    int lk = load_known(dirs, ndirs, &known);
    if (lk != 0) {
        if (lk == -1)
            fprintf(stderr, "stipple: out of memory\n");
        station_set_free(&known);
        return lk == -2 ? 2 : 1;
    }
    session_verification *v = malloc(sizeof *v);
    json_t *all = json && a.npos > 1 ? json_array() : NULL;
    if (!v || (json && a.npos > 1 && !all)) {
        fprintf(stderr, "stipple: out of memory\n");
        free(v);
        station_set_free(&known);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < a.npos; i++) {
        session_verify_file(a.pos[i], &known, v);
        if (v->status != VERIFY_OK)
            rc = 1;
        if (json) {
            json_t *o = to_json(a.pos[i], v, &known);
            if (all) {
                json_array_append_new(all, o);
            } else if (o) {
                char *txt = json_dumps(o, JSON_INDENT(2));
                if (txt)
                    printf("%s\n", txt);
                free(txt);
                json_decref(o);
            }
        } else {
            print_text(a.pos[i], v, &known);
        }
    }
    if (all) {
        char *txt = json_dumps(all, JSON_INDENT(2));
        if (txt)
            printf("%s\n", txt);
        free(txt);
        json_decref(all);
    }
    free(v);
    station_set_free(&known);
    return rc;
}

const cli_command cli_cmd_verify = {
    "verify", "SESSION...", "check that a session is exactly what a registered station signed", verify_options,
    run_verify,
    "Checks every chunk, the signed checkpoints and the station's key; names the station and the\n"
    "trainee, and says what is wrong: a changed byte (with its chunk), a chunk dropped, duplicated\n"
    "or re-ordered, a truncation, a bad signature, an unknown key, an unsigned tail after a crash.\n"
    "Exit status: 0 only when every session is wholly verified by a registered station, 1 otherwise.\n"
};
