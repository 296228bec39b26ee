/* session.c: writing and reading session files.
 *
 * Byte layout (format version 1). Every multi-byte integer is little-endian and is
 * serialised byte by byte; a float is its IEEE-754 binary32 bit pattern as a u32.
 * varint = unsigned LEB128 (7 bits per byte, low group first, at most 10 bytes);
 * zz = a signed value zigzag-mapped ((v << 1) ^ (v >> 63)) and then written as a varint.
 * str = u8 length n, then n bytes, no NUL (n <= size of the char array - 1). The writer
 *       cuts a string that fills its whole array to size - 1 bytes; the reader always
 *       NUL-terminates.
 *
 *   file    = magic chunk*
 *   magic   = "STPLSES\0"                                    8 bytes
 *   chunk   = u8 type, u32 n, n payload bytes, u32 crc       crc = CRC-32 (IEEE 802.3,
 *             reflected, poly 0xEDB88320, init and xorout 0xFFFFFFFF) of type, n, payload
 *   The first chunk is a header ('H'), then event chunks ('E'), then one end chunk ('Z').
 *
 *   'H' header payload, exactly:
 *     u32 format_version (1; the writer always writes SESSION_FORMAT_VERSION)
 *     str program_version (<= 31)      str lesson_id (<= 63)      32 bytes lesson_hash
 *     str source (<= 31)               u64 seed
 *     device:      str name (<= 79), u16 bustype, u16 vendor, u16 product, u16 version,
 *                  u32 device_class (0..4), u32 axes (bits 0..3),
 *                  6 x (i32 min, i32 max, i32 resolution) for x, y, pressure, tilt_x,
 *                  tilt_y, distance
 *     calibration: f32 activation, f32 saturation, f32 gamma, f32 travel_at_full_mm
 *
 *   'E' event payload, exactly (each chunk decodes on its own):
 *     varint t_base     the time of the chunk's first event (us)
 *     varint count      events in the chunk, 1 .. payload length
 *     records until `count` events are read. Each record starts with a u8 kind:
 *       1 PEN     varint k (a run of k consecutive pen samples), then k samples:
 *                   u8 mask, then one value per set bit, in bit order:
 *                   bit 0 dt        zz(dt - previous dt)
 *                   bit 1 x         zz(x - previous x)
 *                   bit 2 y         zz(y - previous y)
 *                   bit 3 pressure  zz(pressure - previous pressure)
 *                   bit 4 tilt_x    zz(tilt_x - previous tilt_x)
 *                   bit 5 tilt_y    zz(tilt_y - previous tilt_y)
 *                   bit 6 distance  zz(distance - previous distance)
 *                   bit 7 flags     varint v: flags = v & 0x1F (the new value, not a
 *                                   delta); when v & 0x20, zz(needle_depth_um - previous)
 *                                   follows (instrumented pens; other pens never set it)
 *                 A clear bit means "same as the previous sample". dt is the time since
 *                 the previous pen sample of the chunk (t_base for the first one). At the
 *                 start of every chunk the previous dt and all previous fields are 0, so
 *                 the first sample of a chunk is absolute.
 *       2 VIEW    varint dt, f32 target_mm[3], yaw_deg, pitch_deg, distance_mm,
 *                 fov_y_deg, aspect
 *       3 MACHINE varint dt, u8 on (0 or 1)
 *       4 NEEDLE  varint dt, u8 config (1 or 3), f32 diameter_mm
 *       5 SHADE   varint dt, zz value (>= 0)
 *       6 SYN_DROPPED varint dt, zz value (>= 0)
 *       7 PAUSE   varint dt, zz value (>= 0)
 *       8 RESUME  varint dt
 *     For records other than PEN, dt is the time since the previous event of any kind
 *     (t_base for the first). Times never decrease, within and across chunks, and lie in
 *     0 .. 2^60 us. Floats are finite. Pen flags use bits 0..4 only. A chunk whose content
 *     breaks any of these rules counts as damaged, as does one with a bad CRC.
 *
 *   'Z' end payload: u64 end_t_us (>= the last event's time). Nothing follows it.
 *
 * Writing: events are buffered and sealed into an 'E' chunk (fwrite + fflush) once they
 * span SESSION_CHUNK_SPAN_US or number SESSION_CHUNK_MAX_EVENTS; session_writer_tick seals
 * a chunk whose first event is older than SESSION_CHUNK_SPAN_US.
 *
 * Reading: a bad magic, a missing, damaged or unknown-version header is an error; after
 * that, every good chunk up to the first damaged, truncated or unexpected one is kept. */
