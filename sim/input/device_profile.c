/* device_profile.c: loading device profiles (jansson) and applying them to a device.
 * jansson knows positions only for syntax errors; for the rest a small locator re-scans the
 * (valid) text for the value at a key path, so every error is "file:line:col: ...".
 * Never exits on bad input; *out is written only on success. */
#include "device_profile.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libevdev/libevdev.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textpos.h"

#define PROFILE_MAX_BYTES (256u * 1024u)

/* ---- capabilities ------------------------------------------------------------------- */

void device_caps_from_evemu(const evemu_recording *r, device_caps *dest)
{
    memset(dest, 0, sizeof *dest);
    evemu_to_device_desc(r, &dest->desc);
    for (unsigned c = 0; c < ABS_CNT; c++) {
        if (r->abs[c].present) {
            dest->abs_present[c] = 1;
            dest->abs[c] = (device_axis){ r->abs[c].min, r->abs[c].max, r->abs[c].resolution };
        }
    }
    memcpy(dest->keys, r->bits[EV_KEY], sizeof dest->keys);
    memcpy(dest->ff, r->bits[EV_FF], sizeof dest->ff);
    for (size_t i = 0; i < sizeof dest->ff; i++)
        dest->has_ff |= dest->ff[i] != 0;
}

int device_caps_has(const device_caps *c, unsigned type, unsigned code)
{
    switch (type) {
    case EV_ABS: return code < ABS_CNT && c->abs_present[code];
    case EV_KEY: return code < KEY_CNT && ((c->keys[code / 8] >> (code % 8)) & 1);
    case EV_FF:  return code < FF_CNT && ((c->ff[code / 8] >> (code % 8)) & 1);
    default:     return 0;
    }
}

const char *device_class_name(uint32_t device_class)
{
    switch (device_class) {
    case DEVICE_CLASS_PEN_TABLET:       return "pen tablet";
    case DEVICE_CLASS_PEN_DISPLAY:      return "pen display";
    case DEVICE_CLASS_INSTRUMENTED_PEN: return "instrumented pen";
    case DEVICE_CLASS_MOUSE:            return "mouse";
    default:                            return "not a pen";
    }
}

/* ---- locating a value in valid JSON text ---------------------------------------------- */

typedef struct jscan {
    const char *t, *end;
} jscan;

static void js_ws(jscan *s)
{
    while (s->t < s->end && (*s->t == ' ' || *s->t == '\t' || *s->t == '\n' || *s->t == '\r'))
        s->t++;
}

static void js_skip_string(jscan *s)
{
    s->t++;   /* opening quote */
    while (s->t < s->end && *s->t != '"') {
        if (*s->t == '\\' && s->t + 1 < s->end)
            s->t++;
        s->t++;
    }
    if (s->t < s->end)
        s->t++;
}

static void js_skip_value(jscan *s, int depth)
{
    js_ws(s);
    if (s->t >= s->end)
        return;
    if (*s->t == '"') {
        js_skip_string(s);
    } else if (*s->t == '{' || *s->t == '[') {
        char close = *s->t == '{' ? '}' : ']';
        s->t++;
        while (s->t < s->end && depth < 64) {
            js_ws(s);
            if (s->t < s->end && *s->t == close) {
                s->t++;
                return;
            }
            if (close == '}') {
                js_skip_string(s);
                js_ws(s);
                if (s->t < s->end && *s->t == ':')
                    s->t++;
            }
            js_skip_value(s, depth + 1);
            js_ws(s);
            if (s->t < s->end && *s->t == ',')
                s->t++;
        }
    } else {
        while (s->t < s->end && !strchr(",}] \t\r\n", *s->t))
            s->t++;
    }
}

/* Offset of the value at keys[0].keys[1]... (numbers as "#N" index arrays); when a key is
 * missing, the offset of the innermost object found. */
