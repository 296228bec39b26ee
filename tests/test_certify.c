/* test_certify.c: the certification rule at its edges, and the certificate: payload,
 * signature, verification code, PDF written and read back, a changed byte caught. The
 * sessions are built here (what the gradebook would hand the judge), so each rule edge is
 * exact: at the threshold, a never event in the 3rd-last attempt, unsigned, synthetic,
 * fewer than 3, not in exam mode, instructor overrides. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certificate_pdf.h"
#include "check.h"
#include "curriculum.h"
#include "gb_certify.h"
#include "gb_keys.h"

static const char curriculum_text[] =
    "curriculum stipple-curriculum/1\n"
    "id test-course\n"
    "title Test course\n"
    "lesson warmup\n"
    "exam hairline after warmup\n"
    "rule attempts 3\n"
    "rule average 75\n"
    "rule each-passed yes\n"
    "rule never-events outside-zone wrong-pigment\n";

static int serial;

/* A counted attempt: signed, verified, registered, in exam mode for the exam. */
static gb_session attempt(const char *lesson, int day, double total, int passed)
{
    gb_session s;
    memset(&s, 0, sizeof s);
    unsigned char h[32];
    int k = ++serial;
    crypto_generichash(h, sizeof h, (const unsigned char *)&k, sizeof k, NULL, 0);
    sodium_bin2hex(s.hash, sizeof s.hash, h, sizeof h);
    snprintf(s.trainee_id, sizeof s.trainee_id, "amy");
    snprintf(s.lesson_id, sizeof s.lesson_id, "%s", lesson);
    snprintf(s.attempt_at, sizeof s.attempt_at, "2026-12-%02dT09:00:00.000000Z", day);
    snprintf(s.station_id, sizeof s.station_id, "a1b2c3d4e5f60718");
    snprintf(s.verification, sizeof s.verification, "verified");
    snprintf(s.origin, sizeof s.origin, "live");
    s.exam = strcmp(lesson, "hairline") == 0;
    s.total = total;
    s.passed = passed;
    if (!passed)
        snprintf(s.failed_metrics, sizeof s.failed_metrics, "depth");
    s.evidence = 1;
    s.rules_version = 1;
    return s;
}

typedef struct judged {
    int met;
    char missing[2048];
    size_t evidence;
} judged;

static judged judge(const curriculum *c, const gb_session *s, size_t n, const gb_override *ov, size_t nov)
{
    judged j = { 0 };
    gb_cert_result r;
    CHECK(gb_certify_judge(c, s, n, ov, nov, &r) == 0, "judge");
    j.met = r.met;
    snprintf(j.missing, sizeof j.missing, "%s", r.missing ? r.missing : "");
    j.evidence = r.evidence_count;
    gb_cert_result_free(&r);
    return j;
}

