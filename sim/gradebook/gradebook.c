/* gradebook.c: the gradebook's logic, written once over gb_driver (SQLite or PostgreSQL):
 * schema migrations, people and stations, sessions, overrides, certifications. Every
 * change runs in its own transaction; every value is a bound parameter. */
#include "gradebook.h"

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "gb_driver.h"
#include "gb_keys.h"
#include "xdg.h"

struct gradebook {
    gb_driver d;
};

/* ---- result cells --------------------------------------------------------------- */

void gb_rows_free(gb_rows *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ncells; i++)
        free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof *r);
}

int gb_rows_push(gb_rows *r, size_t *cap, const char *cell, size_t len, int is_null)
{
    if (r->ncells + 1 > *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        char **nn = realloc(r->cells, nc * sizeof *nn);
        if (!nn)
            return -1;
        r->cells = nn;
        *cap = nc;
    }
    /* a SQL NULL reads as "": the gradebook's columns are all NOT NULL except aggregates */
    (void)is_null;
    char *c = malloc(len + 1);
    if (!c)
        return -1;
    if (cell && len)
        memcpy(c, cell, len);
    c[len] = '\0';
    r->cells[r->ncells++] = c;
    return 0;
}

/* ---- small helpers -------------------------------------------------------------- */

void gradebook_now(char out[GB_TIME_MAX])
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t s = tv.tv_sec;
    gmtime_r(&s, &tm);
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, GB_TIME_MAX, "%.19s.%06dZ", day, (int)(tv.tv_usec % 1000000));
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

int gradebook_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n >= GB_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
              || c == '-'))
            return 0;
    }
    return id[0] != '-' && id[0] != '.';
}

int gb_origin_is_live(const char *origin)
{
    return origin && (strcmp(origin, "live") == 0 || strcmp(origin, "mouse") == 0);
}

static int key_hex_valid(const char *k)
{
    if (!k || strlen(k) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!((k[i] >= '0' && k[i] <= '9') || (k[i] >= 'a' && k[i] <= 'f')))
            return 0;
    return 1;
}

/* One statement in its own write transaction. */
static int write1(gradebook *g, const char *sql, size_t np, const gb_param *p, char *err, size_t errlen)
{
    if (g->d.begin(g->d.conn, GB_TX_WRITE, err, errlen) != 0)
        return -1;
    if (g->d.exec(g->d.conn, sql, np, p, NULL, err, errlen) != 0) {
        g->d.rollback(g->d.conn);
        return -1;
    }
    if (g->d.commit(g->d.conn, err, errlen) != 0) {
        g->d.rollback(g->d.conn);
        return -1;
    }
    return 0;
}

static int query(gradebook *g, const char *sql, size_t np, const gb_param *p, gb_rows *rows, char *err,
                 size_t errlen)
{
    return g->d.exec(g->d.conn, sql, np, p, rows, err, errlen);
}

/* ---- schema ----------------------------------------------------------------------- */

