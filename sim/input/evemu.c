/* evemu.c: the evemu-record text format, parsed by hand (no sscanf, no libevdev) so that it
 * is fast (a benchmark measures MB/s), runs anywhere, and never trusts its input: every
 * number is range-checked, every bitmap write bounds-checked, and the first problem is
 * reported as "name:line: what is wrong". A libFuzzer target (tests/fuzz/fuzz_evemu.c)
 * includes this file directly, so it must stay free of libevdev.
 *
 * Lines: "# ..." comment; "N: name"; "I: bus vendor product version" (hex);
 * "P: byte..." properties (hex, appended 8 at a time); "B: type byte..." capability bitmap of
 * one event type (appended); "A: code min max fuzz flat [resolution]" (code hex, the rest
 * decimal); "E: sec.usec type code value" (type/code hex, value decimal; evemu writes
 * MSC_SERIAL as a signed 32-bit value), optionally followed by "# comment". */
#include "evemu.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVEMU_MAX_FILE_BYTES (1024ull * 1024ull * 1024ull)

typedef struct cursor {
    const char *p, *end;
} cursor;

typedef struct pstate {
    const char *name;
    size_t line;
    char *err;
    size_t errlen;
    size_t prop_bytes;
    size_t bit_bytes[EV_CNT];
    size_t cap;
} pstate;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(pstate *s, const char *fmt, ...)
{
    if (!s->err || s->errlen == 0)
        return -1;
    int k = snprintf(s->err, s->errlen, "%s:%zu: ", s->name, s->line);
    if (k >= 0 && (size_t)k < s->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->err + k, s->errlen - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static void skip_blanks(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

/* The rest of the line is blank or a comment. */
static int at_line_end(cursor *c)
{
    skip_blanks(c);
    return c->p == c->end || *c->p == '#' || *c->p == '\r';
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Unsigned hex (optional 0x) up to max. 0 or -1. */
static int parse_hex(cursor *c, uint64_t max, uint64_t *out)
{
    skip_blanks(c);
    if (c->end - c->p >= 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X') &&
        c->end - c->p >= 3 && hexval(c->p[2]) >= 0)
        c->p += 2;
    uint64_t v = 0;
    const char *start = c->p;
    while (c->p < c->end) {
        int h = hexval(*c->p);
        if (h < 0)
            break;
        v = v * 16 + (uint64_t)h;
        if (v > max)
            return -1;
        c->p++;
    }
    if (c->p == start)
        return -1;
    *out = v;
    return 0;
}

/* Signed decimal in [lo, hi]. 0 or -1. */
static int parse_dec(cursor *c, int64_t lo, int64_t hi, int64_t *out)
{
    skip_blanks(c);
    int neg = 0;
    if (c->p < c->end && (*c->p == '-' || *c->p == '+')) {
        neg = *c->p == '-';
        c->p++;
    }
    const char *start = c->p;
    uint64_t v = 0;
    uint64_t lim = neg ? (lo < 0 ? (uint64_t)(-(lo + 1)) + 1u : 0u) : (uint64_t)(hi < 0 ? 0 : hi);
    while (c->p < c->end && (unsigned)(*c->p - '0') <= 9u) {
        v = v * 10u + (uint64_t)(*c->p - '0');
        if (v > lim)
            return -1;
        c->p++;
    }
    if (c->p == start)
        return -1;
    int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    if (r < lo || r > hi)
        return -1;
    *out = r;
    return 0;
}

/* Whitespace must follow a field (or the line ends). */
static int field_end(cursor *c)
{
    return c->p == c->end || *c->p == ' ' || *c->p == '\t' || *c->p == '\r';
}

/* "sec.usec": seconds and a fraction of up to 9 digits, kept to microseconds. */
static int parse_time(cursor *c, int64_t *sec, int64_t *usec)
{
    int64_t s;
    if (parse_dec(c, 0, INT64_C(4000000000000), &s) != 0)   /* year ~128000: plenty */
        return -1;
    int64_t us = 0;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        int digits = 0;
        while (c->p < c->end && (unsigned)(*c->p - '0') <= 9u) {
            if (digits < 6)
                us = us * 10 + (*c->p - '0');
            else if (digits >= 9)
                return -1;
            digits++;
            c->p++;
        }
        if (digits == 0)
            return -1;
        for (; digits < 6; digits++)
            us *= 10;
    }
    *sec = s;
    *usec = us;
    return field_end(c) ? 0 : -1;
}

static int parse_event(pstate *s, cursor *c, evemu_recording *r)
{
    int64_t sec, usec, value;
    uint64_t type, code;
    if (parse_time(c, &sec, &usec) != 0)
        return fail(s, "bad event time (expected seconds.microseconds, e.g. 12.000345)");
    if (parse_hex(c, EV_MAX, &type) != 0 || !field_end(c))
        return fail(s, "bad event type (expected hex 0000-%04x)", EV_MAX);
    if (parse_hex(c, KEY_MAX, &code) != 0 || !field_end(c))
        return fail(s, "bad event code (expected hex 0000-%04x)", KEY_MAX);
    if (parse_dec(c, INT32_MIN, UINT32_MAX, &value) != 0 || !field_end(c))
        return fail(s, "bad event value (expected a 32-bit decimal integer)");
    if (!at_line_end(c))
        return fail(s, "unexpected text after the event value");
    if (r->event_count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        if (cap > SIZE_MAX / sizeof *r->events)
            return fail(s, "too many events");
        struct input_event *ne = realloc(r->events, cap * sizeof *ne);
        if (!ne)
            return fail(s, "out of memory");
        r->events = ne;
        s->cap = cap;
    }
    struct input_event *e = &r->events[r->event_count++];
    memset(e, 0, sizeof *e);
    e->input_event_sec = (__typeof__(e->input_event_sec))sec;
    e->input_event_usec = (__typeof__(e->input_event_usec))usec;
    e->type = (uint16_t)type;
    e->code = (uint16_t)code;
    uint32_t u = (uint32_t)(value & 0xffffffff);
    int32_t v;
    memcpy(&v, &u, sizeof v);
    e->value = v;
    return 0;
}

static int parse_name(pstate *s, cursor *c, evemu_recording *r)
{
    skip_blanks(c);
    const char *e = c->end;
    while (e > c->p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    size_t n = (size_t)(e - c->p);
    if (n == 0)
        return fail(s, "empty device name");
    if (n >= sizeof r->name)
        n = sizeof r->name - 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)c->p[i] < 0x20)
            return fail(s, "control character in the device name");
    memcpy(r->name, c->p, n);
    r->name[n] = '\0';
    r->has_description = 1;
    return 0;
}

static int parse_id(pstate *s, cursor *c, evemu_recording *r)
{
    uint64_t v[4];
    for (int i = 0; i < 4; i++)
        if (parse_hex(c, 0xffff, &v[i]) != 0 || !field_end(c))
            return fail(s, "bad device id (expected \"I: bus vendor product version\" as 4-digit hex)");
    if (!at_line_end(c))
        return fail(s, "unexpected text after the device id");
    r->bustype = (uint16_t)v[0];
    r->vendor = (uint16_t)v[1];
    r->product = (uint16_t)v[2];
    r->version = (uint16_t)v[3];
    r->has_description = 1;
    return 0;
}

/* Hex bytes to the end of the line, appended to dst at *used (bounded by cap). */
static int parse_bytes(pstate *s, cursor *c, uint8_t *dst, size_t cap, size_t *used, const char *what)
{
    while (!at_line_end(c)) {
        uint64_t b;
        if (parse_hex(c, 0xff, &b) != 0 || !field_end(c))
            return fail(s, "bad %s byte (expected two hex digits)", what);
        if (*used >= cap) {
            /* evemu pads bitmaps to whole lines; extra zero bytes are harmless, others not */
            if (b != 0)
                return fail(s, "%s longer than %zu bytes", what, cap);
            continue;
        }
        dst[(*used)++] = (uint8_t)b;
    }
    return 0;
}

static int parse_bits(pstate *s, cursor *c, evemu_recording *r)
{
    uint64_t type;
    if (parse_hex(c, 0xff, &type) != 0 || !field_end(c))
        return fail(s, "bad bitmap line (expected \"B: type bytes...\" in hex)");
    if (type >= EV_CNT)
        return fail(s, "bitmap for unknown event type 0x%02x (max 0x%02x)", (unsigned)type, EV_MAX);
    r->has_description = 1;
    return parse_bytes(s, c, r->bits[type], sizeof r->bits[type], &s->bit_bytes[type], "capability bitmap");
}

static int parse_abs(pstate *s, cursor *c, evemu_recording *r)
{
    uint64_t code;
    int64_t v[5] = { 0, 0, 0, 0, 0 };
    if (parse_hex(c, 0xff, &code) != 0 || !field_end(c))
        return fail(s, "bad absinfo code (expected hex)");
    if (code >= ABS_CNT)
        return fail(s, "absinfo for unknown axis 0x%02x (max 0x%02x)", (unsigned)code, ABS_MAX);
    for (int i = 0; i < 5; i++) {
        if (i == 4 && at_line_end(c))
            break;   /* old evemu versions had no resolution */
        if (parse_dec(c, INT32_MIN, INT32_MAX, &v[i]) != 0 || !field_end(c))
            return fail(s, "bad absinfo (expected \"A: code min max fuzz flat resolution\")");
    }
    if (!at_line_end(c))
        return fail(s, "unexpected text after the absinfo");
    if (v[0] > v[1])
        return fail(s, "axis 0x%02x: min %lld is above max %lld", (unsigned)code, (long long)v[0], (long long)v[1]);
    evemu_absinfo *a = &r->abs[code];
    a->present = 1;
    a->min = (int32_t)v[0];
    a->max = (int32_t)v[1];
    a->fuzz = (int32_t)v[2];
    a->flat = (int32_t)v[3];
    a->resolution = (int32_t)v[4];
    r->has_description = 1;
    return 0;
}

int evemu_parse(const char *text, size_t len, const char *name, evemu_recording *out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    evemu_recording *r = calloc(1, sizeof *r);
    if (!r) {
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    pstate s;
    memset(&s, 0, sizeof s);
    s.name = name;
    s.err = err;
    s.errlen = errlen;
    /* a guess at the event count (about 33 bytes a line) saves most reallocations */
    s.cap = len / 32 + 16;
    r->events = malloc(s.cap * sizeof *r->events);
    if (!r->events) {
        free(r);
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }

    const char *p = text, *end = text + len;
    int rc = 0;
    while (p < end && rc == 0) {
        s.line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        cursor c = { p, le };
        p = nl ? nl + 1 : end;
        if (c.p == c.end)
            continue;
        char k = c.p[0];
        if (k == '#' || (k == '\r' && c.end - c.p == 1))
            continue;
        if (c.end - c.p < 2 || c.p[1] != ':') {
            if (memchr(c.p, '\0', (size_t)(c.end - c.p)))
                rc = fail(&s, "NUL byte in the text (not an evemu recording?)");
            else
                rc = fail(&s, "expected a line starting with \"E:\", \"N:\", \"I:\", \"P:\", \"B:\", \"A:\" or \"#\"");
            break;
        }
        c.p += 2;
        switch (k) {
        case 'E': rc = parse_event(&s, &c, r); break;
        case 'N': rc = parse_name(&s, &c, r); break;
        case 'I': rc = parse_id(&s, &c, r); break;
        case 'P':
            r->has_description = 1;
            rc = parse_bytes(&s, &c, r->props, sizeof r->props, &s.prop_bytes, "property bitmap");
            break;
        case 'B': rc = parse_bits(&s, &c, r); break;
        case 'A': rc = parse_abs(&s, &c, r); break;
        case 'S': case 'L': case 'D':   /* evemu's switch/LED/"D:" lines: description only */
            r->has_description = 1;
            break;
        default:
            rc = fail(&s, "unknown line type \"%c:\" (expected E, N, I, P, B or A)",
                      (k >= 0x20 && k < 0x7f) ? k : '?');
        }
    }
    if (rc != 0) {
        evemu_free(r);
        free(r);
        return -1;
    }
    *out = *r;
    free(r);
    return 0;
}

static int read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= EVEMU_MAX_FILE_BYTES) {
            free(b);
            fclose(f);
            snprintf(err, errlen, "%s: larger than 1 GiB", path);
            return -1;
        }
        char *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b || bad) {
        free(b);
        snprintf(err, errlen, "%s: %s", path, b ? "read error" : "out of memory");
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

static int load_one(const char *path, evemu_recording *out, char *err, size_t errlen)
{
    char *buf;
    size_t len;
    if (read_file(path, &buf, &len, err, errlen) != 0)
        return -1;
    int rc = evemu_parse(buf, len, path, out, err, errlen);
    free(buf);
    return rc;
}

static void copy_description(evemu_recording *dst, const evemu_recording *src)
{
    memcpy(dst->name, src->name, sizeof dst->name);
    dst->bustype = src->bustype;
    dst->vendor = src->vendor;
    dst->product = src->product;
    dst->version = src->version;
    memcpy(dst->props, src->props, sizeof dst->props);
    memcpy(dst->bits, src->bits, sizeof dst->bits);
    memcpy(dst->abs, src->abs, sizeof dst->abs);
    dst->has_description = 1;
}

int evemu_load(const char *path, const char *desc_path, evemu_recording *out, char *err, size_t errlen)
{
    char tmp_err[1];
    if (!err || errlen == 0) {
        err = tmp_err;
        errlen = sizeof tmp_err;
    }
    evemu_recording r;
    if (load_one(path, &r, err, errlen) != 0)
        return -1;
    if (!r.has_description) {
        char guess[4096];
        const char *dp = desc_path;
        if (!dp) {
            size_t n = strlen(path);
            if (n > 7 && strcmp(path + n - 7, ".events") == 0 && n - 7 + 6 < sizeof guess) {
                memcpy(guess, path, n - 7);
                memcpy(guess + n - 7, ".desc", 6);
                FILE *f = fopen(guess, "rb");
                if (f) {
                    fclose(f);
                    dp = guess;
                }
            }
        }
        if (!dp) {
            snprintf(err, errlen, "%s: no device description (N:, I:, B:, A: lines); give its .desc file (--desc FILE)",
                     path);
            evemu_free(&r);
            return -1;
        }
        evemu_recording d;
        if (load_one(dp, &d, err, errlen) != 0) {
            evemu_free(&r);
            return -1;
        }
        if (!d.has_description) {
            snprintf(err, errlen, "%s: holds no device description", dp);
            evemu_free(&d);
            evemu_free(&r);
            return -1;
        }
        copy_description(&r, &d);
        evemu_free(&d);
    }
    *out = r;
    return 0;
}

void evemu_free(evemu_recording *r)
{
    if (!r)
        return;
    free(r->events);
    r->events = NULL;
    r->event_count = 0;
}

int evemu_has(const evemu_recording *r, unsigned type, unsigned code)
{
    if (type >= EV_CNT || code / 8 >= sizeof r->bits[0])
        return 0;
    if (type == EV_ABS && code < ABS_CNT && r->abs[code].present)
        return 1;
    return (r->bits[type][code / 8] >> (code % 8)) & 1;
}

static int has_prop(const evemu_recording *r, unsigned prop)
{
    return prop / 8 < sizeof r->props && ((r->props[prop / 8] >> (prop % 8)) & 1);
}

static void axis_from(const evemu_recording *r, unsigned code, device_axis *a)
{
    const evemu_absinfo *i = &r->abs[code];
    a->min = i->min;
    a->max = i->max;
    a->resolution = i->resolution;
}

void evemu_to_device_desc(const evemu_recording *r, device_desc *dest)
{
    memset(dest, 0, sizeof *dest);
    memcpy(dest->name, r->name, sizeof dest->name);
    dest->name[sizeof dest->name - 1] = '\0';
    dest->bustype = r->bustype;
    dest->vendor = r->vendor;
    dest->product = r->product;
    dest->version = r->version;
    int has_x = r->abs[ABS_X].present, has_y = r->abs[ABS_Y].present;
    if (has_x)
        axis_from(r, ABS_X, &dest->x);
    if (has_y)
        axis_from(r, ABS_Y, &dest->y);
    if (r->abs[ABS_PRESSURE].present) {
        axis_from(r, ABS_PRESSURE, &dest->pressure);
        dest->axes |= DEVICE_HAS_PRESSURE;
    }
    if (r->abs[ABS_TILT_X].present && r->abs[ABS_TILT_Y].present) {
        axis_from(r, ABS_TILT_X, &dest->tilt_x);
        axis_from(r, ABS_TILT_Y, &dest->tilt_y);
        dest->axes |= DEVICE_HAS_TILT;
    }
    if (r->abs[ABS_DISTANCE].present) {
        axis_from(r, ABS_DISTANCE, &dest->distance);
        dest->axes |= DEVICE_HAS_DISTANCE;
    }
    int pen_tool = evemu_has(r, EV_KEY, BTN_TOOL_PEN) || evemu_has(r, EV_KEY, BTN_STYLUS);
    int pen = pen_tool || (has_x && has_y && r->abs[ABS_PRESSURE].present);
    if (pen && has_x && has_y)
        dest->device_class = has_prop(r, INPUT_PROP_DIRECT) ? DEVICE_CLASS_PEN_DISPLAY : DEVICE_CLASS_PEN_TABLET;
    else if (r->abs[ABS_PRESSURE].present && !has_x)
        dest->device_class = DEVICE_CLASS_INSTRUMENTED_PEN;   /* force without position */
    else if (evemu_has(r, EV_REL, REL_X) && evemu_has(r, EV_KEY, BTN_LEFT))
        dest->device_class = DEVICE_CLASS_MOUSE;
    else
        dest->device_class = DEVICE_CLASS_VIRTUAL;   /* nothing Stipple can use as a pen */
}