static size_t js_locate(const char *text, size_t len, const char *const *keys, int n)
{
    jscan s = { text, text + len };
    const char *best = text;
    for (int i = 0; i < n; i++) {
        js_ws(&s);
        if (s.t >= s.end)
            break;
        best = s.t;
        if (keys[i][0] == '#' && *s.t == '[') {
            long want = strtol(keys[i] + 1, NULL, 10);
            s.t++;
            for (long k = 0; k < want && s.t < s.end; k++) {
                js_skip_value(&s, 0);
                js_ws(&s);
                if (s.t < s.end && *s.t == ',')
                    s.t++;
            }
            continue;
        }
        if (*s.t != '{')
            break;
        s.t++;
        size_t klen = strlen(keys[i]);
        int found = 0;
        while (s.t < s.end) {
            js_ws(&s);
            if (s.t >= s.end || *s.t != '"')
                break;
            const char *k0 = s.t + 1;
            js_skip_string(&s);
            int match = (size_t)(s.t - 1 - k0) == klen && memcmp(k0, keys[i], klen) == 0;
            js_ws(&s);
            if (s.t < s.end && *s.t == ':')
                s.t++;
            if (match) {
                found = 1;
                break;
            }
            js_skip_value(&s, 0);
            js_ws(&s);
            if (s.t < s.end && *s.t == ',')
                s.t++;
        }
        if (!found)
            return (size_t)(best - text);
    }
    js_ws(&s);
    return (size_t)((s.t < s.end ? s.t : best) - text);
}

typedef struct pctx {
    const char *text;
    size_t len;
    const char *name;
    char *err;
    size_t errlen;
} pctx;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail_at(pctx *c, const char *const *keys, int n, const char *fmt, ...)
{
    if (!c->err || c->errlen == 0)
        return -1;
    size_t line, col;
    text_line_col(c->text, c->len, js_locate(c->text, c->len, keys, n), &line, &col);
    int k = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->name, line, col);
    if (k >= 0 && (size_t)k < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- codes ------------------------------------------------------------------------ */

/* A code given as a libevdev name ("ABS_Z", "BTN_0", "FF_RUMBLE") or an integer; the name's
 * type must be `type`. -1 when unknown. */
static int code_from(const json_t *v, unsigned type)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        int max = type == EV_ABS ? ABS_MAX : type == EV_KEY ? KEY_MAX : type == EV_FF ? FF_MAX : -1;
        return i >= 0 && i <= max ? (int)i : -1;
    }
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    if (libevdev_event_type_from_code_name(s) != (int)type)
        return -1;
    return libevdev_event_code_from_code_name(s);
}

static const char *const channel_keys[PCH_ABS_COUNT] = {
    "x", "y", "force", "needle_depth", "tilt_x", "tilt_y", "distance",
};

static int load_channel(pctx *c, json_t *o, const char *key, profile_channel *ch)
{
    const char *path[4] = { "channels", key, "code", NULL };
    ch->code = -1;
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_object(v))
        return fail_at(c, path, 2, "\"channels.%s\" must be an object {\"code\": \"ABS_...\"}", key);
    const char *k;
    json_t *m;
    json_object_foreach(v, k, m) {
        if (strcmp(k, "code") && strcmp(k, "unit") && strcmp(k, "range")) {
            path[2] = k;
            return fail_at(c, path, 3, "unknown key \"%s\" in \"channels.%s\" (expected code, unit, range)", k, key);
        }
    }
    json_t *code = json_object_get(v, "code");
    if (!code)
        return fail_at(c, path, 2, "\"channels.%s\" needs a \"code\"", key);
    ch->code = code_from(code, EV_ABS);
    if (ch->code < 0)
        return fail_at(c, path, 3, "\"channels.%s.code\" must be an absolute axis name such as \"ABS_PRESSURE\" "
                       "or a number 0-%d", key, ABS_MAX);
    json_t *unit = json_object_get(v, "unit");
    if (unit) {
        path[2] = "unit";
        if (!json_is_string(unit) || strlen(json_string_value(unit)) >= sizeof ch->unit)
            return fail_at(c, path, 3, "\"channels.%s.unit\" must be a short string such as \"mN\"", key);
        snprintf(ch->unit, sizeof ch->unit, "%s", json_string_value(unit));
    }
    json_t *range = json_object_get(v, "range");
    if (range) {
        path[2] = "range";
        if (!json_is_array(range) || json_array_size(range) != 2 || !json_is_integer(json_array_get(range, 0)) ||
            !json_is_integer(json_array_get(range, 1)))
            return fail_at(c, path, 3, "\"channels.%s.range\" must be [min, max] in raw units (integers)", key);
        json_int_t lo = json_integer_value(json_array_get(range, 0)), hi = json_integer_value(json_array_get(range, 1));
        if (lo < INT32_MIN || hi > INT32_MAX || lo >= hi)
            return fail_at(c, path, 3, "\"channels.%s.range\" must have min < max (got [%lld, %lld])", key,
                           (long long)lo, (long long)hi);
        ch->has_range = 1;
        ch->range[0] = (int32_t)lo;
        ch->range[1] = (int32_t)hi;
    }
    return 0;
}

