/* curriculum.c: reading curriculum files (see curriculum.h for the format). Line by line:
 * a keyword, then words separated by spaces or tabs; '#' starts a comment line. Every
 * problem is reported at the line and column of the word that is wrong; the first one
 * stops the reading. */
#include "curriculum.h"

#include <sodium.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct word {
    const char *s;
    size_t len, col;   /* col 1-based */
} word;

typedef struct reader {
    const char *name;
    char *err;
    size_t errlen;
    size_t line;
} reader;

static int fail(reader *r, size_t col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s:%zu:%zu: %s", r->name, r->line, col, msg);
    return -1;
}

static int word_is(const word *w, const char *s)
{
    return w->len == strlen(s) && memcmp(w->s, s, w->len) == 0;
}

/* Checks UTF-8 (no overlong forms, surrogates or NUL); returns the offset of the first
 * bad byte, or n. */
static size_t utf8_bad(const unsigned char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = t[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        unsigned cp;
        if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; }
        else return i;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (t[i + j] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (t[i + j] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF))
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += k + 1;
    }
    return n;
}

static int id_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
           || c == '.';
}

static int check_id(reader *r, const word *w, const char *what, char *dst, size_t cap)
{
    if (w->len == 0 || w->len >= cap)
        return fail(r, w->col, "%s must be 1 to %zu characters", what, cap - 1);
    for (size_t i = 0; i < w->len; i++)
        if (!id_char_ok(w->s[i]))
            return fail(r, w->col + i, "%s may use letters, digits, '-', '_' and '.' only", what);
    memcpy(dst, w->s, w->len);
    dst[w->len] = '\0';
    return 0;
}

static int parse_number(reader *r, const word *w, double lo, double hi, int integer, double *out)
{
    char buf[32];
    if (w->len == 0 || w->len >= sizeof buf)
        return fail(r, w->col, "expected a number");
    memcpy(buf, w->s, w->len);
    buf[w->len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno || v != v)
        return fail(r, w->col, "expected a number, not '%s'", buf);
    if (integer && v != (double)(long)v)
        return fail(r, w->col, "expected a whole number, not '%s'", buf);
    if (v < lo || v > hi)
        return fail(r, w->col, "%s is out of range (%g to %g)", buf, lo, hi);
    *out = v;
    return 0;
}

static int find_lesson(const curriculum *c, const word *w)
{
    for (size_t i = 0; i < c->lesson_count; i++)
        if (strlen(c->lessons[i].id) == w->len && memcmp(c->lessons[i].id, w->s, w->len) == 0)
            return (int)i;
    return -1;
}

static int parse_lesson(reader *r, curriculum *c, const word *w, size_t nw, int exam)
{
    if (nw < 2)
        return fail(r, w[0].col, "'%s' needs a lesson id", exam ? "exam" : "lesson");
    if (c->lesson_count >= CURRICULUM_MAX_LESSONS)
        return fail(r, w[0].col, "at most %d lessons", CURRICULUM_MAX_LESSONS);
    if (find_lesson(c, &w[1]) >= 0)
        return fail(r, w[1].col, "lesson '%.*s' is listed twice", (int)w[1].len, w[1].s);
    curriculum_lesson *l = &c->lessons[c->lesson_count];
    memset(l, 0, sizeof *l);
    if (check_id(r, &w[1], "a lesson id", l->id, sizeof l->id) != 0)
        return -1;
    l->exam = exam;
    l->line = r->line;
    l->column = w[1].col;
    if (nw > 2) {
        if (!word_is(&w[2], "after"))
            return fail(r, w[2].col, "expected 'after' and the lessons that come first, not '%.*s'", (int)w[2].len,
                        w[2].s);
        if (nw == 3)
            return fail(r, w[2].col, "'after' needs at least one lesson");
        for (size_t i = 3; i < nw; i++) {
            if (l->prereq_count >= CURRICULUM_MAX_PREREQS)
                return fail(r, w[i].col, "at most %d prerequisites", CURRICULUM_MAX_PREREQS);
            if (w[i].len == w[1].len && memcmp(w[i].s, w[1].s, w[1].len) == 0)
                return fail(r, w[i].col, "a lesson cannot come after itself");
            int k = find_lesson(c, &w[i]);
            if (k < 0)
                return fail(r, w[i].col, "'%.*s' is not listed above (lessons are in order: a prerequisite "
                            "comes first)", (int)(w[i].len > 63 ? 63 : w[i].len), w[i].s);
            for (size_t j = 0; j < l->prereq_count; j++)
                if (l->prereq[j] == (size_t)k)
                    return fail(r, w[i].col, "'%s' is named twice", c->lessons[k].id);
            l->prereq[l->prereq_count++] = (size_t)k;
        }
    }
    c->lesson_count++;
    return 0;
}

static const char *const never_names[] = { "outside-zone", "wrong-pigment" };

