/* gb_import.c: session files into gradebook records: limits, lesson lookup, the
 * verification hook, re-simulation and grading on worker threads, one transaction per
 * session on the calling thread. */
#include "gb_import.h"

#include <sodium.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "lesson.h"
#include "lesson_dir.h"
#include "score.h"
#include "session.h"
#include "session_verify.h"
#include "surface.h"

void gb_limits_default(gb_limits *dest)
{
    dest->max_file_bytes = GB_MAX_FILE_BYTES;
    dest->max_files = GB_MAX_FILES;
    dest->max_dots = GB_MAX_DOTS;
    dest->max_depth = GB_MAX_DEPTH;
}

/* ---- lessons ----------------------------------------------------------------------- */

/* A lesson is loaded and its zone prepared the first time a session needs it (under the
 * lock), then read by every worker without it. Entries are allocated one by one: a
 * score_zone keeps a pointer to its lesson. */
typedef struct gb_lesson_entry {
    lesson      l;
    surface    *s;
    score_zone *zone;
    int         tried, ok;
} gb_lesson_entry;

struct gb_lessons {
    lesson_dir_entry *dir;
    gb_lesson_entry **v;   /* one per dir entry, NULL until needed */
    size_t n;
    pthread_mutex_t mu;
};

void gb_lessons_free(gb_lessons *ls)
{
    if (!ls)
        return;
    for (size_t i = 0; i < ls->n; i++) {
        if (!ls->v[i])
            continue;
        score_zone_free(ls->v[i]->zone);
        surface_free(ls->v[i]->s);
        if (ls->v[i]->ok)
            lesson_free(&ls->v[i]->l);
        free(ls->v[i]);
    }
    free(ls->v);
    free(ls->dir);
    pthread_mutex_destroy(&ls->mu);
    free(ls);
}

gb_lessons *gb_lessons_load(const char *dir, char *err, size_t errlen)
{
    gb_lessons *ls = calloc(1, sizeof *ls);
    if (!ls) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&ls->mu, NULL);
    if (lesson_dir_scan(dir, &ls->dir, &ls->n) != 0) {
        snprintf(err, errlen, "%s: cannot open the lessons folder", dir);
        free(ls);
        return NULL;
    }
    ls->v = calloc(ls->n ? ls->n : 1, sizeof *ls->v);
    if (!ls->v) {
        snprintf(err, errlen, "out of memory");
        gb_lessons_free(ls);
        return NULL;
    }
    return ls;
}

static const gb_lesson_entry *find_lesson(gb_lessons *ls, const char *id, const uint8_t hash[32])
{
    const lesson_dir_entry *d = lesson_dir_find(ls->dir, ls->n, id, hash, NULL);
    if (!d)
        return NULL;
    size_t i = (size_t)(d - ls->dir);
    pthread_mutex_lock(&ls->mu);
    if (!ls->v[i])
        ls->v[i] = calloc(1, sizeof *ls->v[i]);
    gb_lesson_entry *en = ls->v[i];
    if (en && !en->tried) {
        char e[512];
        en->tried = 1;
        if (lesson_load_file(d->path, &en->l, e, sizeof e) == 0 && memcmp(en->l.content_hash, hash, 32) == 0) {
            en->ok = 1;
            en->s = surface_create(en->l.surface, en->l.skin_width_mm, en->l.skin_height_mm);
            en->zone = en->s ? score_zone_prepare(&en->l, en->s) : NULL;
        } else if (en->ok == 0 && en->l.id[0]) {
            lesson_free(&en->l);
        }
    }
    pthread_mutex_unlock(&ls->mu);
    return en && en->ok && en->zone ? en : NULL;
}

/* ---- reading ----------------------------------------------------------------------- */