#include "session.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_CHUNK_MAX_EVENTS 512
#define CHUNK_HEADER 'H'
#define CHUNK_EVENTS 'E'
#define CHUNK_END    'Z'
#define CHUNK_FRAME  9u                       /* type + length + crc */
#define T_MAX        ((int64_t)1 << 60)       /* largest time accepted, in us */
#define PEN_FLAGS_ALL 0x1Fu
#define PEN_DEPTH_FOLLOWS 0x20u                 /* in a pen flags varint: a depth delta follows */
#define HEADER_MAX   1024u                    /* no valid header payload is longer */
#define FILE_MAX     ((size_t)1 << 31)        /* session_load_file refuses larger files */
/* Worst case bytes of one encoded event: kind + run length + mask + 9 varints, or a view. */
#define EVENT_MAX_BYTES 112u

static const uint8_t session_magic[8] = { 'S', 'T', 'P', 'L', 'S', 'E', 'S', 0 };

/* --- small helpers ---------------------------------------------------------------- */

static void set_msg(char *buf, size_t len, const char *fmt, ...)
{
    if (!buf || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    static const uint32_t nibble[16] = {
        0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
        0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
        0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
    };
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nibble[crc & 15u];
        crc = (crc >> 4) ^ nibble[crc & 15u];
    }
    return crc;
}

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    return crc32_update(0xFFFFFFFFu, p, n) ^ 0xFFFFFFFFu;
}

static uint64_t zz_encode(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? UINT64_MAX : 0);
}

static int64_t zz_decode(uint64_t u)
{
    /* (u >> 1) fits in int64; for odd u the value is -(u >> 1) - 1, which never overflows. */
    int64_t half = (int64_t)(u >> 1);
    return (u & 1u) ? -half - 1 : half;
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float f32_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* --- byte output (into a buffer sized by the caller) -------------------------------- */

typedef struct bout {
    uint8_t *p;
    size_t   n, cap;
    int      overflow;
} bout;

static void put_u8(bout *b, uint8_t v)
{
    if (b->n >= b->cap) {
        b->overflow = 1;
        return;
    }
    b->p[b->n++] = v;
}

static void put_u16(bout *b, uint16_t v)
{
    put_u8(b, (uint8_t)(v & 0xFFu));
    put_u8(b, (uint8_t)(v >> 8));
}

static void put_u32(bout *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put_u8(b, (uint8_t)((v >> (8 * i)) & 0xFFu));
}

static void put_u64(bout *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        put_u8(b, (uint8_t)((v >> (8 * i)) & 0xFFu));
}

static void put_i32(bout *b, int32_t v) { put_u32(b, (uint32_t)v); }
static void put_f32(bout *b, float f) { put_u32(b, f32_bits(f)); }

static void put_varint(bout *b, uint64_t v)
{
    while (v >= 0x80u) {
        put_u8(b, (uint8_t)((v & 0x7Fu) | 0x80u));
        v >>= 7;
    }
    put_u8(b, (uint8_t)v);
}

static void put_zz(bout *b, int64_t v) { put_varint(b, zz_encode(v)); }

static void put_str(bout *b, const char *s, size_t field_size)
{
    size_t n = strnlen(s, field_size - 1);
    put_u8(b, (uint8_t)n);
    for (size_t i = 0; i < n; i++)
        put_u8(b, (uint8_t)s[i]);
}

/* --- byte input (bounds-checked; any short read sets `bad`) ------------------------- */

typedef struct bin {
    const uint8_t *p;
    size_t n, pos;
    int    bad;
} bin;

static uint8_t get_u8(bin *b)
{
    if (b->bad || b->pos >= b->n) {
        b->bad = 1;
        return 0;
    }
    return b->p[b->pos++];
}

static uint16_t get_u16(bin *b)
{
    uint16_t lo = get_u8(b);
    uint16_t hi = get_u8(b);
    return (uint16_t)(lo | (uint16_t)(hi << 8));
}

static uint32_t get_u32(bin *b)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)get_u8(b) << (8 * i);
    return v;
}

static uint64_t get_u64(bin *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)get_u8(b) << (8 * i);
    return v;
}

static int32_t get_i32(bin *b)
{
    uint32_t u = get_u32(b);
    /* two's complement without implementation-defined conversion */
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

static float get_f32(bin *b) { return f32_from_bits(get_u32(b)); }

static uint64_t get_varint(bin *b)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t c = get_u8(b);
        if (b->bad)
            return 0;
        if (shift == 63 && (c & 0x7Eu)) {   /* would not fit in 64 bits */
            b->bad = 1;
            return 0;
        }
        v |= (uint64_t)(c & 0x7Fu) << shift;
        if (!(c & 0x80u))
            return v;
    }
    b->bad = 1;   /* more than 10 bytes */
    return 0;
}

static int64_t get_zz(bin *b) { return zz_decode(get_varint(b)); }

