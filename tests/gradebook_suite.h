/* gradebook_suite.h: the gradebook tests, one suite run unchanged against each engine
 * (test_gradebook_sqlite.c, test_gradebook_pg.c). The engine's test supplies
 * fresh_db(name): the `where` of an empty gradebook (a new file, or a new PostgreSQL
 * database on the test's own throwaway server). */
#ifndef STIPPLE_GRADEBOOK_SUITE_H
#define STIPPLE_GRADEBOOK_SUITE_H

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "gb_keys.h"
#include "gradebook.h"

typedef const char *(*fresh_db_fn)(const char *name);

static gradebook *suite_open(const char *where)
{
    gradebook *g = NULL;
    char err[1024] = "";
    int rc = gradebook_open(where, &g, err, sizeof err);
    CHECK(rc == 0, "open %s: %s", where, err);
    return rc == 0 ? g : NULL;
}

static void fake_hash(int i, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)&i, sizeof i, NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void make_session(int i, const char *trainee, const char *lesson_id, double total, gb_session *s)
{
    memset(s, 0, sizeof *s);
    fake_hash(i, s->hash);
    snprintf(s->trainee_id, sizeof s->trainee_id, "%s", trainee);
    snprintf(s->lesson_id, sizeof s->lesson_id, "%s", lesson_id);
    fake_hash(-1, s->lesson_hash);
    snprintf(s->origin, sizeof s->origin, "live");
    snprintf(s->station_id, sizeof s->station_id, "st-1");
    snprintf(s->attempt_at, sizeof s->attempt_at, "2026-12-%02dT10:00:00.000000Z", 1 + i % 28);
    s->started_known = 1;
    gradebook_now(s->imported_at);
    snprintf(s->file_name, sizeof s->file_name, "s%d.stp", i);
    snprintf(s->verification, sizeof s->verification, "unsigned");
    s->rules_version = 1;
    s->total = total;
    s->passed = total >= 70;
    snprintf(s->metrics, sizeof s->metrics, "spacing=%.2f", total);
    s->dots = 1000 + i;
}

static void suite_schema(fresh_db_fn fresh)
{
    const char *where = fresh("schema");
    gradebook *g = suite_open(where);
    if (!g)
        return;
    char err[512];
    CHECK(gradebook_schema_version(g, err, sizeof err) == GB_SCHEMA_VERSION, "schema version after open");
    gradebook_close(g);
    g = suite_open(where);   /* reopening migrates nothing and loses nothing */
    if (g) {
        CHECK(gradebook_schema_version(g, err, sizeof err) == GB_SCHEMA_VERSION, "schema version after reopen");
        gradebook_close(g);
    }
}

/* Names that would break a query built by pasting, or a terminal, are stored as bytes. */
static void suite_people(fresh_db_fn fresh)
{
    gradebook *g = suite_open(fresh("people"));
    if (!g)
        return;
    static const char *const names[] = {
        "O'Brien", "Robert'); DROP TABLE trainees;--", "quote \" and \\ backslash",
        "tab\there\nnewline\x1b[31mred\x1b[0m", "?", "$1", "Zo\xc3\xab", "%s%n%s",
    };
    size_t nn = sizeof names / sizeof names[0];
    char err[512];
    for (size_t i = 0; i < nn; i++) {
        gb_person p = { 0 };
        snprintf(p.id, sizeof p.id, "t%zu", i);
        snprintf(p.name, sizeof p.name, "%s", names[i]);
        CHECK(gradebook_person_add(g, GB_TRAINEE, &p, err, sizeof err) == 0, "add %zu: %s", i, err);
    }
    gb_person dup = { .id = "t0", .name = "again" };
    CHECK(gradebook_person_add(g, GB_TRAINEE, &dup, err, sizeof err) != 0 && strstr(err, "already"),
          "a duplicate id is refused: %s", err);
    gb_person bad = { .id = "x'; DROP TABLE trainees;--", .name = "x" };
    CHECK(gradebook_person_add(g, GB_TRAINEE, &bad, err, sizeof err) != 0, "an id with SQL is refused");
    gb_person *v = NULL;
    size_t n = 0;
    CHECK(gradebook_people(g, GB_TRAINEE, &v, &n, err, sizeof err) == 0 && n == nn, "list: %zu of %zu", n, nn);
    for (size_t i = 0; v && i < n && i < nn; i++) {
        char want[8];
        snprintf(want, sizeof want, "t%zu", i);
        CHECK(strcmp(v[i].id, want) == 0 && strcmp(v[i].name, names[i]) == 0, "name %zu round-trips", i);
    }
    free(v);
    gb_person f;
    CHECK(gradebook_person_find(g, GB_TRAINEE, "t1", &f, err, sizeof err) == 1 && strcmp(f.name, names[1]) == 0,
          "find by id");
    CHECK(gradebook_person_find(g, GB_TRAINEE, "' OR '1'='1", &f, err, sizeof err) == 0, "an SQL id finds nothing");

    gb_person st = { .id = "st-1", .name = "front desk" };
    snprintf(st.public_key_hex, sizeof st.public_key_hex, "%s", "zz");
    CHECK(gradebook_person_add(g, GB_STATION, &st, err, sizeof err) != 0, "a station without a key is refused");
    for (int i = 0; i < 64; i++)
        st.public_key_hex[i] = "0123456789abcdef"[i % 16];
    st.public_key_hex[64] = '\0';
    CHECK(gradebook_person_add(g, GB_STATION, &st, err, sizeof err) == 0, "a station with a key: %s", err);
    CHECK(gradebook_person_find(g, GB_STATION, "st-1", &f, err, sizeof err) == 1
          && strcmp(f.public_key_hex, st.public_key_hex) == 0, "station key round-trips");
    gradebook_close(g);
}