static int read_bounded(const char *path, uint64_t max_bytes, uint8_t **buf, size_t *len, char *reason,
                        size_t rlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(reason, rlen, "%s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(reason, rlen, "not a regular file");
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size > max_bytes) {
        snprintf(reason, rlen, "refused: %lld bytes is over the %llu-byte limit for a session", (long long)st.st_size,
                 (unsigned long long)max_bytes);
        close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *b = malloc(n ? n : 1);
    if (!b) {
        snprintf(reason, rlen, "out of memory");
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        snprintf(reason, rlen, "the file changed size while being read");
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

static void hex_of(const uint8_t *h, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, h, n);
}

int gb_hash_file(const char *path, uint64_t max_bytes, char hex[65], char *reason, size_t reasonlen)
{
    uint8_t *buf;
    size_t len;
    if (read_bounded(path, max_bytes, &buf, &len, reason, reasonlen) != 0)
        return -1;
    uint8_t h[32];
    crypto_generichash(h, sizeof h, buf, len, NULL, 0);
    hex_of(h, sizeof h, hex);
    free(buf);
    return 0;
}

/* ---- the verification hook ------------------------------------------------------------ */

static void utc_text(int64_t us, char out[GB_TIME_MAX])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, GB_TIME_MAX, "%.19s.%06dZ", day, (int)(us % 1000000));
}

/* What the file says about itself, and whether it verifies: signed, intact, by a station
 * the gradebook knows. The status words are what the gradebook stores and prints. */
static void session_facts(const uint8_t *buf, size_t len, const session_data *d, const station_set *known,
                          gb_facts *f, char *why, size_t whylen)
{
    memset(f, 0, sizeof *f);
    why[0] = '\0';
    session_verification *v = calloc(1, sizeof *v);
    int status = VERIFY_NOT_SESSION;
    if (v) {
        session_verify_mem(buf, len, known, v);
        status = v->status;
    }
    const char *word = "not verified";
    switch (status) {
    case VERIFY_OK: word = "verified"; break;
    case VERIFY_UNKNOWN_KEY: word = "unregistered station"; break;
    case VERIFY_UNSIGNED_TAIL: word = "unsigned tail"; break;
    case VERIFY_UNSIGNED: word = "unsigned"; break;
    case VERIFY_FAILED: word = "tampered"; break;
    default: break;
    }
    snprintf(f->verification, sizeof f->verification, "%s", word);
    if (v && v->finding_count && status != VERIFY_OK && status != VERIFY_UNSIGNED)
        snprintf(why, whylen, "%s", v->findings[0].text);
    free(v);
    const session_header *h = &d->header;
    f->synthetic = strncmp(h->source, "trainee:", 8) == 0;
    if (h->format_version >= 2) {
        f->synthetic = f->synthetic || h->synthetic || h->origin == SESSION_ORIGIN_SIMULATED;
        snprintf(f->trainee_id, sizeof f->trainee_id, "%s", h->trainee_id);
        snprintf(f->station_id, sizeof f->station_id, "%s", h->station_id);
        sodium_bin2hex(f->station_key_hex, sizeof f->station_key_hex, h->station_key, sizeof h->station_key);
        if (h->start_utc_us > 0) {
            utc_text(h->start_utc_us, f->started_at);
            f->started_known = 1;
        }
        f->exam = h->exam_mode != 0;
        f->rules_version = (int)h->rules_version;
        const char *o = h->origin == SESSION_ORIGIN_LIVE_DEVICE ? "live" : h->origin == SESSION_ORIGIN_MOUSE ? "mouse"
                        : h->origin == SESSION_ORIGIN_RECORDING ? "recording"
                        : h->origin == SESSION_ORIGIN_SIMULATED ? "simulated" : "unknown";
        snprintf(f->origin, sizeof f->origin, "%s", f->synthetic ? "simulated" : o);
    } else {
        snprintf(f->origin, sizeof f->origin, "%s", f->synthetic ? "simulated" : "live");
        f->rules_version = SCORE_REPORT_VERSION;
    }
}