/* Migration N takes the schema from version N-1 to N. Append; never edit a shipped one. */
static const char *const migration_1[] = {
    "CREATE TABLE trainees (id TEXT PRIMARY KEY, name TEXT NOT NULL, added_at TEXT NOT NULL)",
    "CREATE TABLE instructors (id TEXT PRIMARY KEY, name TEXT NOT NULL, public_key TEXT NOT NULL, "
    "added_at TEXT NOT NULL)",
    "CREATE TABLE stations (id TEXT PRIMARY KEY, name TEXT NOT NULL, public_key TEXT NOT NULL, "
    "added_at TEXT NOT NULL)",
    "CREATE TABLE sessions (hash TEXT PRIMARY KEY, trainee_id TEXT NOT NULL, lesson_id TEXT NOT NULL, "
    "lesson_hash TEXT NOT NULL, origin TEXT NOT NULL, station_id TEXT NOT NULL, attempt_at TEXT NOT NULL, "
    "started_known BIGINT NOT NULL, imported_at TEXT NOT NULL, file_name TEXT NOT NULL, "
    "verification TEXT NOT NULL, synthetic BIGINT NOT NULL, exam BIGINT NOT NULL, "
    "rules_version BIGINT NOT NULL, total DOUBLE PRECISION NOT NULL, passed BIGINT NOT NULL, "
    "metrics TEXT NOT NULL, failed_metrics TEXT NOT NULL, dots BIGINT NOT NULL, "
    "dots_outside_zone BIGINT NOT NULL, wrong_pigment BIGINT NOT NULL, evidence BIGINT NOT NULL, "
    "refusal TEXT NOT NULL)",
    "CREATE INDEX sessions_by_trainee ON sessions (trainee_id, lesson_id, attempt_at, hash)",
    "CREATE TABLE overrides (session_hash TEXT NOT NULL REFERENCES sessions (hash), "
    "instructor_id TEXT NOT NULL REFERENCES instructors (id), made_at TEXT NOT NULL, verdict TEXT NOT NULL, "
    "reason TEXT NOT NULL, signature TEXT PRIMARY KEY)",
    "CREATE TABLE certifications (code TEXT PRIMARY KEY, trainee_id TEXT NOT NULL, "
    "curriculum_id TEXT NOT NULL, issued_at TEXT NOT NULL, payload TEXT NOT NULL, signature TEXT NOT NULL, "
    "clinic_key TEXT NOT NULL)",
    NULL,
};
static const char *const *const migrations[GB_SCHEMA_VERSION] = { migration_1 };

static int read_version(gradebook *g, int *version, char *err, size_t errlen)
{
    gb_rows r;
    if (query(g, "SELECT MAX(version) FROM schema_version", 0, NULL, &r, err, errlen) != 0)
        return -1;
    *version = r.nrows == 1 && gb_cell(&r, 0, 0)[0] ? atoi(gb_cell(&r, 0, 0)) : 0;
    gb_rows_free(&r);
    return 0;
}

int gradebook_schema_version(gradebook *g, char *err, size_t errlen)
{
    int v;
    return read_version(g, &v, err, errlen) == 0 ? v : -1;
}

/* Brings the schema up to GB_SCHEMA_VERSION, one transaction per step, each step
 * serialised against other processes doing the same. */
static int migrate(gradebook *g, char *err, size_t errlen)
{
    for (;;) {
        if (g->d.begin(g->d.conn, GB_TX_SCHEMA, err, errlen) != 0)
            return -1;
        int v = 0;
        if (query(g, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)", 0, NULL, NULL, err,
                  errlen) != 0
            || read_version(g, &v, err, errlen) != 0)
            goto fail;
        if (v > GB_SCHEMA_VERSION) {
            snprintf(err, errlen, "the gradebook is at schema version %d, newer than this program's %d; "
                     "use a newer stipple", v, GB_SCHEMA_VERSION);
            goto fail;
        }
        if (v == GB_SCHEMA_VERSION)
            return g->d.commit(g->d.conn, err, errlen) == 0 ? 0 : (g->d.rollback(g->d.conn), -1);
        for (const char *const *s = migrations[v]; *s; s++)
            if (query(g, *s, 0, NULL, NULL, err, errlen) != 0)
                goto fail;
        gb_param p = GB_INT(v + 1);
        if (query(g, "INSERT INTO schema_version (version) VALUES (?)", 1, &p, NULL, err, errlen) != 0
            || g->d.commit(g->d.conn, err, errlen) != 0)
            goto fail;
    }
fail:
    g->d.rollback(g->d.conn);
    return -1;
}

/* ---- opening ---------------------------------------------------------------------- */

int gradebook_default_path(char *buf, size_t len)
{
    return xdg_stipple_path(XDG_DATA, "gradebook.db", buf, len) == 0 ? 0 : -1;
}

/* mkdir -p of the folders above path, new ones 0700. */
static int make_parents(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            goto fail;
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        goto fail;
    return 0;
fail:
    snprintf(err, errlen, "%s: cannot make the folder: %s", dir, strerror(errno));
    return -1;
}