static void suite_sessions(fresh_db_fn fresh)
{
    gradebook *g = suite_open(fresh("sessions"));
    if (!g)
        return;
    char err[512];
    gb_session s;
    int ins = -1;
    const double totals[] = { 61.25, 70.0, 88.123456789012345, 99.999 };
    for (int i = 0; i < 4; i++) {
        make_session(i, "amy", "soft-hairline", totals[i], &s);
        CHECK(gradebook_session_put(g, &s, &ins, err, sizeof err) == 0 && ins == 1, "put %d: %s", i, err);
    }
    make_session(2, "amy", "soft-hairline", 1.0, &s);   /* same hash, other figures */
    CHECK(gradebook_session_put(g, &s, &ins, err, sizeof err) == 0 && ins == 0, "a stored hash is left alone");
    CHECK(gradebook_session_has(g, s.hash, err, sizeof err) == 1, "has");
    char other[65];
    fake_hash(99, other);
    CHECK(gradebook_session_has(g, other, err, sizeof err) == 0, "has not");
    gb_session *v = NULL;
    size_t n = 0;
    CHECK(gradebook_sessions(g, "amy", &v, &n, err, sizeof err) == 0 && n == 4, "four sessions (%zu)", n);
    for (size_t i = 0; v && i < n && i < 4; i++) {
        CHECK(v[i].total == totals[i], "total %zu round-trips exactly: %.17g", i, v[i].total);
        CHECK(v[i].dots == 1000 + (int64_t)i, "dots %zu", i);
        CHECK(strcmp(v[i].verification, "unsigned") == 0 && !v[i].evidence, "status %zu", i);
    }
    free(v);
    CHECK(gradebook_sessions(g, "nobody", &v, &n, err, sizeof err) == 0 && n == 0, "no sessions of a stranger");
    free(v);
    gradebook_close(g);
}