int gb_known_stations(gradebook *g, station_set *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    gb_person *v = NULL;
    size_t n = 0;
    if (gradebook_people(g, GB_STATION, &v, &n, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        station_public p;
        memset(&p, 0, sizeof p);
        /* the verifier matches by key; id and name are for its messages (cut to fit) */
        snprintf(p.station_id, sizeof p.station_id, "%.16s", v[i].id);
        snprintf(p.name, sizeof p.name, "%.63s", v[i].name);
        size_t got = 0;
        if (sodium_hex2bin(p.public_key, sizeof p.public_key, v[i].public_key_hex, strlen(v[i].public_key_hex), NULL,
                           &got, NULL) != 0 || got != sizeof p.public_key)
            continue;
        if (station_set_add(out, &p) != 0) {
            free(v);
            station_set_free(out);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    free(v);
    return 0;
}

/* ---- grading ------------------------------------------------------------------------ */

static void metrics_text(const score_result *sc, gb_session *out)
{
    size_t o = 0, f = 0;
    out->metrics[0] = out->failed_metrics[0] = '\0';
    for (int m = 0; m < METRIC_COUNT; m++) {
        if (!sc->metric_applies[m])
            continue;
        o += (size_t)snprintf(out->metrics + o, sizeof out->metrics - o, "%s%s=%.2f", o ? "," : "", metric_name(m),
                              sc->metric_score[m]);
        if (o >= sizeof out->metrics)
            o = sizeof out->metrics - 1;
        if (!sc->metric_passed[m]) {
            f += (size_t)snprintf(out->failed_metrics + f, sizeof out->failed_metrics - f, "%s%s", f ? "," : "",
                                  metric_name(m));
            if (f >= sizeof out->failed_metrics)
                f = sizeof out->failed_metrics - 1;
        }
    }
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int gb_grade_file(const char *path, gb_lessons *ls, const gb_limits *lim, const station_set *known,
                  const char *trainee_id, gb_session *out, char *reason, size_t rlen)
{
    uint8_t *buf;
    size_t len;
    if (read_bounded(path, lim->max_file_bytes, &buf, &len, reason, rlen) != 0)
        return -1;
    memset(out, 0, sizeof *out);
    uint8_t h[32];
    crypto_generichash(h, sizeof h, buf, len, NULL, 0);
    hex_of(h, sizeof h, out->hash);

    session_data d;
    char e[256];
    if (session_load_mem(buf, len, &d, e, sizeof e) != 0) {
        snprintf(reason, rlen, "not a readable session: %s", e);
        free(buf);
        return -1;
    }
    gb_facts f;
    char why[240];
    session_facts(buf, len, &d, known, &f, why, sizeof why);
    free(buf);

    int rc = -1;
    engine *en = NULL;
    score_result sc;
    memset(&sc, 0, sizeof sc);
    const gb_lesson_entry *le = find_lesson(ls, d.header.lesson_id, d.header.lesson_hash);
    if (!le) {
        snprintf(reason, rlen, "no lesson '%.63s' with the recorded content hash in the lessons folder",
                 d.header.lesson_id);
        goto done;
    }
    en = engine_replay(&le->l, le->s, &d);
    if (!en) {
        snprintf(reason, rlen, "out of memory re-simulating");
        goto done;
    }
    size_t ndots;
    const dot *dots = engine_dots(en, &ndots);
    if (ndots > lim->max_dots) {
        snprintf(reason, rlen, "refused: %zu dots is over the limit of %zu for a session", ndots, lim->max_dots);
        goto done;
    }
    if (score_session_zone(le->zone, dots, ndots, &sc) != 0) {
        snprintf(reason, rlen, "out of memory grading");
        goto done;
    }
    /* a live session's own (signed) trainee stands; --trainee names the trainee of sessions
     * that carry none, and of synthetic ones (a virtual trainee's practice, never evidence) */
    const char *who = f.trainee_id[0] && !(f.synthetic && trainee_id) ? f.trainee_id : trainee_id ? trainee_id : "";
    snprintf(out->trainee_id, sizeof out->trainee_id, "%s", who);
    snprintf(out->lesson_id, sizeof out->lesson_id, "%s", le->l.id);
    hex_of(le->l.content_hash, 32, out->lesson_hash);
    snprintf(out->origin, sizeof out->origin, "%s", f.origin);
    snprintf(out->station_id, sizeof out->station_id, "%s", f.station_id);
    snprintf(out->attempt_at, sizeof out->attempt_at, "%s", f.started_at);
    out->started_known = f.started_known;
    snprintf(out->file_name, sizeof out->file_name, "%s", base_name(path));
    snprintf(out->verification, sizeof out->verification, "%s", f.verification);
    out->synthetic = f.synthetic;
    out->exam = f.exam;
    out->rules_version = f.rules_version;
    out->total = sc.total;
    out->passed = sc.passed;
    metrics_text(&sc, out);
    out->dots = (int64_t)ndots;
    out->dots_outside_zone = (int64_t)sc.spacing.dots_outside_zone;
    int wrong = 0;
    for (size_t i = 0; i < ndots && !wrong; i++)
        wrong = dots[i].shade < le->l.allowed_shades[0] || dots[i].shade > le->l.allowed_shades[1];
    out->wrong_pigment = wrong;
    /* the file alone decides these; registration is checked when it is stored */
    if (strcmp(f.verification, "verified") != 0) {
        int need = snprintf(out->refusal, sizeof out->refusal, "does not verify (%s)%s%s", f.verification,
                           why[0] ? ": " : "", why);
        if (need >= (int)sizeof out->refusal) /* a long verifier sentence is cut; mark it */
            memcpy(out->refusal + sizeof out->refusal - 4, "...", 4);
    }
    else if (f.synthetic)
        snprintf(out->refusal, sizeof out->refusal, "synthetic (made by a virtual trainee)");
    else if (!gb_origin_is_live(f.origin))
        /* a played-in file shows what a hand once did, not that this trainee did it here */
        snprintf(out->refusal, sizeof out->refusal, "input %s, not drawn live (only a live pen or mouse counts)",
                 f.origin);
    out->evidence = out->refusal[0] == '\0';
    rc = 0;
done:
    score_result_free(&sc);
    engine_free(en);
    session_data_free(&d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- finding files ------------------------------------------------------------------ */

typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list;

static int push_path(path_list *pl, const char *p, const gb_limits *lim, char *err, size_t errlen)
{
    if (pl->n >= lim->max_files) {
        snprintf(err, errlen, "refused: more than %zu session files in one import", lim->max_files);
        return -1;
    }
    if (pl->n == pl->cap) {
        size_t nc = pl->cap ? pl->cap * 2 : 64;
        char **g = realloc(pl->v, nc * sizeof *g);
        if (!g)
            goto oom;
        pl->v = g;
        pl->cap = nc;
    }
    if (!(pl->v[pl->n] = strdup(p)))
        goto oom;
    pl->n++;
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

static int is_session_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".stp") == 0;
}

static int walk(const char *dir, size_t depth, const gb_limits *lim, path_list *pl, char *err, size_t errlen)
{
    if (depth > lim->max_depth)
        return 0;
    DIR *dp = opendir(dir);
    if (!dp) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >= sizeof p)
            continue;
        struct stat st;
        if (lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(p, depth + 1, lim, pl, err, errlen);
        else if (S_ISREG(st.st_mode) && is_session_name(de->d_name))
            rc = push_path(pl, p, lim, err, errlen);
    }
    closedir(dp);
    return rc;
}

void gb_paths_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

int gb_expand_paths(const char *const *paths, size_t n, const gb_limits *lim, char ***out, size_t *out_n,
                    char *err, size_t errlen)
{
    path_list pl = { 0 };
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
            goto fail;
        }
        size_t first = pl.n;
        if (S_ISDIR(st.st_mode)) {
            if (walk(paths[i], 0, lim, &pl, err, errlen) != 0)
                goto fail;
            if (pl.n > first)
                qsort(pl.v + first, pl.n - first, sizeof *pl.v, cmp_str);
        } else if (push_path(&pl, paths[i], lim, err, errlen) != 0) {
            goto fail;
        }
    }
    *out = pl.v;
    *out_n = pl.n;
    return 0;
fail:
    gb_paths_free(pl.v, pl.n);
    return -1;
}

/* ---- the import ------------------------------------------------------------------------ */

typedef struct job {
    const char *path;
    int         phase;       /* 0: to hash, 1: hashed, 2: to grade, 3: done */
    int         skip;        /* already stored for good: not graded */
    int         recheck;     /* stored as practice awaiting a registration: graded, re-verified */
    char        stored_trainee[GB_ID_MAX];
    int         ok;
    char        hash[65];
    gb_session  s;
    char        reason[256];
} job;

typedef struct pool {
    job            *jobs;
    size_t          n;
    size_t          next;     /* next job a worker takes */
    int             grading;  /* 0: hashing pass, 1: grading pass */
    const gb_import_opts *o;
    station_set     known;    /* the gradebook's stations, for the verifier */
    pthread_mutex_t mu;
    pthread_cond_t  done_cv;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next;
        if (i < p->n)
            p->next++;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n)
            return NULL;
        job *j = &p->jobs[i];
        int ok;
        if (!p->grading)
            ok = gb_hash_file(j->path, p->o->limits.max_file_bytes, j->hash, j->reason, sizeof j->reason) == 0;
        else if (j->skip || !j->ok)
            ok = j->ok;
        else
            ok = gb_grade_file(j->path, p->o->lessons, &p->o->limits, &p->known, p->o->trainee_id, &j->s, j->reason,
                               sizeof j->reason) == 0;
        pthread_mutex_lock(&p->mu);
        j->ok = ok;
        j->phase = p->grading ? 3 : 1;
        pthread_cond_broadcast(&p->done_cv);
        pthread_mutex_unlock(&p->mu);
    }
}