static int is_pg_uri(const char *s)
{
    return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
}

int gradebook_open(const char *where, gradebook **out, char *err, size_t errlen)
{
    char path[4096];
    if (!where) {
        if (gradebook_default_path(path, sizeof path) != 0) {
            snprintf(err, errlen, "no home folder for the gradebook (set XDG_DATA_HOME or use --db PATH)");
            return -1;
        }
        if (make_parents(path, err, errlen) != 0)
            return -1;
        where = path;
    }
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to start");
        return -1;
    }
    gradebook *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char e[512] = "";
    int rc = is_pg_uri(where) ? gb_pg_open(where, &g->d, e, sizeof e) : gb_sqlite_open(where, &g->d, e, sizeof e);
    if (rc != 0) {
        /* never echo a URI: it may carry a password */
        snprintf(err, errlen, "%s: %s", is_pg_uri(where) ? "the PostgreSQL gradebook" : where, e);
        free(g);
        return -1;
    }
    if (migrate(g, e, sizeof e) != 0) {
        snprintf(err, errlen, "%s: %s", is_pg_uri(where) ? "the PostgreSQL gradebook" : where, e);
        gradebook_close(g);
        return -1;
    }
    *out = g;
    return 0;
}

void gradebook_close(gradebook *g)
{
    if (!g)
        return;
    if (g->d.close)
        g->d.close(g->d.conn);
    free(g);
}

const char *gradebook_engine(const gradebook *g)
{
    return g->d.name;
}

/* ---- people ----------------------------------------------------------------------- */

static const char *const role_table[] = { "trainees", "stations", "instructors" };
static const char *const role_word[] = { "trainee", "station", "instructor" };

int gradebook_person_add(gradebook *g, gb_role role, const gb_person *p, char *err, size_t errlen)
{
    if (!gradebook_id_valid(p->id)) {
        snprintf(err, errlen, "'%s' is not a valid %s id (1 to 63 letters, digits, '.', '_' or '-')", p->id,
                 role_word[role]);
        return -1;
    }
    if (role != GB_TRAINEE && !key_hex_valid(p->public_key_hex)) {
        snprintf(err, errlen, "a %s's public key is 64 lower-case hex digits (an Ed25519 key)", role_word[role]);
        return -1;
    }
    char now[GB_TIME_MAX];
    gradebook_now(now);
    char sql[256];
    gb_param prm[4] = { GB_TEXT(p->id), GB_TEXT(p->name), GB_TEXT(now), GB_TEXT(p->public_key_hex) };
    if (role == GB_TRAINEE)
        snprintf(sql, sizeof sql, "INSERT INTO trainees (id, name, added_at) VALUES (?, ?, ?) "
                                  "ON CONFLICT (id) DO NOTHING");
    else
        snprintf(sql, sizeof sql, "INSERT INTO %s (id, name, added_at, public_key) VALUES (?, ?, ?, ?) "
                                  "ON CONFLICT (id) DO NOTHING", role_table[role]);
    gb_person have;
    if (g->d.begin(g->d.conn, GB_TX_WRITE, err, errlen) != 0)
        return -1;
    int found = gradebook_person_find(g, role, p->id, &have, err, errlen);
    if (found != 0) {
        if (found > 0)
            snprintf(err, errlen, "%s '%s' is already in the gradebook", role_word[role], p->id);
        g->d.rollback(g->d.conn);
        return -1;
    }
    if (query(g, sql, role == GB_TRAINEE ? 3 : 4, prm, NULL, err, errlen) != 0
        || g->d.commit(g->d.conn, err, errlen) != 0) {
        g->d.rollback(g->d.conn);
        return -1;
    }
    return 0;
}

static void person_from_row(const gb_rows *r, size_t i, gb_person *p)
{
    memset(p, 0, sizeof *p);
    copy_str(p->id, sizeof p->id, gb_cell(r, i, 0));
    copy_str(p->name, sizeof p->name, gb_cell(r, i, 1));
    copy_str(p->added_at, sizeof p->added_at, gb_cell(r, i, 2));
    copy_str(p->public_key_hex, sizeof p->public_key_hex, gb_cell(r, i, 3));
}