static int hex_id(const json_t *v, int *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || i > 0xffff)
            return -1;
        *out = (int)i;
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    char *end;
    errno = 0;
    long i = strtol(json_string_value(v), &end, 16);
    if (errno || *end || end == json_string_value(v) || i < 0 || i > 0xffff)
        return -1;
    *out = (int)i;
    return 0;
}

static const char *const class_names[] = { "auto", "pen_tablet", "pen_display", "instrumented_pen", "mouse" };
static const int class_values[] = { -1, DEVICE_CLASS_PEN_TABLET, DEVICE_CLASS_PEN_DISPLAY,
                                    DEVICE_CLASS_INSTRUMENTED_PEN, DEVICE_CLASS_MOUSE };

static int load_root(pctx *c, json_t *root, device_profile *p)
{
    const char *path[4];
    if (!json_is_object(root))
        return fail_at(c, NULL, 0, "a device profile must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v) {
        if (strcmp(k, "format") && strcmp(k, "name") && strcmp(k, "class") && strcmp(k, "match") &&
            strcmp(k, "channels") && strcmp(k, "notes")) {
            path[0] = k;
            return fail_at(c, path, 1, "unknown key \"%s\" (expected format, name, class, match, channels, notes)", k);
        }
    }
    path[0] = "format";
    v = json_object_get(root, "format");
    if (!v || !json_is_string(v) || strcmp(json_string_value(v), "stipple-device-profile/1") != 0)
        return fail_at(c, path, v ? 1 : 0, "\"format\" must be \"stipple-device-profile/1\"");
    path[0] = "name";
    v = json_object_get(root, "name");
    if (!v || !json_is_string(v) || !json_string_value(v)[0] || strlen(json_string_value(v)) >= sizeof p->name)
        return fail_at(c, path, v ? 1 : 0, "\"name\" must be a non-empty string of at most %zu bytes",
                       sizeof p->name - 1);
    snprintf(p->name, sizeof p->name, "%s", json_string_value(v));

    p->device_class = -1;
    path[0] = "class";
    v = json_object_get(root, "class");
    if (v) {
        int found = 0;
        for (size_t i = 0; i < sizeof class_names / sizeof class_names[0]; i++)
            if (json_is_string(v) && strcmp(json_string_value(v), class_names[i]) == 0) {
                p->device_class = class_values[i];
                found = 1;
            }
        if (!found)
            return fail_at(c, path, 1, "\"class\" must be one of auto, pen_tablet, pen_display, instrumented_pen, mouse");
    }

    p->match_vendor = p->match_product = -1;
    json_t *m = json_object_get(root, "match");
    path[0] = "match";
    if (m) {
        if (!json_is_object(m))
            return fail_at(c, path, 1, "\"match\" must be an object");
        json_object_foreach(m, k, v) {
            path[1] = k;
            if (strcmp(k, "name") == 0) {
                if (!json_is_string(v) || strlen(json_string_value(v)) >= sizeof p->match_name)
                    return fail_at(c, path, 2, "\"match.name\" must be a string (a part of the device name)");
                snprintf(p->match_name, sizeof p->match_name, "%s", json_string_value(v));
            } else if (strcmp(k, "vendor") == 0 || strcmp(k, "product") == 0) {
                if (hex_id(v, k[0] == 'v' ? &p->match_vendor : &p->match_product) != 0)
                    return fail_at(c, path, 2, "\"match.%s\" must be a USB id in hex such as \"0x056a\"", k);
            } else if (strcmp(k, "requires") == 0) {
                if (!json_is_array(v) || json_array_size(v) > DEVICE_PROFILE_MAX_REQUIRES)
                    return fail_at(c, path, 2, "\"match.requires\" must be an array of at most %d code names",
                                   DEVICE_PROFILE_MAX_REQUIRES);
                for (size_t i = 0; i < json_array_size(v); i++) {
                    json_t *e = json_array_get(v, i);
                    int type = json_is_string(e) ? libevdev_event_type_from_code_name(json_string_value(e)) : -1;
                    int code = json_is_string(e) ? libevdev_event_code_from_code_name(json_string_value(e)) : -1;
                    if (type < 0 || code < 0 || (type != EV_ABS && type != EV_KEY && type != EV_FF)) {
                        char idx[24];
                        snprintf(idx, sizeof idx, "#%zu", i);
                        path[2] = idx;
                        return fail_at(c, path, 3, "\"match.requires[%zu]\" must be an ABS_, BTN_/KEY_ or FF_ code name", i);
                    }
                    p->requires[p->require_count][0] = type;
                    p->requires[p->require_count][1] = code;
                    p->require_count++;
                }
            } else {
                return fail_at(c, path, 2, "unknown key \"%s\" in \"match\" (expected name, vendor, product, requires)", k);
            }
        }
    }

    for (int i = 0; i < PCH_ABS_COUNT; i++)
        p->abs[i].code = -1;
    p->machine_key = -1;
    p->ff_effect = -1;
    json_t *ch = json_object_get(root, "channels");
    path[0] = "channels";
    if (!ch || !json_is_object(ch))
        return fail_at(c, path, ch ? 1 : 0, "\"channels\" must be an object mapping needle channels to codes");
    json_object_foreach(ch, k, v) {
        int known = !strcmp(k, "machine_trigger") || !strcmp(k, "vibration");
        for (int i = 0; i < PCH_ABS_COUNT; i++)
            known |= !strcmp(k, channel_keys[i]);
        if (!known) {
            path[1] = k;
            return fail_at(c, path, 2, "unknown channel \"%s\" (expected x, y, force, needle_depth, tilt_x, tilt_y, "
                           "distance, machine_trigger, vibration)", k);
        }
    }
    for (int i = 0; i < PCH_ABS_COUNT; i++)
        if (load_channel(c, ch, channel_keys[i], &p->abs[i]) != 0)
            return -1;
    for (int i = 0; i < PCH_ABS_COUNT; i++)
        for (int j = 0; j < i; j++)
            if (p->abs[i].code >= 0 && p->abs[i].code == p->abs[j].code) {
                path[1] = channel_keys[i];
                path[2] = "code";
                return fail_at(c, path, 3, "\"channels.%s\" uses the same code as \"channels.%s\"", channel_keys[i],
                               channel_keys[j]);
            }
    v = json_object_get(ch, "machine_trigger");
    path[1] = "machine_trigger";
    if (v) {
        json_t *code = json_is_object(v) ? json_object_get(v, "code") : NULL;
        path[2] = "code";
        p->machine_key = code ? code_from(code, EV_KEY) : -1;
        if (p->machine_key <= 0)
            return fail_at(c, path, code ? 3 : 2, "\"channels.machine_trigger\" must be {\"code\": \"BTN_...\"} "
                           "naming a key or button");
    }
    v = json_object_get(ch, "vibration");
    path[1] = "vibration";
    if (v) {
        json_t *e = json_is_object(v) ? json_object_get(v, "effect") : NULL;
        path[2] = "effect";
        p->ff_effect = e ? code_from(e, EV_FF) : -1;
        if (p->ff_effect < 0)
            return fail_at(c, path, e ? 3 : 2, "\"channels.vibration\" must be {\"effect\": \"FF_RUMBLE\"} (an FF_ effect)");
        p->ff_strength = 0.5;
        p->ff_duration_ms = 40;
        json_t *s = json_object_get(v, "strength");
        path[2] = "strength";
        if (s) {
            if (!json_is_number(s) || json_number_value(s) < 0.0 || json_number_value(s) > 1.0)
                return fail_at(c, path, 3, "\"channels.vibration.strength\" must be a number in [0, 1]");
            p->ff_strength = json_number_value(s);
        }
        json_t *d = json_object_get(v, "duration_ms");
        path[2] = "duration_ms";
        if (d) {
            if (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 5000)
                return fail_at(c, path, 3, "\"channels.vibration.duration_ms\" must be an integer in [1, 5000]");
            p->ff_duration_ms = (int)json_integer_value(d);
        }
    }
    return 0;
}