static int run_pass(pool *p, int grading, int threads, pthread_t *tid)
{
    p->next = 0;
    p->grading = grading;
    int started = 0;
    for (int t = 0; t < threads; t++)
        if (pthread_create(&tid[t], NULL, worker, p) == 0)
            started++;
    if (!started)
        worker(p);
    return started;
}

/* Registration decides what the file alone could not: the station and the trainee. */
static int decide_evidence(gradebook *g, gb_session *s, char *err, size_t errlen)
{
    if (!s->evidence)
        return 0;
    gb_person who;
    int found;
    if (!s->station_id[0]) {
        snprintf(s->refusal, sizeof s->refusal, "names no station");
    } else if ((found = gradebook_person_find(g, GB_STATION, s->station_id, &who, err, errlen)) <= 0) {
        if (found < 0)
            return -1;
        snprintf(s->refusal, sizeof s->refusal, "station '%s' is not registered", s->station_id);
    } else if (!s->trainee_id[0]) {
        snprintf(s->refusal, sizeof s->refusal, "names no trainee");
    } else if ((found = gradebook_person_find(g, GB_TRAINEE, s->trainee_id, &who, err, errlen)) <= 0) {
        if (found < 0)
            return -1;
        snprintf(s->refusal, sizeof s->refusal, "trainee '%s' is not registered", s->trainee_id);
    }
    s->evidence = s->refusal[0] == '\0';
    return 0;
}