const char *curriculum_never_event_name(uint32_t flag)
{
    for (unsigned i = 0; i < 2; i++)
        if (flag == (1u << i))
            return never_names[i];
    return "?";
}

static int parse_rule(reader *r, curriculum *c, const word *w, size_t nw, uint32_t *seen)
{
    static const char *const keys[] = { "attempts", "average", "each-passed", "never-events" };
    if (nw < 2)
        return fail(r, w[0].col, "'rule' needs one of: attempts, average, each-passed, never-events");
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (word_is(&w[1], keys[i]))
            k = i;
    if (k < 0)
        return fail(r, w[1].col, "unknown rule '%.*s' (attempts, average, each-passed or never-events)",
                    (int)(w[1].len > 40 ? 40 : w[1].len), w[1].s);
    if (*seen & (1u << k))
        return fail(r, w[1].col, "rule '%s' is given twice", keys[k]);
    *seen |= 1u << k;
    if (k == 3) {
        c->never_events = 0;
        if (nw == 3 && word_is(&w[2], "none"))
            return 0;
        if (nw < 3)
            return fail(r, w[1].col, "'never-events' needs outside-zone, wrong-pigment, or none");
        for (size_t i = 2; i < nw; i++) {
            uint32_t f = 0;
            for (unsigned j = 0; j < 2; j++)
                if (word_is(&w[i], never_names[j]))
                    f = 1u << j;
            if (!f)
                return fail(r, w[i].col, "unknown never-event '%.*s' (outside-zone or wrong-pigment)",
                            (int)(w[i].len > 40 ? 40 : w[i].len), w[i].s);
            c->never_events |= f;
        }
        return 0;
    }
    if (nw != 3)
        return fail(r, nw < 3 ? w[1].col : w[3].col, "'rule %s' takes one value", keys[k]);
    double v;
    if (k == 0) {
        if (parse_number(r, &w[2], 1, CURRICULUM_MAX_ATTEMPTS, 1, &v) != 0)
            return -1;
        c->attempts = (int)v;
    } else if (k == 1) {
        if (parse_number(r, &w[2], 0, 100, 0, &v) != 0)
            return -1;
        c->average_min = v;
    } else {
        if (word_is(&w[2], "yes"))
            c->each_passed = 1;
        else if (word_is(&w[2], "no"))
            c->each_passed = 0;
        else
            return fail(r, w[2].col, "'each-passed' is yes or no");
    }
    return 0;
}

/* Splits one line into words. Returns the count, or -1 past max. */
static long split(const char *t, size_t n, word *w, size_t max)
{
    size_t nw = 0, i = 0;
    while (i < n) {
        while (i < n && (t[i] == ' ' || t[i] == '\t'))
            i++;
        if (i >= n)
            break;
        if (nw == max)
            return -1;
        w[nw].s = t + i;
        w[nw].col = i + 1;
        size_t b = i;
        while (i < n && t[i] != ' ' && t[i] != '\t')
            i++;
        w[nw].len = i - b;
        nw++;
    }
    return (long)nw;
}