static void get_str(bin *b, char *dest, size_t field_size)
{
    memset(dest, 0, field_size);
    size_t n = get_u8(b);
    if (b->bad || n > field_size - 1 || n > b->n - b->pos) {
        b->bad = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char c = (char)b->p[b->pos + i];
        if (c == 0) {   /* the writer never writes a NUL inside a string */
            b->bad = 1;
            return;
        }
        dest[i] = c;
    }
    b->pos += n;
}

/* --- validation shared by writer and reader ---------------------------------------- */

static int finite_f(float f) { return isfinite(f) != 0; }

static const char *header_problem(const session_header *h)
{
    const device_desc *d = &h->device;
    if (d->device_class > DEVICE_CLASS_MOUSE)
        return "device class out of range";
    if (d->axes & ~(uint32_t)(DEVICE_HAS_PRESSURE | DEVICE_HAS_TILT | DEVICE_HAS_DISTANCE | DEVICE_HAS_NEEDLE_DEPTH))
        return "unknown device axis bits";
    const pen_calibration *c = &h->calibration;
    if (!finite_f(c->activation) || !finite_f(c->saturation) || !finite_f(c->gamma) ||
        !finite_f(c->travel_at_full_mm))
        return "calibration value is not finite";
    /* Ranges a real calibration can have (saturation may pass 1: calibration.c
     * extrapolates it so that pressing harder than a deep dot still goes deeper). */
    if (!(c->activation >= 0.0f && c->activation < c->saturation && c->saturation <= 10.0f))
        return "calibration activation/saturation out of range";
    if (!(c->gamma > 0.0f && c->gamma <= 20.0f) || !(c->travel_at_full_mm > 0.0f && c->travel_at_full_mm <= 5.0f))
        return "calibration gamma or travel out of range";
    return NULL;
}

/* Checks the fields of an event (not its time order). NULL when valid. */
static const char *event_problem(const session_event *ev)
{
    if (ev->t_us < 0 || ev->t_us > T_MAX)
        return "time out of range";
    switch (ev->kind) {
    case SEV_PEN:
        if (ev->u.pen.t_us != ev->t_us)
            return "pen sample time differs from event time";
        if (ev->u.pen.flags & ~PEN_FLAGS_ALL)
            return "unknown pen flags";
        if (ev->u.pen.needle_depth_um < 0 || ev->u.pen.needle_depth_um > PEN_NEEDLE_DEPTH_MAX_UM)
            return "needle depth out of range";
        return NULL;
    case SEV_VIEW: {
        const view_state *v = &ev->u.view;
        if (!finite_f(v->target_mm[0]) || !finite_f(v->target_mm[1]) || !finite_f(v->target_mm[2]) ||
            !finite_f(v->yaw_deg) || !finite_f(v->pitch_deg) || !finite_f(v->distance_mm) ||
            !finite_f(v->fov_y_deg) || !finite_f(v->aspect))
            return "view value is not finite";
        return NULL;
    }
    case SEV_MACHINE:
        return ev->u.value == 0 || ev->u.value == 1 ? NULL : "machine state is not 0 or 1";
    case SEV_NEEDLE:
        if (ev->u.needle.config != NEEDLE_1RL && ev->u.needle.config != NEEDLE_3RL)
            return "unknown needle configuration";
        return finite_f(ev->u.needle.diameter_mm) && ev->u.needle.diameter_mm > 0.0f && ev->u.needle.diameter_mm <= 1.0f
            ? NULL : "needle diameter is not in (0, 1] mm";
    case SEV_SHADE:
    case SEV_SYN_DROPPED:
    case SEV_PAUSE:
        return ev->u.value >= 0 ? NULL : "negative value";
    case SEV_RESUME:
        return NULL;
    default:
        return "unknown event kind";
    }
}

/* --- encoding ----------------------------------------------------------------------- */

static void encode_header(bout *b, const session_header *h)
{
    put_u32(b, SESSION_FORMAT_VERSION);
    put_str(b, h->program_version, sizeof h->program_version);
    put_str(b, h->lesson_id, sizeof h->lesson_id);
    for (size_t i = 0; i < sizeof h->lesson_hash; i++)
        put_u8(b, h->lesson_hash[i]);
    put_str(b, h->source, sizeof h->source);
    put_u64(b, h->seed);
    const device_desc *d = &h->device;
    put_str(b, d->name, sizeof d->name);
    put_u16(b, d->bustype);
    put_u16(b, d->vendor);
    put_u16(b, d->product);
    put_u16(b, d->version);
    put_u32(b, d->device_class);
    put_u32(b, d->axes);
    const device_axis *ax[6] = { &d->x, &d->y, &d->pressure, &d->tilt_x, &d->tilt_y, &d->distance };
    for (int i = 0; i < 6; i++) {
        put_i32(b, ax[i]->min);
        put_i32(b, ax[i]->max);
        put_i32(b, ax[i]->resolution);
    }
    put_f32(b, h->calibration.activation);
    put_f32(b, h->calibration.saturation);
    put_f32(b, h->calibration.gamma);
    put_f32(b, h->calibration.travel_at_full_mm);
}