int gb_import(gradebook *g, char *const *files, size_t n, const gb_import_opts *o, gb_import_stats *stats,
              char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    stats->files = n;
    if (n == 0)
        return 0;
    int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    pool p;
    memset(&p, 0, sizeof p);
    p.jobs = calloc(n, sizeof *p.jobs);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    if (!p.jobs || !tid) {
        free(p.jobs);
        free(tid);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    p.n = n;
    p.o = o;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.done_cv, NULL);
    for (size_t i = 0; i < n; i++)
        p.jobs[i].path = files[i];

    int rc = 0;
    /* pass 1: hash every file, so what is stored already is never graded again, except a
     * session kept as practice for want of a registration (it is verified again) */
    int started = run_pass(&p, 0, threads, tid);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    for (size_t i = 0; i < n && rc == 0; i++) {
        job *j = &p.jobs[i];
        if (!j->ok)
            continue;
        gb_session *have = malloc(sizeof *have);
        int has = have ? gradebook_session_get(g, j->hash, have, err, errlen) : -1;
        if (!have)
            snprintf(err, errlen, "out of memory");
        if (has < 0)
            rc = -1;
        j->recheck = has > 0 && gradebook_session_awaits_registration(have);
        j->skip = has > 0 && !j->recheck;
        if (j->recheck)
            snprintf(j->stored_trainee, sizeof j->stored_trainee, "%s", have->trainee_id);
        free(have);
    }
    /* pass 2: grade on the workers; store in file order as results come */
    if (rc == 0 && gb_known_stations(g, &p.known, err, errlen) != 0)
        rc = -1;
    started = rc == 0 ? run_pass(&p, 1, threads, tid) : 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        job *j = &p.jobs[i];
        pthread_mutex_lock(&p.mu);
        while (j->phase != 3 && started)
            pthread_cond_wait(&p.done_cv, &p.mu);
        pthread_mutex_unlock(&p.mu);
        gb_outcome what;
        const gb_session *rep = NULL;
        if (!j->ok) {
            what = GB_REJECTED;
            stats->rejected++;
        } else if (j->skip) {
            what = GB_ALREADY;
            stats->already++;
        } else if (j->recheck) {
            /* the stored trainee stands (a --trainee given this time names nobody new) */
            int changed = 0;
            snprintf(j->s.trainee_id, sizeof j->s.trainee_id, "%s", j->stored_trainee);
            if (decide_evidence(g, &j->s, err, errlen) != 0
                || gradebook_session_reverify(g, &j->s, &changed, err, errlen) != 0) {
                rc = -1;
                break;
            }
            rep = &j->s;
            what = changed ? GB_REVERIFIED : GB_ALREADY;
            if (changed)
                stats->reverified++;
            else
                stats->already++;
        } else {
            int inserted = 0;
            gradebook_now(j->s.imported_at);
            if (!j->s.attempt_at[0])
                snprintf(j->s.attempt_at, sizeof j->s.attempt_at, "%s", j->s.imported_at);
            if (decide_evidence(g, &j->s, err, errlen) != 0
                || gradebook_session_put(g, &j->s, &inserted, err, errlen) != 0) {
                rc = -1;
                break;
            }
            rep = &j->s;
            what = !inserted ? GB_ALREADY : j->s.evidence ? GB_IMPORTED : GB_PRACTICE;
            if (what == GB_ALREADY)
                stats->already++;
            else if (what == GB_IMPORTED)
                stats->imported++;
            else
                stats->practice++;
        }
        if (o->report)
            o->report(o->ctx, j->path, what, what == GB_ALREADY ? NULL : rep,
                      what == GB_REJECTED ? j->reason : rep ? rep->refusal : "");
        if (o->progress)
            o->progress(o->ctx, i + 1, n);
    }
    if (rc != 0) {
        /* stop the workers early: nothing more will be stored */
        pthread_mutex_lock(&p.mu);
        p.next = p.n;
        pthread_mutex_unlock(&p.mu);
    }
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    station_set_free(&p.known);
    pthread_cond_destroy(&p.done_cv);
    pthread_mutex_destroy(&p.mu);
    free(p.jobs);
    free(tid);
    return rc;
}