int device_profile_load_mem(const char *text, size_t len, const char *name, device_profile *out, char *err,
                            size_t errlen)
{
    pctx c = { text, len, name, err, errlen };
    if (err && errlen)
        err[0] = '\0';
    if (len > PROFILE_MAX_BYTES) {
        if (err && errlen)
            snprintf(err, errlen, "%s:1:1: larger than %u bytes: not a device profile", name, PROFILE_MAX_BYTES);
        return -1;
    }
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (err && errlen)
            snprintf(err, errlen, "%s:%d:%d: %s", name, je.line > 0 ? je.line : 1, je.column > 0 ? je.column : 1,
                     je.text);
        return -1;
    }
    device_profile p;
    memset(&p, 0, sizeof p);
    int rc = load_root(&c, root, &p);
    json_decref(root);
    if (rc != 0)
        return -1;
    snprintf(p.path, sizeof p.path, "%s", name);
    *out = p;
    return 0;
}

int device_profile_load(const char *path, device_profile *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(PROFILE_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, PROFILE_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    int rc = device_profile_load_mem(buf, n, path, out, err, errlen);
    free(buf);
    return rc;
}

int device_profile_score(const device_profile *p, const device_caps *caps)
{
    int score = 0;
    for (size_t i = 0; i < p->require_count; i++)
        if (!device_caps_has(caps, (unsigned)p->requires[i][0], (unsigned)p->requires[i][1]))
            return -1;
    score += (int)p->require_count;
    if (p->match_name[0]) {
        if (!strstr(caps->desc.name, p->match_name))
            return -1;
        score += 100;
    }
    if (p->match_vendor >= 0) {
        if (p->match_vendor != caps->desc.vendor)
            return -1;
        score += 100;
    }
    if (p->match_product >= 0) {
        if (p->match_product != caps->desc.product)
            return -1;
        score += 100;
    }
    return score;
}

int device_profile_find(const char *dir, const device_caps *caps, device_profile *out, char *err, size_t errlen)
{
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return 0;
    int best = -1, rc = 0;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        device_profile p;
        if (device_profile_load(path, &p, err, errlen) != 0) {
            rc = -1;
            break;
        }
        int s = device_profile_score(&p, caps);
        /* ties go to the alphabetically first file, so the choice does not depend on readdir order */
        if (s > best || (s == best && s >= 0 && strcmp(p.path, out->path) < 0)) {
            best = s;
            *out = p;
        }
    }
    closedir(d);
    if (rc != 0)
        return -1;
    return best >= 0 ? 1 : 0;
}

