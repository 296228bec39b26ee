/* gb_certify.c: the certification rule over stored sessions, and the certificate payload. */
#include "gb_certify.h"

#include <jansson.h>
#include <sodium.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct textbuf {
    char  *s;
    size_t len, cap;
    int    oom;
} textbuf;

static void tb_printf(textbuf *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || t->oom) {
        va_end(ap2);
        return;
    }
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t nc = (t->len + (size_t)n + 1) * 2;
        char *g = realloc(t->s, nc);
        if (!g) {
            t->oom = 1;
            va_end(ap2);
            return;
        }
        t->s = g;
        t->cap = nc;
    }
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap2);
    va_end(ap2);
    t->len += (size_t)n;
}

/* The instructor's last word on a session: 'p'ass, 'f'ail, 'v'oid or 0. */
static char override_of(const gb_override *ov, size_t nov, const char *hash)
{
    char v = 0;
    for (size_t i = 0; i < nov; i++)   /* oldest first: the last one stands */
        if (strcmp(ov[i].session_hash, hash) == 0)
            v = ov[i].verdict[0];
    return v;
}

static int attempt_passed(const gb_session *s, char ov)
{
    return ov == 'p' ? 1 : ov == 'f' ? 0 : s->passed;
}

/* Why an attempt fails, in words ("failed depth, pigment"; "failed the total"). */
static void failure_words(const gb_session *s, char ov, char *buf, size_t len)
{
    if (ov == 'f')
        snprintf(buf, len, "was failed by an instructor");
    else if (s->failed_metrics[0])
        snprintf(buf, len, "failed %s", s->failed_metrics);
    else
        snprintf(buf, len, "failed the total (%.1f)", s->total);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '/';
}

int gb_certify_judge(const curriculum *c, const gb_session *s, size_t n, const gb_override *ov, size_t nov,
                     gb_cert_result *out)
{
    memset(out, 0, sizeof *out);
    textbuf t = { 0 };
    out->evidence = calloc(c->lesson_count * (size_t)c->attempts + 1, sizeof *out->evidence);
    if (!out->evidence)
        return -1;
    tb_printf(&t, "%s", "");
    for (size_t li = 0; li < c->lesson_count; li++) {
        const curriculum_lesson *cl = &c->lessons[li];
        const char *kind = cl->exam ? "exam" : "lesson";
        /* the counted attempts of this lesson, in order */
        size_t total_n = 0, counted = 0, passed_any = 0, idx[CURRICULUM_MAX_ATTEMPTS];
        size_t unsigned_n = 0, synthetic_n = 0, played_n = 0, not_exam_n = 0, voided = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(s[i].lesson_id, cl->id) != 0)
                continue;
            total_n++;
            char o = override_of(ov, nov, s[i].hash);
            /* the origin is checked again here: a gradebook filled by an older importer may
             * hold played-in sessions marked as evidence */
            if (!s[i].evidence || !gb_origin_is_live(s[i].origin)) {
                if (s[i].synthetic)
                    synthetic_n++;
                else if (!gb_origin_is_live(s[i].origin))
                    played_n++;
                else
                    unsigned_n++;
                continue;
            }
            if (cl->exam && !s[i].exam) {
                not_exam_n++;
                continue;
            }
            if (o == 'v') {
                voided++;
                continue;
            }
            passed_any += attempt_passed(&s[i], o) != 0;
            /* keep the last `attempts` indices in a ring */
            idx[counted % (size_t)c->attempts] = i;
            counted++;
        }
        char why[256] = "";
        if (total_n > counted) {
            /* why the others do not count, each reason once, joined by commas */
            const char *reason[5] = { synthetic_n ? "synthetic" : NULL, unsigned_n ? "unsigned or unverified" : NULL,
                                      played_n ? "played in rather than drawn live" : NULL,
                                      not_exam_n ? "not recorded in exam mode" : NULL,
                                      voided ? "voided by an instructor" : NULL };
            char list[192] = "";
            for (int k = 0; k < 5; k++)
                if (reason[k]) {
                    size_t used = strlen(list);
                    snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : " ", reason[k]);
                }
            snprintf(why, sizeof why, " (%zu stored attempt%s not count:%s)", total_n - counted,
                     total_n - counted == 1 ? " does" : "s do", list);
        }
        if (!cl->exam) {
            if (!passed_any)
                tb_printf(&t, "lesson %s: no passed attempt that counts%s\n", cl->id, why);
            continue;
        }
        size_t need = (size_t)c->attempts;
        if (counted < need) {
            tb_printf(&t, "%s %s: %zu of the %zu attempts needed so far (Inc)%s\n", kind, cl->id, counted, need, why);
            continue;
        }
        /* the last `need` attempts, oldest first */
        const gb_session *last[CURRICULUM_MAX_ATTEMPTS];
        for (size_t k = 0; k < need; k++)
            last[k] = &s[idx[(counted - need + k) % need]];
        size_t npass = 0;
        double sum = 0;
        char fails[1024] = "";
        size_t fl = 0;
        for (size_t k = 0; k < need; k++) {
            const gb_session *a = last[k];
            char o = override_of(ov, nov, a->hash);
            int ok = attempt_passed(a, o);
            npass += ok != 0;
            sum += a->total;
            char what[320] = "";
            if (c->each_passed && !ok) {
                char fw[200];
                failure_words(a, o, fw, sizeof fw);
                snprintf(what, sizeof what, "the attempt of %.10s %s", a->attempt_at, fw);
            }
            if ((c->never_events & NEVER_OUTSIDE_ZONE) && a->dots_outside_zone > 0) {
                size_t wl = strlen(what);
                snprintf(what + wl, sizeof what - wl, "%sthe attempt of %.10s had a never event: %lld dot%s outside "
                         "the planned zone", wl ? "; " : "", a->attempt_at, (long long)a->dots_outside_zone,
                         a->dots_outside_zone == 1 ? "" : "s");
            }
            if ((c->never_events & NEVER_WRONG_PIGMENT) && a->wrong_pigment) {
                size_t wl = strlen(what);
                snprintf(what + wl, sizeof what - wl, "%sthe attempt of %.10s had a never event: the wrong pigment "
                         "shade", wl ? "; " : "", a->attempt_at);
            }
            if (what[0] && fl < sizeof fails - 2) {
                int w = snprintf(fails + fl, sizeof fails - fl, "; %s", what);
                fl += w > 0 ? (size_t)w : 0;
                if (fl >= sizeof fails)
                    fl = sizeof fails - 1;
            }
            out->evidence[out->evidence_count++] = a;
        }
        double avg = sum / (double)need;
        out->exam_average[li] = avg;
        int avg_ok = avg >= c->average_min;
        if (fails[0] || !avg_ok) {
            tb_printf(&t, "exam %s: %zu of the last %zu attempts passed", cl->id, npass, need);
            if (fails[0])
                tb_printf(&t, "%s", fails);
            if (!avg_ok)
                tb_printf(&t, "; their average %.2f is under %.2f", avg, c->average_min);
            tb_printf(&t, "\n");
        }
    }
    if (t.oom) {
        free(t.s);
        free(out->evidence);
        memset(out, 0, sizeof *out);
        return -1;
    }
    out->missing = t.s;
    out->met = t.len == 0;
    return 0;
}