static void person_sql(gb_role role, int one, char *sql, size_t len)
{
    snprintf(sql, len, "SELECT id, name, added_at, %s FROM %s%s ORDER BY id",
             role == GB_TRAINEE ? "''" : "public_key", role_table[role], one ? " WHERE id = ?" : "");
}

int gradebook_people(gradebook *g, gb_role role, gb_person **out, size_t *n, char *err, size_t errlen)
{
    char sql[160];
    person_sql(role, 0, sql, sizeof sql);
    gb_rows r;
    if (query(g, sql, 0, NULL, &r, err, errlen) != 0)
        return -1;
    gb_person *v = calloc(r.nrows ? r.nrows : 1, sizeof *v);
    if (!v) {
        gb_rows_free(&r);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < r.nrows; i++)
        person_from_row(&r, i, &v[i]);
    *out = v;
    *n = r.nrows;
    gb_rows_free(&r);
    return 0;
}

int gradebook_person_find(gradebook *g, gb_role role, const char *id, gb_person *out, char *err, size_t errlen)
{
    char sql[160];
    person_sql(role, 1, sql, sizeof sql);
    gb_param p = GB_TEXT(id);
    gb_rows r;
    if (query(g, sql, 1, &p, &r, err, errlen) != 0)
        return -1;
    int found = r.nrows > 0;
    if (found)
        person_from_row(&r, 0, out);
    gb_rows_free(&r);
    return found;
}

/* ---- sessions --------------------------------------------------------------------- */

#define SESSION_COLUMNS                                                                            \
    "hash, trainee_id, lesson_id, lesson_hash, origin, station_id, attempt_at, started_known, "    \
    "imported_at, file_name, verification, synthetic, exam, rules_version, total, passed, "        \
    "metrics, failed_metrics, dots, dots_outside_zone, wrong_pigment, evidence, refusal"

int gradebook_session_has(gradebook *g, const char *hash, char *err, size_t errlen)
{
    gb_param p = GB_TEXT(hash);
    gb_rows r;
    if (query(g, "SELECT 1 FROM sessions WHERE hash = ?", 1, &p, &r, err, errlen) != 0)
        return -1;
    int found = r.nrows > 0;
    gb_rows_free(&r);
    return found;
}

static void session_from_row(const gb_rows *r, size_t i, gb_session *s);

int gradebook_session_get(gradebook *g, const char *hash, gb_session *out, char *err, size_t errlen)
{
    gb_param p = GB_TEXT(hash);
    gb_rows r;
    if (query(g, "SELECT " SESSION_COLUMNS " FROM sessions WHERE hash = ?", 1, &p, &r, err, errlen) != 0)
        return -1;
    int found = r.nrows > 0;
    if (found)
        session_from_row(&r, 0, out);
    gb_rows_free(&r);
    return found;
}

/* The refusals a registration can lift, as gb_import words them. */
int gradebook_session_awaits_registration(const gb_session *s)
{
    if (s->evidence)
        return 0;
    if (strcmp(s->verification, "unregistered station") == 0)
        return 1;
    if (strcmp(s->verification, "verified") != 0)
        return 0;
    size_t n = strlen(s->refusal);
    static const char tail[] = " is not registered";
    return (strncmp(s->refusal, "station '", 9) == 0 || strncmp(s->refusal, "trainee '", 9) == 0)
           && n > sizeof tail - 1 && strcmp(s->refusal + n - (sizeof tail - 1), tail) == 0;
}