static int decode_header(bin *b, session_header *h)
{
    memset(h, 0, sizeof *h);
    h->format_version = get_u32(b);
    get_str(b, h->program_version, sizeof h->program_version);
    get_str(b, h->lesson_id, sizeof h->lesson_id);
    for (size_t i = 0; i < sizeof h->lesson_hash; i++)
        h->lesson_hash[i] = get_u8(b);
    get_str(b, h->source, sizeof h->source);
    h->seed = get_u64(b);
    device_desc *d = &h->device;
    get_str(b, d->name, sizeof d->name);
    d->bustype = get_u16(b);
    d->vendor = get_u16(b);
    d->product = get_u16(b);
    d->version = get_u16(b);
    d->device_class = get_u32(b);
    d->axes = get_u32(b);
    device_axis *ax[6] = { &d->x, &d->y, &d->pressure, &d->tilt_x, &d->tilt_y, &d->distance };
    for (int i = 0; i < 6; i++) {
        ax[i]->min = get_i32(b);
        ax[i]->max = get_i32(b);
        ax[i]->resolution = get_i32(b);
    }
    h->calibration.activation = get_f32(b);
    h->calibration.saturation = get_f32(b);
    h->calibration.gamma = get_f32(b);
    h->calibration.travel_at_full_mm = get_f32(b);
    return b->bad || b->pos != b->n ? -1 : 0;
}

/* Encodes events [0, n) (valid, in time order) as an 'E' payload. */
static void encode_events(bout *b, const session_event *ev, size_t n)
{
    put_varint(b, (uint64_t)ev[0].t_us);
    put_varint(b, (uint64_t)n);
    int64_t prev_t = ev[0].t_us, prev_pen_t = ev[0].t_us, prev_dt = 0;
    pen_sample prev;
    memset(&prev, 0, sizeof prev);
    size_t i = 0;
    while (i < n) {
        const session_event *e = &ev[i];
        if (e->kind == SEV_PEN) {
            size_t k = 1;
            while (i + k < n && ev[i + k].kind == SEV_PEN)
                k++;
            put_u8(b, SEV_PEN);
            put_varint(b, (uint64_t)k);
            for (size_t j = 0; j < k; j++) {
                const pen_sample *s = &ev[i + j].u.pen;
                int64_t dt = s->t_us - prev_pen_t;
                uint8_t mask = 0;
                if (dt != prev_dt)                mask |= 1u << 0;
                if (s->x != prev.x)               mask |= 1u << 1;
                if (s->y != prev.y)               mask |= 1u << 2;
                if (s->pressure != prev.pressure) mask |= 1u << 3;
                if (s->tilt_x != prev.tilt_x)     mask |= 1u << 4;
                if (s->tilt_y != prev.tilt_y)     mask |= 1u << 5;
                if (s->distance != prev.distance) mask |= 1u << 6;
                int depth_changed = s->needle_depth_um != prev.needle_depth_um;
                if (s->flags != prev.flags || depth_changed) mask |= 1u << 7;
                put_u8(b, mask);
                if (mask & (1u << 0)) put_zz(b, dt - prev_dt);
                if (mask & (1u << 1)) put_zz(b, (int64_t)s->x - prev.x);
                if (mask & (1u << 2)) put_zz(b, (int64_t)s->y - prev.y);
                if (mask & (1u << 3)) put_zz(b, (int64_t)s->pressure - prev.pressure);
                if (mask & (1u << 4)) put_zz(b, (int64_t)s->tilt_x - prev.tilt_x);
                if (mask & (1u << 5)) put_zz(b, (int64_t)s->tilt_y - prev.tilt_y);
                if (mask & (1u << 6)) put_zz(b, (int64_t)s->distance - prev.distance);
                if (mask & (1u << 7)) {
                    put_varint(b, s->flags | (depth_changed ? PEN_DEPTH_FOLLOWS : 0u));
                    if (depth_changed)
                        put_zz(b, (int64_t)s->needle_depth_um - prev.needle_depth_um);
                }
                prev = *s;
                prev_dt = dt;
                prev_pen_t = s->t_us;
                prev_t = s->t_us;
            }
            i += k;
            continue;
        }
        put_u8(b, (uint8_t)e->kind);
        put_varint(b, (uint64_t)(e->t_us - prev_t));
        switch (e->kind) {
        case SEV_VIEW:
            for (int c = 0; c < 3; c++)
                put_f32(b, e->u.view.target_mm[c]);
            put_f32(b, e->u.view.yaw_deg);
            put_f32(b, e->u.view.pitch_deg);
            put_f32(b, e->u.view.distance_mm);
            put_f32(b, e->u.view.fov_y_deg);
            put_f32(b, e->u.view.aspect);
            break;
        case SEV_MACHINE:
            put_u8(b, (uint8_t)e->u.value);
            break;
        case SEV_NEEDLE:
            put_u8(b, (uint8_t)e->u.needle.config);
            put_f32(b, e->u.needle.diameter_mm);
            break;
        case SEV_SHADE:
        case SEV_SYN_DROPPED:
        case SEV_PAUSE:
            put_zz(b, e->u.value);
            break;
        default: /* SEV_RESUME: time only */
            break;
        }
        prev_t = e->t_us;
        i++;
    }
}