static void test_rule(const curriculum *c)
{
    const double t = c->average_min;
    gb_session s[8];
    /* exactly at the threshold: met */
    s[0] = attempt("warmup", 1, 90, 1);
    s[1] = attempt("hairline", 2, t, 1);
    s[2] = attempt("hairline", 3, t, 1);
    s[3] = attempt("hairline", 4, t, 1);
    judged j = judge(c, s, 4, NULL, 0);
    CHECK(j.met && j.evidence == 3, "average exactly at the threshold is met: %s", j.missing);

    /* a hair under: not met, and it says the average */
    s[3].total = t - 0.03;   /* mean = t - 0.01 */
    j = judge(c, s, 4, NULL, 0);
    CHECK(!j.met && strstr(j.missing, "average") && strstr(j.missing, "exam hairline"), "under the threshold: %s",
          j.missing);
    s[3].total = t;

    /* a never event in the 3rd-last attempt: not met; a 4th-last one no longer matters */
    s[1].dots_outside_zone = 2;
    j = judge(c, s, 4, NULL, 0);
    CHECK(!j.met && strstr(j.missing, "attempt of 2026-12-02 had a never event: 2 dots outside the planned zone"),
          "never event in the 3rd-last: %s", j.missing);
    s[4] = attempt("hairline", 5, t + 10, 1);
    j = judge(c, s, 5, NULL, 0);
    CHECK(j.met, "a never event before the last three is history: %s", j.missing);
    s[1].dots_outside_zone = 0;
    s[4].wrong_pigment = 1;
    j = judge(c, s, 5, NULL, 0);
    CHECK(!j.met && strstr(j.missing, "wrong pigment"), "wrong pigment in the last: %s", j.missing);
    s[4].wrong_pigment = 0;

    /* a failed attempt among the last three: the issue's own sentence */
    s[2].passed = 0;
    snprintf(s[2].failed_metrics, sizeof s[2].failed_metrics, "depth");
    s[2].total = 99;   /* a high total does not rescue a failed metric */
    j = judge(c, s, 4, NULL, 0);
    CHECK(!j.met && strstr(j.missing, "exam hairline: 2 of the last 3 attempts passed; the attempt of 2026-12-03 "
                                      "failed depth"), "failed attempt: %s", j.missing);
    s[2].passed = 1;
    s[2].failed_metrics[0] = '\0';
    s[2].total = t;

    /* unsigned, synthetic, practised with feedback, or played in from a file (stored as
     * evidence by an older importer): never count */
    for (int kind = 0; kind < 4; kind++) {
        gb_session u[4] = { s[0], s[1], s[2], s[3] };
        if (kind == 0) {
            u[3].evidence = 0;
            snprintf(u[3].verification, sizeof u[3].verification, "unsigned");
        } else if (kind == 1) {
            u[3].evidence = 0;
            u[3].synthetic = 1;
        } else if (kind == 2) {
            u[3].exam = 0;
        } else {
            snprintf(u[3].origin, sizeof u[3].origin, "recording");
        }
        static const char *const word[] = { "unsigned", "synthetic", "exam mode", "played in rather than drawn live" };
        j = judge(c, u, 4, NULL, 0);
        CHECK(!j.met && strstr(j.missing, "2 of the 3 attempts needed") && strstr(j.missing, word[kind]),
              "%s attempt does not count: %s", word[kind], j.missing);
    }

    /* a live session kept as practice for another reason (here: verified, but refused when
     * stored) is never called played in */
    {
        gb_session u[4] = { s[0], s[1], s[2], s[3] };
        u[3].evidence = 0;
        j = judge(c, u, 4, NULL, 0);
        CHECK(!j.met && strstr(j.missing, "2 of the 3 attempts needed") && !strstr(j.missing, "played in"),
              "a live attempt kept as practice is not called played in: %s", j.missing);
    }

    /* fewer than three: incomplete */
    j = judge(c, s, 3, NULL, 0);
    CHECK(!j.met && strstr(j.missing, "2 of the 3 attempts needed so far (Inc)"), "fewer than 3: %s", j.missing);

    /* the lesson before the exam must be passed too */
    s[0].passed = 0;
    j = judge(c, s, 4, NULL, 0);
    CHECK(!j.met && strstr(j.missing, "lesson warmup: no passed attempt"), "warmup not passed: %s", j.missing);
    s[0].passed = 1;

    /* overrides: void takes an attempt out; pass turns a failed one round */
    gb_override ov[2];
    memset(ov, 0, sizeof ov);
    snprintf(ov[0].session_hash, sizeof ov[0].session_hash, "%s", s[3].hash);
    snprintf(ov[0].verdict, sizeof ov[0].verdict, "void");
    j = judge(c, s, 4, ov, 1);
    CHECK(!j.met && strstr(j.missing, "voided"), "void override: %s", j.missing);
    s[3].passed = 0;
    snprintf(ov[0].verdict, sizeof ov[0].verdict, "pass");
    j = judge(c, s, 4, ov, 1);
    CHECK(j.met, "pass override: %s", j.missing);
    ov[1] = ov[0];
    snprintf(ov[1].verdict, sizeof ov[1].verdict, "fail");   /* the later word stands */
    j = judge(c, s, 4, ov, 2);
    CHECK(!j.met && strstr(j.missing, "failed by an instructor"), "later fail override: %s", j.missing);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    *n = b ? fread(b, 1, (size_t)len, f) : 0;
    fclose(f);
    if (b)
        b[*n] = '\0';
    return b;
}