static void suite_overrides(fresh_db_fn fresh)
{
    gradebook *g = suite_open(fresh("overrides"));
    if (!g)
        return;
    char err[512];
    gb_keypair good, other;
    crypto_sign_keypair(good.pk, good.sk);
    crypto_sign_keypair(other.pk, other.sk);
    gb_person ins = { .id = "dr-lee", .name = "Dr Lee" };
    gb_key_public_hex(&good, ins.public_key_hex);
    CHECK(gradebook_person_add(g, GB_INSTRUCTOR, &ins, err, sizeof err) == 0, "instructor: %s", err);
    gb_session s;
    make_session(7, "amy", "soft-hairline", 65, &s);
    CHECK(gradebook_session_put(g, &s, NULL, err, sizeof err) == 0, "session: %s", err);

    gb_override o = { 0 };
    snprintf(o.session_hash, sizeof o.session_hash, "%s", s.hash);
    snprintf(o.instructor_id, sizeof o.instructor_id, "dr-lee");
    snprintf(o.made_at, sizeof o.made_at, "2026-12-04T09:00:00.000000Z");
    snprintf(o.verdict, sizeof o.verdict, "void");
    snprintf(o.reason, sizeof o.reason, "pen cable fault; it's not the trainee's \"fault\"");
    char msg[1024];
    size_t mlen = gradebook_override_message(&o, msg, sizeof msg);

    gb_key_sign_hex(&other, msg, mlen, o.signature_hex);
    CHECK(gradebook_override_add(g, &o, err, sizeof err) != 0 && strstr(err, "refused"),
          "signed with another key: refused (%s)", err);
    gb_override u = o;
    snprintf(u.instructor_id, sizeof u.instructor_id, "dr-nobody");
    size_t ulen = gradebook_override_message(&u, msg, sizeof msg);
    gb_key_sign_hex(&other, msg, ulen, u.signature_hex);
    CHECK(gradebook_override_add(g, &u, err, sizeof err) != 0 && strstr(err, "not a registered instructor"),
          "unknown instructor: refused (%s)", err);

    mlen = gradebook_override_message(&o, msg, sizeof msg);
    gb_key_sign_hex(&good, msg, mlen, o.signature_hex);
    gb_override t = o;
    t.reason[0] = 'P';   /* changed after signing */
    CHECK(gradebook_override_add(g, &t, err, sizeof err) != 0, "an edited reason is refused");
    CHECK(gradebook_override_add(g, &o, err, sizeof err) == 0, "the instructor's own signature: %s", err);
    gb_override *v = NULL;
    size_t n = 0;
    CHECK(gradebook_overrides(g, "amy", &v, &n, err, sizeof err) == 0 && n == 1, "one override stored (%zu)", n);
    if (v && n == 1)
        CHECK(strcmp(v[0].reason, o.reason) == 0 && strcmp(v[0].verdict, "void") == 0, "override round-trips");
    free(v);

    gb_certification c = { .code = "ABCD-EFGH-JK", .trainee_id = "amy", .curriculum_id = "smp-1",
                           .issued_at = "2026-12-05T00:00:00.000000Z" };
    c.payload = "payload with 'quotes' and \"more\"\n";
    snprintf(c.signature_hex, sizeof c.signature_hex, "%0128d", 0);
    snprintf(c.clinic_key_hex, sizeof c.clinic_key_hex, "%064d", 0);
    CHECK(gradebook_certification_put(g, &c, err, sizeof err) == 0, "certification: %s", err);
    gb_certification got;
    int found = gradebook_certification_get(g, "ABCD-EFGH-JK", &got, err, sizeof err);
    CHECK(found == 1 && strcmp(got.payload, c.payload) == 0, "certification round-trips");
    if (found == 1)
        free(got.payload);
    CHECK(gradebook_certification_get(g, "NOPE", &got, err, sizeof err) == 0, "unknown code");
    gradebook_close(g);
}

/* Two processes store the same sessions in opposite orders at once: every session exactly
 * once. A third opens a fresh gradebook at the same moment (racing migrations). */
static void suite_concurrent(fresh_db_fn fresh)
{
    const char *where = fresh("concurrent");
    char w[4096];
    snprintf(w, sizeof w, "%s", where);
    enum { N = 60 };
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            gradebook *g;
            char err[512];
            if (gradebook_open(w, &g, err, sizeof err) != 0) {
                fprintf(stderr, "child %d: %s\n", k, err);
                _exit(255);   /* not a count */
            }
            int mine = 0;
            for (int j = 0; j < N; j++) {
                gb_session s;
                int ins = 0;
                make_session(k ? N - 1 - j : j, "amy", "soft-hairline", 80, &s);
                if (gradebook_session_put(g, &s, &ins, err, sizeof err) != 0) {
                    fprintf(stderr, "child %d: %s\n", k, err);
                    _exit(255);
                }
                mine += ins;
            }
            gradebook_close(g);
            _exit(mine);   /* how many this writer stored */
        }
    }
    int stored_by = 0;
    for (int k = 0; k < 2; k++) {
        int st = 0;
        waitpid(kids[k], &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 255, "writer %d finished cleanly", k);
        if (WIFEXITED(st) && WEXITSTATUS(st) != 255)
            stored_by += WEXITSTATUS(st);
    }
    CHECK(stored_by == N, "each session reported stored by exactly one writer (%d of %d)", stored_by, N);
    gradebook *g = suite_open(w);
    if (!g)
        return;
    gb_session *v = NULL;
    size_t n = 0;
    char err[512];
    CHECK(gradebook_sessions(g, NULL, &v, &n, err, sizeof err) == 0 && n == N, "%d sessions stored once (%zu)", N, n);
    for (size_t i = 1; v && i < n; i++)
        CHECK(strcmp(v[i - 1].hash, v[i].hash) != 0, "no duplicate");
    free(v);
    gradebook_close(g);
}

/* Re-verification: a session kept as practice for want of a registration takes a new
 * verdict once (and only then); a final one never changes; two processes re-verifying the
 * same session at once: exactly one of them changes it. */
