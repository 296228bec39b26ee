/* cmd_certify.c: `stipple certify`: judge a trainee against a curriculum and issue a signed
 * certificate PDF, or check one (`--verify FILE|CODE`); and the curriculum side of
 * `stipple lesson check`. */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "certificate_pdf.h"
#include "cli.h"
#include "curriculum.h"
#include "gb_certify.h"
#include "gb_keys.h"
#include "gradebook.h"
#include "lesson_dir.h"
#include "text_escape.h"

/* The curriculum side of `lesson check`: the file, and that each lesson it names is in
 * the folder beside it. 0 ok, 1 bad (message printed). */
int cli_curriculum_check(const char *path)
{
    curriculum c;
    char err[1024];
    if (curriculum_load_file(path, &c, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    char dirbuf[4096];
    snprintf(dirbuf, sizeof dirbuf, "%s", path);
    const char *dir = dirname(dirbuf);
    lesson_dir_entry *e = NULL;
    size_t n = 0;
    int bad = 0;
    if (lesson_dir_scan(dir, &e, &n) == 0) {
        for (size_t i = 0; i < c.lesson_count && !bad; i++) {
            if (!lesson_dir_find(e, n, c.lessons[i].id, NULL, NULL)) {
                fprintf(stderr, "%s:%zu:%zu: no lesson '%s' in %s\n", path, c.lessons[i].line, c.lessons[i].column,
                        c.lessons[i].id, dir);
                bad = 1;
            }
        }
        free(e);
    }
    if (!bad) {
        int exams = 0;
        for (size_t i = 0; i < c.lesson_count; i++)
            exams += c.lessons[i].exam;
        printf("%s: ok: curriculum %s \"%s\" (%zu lessons, %d exam%s; certify on the last %d attempts, average >= %.1f)\n",
               path, c.id, text_escaped(c.title), c.lesson_count, exams, exams == 1 ? "" : "s", c.attempts,
               c.average_min);
    }
    curriculum_free(&c);
    return bad;
}

typedef struct cert_args {
    const char *db, *curriculum, *output, *verify, *key;
    const char *trainee;
} cert_args;

static gradebook *open_db(const char *db)
{
    gradebook *g;
    char err[1024];
    if (!db) {
        db = getenv("STIPPLE_GRADEBOOK");
        if (db && !*db)
            db = NULL;
    }
    if (gradebook_open(db, &g, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        return NULL;
    }
    return g;
}

static int clinic_key(int make, gb_keypair *kp, int *made)
{
    char path[4096], err[1024];
    if (gb_key_path("clinic", path, sizeof path) != 0) {
        fprintf(stderr, "stipple: no home folder for the clinic's key (set XDG_CONFIG_HOME)\n");
        return -1;
    }
    if (gb_key_load(path, make, kp, made, err, sizeof err) != 0) {
        if (make)
            fprintf(stderr, "stipple: %s\n", err);
        return -1;
    }
    if (made && *made)
        fprintf(stderr, "stipple: made the clinic's signing key %s (keep it private; back it up)\n", path);
    return 0;
}

static int do_certify(const cert_args *a)
{
    curriculum c;
    char err[1024];
    if (curriculum_load_file(a->curriculum, &c, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int rc = 1;
    gb_session *s = NULL;
    gb_override *ov = NULL;
    size_t n = 0, nov = 0;
    gb_cert_result r;
    memset(&r, 0, sizeof r);
    char *payload = NULL;
    gradebook *g = open_db(a->db);
    if (!g)
        goto done;
    gb_person p;
    int found = gradebook_person_find(g, GB_TRAINEE, a->trainee, &p, err, sizeof err);
    if (found <= 0) {
        if (found == 0)
            fprintf(stderr, "stipple: no trainee '%s' in the gradebook\n", text_escaped(a->trainee));
        else
            fprintf(stderr, "stipple: %s\n", err);
        goto done;
    }
    if (gradebook_sessions(g, p.id, &s, &n, err, sizeof err) != 0
        || gradebook_overrides(g, p.id, &ov, &nov, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        goto done;
    }
    if (gb_certify_judge(&c, s, n, ov, nov, &r) != 0) {
        fprintf(stderr, "stipple: out of memory\n");
        goto done;
    }
    if (!r.met) {
        printf("%s (%s) does not yet meet %s \"%s\":\n", p.id, text_escaped(p.name), c.id, text_escaped(c.title));
        for (char *line = r.missing, *nl; line && *line; line = nl + 1) {
            nl = strchr(line, '\n');
            if (!nl)
                break;
            printf("  %.*s\n", (int)(nl - line), line);
        }
        goto done;
    }
    gb_keypair kp;
    int made = 0;
    if (clinic_key(1, &kp, &made) != 0)
        goto done;
    gb_certification cert;
    memset(&cert, 0, sizeof cert);
    gradebook_now(cert.issued_at);
    gb_key_public_hex(&kp, cert.clinic_key_hex);
    payload = gb_certificate_payload(&c, &p, &r, cert.issued_at, cert.clinic_key_hex);
    if (!payload) {
        fprintf(stderr, "stipple: out of memory\n");
        goto done;
    }
    gb_key_sign_hex(&kp, payload, strlen(payload), cert.signature_hex);
    sodium_memzero(&kp, sizeof kp);
    gb_certificate_code(payload, cert.signature_hex, cert.code);
    snprintf(cert.trainee_id, sizeof cert.trainee_id, "%s", p.id);
    snprintf(cert.curriculum_id, sizeof cert.curriculum_id, "%s", c.id);
    cert.payload = payload;
    char out[4096];
    if (a->output)
        snprintf(out, sizeof out, "%s", a->output);
    else
        snprintf(out, sizeof out, "certificate-%s-%s.pdf", p.id, cert.code);
    if (certificate_pdf_write(out, payload, cert.signature_hex, cert.code, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        goto done;
    }
    if (gradebook_certification_put(g, &cert, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s (the certificate %s was written but is not recorded)\n", err, out);
        goto done;
    }
    printf("%s (%s) meets %s: certificate %s written, verification code %s (%zu attempts as evidence)\n", p.id,
           text_escaped(p.name), c.id, text_escaped(out), cert.code, r.evidence_count);
    rc = 0;
done:
    certificate_pdf_release_fonts();
    free(payload);
    gb_cert_result_free(&r);
    free(s);
    free(ov);
    gradebook_close(g);
    curriculum_free(&c);
    return rc;
}

/* Checks a payload's signature, its code, and whose key signed it. 0 valid, 1 not. */
static int check_payload(const char *payload, const char *sig, const char *want_code, const char *trusted_key,
                         const char *what)
{
    json_error_t je;
    json_t *root = json_loads(payload, 0, &je);
    const char *key = root ? json_string_value(json_object_get(root, "clinic_key")) : NULL;
    char code[16];
    gb_certificate_code(payload, sig, code);
    int rc = 1;
    if (!root || !key || strcmp(json_string_value(json_object_get(root, "format")) ? json_string_value(json_object_get(root, "format")) : "", "stipple-certificate/1") != 0)
        printf("%s: NOT valid: not a Stipple certificate\n", what);
    else if (gb_key_verify_hex(key, payload, strlen(payload), sig) != 0)
        printf("%s: NOT valid: the signature does not match the contents (altered)\n", what);
    else if (want_code && strcmp(code, want_code) != 0)
        printf("%s: NOT valid: the verification code %s does not belong to these contents\n", what, want_code);
    else if (!trusted_key)
        printf("%s: NOT valid: signed by key %.16s..., and no clinic key to trust here (use --key HEX)\n", what, key);
    else if (strcmp(key, trusted_key) != 0)
        printf("%s: NOT valid: signed by key %.16s..., not by the trusted clinic key %.16s...\n", what, key,
               trusted_key);
    else {
        json_t *t = json_object_get(root, "trainee"), *c = json_object_get(root, "curriculum");
        printf("%s: valid: certificate %s for %s (%s), curriculum %s, issued %.10s, %zu attempts as evidence\n",
               what, code, text_escaped(json_string_value(json_object_get(t, "name"))),
               text_escaped(json_string_value(json_object_get(t, "id"))),
               text_escaped(json_string_value(json_object_get(c, "id"))),
               json_string_value(json_object_get(root, "issued_at")) ? json_string_value(json_object_get(root, "issued_at")) : "?",
               json_array_size(json_object_get(root, "evidence")));
        rc = 0;
    }
    json_decref(root);
    return rc;
}

static int do_verify(const cert_args *a)
{
    char trusted[65] = "";
    if (a->key) {
        if (strlen(a->key) != 64) {
            fprintf(stderr, "stipple certify: --key is 64 hex digits\n");
            return 2;
        }
        snprintf(trusted, sizeof trusted, "%s", a->key);
    } else {
        gb_keypair kp;
        if (clinic_key(0, &kp, NULL) == 0)
            gb_key_public_hex(&kp, trusted);
        sodium_memzero(&kp, sizeof kp);
    }
    struct stat st;
    char err[1024];
    if (stat(a->verify, &st) == 0) {
        char *payload = NULL, sig[129];
        if (certificate_pdf_read(a->verify, &payload, sig, err, sizeof err) != 0) {
            printf("%s: NOT valid: %s\n", text_escaped(a->verify), err);
            return 1;
        }
        int rc = check_payload(payload, sig, NULL, trusted[0] ? trusted : NULL, text_escaped(a->verify));
        free(payload);
        return rc;
    }
    gradebook *g = open_db(a->db);
    if (!g)
        return 1;
    gb_certification c;
    char code[24];
    snprintf(code, sizeof code, "%s", a->verify);
    for (char *p = code; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    int found = gradebook_certification_get(g, code, &c, err, sizeof err);
    gradebook_close(g);
    if (found < 0) {
        fprintf(stderr, "stipple: %s\n", err);
        return 1;
    }
    if (found == 0) {
        printf("%s: NOT valid: no certificate with this code in the gradebook (nor a file of that name)\n",
               text_escaped(a->verify));
        return 1;
    }
    int rc = check_payload(c.payload, c.signature_hex, c.code, trusted[0] ? trusted : NULL, c.code);
    free(c.payload);
    return rc;
}

enum { OPT_CURRICULUM = CLI_LONG, OPT_VERIFY, OPT_KEY, OPT_DB };

static const cli_option certify_options[] = {
    { OPT_CURRICULUM, "curriculum", "FILE", "the curriculum whose rule is judged (lessons/*.curriculum)" },
    { 'o', "output", "FILE", "the certificate PDF (default certificate-TRAINEE-CODE.pdf)" },
    { OPT_VERIFY, "verify", "FILE|CODE", "check a certificate file, or a code against the gradebook" },
    { OPT_KEY, "key", "HEX", "with --verify: the clinic public key to trust (default: this clinic's own)" },
    { OPT_DB, "db", "PATH|URI", "the gradebook (default $STIPPLE_GRADEBOOK, else $XDG_DATA_HOME/stipple/gradebook.db)" },
    { 0 }
};

static int run_certify(const cli_command *cmd, int argc, char **argv)
{
    cert_args a;
    memset(&a, 0, sizeof a);
    cli_args ca;
    cli_args_init(&ca, cmd, argc, argv);
    for (int k; (k = cli_args_next(&ca)) != CLI_END;) {
        switch (k) {
        case OPT_CURRICULUM: a.curriculum = ca.value; break;
        case 'o': a.output = ca.value; break;
        case OPT_VERIFY: a.verify = ca.value; break;
        case OPT_KEY: a.key = ca.value; break;
        case OPT_DB: a.db = ca.value; break;
        default: return cli_args_exit(k);
        }
    }
    if (a.verify) {
        if (ca.npos || a.curriculum)
            return cli_usage_error(cmd, "--verify takes a file or a code and nothing else");
        return do_verify(&a);
    }
    if (ca.npos != 1 || !a.curriculum)
        return cli_usage_error(cmd, "name one trainee and --curriculum FILE");
    a.trainee = ca.pos[0];
    return do_certify(&a);
}

const cli_command cli_cmd_certify = {
    "certify", "TRAINEE --curriculum FILE | --verify FILE|CODE", "issue or check a signed training certificate",
    certify_options, run_certify,
    "Judges the trainee's sessions in the gradebook against the curriculum's rule. When it is met,\n"
    "writes a certificate PDF listing the evidence, signed by the clinic's key\n"
    "($XDG_CONFIG_HOME/stipple/keys/clinic.key, made on first use), with a short verification code;\n"
    "otherwise says exactly what is missing (exit 1). Only signed, verified sessions from registered\n"
    "stations count; synthetic and unsigned ones never do.\n"
};
