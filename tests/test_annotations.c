/* test_annotations.c: the notes sidecar. Round trip (every kind of note, bit-exact numbers);
 * bound to the session's bytes (a changed session: loaded as a mismatch with a clear message,
 * never saved over); corrupt and hostile sidecars refused with a message naming the file and
 * the problem; the session file is never written. */
#include "annotations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lesson.h"

static char dir[] = "/tmp/stipple-notes-XXXXXX";
static char session[256], sidecar[300];

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static void fill(annotations *a)
{
    annotation n;
    memset(&n, 0, sizeof n);
    n.kind = ANNOT_COMMENT;
    n.pin = ANNOT_AT_TIME;
    n.at_us = 123456789;
    snprintf(n.text, sizeof n.text, "hand drifts here \"quoted\"\nsecond line, \xC3\xA9");
    snprintf(n.author, sizeof n.author, "lead");
    annotations_add(a, &n);
    memset(&n, 0, sizeof n);
    n.pin = ANNOT_AT_DOT;
    n.dot = 412;
    snprintf(n.text, sizeof n.text, "too deep");
    annotations_add(a, &n);
    memset(&n, 0, sizeof n);
    n.pin = ANNOT_AT_REGION;
    n.region_mm[0] = -12.25;
    n.region_mm[1] = 0.1;
    n.region_mm[2] = 33.333333333333336;
    n.region_mm[3] = 1e-3;
    snprintf(n.text, sizeof n.text, "gap");
    annotations_add(a, &n);
    memset(&n, 0, sizeof n);
    n.kind = ANNOT_OVERRIDE;
    n.metric = METRIC_DEPTH;
    n.score = 81.7;
    n.has_score = 1;
    snprintf(n.text, sizeof n.text, "scar band too strict");
    annotations_add(a, &n);
    memset(&n, 0, sizeof n);   /* a verdict alone: the hairline passed */
    n.kind = ANNOT_OVERRIDE;
    n.metric = METRIC_HAIRLINE;
    n.has_verdict = 1;
    n.passed = 1;
    snprintf(n.text, sizeof n.text, "a hard line, as the client asked");
    annotations_add(a, &n);
}

static void test_round_trip(void)
{
    annotations a, b;
    char err[1024];
    CHECK(annotations_load(session, &a, err, sizeof err) == ANNOT_NONE, "no sidecar yet: %s", err);
    fill(&a);
    CHECK(annotations_save(session, &a, err, sizeof err) == 0, "save: %s", err);
    CHECK(access(sidecar, F_OK) == 0, "the sidecar is beside the session");
    int rc = annotations_load(session, &b, err, sizeof err);
    CHECK(rc == ANNOT_OK && b.count == a.count, "load: %d, %zu notes: %s", rc, b.count, err);
    for (size_t i = 0; rc == ANNOT_OK && i < a.count && i < b.count; i++) {
        const annotation *x = &a.notes[i], *y = &b.notes[i];
        CHECK(x->kind == y->kind && x->pin == y->pin && x->at_us == y->at_us && x->dot == y->dot &&
              memcmp(x->region_mm, y->region_mm, sizeof x->region_mm) == 0 && x->score == y->score &&
              x->has_score == y->has_score && x->has_verdict == y->has_verdict && x->passed == y->passed &&
              (x->kind != ANNOT_OVERRIDE || x->metric == y->metric) && !strcmp(x->text, y->text) &&
              !strcmp(x->author, y->author),
              "note %zu round-trips exactly", i + 1);
    }
    const annotation *o = annotations_override(&b, METRIC_DEPTH);
    CHECK(o && o->score == 81.7, "the depth override is found");
    CHECK(annotations_override(&b, METRIC_SPACING) == NULL, "no spacing override");
    o = annotations_override(&b, METRIC_HAIRLINE);
    CHECK(o && o->has_verdict && o->passed && !o->has_score, "the hairline's verdict override, without a score");
    char value[64];
    annotations_override_value(o, value, sizeof value);
    CHECK(!strcmp(value, "passed"), "the verdict reads 'passed', not '%s'", value);
    annotations_free(&a);
    annotations_free(&b);
}