const char *device_profile_dir(const char *fallback)
{
    const char *e = getenv("STIPPLE_DEVICE_PROFILES");
    return e && *e ? e : fallback;
}

static const uint8_t channel_to_evdev[PCH_ABS_COUNT] = {
    EVDEV_CH_X, EVDEV_CH_Y, EVDEV_CH_PRESSURE, EVDEV_CH_NEEDLE_DEPTH, EVDEV_CH_TILT_X, EVDEV_CH_TILT_Y,
    EVDEV_CH_DISTANCE,
};

static void axis_for(const device_profile *p, const device_caps *caps, int ch, device_axis *dest)
{
    const profile_channel *c = &p->abs[ch];
    if (c->code < 0)
        return;
    if (caps->abs_present[c->code])
        *dest = caps->abs[c->code];
    if (c->has_range) {
        dest->min = c->range[0];
        dest->max = c->range[1];
    }
}

int32_t device_profile_depth_um_per_unit(const device_profile *p)
{
    if (!p || p->abs[PCH_NEEDLE_DEPTH].code < 0)
        return 0;
    /* "<number> <unit>" or "<unit>", unit um (or µm) or mm */
    const char *s = p->abs[PCH_NEEDLE_DEPTH].unit;
    char *end;
    double factor = strtod(s, &end);
    if (end == s)
        factor = 1.0;
    while (*end == ' ')
        end++;
    double um;
    if (strcmp(end, "um") == 0 || strcmp(end, "\u00b5m") == 0)
        um = factor;
    else if (strcmp(end, "mm") == 0)
        um = factor * 1000.0;
    else
        return 0;
    double r = floor(um + 0.5);
    if (!(factor > 0.0) || fabs(um - r) > 1e-6 || r < 1.0 || r > 1000000.0)
        return 0;
    return (int32_t)r;
}