/* Adds a bounded delta to a 32-bit field; -1 when the result leaves int32. */
static int add_delta_i32(int32_t *v, int64_t delta)
{
    if (delta > ((int64_t)1 << 33) || delta < -((int64_t)1 << 33))
        return -1;
    int64_t r = (int64_t)*v + delta;
    if (r < INT32_MIN || r > INT32_MAX)
        return -1;
    *v = (int32_t)r;
    return 0;
}

/* Decodes an 'E' payload into out[0..count). `min_t` is the last time already read.
 * Returns the number of events, or 0 with *why set when the chunk is invalid. */
static size_t decode_events(const uint8_t *p, size_t n, int64_t min_t, session_event **events,
                            size_t have, size_t *cap, const char **why)
{
    bin b = { p, n, 0, 0 };
    uint64_t t_base = get_varint(&b);
    uint64_t count = get_varint(&b);
    if (b.bad) {
        *why = "malformed chunk preamble (start time, count)";
        return 0;
    }
    if (t_base > (uint64_t)T_MAX || (int64_t)t_base < min_t) {
        *why = "chunk start time out of order";
        return 0;
    }
    if (count == 0 || count > n) {   /* every event takes at least one byte */
        *why = "bad event count";
        return 0;
    }
    if (count > SIZE_MAX / sizeof(session_event) - have) {
        *why = "too many events";
        return 0;
    }
    size_t need = have + (size_t)count;
    if (need > *cap) {
        size_t ncap = *cap ? *cap : 256;
        while (ncap < need)
            ncap = ncap > SIZE_MAX / 2 / sizeof(session_event) ? need : ncap * 2;
        session_event *grown = realloc(*events, ncap * sizeof(session_event));
        if (!grown) {
            *why = "out of memory";
            return 0;
        }
        *events = grown;
        *cap = ncap;
    }
    session_event *out = *events + have;

    int64_t prev_t = (int64_t)t_base, prev_pen_t = (int64_t)t_base, prev_dt = 0;
    pen_sample prev;
    memset(&prev, 0, sizeof prev);
    size_t got = 0;
    while (got < count) {
        uint8_t kind = get_u8(&b);
        if (b.bad)
            break;
        if (kind == SEV_PEN) {
            uint64_t k = get_varint(&b);
            if (b.bad || k == 0 || k > count - got) {
                *why = "bad pen run length";
                return 0;
            }
            for (uint64_t j = 0; j < k; j++) {
                uint8_t mask = get_u8(&b);
                pen_sample s = prev;
                int64_t dt = prev_dt;
                if (mask & (1u << 0)) {
                    int64_t dd = get_zz(&b);
                    if (dd > T_MAX || dd < -T_MAX) {
                        *why = "pen time step out of range";
                        return 0;
                    }
                    dt = prev_dt + dd;
                }
                int bad = 0;
                if (mask & (1u << 1)) bad |= add_delta_i32(&s.x, get_zz(&b));
                if (mask & (1u << 2)) bad |= add_delta_i32(&s.y, get_zz(&b));
                if (mask & (1u << 3)) bad |= add_delta_i32(&s.pressure, get_zz(&b));
                if (mask & (1u << 4)) bad |= add_delta_i32(&s.tilt_x, get_zz(&b));
                if (mask & (1u << 5)) bad |= add_delta_i32(&s.tilt_y, get_zz(&b));
                if (mask & (1u << 6)) bad |= add_delta_i32(&s.distance, get_zz(&b));
                if (mask & (1u << 7)) {
                    uint64_t f = get_varint(&b);
                    if (f > (PEN_FLAGS_ALL | PEN_DEPTH_FOLLOWS))
                        bad = 1;
                    s.flags = (uint32_t)(f & PEN_FLAGS_ALL);
                    if (f & PEN_DEPTH_FOLLOWS) {
                        bad |= add_delta_i32(&s.needle_depth_um, get_zz(&b));
                        bad |= s.needle_depth_um < 0 || s.needle_depth_um > PEN_NEEDLE_DEPTH_MAX_UM;
                    }
                }
                if (b.bad) {
                    *why = "truncated pen sample";
                    return 0;
                }
                if (bad) {
                    *why = "pen value out of range";
                    return 0;
                }
                if (dt < 0 || dt > T_MAX - prev_pen_t || prev_pen_t + dt < prev_t) {
                    *why = "pen sample time out of order";
                    return 0;
                }
                s.t_us = prev_pen_t + dt;
                session_event *e = &out[got++];
                memset(e, 0, sizeof *e);
                e->kind = SEV_PEN;
                e->t_us = s.t_us;
                e->u.pen = s;
                prev = s;
                prev_dt = dt;
                prev_pen_t = s.t_us;
                prev_t = s.t_us;
            }
            continue;
        }
        uint64_t dt = get_varint(&b);
        if (b.bad)
            break;
        if (dt > (uint64_t)(T_MAX - prev_t)) {
            *why = "event time out of range";
            return 0;
        }
        session_event *e = &out[got];
        memset(e, 0, sizeof *e);
        e->kind = kind;
        e->t_us = prev_t + (int64_t)dt;
        switch (kind) {
        case SEV_VIEW:
            for (int c = 0; c < 3; c++)
                e->u.view.target_mm[c] = get_f32(&b);
            e->u.view.yaw_deg = get_f32(&b);
            e->u.view.pitch_deg = get_f32(&b);
            e->u.view.distance_mm = get_f32(&b);
            e->u.view.fov_y_deg = get_f32(&b);
            e->u.view.aspect = get_f32(&b);
            break;
        case SEV_MACHINE:
            e->u.value = get_u8(&b);
            break;
        case SEV_NEEDLE:
            e->u.needle.config = get_u8(&b);
            e->u.needle.diameter_mm = get_f32(&b);
            break;
        case SEV_SHADE:
        case SEV_SYN_DROPPED:
        case SEV_PAUSE: {
            int64_t v = get_zz(&b);
            if (v < INT32_MIN || v > INT32_MAX) {
                *why = "event value out of range";
                return 0;
            }
            e->u.value = (int32_t)v;
            break;
        }
        case SEV_RESUME:
            break;
        default:
            *why = "unknown event kind";
            return 0;
        }
        if (b.bad)
            break;
        const char *problem = event_problem(e);
        if (problem) {
            *why = problem;
            return 0;
        }
        prev_t = e->t_us;
        got++;
    }
    if (b.bad) {
        *why = "truncated event";
        return 0;
    }
    if (b.pos != b.n) {
        *why = "extra bytes after the last event";
        return 0;
    }
    return got;
}