int gradebook_session_reverify(gradebook *g, const gb_session *s, int *changed, char *err, size_t errlen)
{
    if (changed)
        *changed = 0;
    if (g->d.begin(g->d.conn, GB_TX_WRITE, err, errlen) != 0)
        return -1;
    gb_session have;
    int found = gradebook_session_get(g, s->hash, &have, err, errlen);
    if (found < 0)
        goto fail;
    if (found == 0) {
        snprintf(err, errlen, "no session %.16s... in the gradebook", s->hash);
        goto fail;
    }
    if (gradebook_session_awaits_registration(&have)) {
        /* the WHERE is checked again on the row as committed (PostgreSQL re-reads it after
         * waiting for another importer's update; SQLite's write lock already serialises):
         * of two importers at once, exactly one changes it */
        gb_param p[] = { GB_TEXT(s->verification), GB_INT(s->evidence), GB_TEXT(s->refusal), GB_TEXT(s->hash),
                         GB_INT(s->evidence), GB_TEXT(s->verification), GB_TEXT(s->refusal) };
        gb_rows r;
        if (query(g, "UPDATE sessions SET verification = ?, evidence = ?, refusal = ? WHERE hash = ? "
                     "AND evidence = 0 AND (evidence <> ? OR verification <> ? OR refusal <> ?) RETURNING hash",
                  sizeof p / sizeof p[0], p, &r, err, errlen) != 0)
            goto fail;
        if (changed)
            *changed = r.nrows > 0;
        gb_rows_free(&r);
    }
    if (g->d.commit(g->d.conn, err, errlen) != 0)
        goto fail;
    return 0;
fail:
    g->d.rollback(g->d.conn);
    if (changed)
        *changed = 0;
    return -1;
}

int gradebook_session_put(gradebook *g, const gb_session *s, int *inserted, char *err, size_t errlen)
{
    gb_param p[] = {
        GB_TEXT(s->hash), GB_TEXT(s->trainee_id), GB_TEXT(s->lesson_id), GB_TEXT(s->lesson_hash),
        GB_TEXT(s->origin), GB_TEXT(s->station_id), GB_TEXT(s->attempt_at), GB_INT(s->started_known),
        GB_TEXT(s->imported_at), GB_TEXT(s->file_name), GB_TEXT(s->verification), GB_INT(s->synthetic),
        GB_INT(s->exam), GB_INT(s->rules_version), GB_REAL(s->total), GB_INT(s->passed), GB_TEXT(s->metrics),
        GB_TEXT(s->failed_metrics), GB_INT(s->dots), GB_INT(s->dots_outside_zone), GB_INT(s->wrong_pigment),
        GB_INT(s->evidence), GB_TEXT(s->refusal),
    };
    /* RETURNING says whether this transaction stored it: with two importers at once the
     * loser's INSERT waits for the winner's commit and then does nothing */
    gb_rows r;
    if (g->d.begin(g->d.conn, GB_TX_WRITE, err, errlen) != 0)
        return -1;
    if (query(g, "INSERT INTO sessions (" SESSION_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING RETURNING hash",
              sizeof p / sizeof p[0], p, &r, err, errlen) != 0)
        goto fail;
    size_t stored = r.nrows;
    gb_rows_free(&r);
    if (g->d.commit(g->d.conn, err, errlen) != 0)
        goto fail;
    if (inserted)
        *inserted = stored > 0;
    return 0;
fail:
    g->d.rollback(g->d.conn);
    return -1;
}