void device_profile_apply(const device_profile *p, const device_caps *caps, device_desc *desc,
                          uint8_t abs_channel[ABS_CNT], uint16_t *machine_key)
{
    *desc = caps->desc;
    memset(abs_channel, 0, ABS_CNT);
    desc->axes = 0;
    desc->x = desc->y = desc->pressure = desc->tilt_x = desc->tilt_y = desc->distance = (device_axis){ 0, 0, 0 };
    for (int i = 0; i < PCH_ABS_COUNT; i++) {
        int code = p->abs[i].code;
        if (code >= 0 && (caps->abs_present[code] || p->abs[i].has_range))
            abs_channel[code] = channel_to_evdev[i];
    }
    axis_for(p, caps, PCH_X, &desc->x);
    axis_for(p, caps, PCH_Y, &desc->y);
    axis_for(p, caps, PCH_FORCE, &desc->pressure);
    axis_for(p, caps, PCH_TILT_X, &desc->tilt_x);
    axis_for(p, caps, PCH_TILT_Y, &desc->tilt_y);
    axis_for(p, caps, PCH_DISTANCE, &desc->distance);
    if (desc->pressure.max > desc->pressure.min)
        desc->axes |= DEVICE_HAS_PRESSURE;
    if (desc->tilt_x.max > desc->tilt_x.min && desc->tilt_y.max > desc->tilt_y.min)
        desc->axes |= DEVICE_HAS_TILT;
    if (desc->distance.max > desc->distance.min)
        desc->axes |= DEVICE_HAS_DISTANCE;
    int depth_code = p->abs[PCH_NEEDLE_DEPTH].code;
    if (depth_code >= 0 && abs_channel[depth_code] == EVDEV_CH_NEEDLE_DEPTH && device_profile_depth_um_per_unit(p) > 0)
        desc->axes |= DEVICE_HAS_NEEDLE_DEPTH;
    if (p->device_class >= 0)
        desc->device_class = (uint32_t)p->device_class;
    *machine_key = p->machine_key > 0 ? (uint16_t)p->machine_key : 0;
}
