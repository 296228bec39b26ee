/* test_report_who.c: who practised, when and how reach every report. A session whose
 * format 2 header names a trainee (with quotes and a terminal escape in the name), a
 * wall-clock start, exam mode and a live origin is graded as text, JSON and CSV and made
 * into a PDF: each says the same trainee and date, and no control character gets through.
 * The session is the expert's on the spacing drill with its header rewritten here (the
 * writer is the core's own), so the dots and scores are a real session's. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "report.h"
#include "session.h"

static int failures;
#define CHECK(cond, ...)                                                                                 \
    do {                                                                                                 \
        if (!(cond)) {                                                                                   \
            failures++;                                                                                  \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                       \
            fprintf(stderr, __VA_ARGS__);                                                                \
            fputc('\n', stderr);                                                                         \
        }                                                                                                \
    } while (0)

#define WORK STIPPLE_BINARY_DIR "/tests/test_report_who.work"
#define BIN  STIPPLE_BINARY_DIR "/stipple"

/* Everything a command prints on stdout, malloc'd ("" on failure, never NULL). */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    buf[0] = '\0';
    if (!p)
        return buf;
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
    }
    buf[len] = '\0';
    pclose(p);
    return buf;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' && *s != '\r' && *s != '\f')
            return 1;
    return 0;
}

/* One CSV record split into cells (RFC 4180 quoting); returns the count. Cells are malloc'd. */
static size_t csv_cells(const char **pos, char **cells, size_t max)
{
    const char *s = *pos;
    size_t n = 0;
    while (*s && n < max) {
        char *c = malloc(strlen(s) + 1), *o = c;
        if (!c)
            abort();
        if (*s == '"') {
            for (s++; *s; s++) {
                if (*s == '"' && s[1] == '"') {
                    *o++ = '"';
                    s++;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *o++ = *s;
                }
            }
        } else {
            while (*s && *s != ',' && *s != '\n' && *s != '\r')
                *o++ = *s++;
        }
        *o = '\0';
        cells[n++] = c;
        if (*s == ',') {
            s++;
            continue;
        }
        while (*s == '\r' || *s == '\n')
            s++;
        break;
    }
    *pos = s;
    return n;
}

static const char *csv_get(char **head, size_t nh, char **row, size_t nr, const char *name)
{
    for (size_t i = 0; i < nh && i < nr; i++)
        if (!strcmp(head[i], name))
            return row[i];
    return NULL;
}