static void session_from_row(const gb_rows *r, size_t i, gb_session *s)
{
    memset(s, 0, sizeof *s);
    size_t c = 0;
    copy_str(s->hash, sizeof s->hash, gb_cell(r, i, c++));
    copy_str(s->trainee_id, sizeof s->trainee_id, gb_cell(r, i, c++));
    copy_str(s->lesson_id, sizeof s->lesson_id, gb_cell(r, i, c++));
    copy_str(s->lesson_hash, sizeof s->lesson_hash, gb_cell(r, i, c++));
    copy_str(s->origin, sizeof s->origin, gb_cell(r, i, c++));
    copy_str(s->station_id, sizeof s->station_id, gb_cell(r, i, c++));
    copy_str(s->attempt_at, sizeof s->attempt_at, gb_cell(r, i, c++));
    s->started_known = atoi(gb_cell(r, i, c++));
    copy_str(s->imported_at, sizeof s->imported_at, gb_cell(r, i, c++));
    copy_str(s->file_name, sizeof s->file_name, gb_cell(r, i, c++));
    copy_str(s->verification, sizeof s->verification, gb_cell(r, i, c++));
    s->synthetic = atoi(gb_cell(r, i, c++));
    s->exam = atoi(gb_cell(r, i, c++));
    s->rules_version = atoi(gb_cell(r, i, c++));
    s->total = strtod(gb_cell(r, i, c++), NULL);
    s->passed = atoi(gb_cell(r, i, c++));
    copy_str(s->metrics, sizeof s->metrics, gb_cell(r, i, c++));
    copy_str(s->failed_metrics, sizeof s->failed_metrics, gb_cell(r, i, c++));
    s->dots = strtoll(gb_cell(r, i, c++), NULL, 10);
    s->dots_outside_zone = strtoll(gb_cell(r, i, c++), NULL, 10);
    s->wrong_pigment = atoi(gb_cell(r, i, c++));
    s->evidence = atoi(gb_cell(r, i, c++));
    copy_str(s->refusal, sizeof s->refusal, gb_cell(r, i, c++));
}

int gradebook_sessions(gradebook *g, const char *trainee_id, gb_session **out, size_t *n, char *err,
                       size_t errlen)
{
    gb_param p = GB_TEXT(trainee_id);
    gb_rows r;
    int rc = trainee_id
        ? query(g, "SELECT " SESSION_COLUMNS " FROM sessions WHERE trainee_id = ? "
                   "ORDER BY lesson_id, attempt_at, hash", 1, &p, &r, err, errlen)
        : query(g, "SELECT " SESSION_COLUMNS " FROM sessions ORDER BY trainee_id, lesson_id, attempt_at, hash",
                0, NULL, &r, err, errlen);
    if (rc != 0)
        return -1;
    gb_session *v = calloc(r.nrows ? r.nrows : 1, sizeof *v);
    if (!v) {
        gb_rows_free(&r);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < r.nrows; i++)
        session_from_row(&r, i, &v[i]);
    *out = v;
    *n = r.nrows;
    gb_rows_free(&r);
    return 0;
}

/* ---- overrides -------------------------------------------------------------------- */

size_t gradebook_override_message(const gb_override *o, char *buf, size_t len)
{
    int n = snprintf(buf, len, "stipple-override/1\nsession %s\ninstructor %s\nat %s\nverdict %s\nreason %s\n",
                     o->session_hash, o->instructor_id, o->made_at, o->verdict, o->reason);
    return n < 0 ? 0 : (size_t)n;
}

int gradebook_override_add(gradebook *g, const gb_override *o, char *err, size_t errlen)
{
    if (strcmp(o->verdict, "pass") != 0 && strcmp(o->verdict, "fail") != 0 && strcmp(o->verdict, "void") != 0) {
        snprintf(err, errlen, "an override's verdict is pass, fail or void");
        return -1;
    }
    gb_person ins;
    int found = gradebook_person_find(g, GB_INSTRUCTOR, o->instructor_id, &ins, err, errlen);
    if (found <= 0) {
        if (found == 0)
            snprintf(err, errlen, "refused: '%s' is not a registered instructor", o->instructor_id);
        return -1;
    }
    char msg[1024];
    size_t mlen = gradebook_override_message(o, msg, sizeof msg);
    if (mlen >= sizeof msg || gb_key_verify_hex(ins.public_key_hex, msg, mlen, o->signature_hex) != 0) {
        snprintf(err, errlen, "refused: the override is not signed by instructor '%s's registered key",
                 o->instructor_id);
        return -1;
    }
    int has = gradebook_session_has(g, o->session_hash, err, errlen);
    if (has <= 0) {
        if (has == 0)
            snprintf(err, errlen, "refused: no session %.16s... in the gradebook", o->session_hash);
        return -1;
    }
    gb_param p[] = { GB_TEXT(o->session_hash), GB_TEXT(o->instructor_id), GB_TEXT(o->made_at),
                     GB_TEXT(o->verdict), GB_TEXT(o->reason), GB_TEXT(o->signature_hex) };
    return write1(g, "INSERT INTO overrides (session_hash, instructor_id, made_at, verdict, reason, signature) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (signature) DO NOTHING", 6, p, err, errlen);
}