void gb_cert_result_free(gb_cert_result *r)
{
    if (!r)
        return;
    free(r->missing);
    free(r->evidence);
    memset(r, 0, sizeof *r);
}

char *gb_certificate_payload(const curriculum *c, const gb_person *trainee, const gb_cert_result *r,
                             const char *issued_at, const char *clinic_key_hex)
{
    char chash[65];
    sodium_bin2hex(chash, sizeof chash, c->content_hash, sizeof c->content_hash);
    json_t *ev = json_array();
    for (size_t i = 0; i < r->evidence_count; i++) {
        const gb_session *a = r->evidence[i];
        json_array_append_new(ev, json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:b, s:s, s:i, s:s}", "lesson",
                                            a->lesson_id, "session", a->hash, "lesson_hash", a->lesson_hash,
                                            "attempt_at", a->attempt_at, "station", a->station_id, "total",
                                            a->total, "passed", a->passed, "failed_metrics", a->failed_metrics,
                                            "rules_version", a->rules_version, "verification", a->verification));
    }
    json_t *root = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:i, s:f, s:b, s:i}, s:s, s:s, s:o}",
                             "format", "stipple-certificate/1", "trainee", "id", trainee->id, "name", trainee->name,
                             "curriculum", "id", c->id, "title", c->title, "content_hash", chash, "rule", "attempts",
                             c->attempts, "average_min", c->average_min, "each_passed", c->each_passed,
                             "never_events", (int)c->never_events, "issued_at", issued_at, "clinic_key",
                             clinic_key_hex, "evidence", ev);
    if (!root)
        return NULL;
    char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(root);
    return s;
}

void gb_certificate_code(const char *payload, const char *signature_hex, char code[16])
{
    static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";   /* Crockford: no I L O U */
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)payload, strlen(payload));
    crypto_generichash_update(&st, (const unsigned char *)signature_hex, strlen(signature_hex));
    crypto_generichash_final(&st, h, sizeof h);
    uint64_t bits = 0;
    for (int i = 0; i < 7; i++)
        bits = (bits << 8) | h[i];
    bits >>= 6;   /* 50 bits */
    char c10[11];
    for (int i = 9; i >= 0; i--) {
        c10[i] = b32[bits & 31];
        bits >>= 5;
    }
    snprintf(code, 16, "%.4s-%.4s-%.2s", c10, c10 + 4, c10 + 8);
}