static void test_mismatch(void)
{
    char err[1024];
    FILE *f = fopen(session, "ab");   /* the session changes: its notes no longer apply */
    fputs("x", f);
    fclose(f);
    annotations a, made;
    memset(&made, 0, sizeof made);
    fill(&made);   /* the notes the round trip saved */
    int rc = annotations_load(session, &a, err, sizeof err);
    CHECK(rc == ANNOT_MISMATCH && a.count == made.count, "a changed session: mismatch (%d), the notes still shown (%zu)", rc, a.count);
    CHECK(strstr(err, sidecar) && strstr(err, "never applied"), "the message says which file and what: %s", err);
    CHECK(annotations_save(session, &a, err, sizeof err) == -1 && strstr(err, "changed"),
          "notes of another session are never saved over it: %s", err);
    annotations_free(&a);
    annotations_free(&made);
}

static void expect_corrupt(const char *text, const char *want, const char *what)
{
    write_file(sidecar, text, strlen(text));
    annotations a;
    char err[1024] = "";
    int rc = annotations_load(session, &a, err, sizeof err);
    CHECK(rc == ANNOT_CORRUPT && a.count == 0 && strstr(err, sidecar) && strstr(err, want),
          "%s: refused (%d) with '%s' (wanted '%s')", what, rc, err, want);
    annotations_free(&a);
}

static void test_corrupt(void)
{
    const char *h = "\"session_blake2b\":\"0000000000000000000000000000000000000000000000000000000000000000\"";
    char buf[4096];
    expect_corrupt("{", "expected", "cut short");
    expect_corrupt("[]", "no \"format\"", "not an object");
    expect_corrupt("{\"format\":\"stipple-notes/9\",\"notes\":[]}", "is not one this version reads", "a future version");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",\"session_blake2b\":\"abc\",\"notes\":[]}");
    expect_corrupt(buf, "64 hex digits", "short hash");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"comment\":\"x\"}]}", h);
    expect_corrupt(buf, "pinned to one of", "unpinned comment");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"comment\":\"x\",\"at_s\":1,\"dot\":2}]}", h);
    expect_corrupt(buf, "pinned to one of", "pinned twice");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"override\":\"depth\",\"score\":101,\"reason\":\"r\"}]}", h);
    expect_corrupt(buf, "from 0 to 100", "score out of range");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"override\":\"speed\",\"score\":1,\"reason\":\"r\"}]}", h);
    expect_corrupt(buf, "must name a metric", "unknown metric");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"override\":\"depth\",\"score\":1}]}", h);
    expect_corrupt(buf, "no \"reason\"", "override without a reason");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"override\":\"depth\",\"reason\":\"r\"}]}", h);
    expect_corrupt(buf, "or both", "an override with neither a score nor a verdict");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"override\":\"depth\",\"passed\":1,\"reason\":\"r\"}]}", h);
    expect_corrupt(buf, "true or false", "a verdict that is a number");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"comment\":\"a\\u0000b\",\"dot\":1}]}", h);
    expect_corrupt(buf, "is not allowed", "NUL inside a text");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"comment\":\"x\",\"dot\":0}]}", h);
    expect_corrupt(buf, "dot number from 1", "dot 0");
    snprintf(buf, sizeof buf, "{\"format\":\"stipple-notes/1\",\"format\":\"stipple-notes/1\",%s,\"notes\":[]}", h);
    expect_corrupt(buf, "duplicate", "a key twice");
    /* a text past the limit */
    size_t big = ANNOT_MAX_TEXT + 10;
    char *t = malloc(big + 400);
    int k = snprintf(t, 400, "{\"format\":\"stipple-notes/1\",%s,\"notes\":[{\"comment\":\"", h);
    memset(t + k, 'a', big);
    snprintf(t + k + big, 64, "\",\"dot\":1}]}");
    expect_corrupt(t, "text of at most", "a comment past the limit");
    free(t);
    /* a file past the limit: refused before parsing */
    char *huge = malloc(ANNOT_MAX_FILE + 2);
    memset(huge, ' ', ANNOT_MAX_FILE + 1);
    huge[ANNOT_MAX_FILE + 1] = 0;
    expect_corrupt(huge, "larger than", "a file past the limit");
    free(huge);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    snprintf(session, sizeof session, "%s/s.stp", dir);
    CHECK(annotations_path(session, sidecar, sizeof sidecar) == 0, "path");
    write_file(session, "STPLSES\0 pretend session bytes", 31);
    uint8_t h0[32], h1[32];
    char err[256];
    annotations_hash_file(session, h0, err, sizeof err);
    test_round_trip();
    annotations_hash_file(session, h1, err, sizeof err);
    CHECK(memcmp(h0, h1, 32) == 0, "saving notes leaves the session's bytes as they were");
    test_mismatch();
    test_corrupt();
    unlink(sidecar);
    unlink(session);
    rmdir(dir);
    return check_summary("test_annotations");
}