/* --- writer ------------------------------------------------------------------------- */

struct session_writer {
    FILE    *f;
    int      own;          /* opened by path: close it */
    int      failed;       /* a write failed: every later call fails */
    uint64_t bytes;
    int64_t  last_t;       /* time of the last event added (or -1) */
    size_t   n;
    session_event buf[SESSION_CHUNK_MAX_EVENTS];
    uint8_t  out[CHUNK_FRAME + 32 + SESSION_CHUNK_MAX_EVENTS * EVENT_MAX_BYTES];
};

/* Frames payload out[5 .. 5 + len) as a chunk of `type` and writes it. */
static int write_chunk(session_writer *w, uint8_t type, size_t len)
{
    if (w->failed)
        return -1;
    bout b = { w->out, 0, sizeof w->out, 0 };
    put_u8(&b, type);
    put_u32(&b, (uint32_t)len);
    b.n = 5 + len;
    put_u32(&b, crc32_ieee(w->out, 5 + len));
    if (b.overflow || fwrite(w->out, 1, b.n, w->f) != b.n || fflush(w->f) != 0) {
        w->failed = 1;
        return -1;
    }
    w->bytes += b.n;
    return 0;
}

static int seal(session_writer *w)
{
    if (w->n == 0)
        return w->failed ? -1 : 0;
    bout b = { w->out + 5, 0, sizeof w->out - CHUNK_FRAME, 0 };
    encode_events(&b, w->buf, w->n);
    w->n = 0;
    if (b.overflow) {   /* cannot happen: the buffer holds the worst case */
        w->failed = 1;
        return -1;
    }
    return write_chunk(w, CHUNK_EVENTS, b.n);
}

session_writer *session_writer_open_stream(FILE *f, const session_header *h, char *err, size_t errlen)
{
    if (!f || !h) {
        set_msg(err, errlen, "session: no file or header");
        return NULL;
    }
    const char *problem = header_problem(h);
    if (problem) {
        set_msg(err, errlen, "session: bad header: %s", problem);
        return NULL;
    }
    session_writer *w = calloc(1, sizeof *w);
    if (!w) {
        set_msg(err, errlen, "session: out of memory");
        return NULL;
    }
    w->f = f;
    w->last_t = -1;
    bout b = { w->out + 5, 0, HEADER_MAX, 0 };
    encode_header(&b, h);
    if (fwrite(session_magic, 1, sizeof session_magic, f) != sizeof session_magic ||
        write_chunk(w, CHUNK_HEADER, b.n) != 0) {
        set_msg(err, errlen, "session: cannot write the header: %s", strerror(errno));
        free(w);
        return NULL;
    }
    w->bytes += sizeof session_magic;
    return w;
}