static void suite_reverify(fresh_db_fn fresh)
{
    const char *where = fresh("reverify");
    char w[4096];
    snprintf(w, sizeof w, "%s", where);
    gradebook *g = suite_open(w);
    if (!g)
        return;
    char err[512];
    gb_session waiting, tampered, no_trainee, got;
    make_session(40, "amy", "soft-hairline", 90, &waiting);
    snprintf(waiting.verification, sizeof waiting.verification, "unregistered station");
    snprintf(waiting.refusal, sizeof waiting.refusal, "does not verify (unregistered station): key not known");
    make_session(41, "amy", "soft-hairline", 90, &tampered);
    snprintf(tampered.verification, sizeof tampered.verification, "tampered");
    snprintf(tampered.refusal, sizeof tampered.refusal, "does not verify (tampered): chunk 3 changed");
    make_session(42, "amy", "soft-hairline", 90, &no_trainee);
    snprintf(no_trainee.verification, sizeof no_trainee.verification, "verified");
    snprintf(no_trainee.refusal, sizeof no_trainee.refusal, "trainee 'amy' is not registered");
    const gb_session *all[] = { &waiting, &tampered, &no_trainee };
    for (int i = 0; i < 3; i++)
        CHECK(gradebook_session_put(g, all[i], NULL, err, sizeof err) == 0, "put %d: %s", i, err);
    CHECK(gradebook_session_get(g, waiting.hash, &got, err, sizeof err) == 1
          && gradebook_session_awaits_registration(&got), "an unregistered station's session awaits registration");
    CHECK(gradebook_session_get(g, no_trainee.hash, &got, err, sizeof err) == 1
          && gradebook_session_awaits_registration(&got), "an unregistered trainee's session awaits registration");
    CHECK(gradebook_session_get(g, tampered.hash, &got, err, sizeof err) == 1
          && !gradebook_session_awaits_registration(&got), "a tampered session is final");

    gb_session now_ok = waiting, bad = tampered;
    snprintf(now_ok.verification, sizeof now_ok.verification, "verified");
    now_ok.refusal[0] = '\0';
    now_ok.evidence = 1;
    now_ok.total = 1.0;   /* only the verdict is taken */
    int changed = -1;
    CHECK(gradebook_session_reverify(g, &now_ok, &changed, err, sizeof err) == 0 && changed == 1,
          "re-verified once registered: %s", err);
    CHECK(gradebook_session_get(g, waiting.hash, &got, err, sizeof err) == 1 && got.evidence
          && strcmp(got.verification, "verified") == 0 && !got.refusal[0] && got.total == waiting.total
          && !gradebook_session_awaits_registration(&got), "now evidence, its score unchanged");
    CHECK(gradebook_session_reverify(g, &now_ok, &changed, err, sizeof err) == 0 && changed == 0,
          "a second re-verification changes nothing");
    bad.evidence = 1;
    bad.refusal[0] = '\0';
    snprintf(bad.verification, sizeof bad.verification, "verified");
    CHECK(gradebook_session_reverify(g, &bad, &changed, err, sizeof err) == 0 && changed == 0
          && gradebook_session_get(g, tampered.hash, &got, err, sizeof err) == 1 && !got.evidence
          && strcmp(got.verification, "tampered") == 0, "a final verdict is never replaced");
    gradebook_close(g);

    /* two processes at once on the session still waiting */
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            gradebook *gk;
            char e[512];
            if (gradebook_open(w, &gk, e, sizeof e) != 0)
                _exit(255);
            gb_session v = no_trainee;
            v.evidence = 1;
            v.refusal[0] = '\0';
            int ch = 0;
            int rc = gradebook_session_reverify(gk, &v, &ch, e, sizeof e);
            gradebook_close(gk);
            _exit(rc != 0 ? 255 : ch);
        }
    }
    int changed_by = 0;
    for (int k = 0; k < 2; k++) {
        int st = 0;
        waitpid(kids[k], &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 255, "re-verifier %d finished cleanly", k);
        if (WIFEXITED(st) && WEXITSTATUS(st) != 255)
            changed_by += WEXITSTATUS(st);
    }
    CHECK(changed_by == 1, "two re-verifiers at once: exactly one changed it (%d)", changed_by);
    g = suite_open(w);
    if (g) {
        CHECK(gradebook_session_get(g, no_trainee.hash, &got, err, sizeof err) == 1 && got.evidence,
              "the registered trainee's session counts");
        gradebook_close(g);
    }
}

static void run_suite(fresh_db_fn fresh)
{
    if (sodium_init() < 0) {
        CHECK(0, "libsodium");
        return;
    }
    suite_schema(fresh);
    suite_people(fresh);
    suite_sessions(fresh);
    suite_overrides(fresh);
    suite_concurrent(fresh);
    suite_reverify(fresh);
}

#endif