int curriculum_load_mem(const char *text, size_t len, const char *name, curriculum *out, char *err, size_t errlen)
{
    reader r = { .name = name ? name : "curriculum", .err = err, .errlen = errlen, .line = 1 };
    if (len > CURRICULUM_MAX_BYTES)
        return fail(&r, 1, "the file is over %u bytes", CURRICULUM_MAX_BYTES);
    size_t bad = utf8_bad((const unsigned char *)text, len);
    if (bad < len) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < bad; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        r.line = line;
        return fail(&r, col, text[bad] ? "not valid UTF-8" : "a NUL byte");
    }
    curriculum c;
    memset(&c, 0, sizeof c);
    c.attempts = 3;
    c.average_min = 75;
    c.each_passed = 1;
    c.never_events = NEVER_OUTSIDE_ZONE | NEVER_WRONG_PIGMENT;
    c.lessons = calloc(CURRICULUM_MAX_LESSONS, sizeof *c.lessons);
    if (!c.lessons)
        return fail(&r, 1, "out of memory");
    int have_format = 0, have_id = 0, have_title = 0;
    uint32_t rules_seen = 0;
    size_t pos = 0;
    for (r.line = 1; pos < len; r.line++) {
        const char *ln = text + pos;
        const char *nl = memchr(ln, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - ln) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n && ln[n - 1] == '\r')
            n--;
        if (n > CURRICULUM_MAX_LINE) {
            fail(&r, CURRICULUM_MAX_LINE + 1, "the line is over %d bytes", CURRICULUM_MAX_LINE);
            goto bad;
        }
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)ln[i] < 0x20 && ln[i] != '\t') {
                fail(&r, i + 1, "a control character");
                goto bad;
            }
        word w[CURRICULUM_MAX_PREREQS + 8];
        long nw = split(ln, n, w, sizeof w / sizeof w[0]);
        if (nw < 0) {
            fail(&r, 1, "too many words on one line");
            goto bad;
        }
        if (nw == 0 || w[0].s[0] == '#')
            continue;
        if (!have_format) {
            if (!word_is(&w[0], "curriculum")) {
                fail(&r, w[0].col, "the first line says 'curriculum %s'", CURRICULUM_FORMAT);
                goto bad;
            }
            if (nw != 2 || !word_is(&w[1], CURRICULUM_FORMAT)) {
                fail(&r, nw > 1 ? w[1].col : w[0].col, "unknown format (this program reads %s)", CURRICULUM_FORMAT);
                goto bad;
            }
            have_format = 1;
            continue;
        }
        if (word_is(&w[0], "id")) {
            if (have_id) {
                fail(&r, w[0].col, "'id' is given twice");
                goto bad;
            }
            if (nw != 2) {
                fail(&r, nw > 2 ? w[2].col : w[0].col, "'id' takes one word");
                goto bad;
            }
            if (check_id(&r, &w[1], "the curriculum id", c.id, sizeof c.id) != 0)
                goto bad;
            have_id = 1;
        } else if (word_is(&w[0], "title")) {
            if (have_title) {
                fail(&r, w[0].col, "'title' is given twice");
                goto bad;
            }
            if (nw < 2) {
                fail(&r, w[0].col, "'title' needs text");
                goto bad;
            }
            size_t tl = (size_t)(ln + n - w[1].s);
            if (tl >= sizeof c.title) {
                fail(&r, w[1].col, "the title is over %zu bytes", sizeof c.title - 1);
                goto bad;
            }
            memcpy(c.title, w[1].s, tl);
            c.title[tl] = '\0';
            have_title = 1;
        } else if (word_is(&w[0], "lesson") || word_is(&w[0], "exam")) {
            if (parse_lesson(&r, &c, w, (size_t)nw, word_is(&w[0], "exam")) != 0)
                goto bad;
        } else if (word_is(&w[0], "rule")) {
            if (parse_rule(&r, &c, w, (size_t)nw, &rules_seen) != 0)
                goto bad;
        } else if (word_is(&w[0], "curriculum")) {
            fail(&r, w[0].col, "'curriculum' is given twice");
            goto bad;
        } else {
            fail(&r, w[0].col, "unknown keyword '%.*s' (id, title, lesson, exam, rule)",
                 (int)(w[0].len > 40 ? 40 : w[0].len), w[0].s);
            goto bad;
        }
    }
    /* what is missing is reported at the top of the file, as the lesson loader does */
    r.line = 1;
    if (!have_format) {
        fail(&r, 1, "empty: the first line says 'curriculum %s'", CURRICULUM_FORMAT);
        goto bad;
    }
    if (!have_id) {
        fail(&r, 1, "missing 'id'");
        goto bad;
    }
    if (!have_title)
        snprintf(c.title, sizeof c.title, "%s", c.id);
    int exams = 0;
    for (size_t i = 0; i < c.lesson_count; i++)
        exams += c.lessons[i].exam;
    if (!exams) {
        fail(&r, 1, "no 'exam' lesson: certification needs at least one");
        goto bad;
    }
    c.path = strdup(name ? name : "curriculum");
    if (!c.path) {
        fail(&r, 1, "out of memory");
        goto bad;
    }
    crypto_generichash(c.content_hash, sizeof c.content_hash, (const unsigned char *)text, len, NULL, 0);
    *out = c;
    return 0;
bad:
    free(c.lessons);
    return -1;
}

int curriculum_load_file(const char *path, curriculum *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(CURRICULUM_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t n = fread(buf, 1, CURRICULUM_MAX_BYTES + 1, f);
    int rerr = ferror(f);
    fclose(f);
    int rc;
    if (rerr) {
        snprintf(err, errlen, "%s: cannot read it", path);
        rc = -1;
    } else if (n > CURRICULUM_MAX_BYTES) {
        snprintf(err, errlen, "%s:1:1: the file is over %u bytes", path, CURRICULUM_MAX_BYTES);
        rc = -1;
    } else {
        rc = curriculum_load_mem(buf, n, path, out, err, errlen);
    }
    free(buf);
    return rc;
}

void curriculum_free(curriculum *c)
{
    if (!c)
        return;
    free(c->lessons);
    free(c->path);
    memset(c, 0, sizeof *c);
}

int curriculum_find(const curriculum *c, const char *lesson_id)
{
    for (size_t i = 0; i < c->lesson_count; i++)
        if (strcmp(c->lessons[i].id, lesson_id) == 0)
            return (int)i;
    return -1;
}

int curriculum_is_path(const char *path)
{
    size_t n = strlen(path);
    return n > 11 && strcmp(path + n - 11, ".curriculum") == 0;
}
