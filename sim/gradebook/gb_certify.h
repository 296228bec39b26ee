/* gb_certify.h: judging a trainee against a curriculum's certification rule, and the
 * signed certificate that records the evidence. Certify on aggregates, never on one
 * attempt: each exam's last N counted attempts must all pass (after instructor overrides),
 * average at least the threshold, and hold no never event; every lesson must have a
 * counted pass. Only sessions that count as evidence count (signed, verified, from a
 * registered station, not synthetic; exams recorded in exam mode); overrides of "void"
 * take an attempt out.
 *
 * The certificate is a canonical JSON text (the payload) signed with the clinic's Ed25519
 * key; its verification code is the first 50 bits of BLAKE2b(payload || signature) in
 * Crockford base32, "XXXX-XXXX-XX". */
#ifndef STIPPLE_GB_CERTIFY_H
#define STIPPLE_GB_CERTIFY_H

#include <stddef.h>

#include "curriculum.h"
#include "gb_keys.h"
#include "gradebook.h"

typedef struct gb_cert_result {
    int     met;
    char   *missing;          /* one line per thing missing, "" when met (malloc'd) */
    const gb_session **evidence;  /* the attempts judged, exam by exam (pointers into the input) */
    size_t  evidence_count;
    double  exam_average[CURRICULUM_MAX_LESSONS];   /* per curriculum lesson (exams) */
} gb_cert_result;

/* sessions: the trainee's, grouped by lesson in attempt order (gradebook_sessions). 0, or -1
 * out of memory. Free with gb_cert_result_free. */
int  gb_certify_judge(const curriculum *c, const gb_session *s, size_t n, const gb_override *ov, size_t nov,
                      gb_cert_result *out);
void gb_cert_result_free(gb_cert_result *r);

/* The payload of a certificate (malloc'd JSON text), for a judged result that was met. */
char *gb_certificate_payload(const curriculum *c, const gb_person *trainee, const gb_cert_result *r,
                             const char *issued_at, const char *clinic_key_hex);
/* The verification code of a payload and its signature. */
void gb_certificate_code(const char *payload, const char *signature_hex, char code[16]);

#endif