int gradebook_overrides(gradebook *g, const char *trainee_id, gb_override **out, size_t *n, char *err,
                        size_t errlen)
{
    gb_param p = GB_TEXT(trainee_id);
    gb_rows r;
    const char *sel = "SELECT o.session_hash, o.instructor_id, o.made_at, o.verdict, o.reason, o.signature "
                      "FROM overrides o JOIN sessions s ON s.hash = o.session_hash ";
    char sql[512];
    snprintf(sql, sizeof sql, "%s%s ORDER BY o.made_at, o.signature", sel, trainee_id ? "WHERE s.trainee_id = ?" : "");
    if (query(g, sql, trainee_id ? 1 : 0, &p, &r, err, errlen) != 0)
        return -1;
    gb_override *v = calloc(r.nrows ? r.nrows : 1, sizeof *v);
    if (!v) {
        gb_rows_free(&r);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < r.nrows; i++) {
        copy_str(v[i].session_hash, sizeof v[i].session_hash, gb_cell(&r, i, 0));
        copy_str(v[i].instructor_id, sizeof v[i].instructor_id, gb_cell(&r, i, 1));
        copy_str(v[i].made_at, sizeof v[i].made_at, gb_cell(&r, i, 2));
        copy_str(v[i].verdict, sizeof v[i].verdict, gb_cell(&r, i, 3));
        copy_str(v[i].reason, sizeof v[i].reason, gb_cell(&r, i, 4));
        copy_str(v[i].signature_hex, sizeof v[i].signature_hex, gb_cell(&r, i, 5));
    }
    *out = v;
    *n = r.nrows;
    gb_rows_free(&r);
    return 0;
}

/* ---- certifications ---------------------------------------------------------------- */

int gradebook_certification_put(gradebook *g, const gb_certification *c, char *err, size_t errlen)
{
    gb_param p[] = { GB_TEXT(c->code), GB_TEXT(c->trainee_id), GB_TEXT(c->curriculum_id), GB_TEXT(c->issued_at),
                     GB_TEXT(c->payload), GB_TEXT(c->signature_hex), GB_TEXT(c->clinic_key_hex) };
    return write1(g, "INSERT INTO certifications (code, trainee_id, curriculum_id, issued_at, payload, signature, "
                     "clinic_key) VALUES (?, ?, ?, ?, ?, ?, ?)", 7, p, err, errlen);
}

int gradebook_certification_get(gradebook *g, const char *code, gb_certification *out, char *err, size_t errlen)
{
    gb_param p = GB_TEXT(code);
    gb_rows r;
    if (query(g, "SELECT code, trainee_id, curriculum_id, issued_at, payload, signature, clinic_key "
                 "FROM certifications WHERE code = ?", 1, &p, &r, err, errlen) != 0)
        return -1;
    int found = r.nrows > 0;
    if (found) {
        memset(out, 0, sizeof *out);
        copy_str(out->code, sizeof out->code, gb_cell(&r, 0, 0));
        copy_str(out->trainee_id, sizeof out->trainee_id, gb_cell(&r, 0, 1));
        copy_str(out->curriculum_id, sizeof out->curriculum_id, gb_cell(&r, 0, 2));
        copy_str(out->issued_at, sizeof out->issued_at, gb_cell(&r, 0, 3));
        out->payload = strdup(gb_cell(&r, 0, 4));
        copy_str(out->signature_hex, sizeof out->signature_hex, gb_cell(&r, 0, 5));
        copy_str(out->clinic_key_hex, sizeof out->clinic_key_hex, gb_cell(&r, 0, 6));
        if (!out->payload) {
            gb_rows_free(&r);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    gb_rows_free(&r);
    return found;
}