int main(void)
{
    char cmd[4096];
    char err[256];
    if (system("rm -rf '" WORK "' && mkdir -p '" WORK "'") != 0)
        return 1;
    snprintf(cmd, sizeof cmd,
             "'%s' simulate --lesson '%s/lessons/01-spacing-drill.json' --trainee expert --seed 3 -o '%s/sim.stp' "
             ">/dev/null 2>&1",
             BIN, STIPPLE_SOURCE_DIR, WORK);
    if (system(cmd) != 0) {
        fprintf(stderr, "FAIL: stipple simulate\n");
        return 1;
    }

    /* the same events under a header that says who, when and how */
    session_data d;
    if (session_load_file(WORK "/sim.stp", &d, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: load: %s\n", err);
        return 1;
    }
    session_header h = d.header;
    const char *name = "Zo\xc3\xab \"Q\" O'Neil,\x1b]0;pwned\x07 jr";
    snprintf(h.trainee_id, sizeof h.trainee_id, "%s", name);
    h.start_utc_us = 1764921600LL * 1000000 + 123456;   /* a Friday morning in December 2025 */
    h.exam_mode = 1;
    h.origin = SESSION_ORIGIN_LIVE_DEVICE;
    h.synthetic = 0;
    snprintf(h.source, sizeof h.source, "live");
    session_writer *w = session_writer_open(WORK "/who.stp", &h, err, sizeof err);
    CHECK(w != NULL, "writer: %s", err);
    for (size_t i = 0; w && i < d.event_count; i++)
        CHECK(session_writer_add(w, &d.events[i]) == 0, "add event %zu", i);
    CHECK(session_writer_close(w, d.end_t_us) == 0, "close");
    session_data_free(&d);

    /* what each report must say, computed from the header */
    char iso[32];
    report_utc_text(h.start_utc_us, iso, sizeof iso);
    CHECK(strlen(iso) == 20 && iso[10] == 'T' && iso[19] == 'Z', "ISO date '%s'", iso);
    time_t t = (time_t)(h.start_utc_us / 1000000);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    char year[8];
    strftime(year, sizeof year, "%Y", &tmv);
    CHECK(strncmp(iso, year, 4) == 0, "ISO date starts with the year");

    /* JSON: the raw name (JSON escapes it), the date, exam and origin */
    char *js = run("'" BIN "' grade --json '" WORK "/who.stp' 2>/dev/null");
    json_error_t je;
    json_t *root = json_loads(js, 0, &je);
    CHECK(root != NULL, "grade --json parses: %s", je.text);
    json_t *sess = json_object_get(root, "session");
    CHECK(json_is_string(json_object_get(sess, "trainee")) &&
              !strcmp(json_string_value(json_object_get(sess, "trainee")), name),
          "JSON trainee is the recorded name");
    CHECK(json_is_string(json_object_get(sess, "started_utc")) &&
              !strcmp(json_string_value(json_object_get(sess, "started_utc")), iso),
          "JSON started_utc %s", iso);
    CHECK(json_is_true(json_object_get(sess, "exam")), "JSON exam");
    CHECK(json_is_string(json_object_get(sess, "origin")) &&
              !strcmp(json_string_value(json_object_get(sess, "origin")), session_origin_name(SESSION_ORIGIN_LIVE_DEVICE)),
          "JSON origin");
    CHECK(json_is_false(json_object_get(sess, "synthetic")), "JSON synthetic false");
    json_int_t pen_samples = json_integer_value(json_object_get(sess, "pen_samples"));
    CHECK(pen_samples > 0, "JSON pen_samples");
    json_decref(root);
    free(js);

    /* the simulated original: no trainee, no date, synthetic */
    js = run("'" BIN "' grade --json '" WORK "/sim.stp' 2>/dev/null");
    root = json_loads(js, 0, &je);
    sess = json_object_get(root, "session");
    CHECK(json_is_null(json_object_get(sess, "started_utc")), "a simulated session has no start");
    CHECK(json_is_true(json_object_get(sess, "synthetic")), "a simulated session is synthetic");
    char sim_trainee[64] = "";
    if (json_is_string(json_object_get(sess, "trainee")))
        snprintf(sim_trainee, sizeof sim_trainee, "%s", json_string_value(json_object_get(sess, "trainee")));
    json_decref(root);
    free(js);

    /* text: a Trainee line, escaped */
    char *txt = run("'" BIN "' grade '" WORK "/who.stp' 2>/dev/null");
    CHECK(strstr(txt, "Trainee:  Zo\xc3\xab \"Q\" O'Neil,") != NULL, "text names the trainee:\n%s", txt);
    CHECK(strstr(txt, iso) != NULL, "text gives the start %s", iso);
    CHECK(strstr(txt, "exam") != NULL, "text says exam");
    CHECK(!has_control(txt), "no control characters in the text report");
    free(txt);

    /* CSV: trainee and date columns of the one row */
    char *csv = run("'" BIN "' grade --csv '" WORK "/who.stp' '" WORK "/sim.stp' 2>/dev/null");
    CHECK(!has_control(csv), "no control characters in the CSV");
    const char *pos = csv;
    char *head[512], *row[512], *row2[512];
    size_t nh = csv_cells(&pos, head, 512), nr = csv_cells(&pos, row, 512), nr2 = csv_cells(&pos, row2, 512);
    CHECK(nh > 10 && nr == nh && nr2 == nh, "CSV rows as wide as the header (%zu, %zu, %zu)", nh, nr, nr2);
    const char *ct = csv_get(head, nh, row, nr, "trainee"), *cd = csv_get(head, nh, row, nr, "date");
    CHECK(ct && !strncmp(ct, "Zo\xc3\xab \"Q\" O'Neil,", 14), "CSV trainee '%s'", ct ? ct : "(none)");
    CHECK(cd && !strcmp(cd, iso), "CSV date '%s' is the recorded start %s", cd ? cd : "(none)", iso);
    const char *ct2 = csv_get(head, nh, row2, nr2, "trainee");
    CHECK(ct2 && !strcmp(ct2, sim_trainee), "CSV trainee of the simulated session is its JSON's ('%s')", sim_trainee);
    const char *cd2 = csv_get(head, nh, row2, nr2, "date");
    CHECK(cd2 && strcmp(cd2, iso) != 0, "the simulated session has its own date column");
    for (size_t i = 0; i < nh; i++)
        free(head[i]);
    for (size_t i = 0; i < nr; i++)
        free(row[i]);
    for (size_t i = 0; i < nr2; i++)
        free(row2[i]);
    free(csv);

    /* PDF page 1 */
    if (system("command -v pdftotext >/dev/null 2>&1") != 0) {
        fprintf(stderr, "skip: pdftotext (poppler-utils) is not installed\n");
        return failures ? 1 : 77;
    }
    snprintf(cmd, sizeof cmd, "'%s' report --no-views '%s/who.stp' -o '%s/who.pdf' >/dev/null 2>&1", BIN, WORK, WORK);
    CHECK(system(cmd) == 0, "stipple report");
    char *pdf = run("pdftotext -f 1 -l 1 '" WORK "/who.pdf' - 2>/dev/null");
    CHECK(strstr(pdf, "Zo\xc3\xab \"Q\" O'Neil,") != NULL, "page 1 names the trainee:\n%s", pdf);
    CHECK(!has_control(pdf), "no control characters on page 1");
    CHECK(strstr(pdf, iso) != NULL, "page 1 gives the start %s", iso);
    CHECK(strstr(pdf, year) != NULL, "page 1 gives the year %s", year);
    CHECK(strstr(pdf, "exam") != NULL, "page 1 says exam");
    char reports[64];   /* input quality counts the session's pen reports, as grade does */
    snprintf(reports, sizeof reports, "%lld pen reports", (long long)pen_samples);
    CHECK(strstr(pdf, reports) != NULL, "page 1 says '%s'", reports);
    free(pdf);

    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