session_writer *session_writer_open(const char *path, const session_header *h, char *err, size_t errlen)
{
    if (!path) {
        set_msg(err, errlen, "session: no path");
        return NULL;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        set_msg(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return NULL;
    }
    session_writer *w = session_writer_open_stream(f, h, err, errlen);
    if (!w) {
        fclose(f);
        return NULL;
    }
    w->own = 1;
    return w;
}

int session_writer_add(session_writer *w, const session_event *ev)
{
    if (!w || !ev || w->failed)
        return -1;
    if (event_problem(ev) || ev->t_us < w->last_t)
        return -1;
    session_event *e = &w->buf[w->n++];
    memset(e, 0, sizeof *e);
    e->kind = ev->kind;
    e->t_us = ev->t_us;
    switch (ev->kind) {
    case SEV_PEN:    e->u.pen = ev->u.pen; break;
    case SEV_VIEW:   e->u.view = ev->u.view; break;
    case SEV_NEEDLE: e->u.needle = ev->u.needle; break;
    case SEV_RESUME: break;
    default:         e->u.value = ev->u.value; break;
    }
    w->last_t = ev->t_us;
    if (w->n >= SESSION_CHUNK_MAX_EVENTS || e->t_us - w->buf[0].t_us >= SESSION_CHUNK_SPAN_US)
        return seal(w);
    return 0;
}

int session_writer_tick(session_writer *w, int64_t now_us)
{
    if (!w || w->failed)
        return -1;
    if (w->n > 0 && now_us - w->buf[0].t_us >= SESSION_CHUNK_SPAN_US)
        return seal(w);
    return 0;
}

int session_writer_close(session_writer *w, int64_t end_t_us)
{
    if (!w)
        return 0;
    int rc = seal(w);
    if (end_t_us < w->last_t)
        end_t_us = w->last_t;
    if (end_t_us < 0)
        end_t_us = 0;
    if (end_t_us > T_MAX)
        end_t_us = T_MAX;
    bout b = { w->out + 5, 0, 8, 0 };
    put_u64(&b, (uint64_t)end_t_us);
    if (write_chunk(w, CHUNK_END, b.n) != 0)
        rc = -1;
    if (w->own && fclose(w->f) != 0)
        rc = -1;
    free(w);
    return rc;
}

void session_writer_abandon(session_writer *w)
{
    if (!w)
        return;
    if (w->own)
        fclose(w->f);
    free(w);
}

uint64_t session_writer_bytes(const session_writer *w)
{
    return w ? w->bytes : 0;
}

/* --- reader ------------------------------------------------------------------------- */

static uint32_t read_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks the frame of the chunk at `pos`: 0 and its type, payload and length, or -1 and
 * why. */
static int read_frame(const uint8_t *buf, size_t len, size_t pos, uint8_t *type,
                      const uint8_t **payload, size_t *plen, char *why, size_t whylen)
{
    size_t left = len - pos;
    if (left < CHUNK_FRAME) {
        set_msg(why, whylen, "truncated chunk frame (%zu of at least %u bytes)", left, CHUNK_FRAME);
        return -1;
    }
    uint32_t n = read_le32(buf + pos + 1);
    if ((uint64_t)n > (uint64_t)(left - CHUNK_FRAME)) {
        set_msg(why, whylen, "chunk claims %lu payload bytes but only %zu remain",
                (unsigned long)n, left - CHUNK_FRAME);
        return -1;
    }
    uint32_t want = read_le32(buf + pos + 5 + n);
    uint32_t got = crc32_ieee(buf + pos, 5 + (size_t)n);
    if (want != got) {
        set_msg(why, whylen, "CRC mismatch (stored %08lx, computed %08lx)", (unsigned long)want,
                (unsigned long)got);
        return -1;
    }
    *type = buf[pos];
    *payload = buf + pos + 5;
    *plen = n;
    return 0;
}

int session_load_mem(const uint8_t *buf, size_t len, session_data *out, char *err, size_t errlen)
{
    if (!out) {
        set_msg(err, errlen, "session: no output");
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (!buf)
        len = 0;
    if (len < sizeof session_magic || memcmp(buf, session_magic, sizeof session_magic) != 0) {
        set_msg(err, errlen, len == 0 ? "not a session file: empty"
                                      : "not a session file: bad magic (want \"STPLSES\\0\")");
        return -1;
    }
    char why[160];
    uint8_t type;
    const uint8_t *payload;
    size_t plen, pos = sizeof session_magic;
    if (read_frame(buf, len, pos, &type, &payload, &plen, why, sizeof why) != 0) {
        set_msg(err, errlen, "session header damaged at byte %zu: %s", pos, why);
        return -1;
    }
    if (type != CHUNK_HEADER) {
        set_msg(err, errlen, "session header missing: first chunk at byte %zu has type 0x%02x", pos, type);
        return -1;
    }
    if (plen < 4 || plen > HEADER_MAX) {
        set_msg(err, errlen, "session header damaged at byte %zu: bad length %zu", pos, plen);
        return -1;
    }
    uint32_t version = read_le32(payload);
    if (version != SESSION_FORMAT_VERSION) {
        set_msg(err, errlen, "unknown session format version %lu (this program reads %d)",
                (unsigned long)version, SESSION_FORMAT_VERSION);
        return -1;
    }
    bin hb = { payload, plen, 0, 0 };
    const char *problem = NULL;
    if (decode_header(&hb, &out->header) != 0)
        problem = "malformed fields";
    else
        problem = header_problem(&out->header);
    if (problem) {
        set_msg(err, errlen, "session header damaged at byte %zu: %s", pos, problem);
        memset(out, 0, sizeof *out);
        return -1;
    }
    pos += CHUNK_FRAME + plen;
    out->chunks_read = 1;

    size_t cap = 0;
    int64_t last_t = 0;
    for (;;) {
        if (pos == len) {
            if (!out->complete)
                set_msg(out->warning, sizeof out->warning,
                        "no end marker: the file ends at byte %zu after %zu good chunks "
                        "(session not closed); %zu events kept", pos, out->chunks_read,
                        out->event_count);
            break;
        }
        size_t at = pos;
        if (out->complete) {
            out->recovered = 1;
            out->bytes_dropped = len - pos;
            set_msg(out->warning, sizeof out->warning,
                    "%zu bytes after the end marker at byte %zu ignored", len - pos, at);
            break;
        }
        int bad = read_frame(buf, len, pos, &type, &payload, &plen, why, sizeof why);
        if (!bad) {
            if (type == CHUNK_EVENTS) {
                const char *reason = "invalid events";
                size_t got = decode_events(payload, plen, last_t, &out->events, out->event_count,
                                           &cap, &reason);
                if (got == 0) {
                    set_msg(why, sizeof why, "%s", reason);
                    bad = 1;
                } else {
                    out->event_count += got;
                    last_t = out->events[out->event_count - 1].t_us;
                }
            } else if (type == CHUNK_END) {
                bin eb = { payload, plen, 0, 0 };
                uint64_t end_t = get_u64(&eb);
                if (eb.bad || eb.pos != eb.n || end_t > (uint64_t)T_MAX || (int64_t)end_t < last_t) {
                    set_msg(why, sizeof why, "invalid end marker");
                    bad = 1;
                } else {
                    out->complete = 1;
                    out->end_t_us = (int64_t)end_t;
                }
            } else {
                set_msg(why, sizeof why, "unexpected chunk type 0x%02x", type);
                bad = 1;
            }
        }
        if (bad) {
            out->recovered = 1;
            out->bytes_dropped = len - at;
            set_msg(out->warning, sizeof out->warning,
                    "session damaged at byte %zu: %s; kept %zu good chunks (%zu events), "
                    "dropped %zu bytes", at, why, out->chunks_read, out->event_count, len - at);
            break;
        }
        out->chunks_read++;
        pos += CHUNK_FRAME + plen;
    }
    if (!out->complete)
        out->end_t_us = last_t;
    if (out->event_count == 0) {
        free(out->events);
        out->events = NULL;
    }
    return 0;
}

int session_load_file(const char *path, session_data *out, char *err, size_t errlen)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!path || !out) {
        set_msg(err, errlen, "session: no path or output");
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_msg(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = -1;
    for (;;) {
        if (len == cap) {
            if (cap >= FILE_MAX) {
                set_msg(err, errlen, "%s: larger than %zu bytes, not a session file", path, FILE_MAX);
                goto fail;
            }
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(buf, ncap);
            if (!grown) {
                set_msg(err, errlen, "%s: out of memory", path);
                goto fail;
            }
            buf = grown;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                set_msg(err, errlen, "%s: read error: %s", path, strerror(errno));
                goto fail;
            }
            break;
        }
    }
    char inner[200] = "";
    rc = session_load_mem(buf, len, out, inner, sizeof inner);
    if (rc != 0)
        set_msg(err, errlen, "%s: %s", path, inner);
fail:
    free(buf);
    fclose(f);
    return rc;
}

void session_data_free(session_data *d)
{
    if (!d)
        return;
    free(d->events);
    memset(d, 0, sizeof *d);
}

size_t session_count_kind(const session_data *d, int kind)
{
    if (!d || !d->events)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < d->event_count; i++)
        n += d->events[i].kind == kind;
    return n;
}