static void test_certificate(const curriculum *c)
{
    gb_session s[4] = { attempt("warmup", 1, 90, 1), attempt("hairline", 2, 80, 1), attempt("hairline", 3, 81, 1),
                        attempt("hairline", 4, 82.5, 1) };
    gb_cert_result r;
    CHECK(gb_certify_judge(c, s, 4, NULL, 0, &r) == 0 && r.met, "met");
    gb_person who = { .id = "amy" };
    snprintf(who.name, sizeof who.name, "Amy \"Ink\" O'Neil\x1b[2J");
    gb_keypair kp;
    crypto_sign_keypair(kp.pk, kp.sk);
    char pk[65], sig[129], code[16];
    gb_key_public_hex(&kp, pk);
    char *payload = gb_certificate_payload(c, &who, &r, "2026-12-05T10:00:00.000000Z", pk);
    CHECK(payload != NULL, "payload");
    if (!payload)
        return;
    gb_key_sign_hex(&kp, payload, strlen(payload), sig);
    gb_certificate_code(payload, sig, code);
    CHECK(strlen(code) == 12 && code[4] == '-' && code[9] == '-', "code shape %s", code);
    CHECK(gb_key_verify_hex(pk, payload, strlen(payload), sig) == 0, "signature verifies");
    for (int i = 0; i < 4; i++)
        CHECK(i == 0 || strstr(payload, s[i].hash), "payload lists exam attempt %d", i);

    char dir[] = "/tmp/stipple-cert-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "tmp");
    char pdf[256], pdf2[256];
    snprintf(pdf, sizeof pdf, "%s/c.pdf", dir);
    snprintf(pdf2, sizeof pdf2, "%s/c2.pdf", dir);
    char err[512] = "";
    CHECK(certificate_pdf_write(pdf, payload, sig, code, err, sizeof err) == 0, "write: %s", err);
    CHECK(certificate_pdf_write(pdf2, payload, sig, code, err, sizeof err) == 0, "write again: %s", err);
    size_t n1 = 0, n2 = 0;
    char *b1 = slurp(pdf, &n1), *b2 = slurp(pdf2, &n2);
    CHECK(b1 && b2 && n1 == n2 && memcmp(b1, b2, n1) == 0, "the same payload gives the same bytes");
    free(b2);

    char *back = NULL, sigback[129];
    CHECK(certificate_pdf_read(pdf, &back, sigback, err, sizeof err) == 0, "read: %s", err);
    CHECK(back && strcmp(back, payload) == 0 && strcmp(sigback, sig) == 0, "payload and signature travel in the PDF");
    free(back);

    /* one changed character of the embedded payload: the signature no longer holds */
    char *kw = NULL;
    for (size_t i = 0; b1 && !kw && i + 21 < n1; i++)
        if (memcmp(b1 + i, "(stipple-certificate:", 21) == 0)
            kw = b1 + i;
    CHECK(kw != NULL, "keywords entry");
    if (kw) {
        kw[30] = kw[30] == 'A' ? 'B' : 'A';
        FILE *f = fopen(pdf2, "wb");
        fwrite(b1, 1, n1, f);
        fclose(f);
        back = NULL;
        int rc = certificate_pdf_read(pdf2, &back, sigback, err, sizeof err);
        CHECK(rc != 0 || gb_key_verify_hex(pk, back, strlen(back), sigback) != 0, "a changed payload is caught");
        free(back);
    }
    free(b1);

    /* what the page says (pdftotext, when poppler-utils is installed) */
    char cmd[600], txt[256];
    snprintf(txt, sizeof txt, "%s/c.txt", dir);
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' '%s' 2>/dev/null", pdf, txt);
    if (system(cmd) == 0) {
        size_t tn;
        char *t = slurp(txt, &tn);
        CHECK(t && strstr(t, "Test course") && strstr(t, code) && strstr(t, "hairline"), "page text");
        CHECK(t && strstr(t, "Amy \"Ink\" O'Neil\\e[2J") && !strchr(t, 0x1b), "the name is printed escaped");
        for (int i = 1; t && i < 4; i++)
            CHECK(strstr(t, s[i].hash) != NULL, "page lists session %d's content hash", i);
        free(t);
    } else {
        printf("test_certify: pdftotext not found; page text not checked\n");
    }
    const char *keep = getenv("STIPPLE_KEEP_CERTIFICATE");   /* to look at the page */
    if (keep && *keep)
        snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -rf '%s'", pdf, keep, dir);
    else
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "cleanup");
    free(payload);
    gb_cert_result_free(&r);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    curriculum c;
    char err[512];
    if (curriculum_load_mem(curriculum_text, strlen(curriculum_text), "t", &c, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    test_rule(&c);
    test_certificate(&c);
    curriculum_free(&c);
    certificate_pdf_release_fonts();
    return check_summary("test_certify");
}
