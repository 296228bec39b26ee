/* session_codec.c: the bytes of a session file, and the codecs of its header and events.
 *
 * Byte layout (format version 2; version 1 differs only where said). Every multi-byte integer is little-endian and is
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
 *   The first chunk is a header ('H'), then event chunks ('E') and checkpoints ('S'),
 *   then one end chunk ('Z'), then (signed sessions) one last checkpoint. Version 1 files
 *   have no checkpoints.
 *
 *   'H' header payload, exactly:
 *     u32 format_version (1 or 2; the writer always writes SESSION_FORMAT_VERSION)
 *     str program_version (<= 31)      str lesson_id (<= 63)      32 bytes lesson_hash
 *     str source (<= 31)               u64 seed
 *     device:      str name (<= 79), u16 bustype, u16 vendor, u16 product, u16 version,
 *                  u32 device_class (0..4), u32 axes (bits 0..3),
 *                  6 x (i32 min, i32 max, i32 resolution) for x, y, pressure, tilt_x,
 *                  tilt_y, distance
 *     calibration: f32 activation, f32 saturation, f32 gamma, f32 travel_at_full_mm
 *     version 2 only, after the calibration:
 *     str trainee_id (<= 63)           str station_id (0 or 16 hex digits)
 *     32 bytes station_key (Ed25519 public key; all zero exactly when station_id is "")
 *     u64 start_utc_us (two's complement; 0 = none)
 *     u8 exam_mode (0 or 1)            u8 origin (0..4, enum session_origin)
 *     u8 synthetic (0 or 1: 1 when origin is 4, simulated, and for a recording (3) of a
 *                   synthetic session played in; never 1 for a live origin)
 *     u32 rules_version
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
 *   'Z' end payload: u64 end_t_us (>= the last event's time). Nothing follows it but the
 *   last checkpoint of a signed session.
 *
 *   'S' checkpoint payload (version 2, signed sessions), exactly:
 *     u32 seq           0 for the first checkpoint, then +1
 *     u64 t_us          session time covered (the last event's time so far)
 *     32 bytes link     BLAKE2b-256 of the whole previous checkpoint chunk (type to CRC), or
 *                       of the header chunk for the first checkpoint
 *     u16 count         chunks between that chunk and this one (at most 1024)
 *     count x 16 bytes  BLAKE2b-128 of each of those chunks (type to CRC), in file order
 *     64 bytes          Ed25519 signature, by the header's station_key, of
 *                       "STPLSIG2" followed by every payload byte before the signature
 *   So the checkpoints form a hash chain back to the header, and each names the exact
 *   chunks before it. The writer signs once SESSION_CHECKPOINT_US of session time has
 *   passed since the last checkpoint (when it seals an event chunk or on a tick), and after
 *   the end marker. session_verify.c checks it.
 *
 * Writing (session_writer.c): events are buffered and sealed into an 'E' chunk (fwrite +
 * fflush) once they span SESSION_CHUNK_SPAN_US or number SESSION_CHUNK_MAX_EVENTS;
 * session_writer_tick seals a chunk whose first event is older than SESSION_CHUNK_SPAN_US.
 *
 * Reading (session.c): a bad magic, a missing, damaged or unknown-version header is an
 * error; after that every good chunk is kept. After a damaged chunk the reader looks for
 * the next good one (a frame whose length fits and whose CRC matches, whose events follow
 * in time) and reports the gap. A chunk may hold at most SESSION_READ_CHUNK_EVENTS events
 * and CHUNK_PAYLOAD_MAX bytes (the writers stay far below). */
#include "session_wire.h"

#include <stdlib.h>

_Static_assert(SESSION_READ_CHUNK_EVENTS == 4096, "the message below names the limit");

/* --- validation shared by writer and reader ---------------------------------------- */

static int finite_f(float f) { return isfinite(f) != 0; }

const char *session_header_problem(const session_header *h)
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
    if (h->format_version >= 2) {
        if (h->exam_mode > 1)
            return "exam mode is not 0 or 1";
        if (h->origin > SESSION_ORIGIN_MAX)
            return "unknown input origin";
        if (h->synthetic > 1)
            return "synthetic flag is not 0 or 1";
        if (h->origin == SESSION_ORIGIN_SIMULATED && !h->synthetic)
            return "a simulated session is not marked synthetic";
        if (h->synthetic && h->origin != SESSION_ORIGIN_SIMULATED && h->origin != SESSION_ORIGIN_RECORDING)
            return "a live session is marked synthetic";
        size_t idn = strnlen(h->station_id, sizeof h->station_id);
        int key_zero = 1;
        for (size_t i = 0; i < sizeof h->station_key; i++)
            key_zero &= h->station_key[i] == 0;
        if (idn != 0 && idn != sizeof h->station_id - 1)
            return "station id is not 16 hex digits";
        for (size_t i = 0; i < idn; i++)
            if (!((h->station_id[i] >= '0' && h->station_id[i] <= '9') ||
                  (h->station_id[i] >= 'a' && h->station_id[i] <= 'f')))
                return "station id is not 16 hex digits";
        if ((idn == 0) != key_zero)
            return "station id and key disagree (one is missing)";
    }
    return NULL;
}

const char *session_origin_name(int origin)
{
    switch (origin) {
    case SESSION_ORIGIN_LIVE_DEVICE: return "live device";
    case SESSION_ORIGIN_MOUSE:       return "mouse";
    case SESSION_ORIGIN_RECORDING:   return "device recording";
    case SESSION_ORIGIN_SIMULATED:   return "simulated trainee";
    default:                         return "unknown";
    }
}

/* Checks the fields of an event (not its time order). NULL when valid. */
const char *session_event_problem(const session_event *ev)
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

void session_encode_header(bout *b, const session_header *h)
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
    put_str(b, h->trainee_id, sizeof h->trainee_id);
    put_str(b, h->station_id, sizeof h->station_id);
    for (size_t i = 0; i < sizeof h->station_key; i++)
        put_u8(b, h->station_key[i]);
    put_u64(b, (uint64_t)h->start_utc_us);
    put_u8(b, h->exam_mode);
    put_u8(b, h->origin);
    put_u8(b, h->synthetic);
    put_u32(b, h->rules_version);
}

int session_decode_header(bin *b, session_header *h)
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
    if (h->format_version >= 2) {
        get_str(b, h->trainee_id, sizeof h->trainee_id);
        get_str(b, h->station_id, sizeof h->station_id);
        for (size_t i = 0; i < sizeof h->station_key; i++)
            h->station_key[i] = get_u8(b);
        uint64_t t = get_u64(b);
        h->start_utc_us = t <= (uint64_t)INT64_MAX ? (int64_t)t : -(int64_t)(~t) - 1;
        h->exam_mode = get_u8(b);
        h->origin = get_u8(b);
        h->synthetic = get_u8(b);
        h->rules_version = get_u32(b);
    } else {
        /* Format 1 said only "live" or "trainee:<profile>". */
        h->synthetic = strncmp(h->source, "trainee:", 8) == 0;
    }
    return b->bad || b->pos != b->n ? -1 : 0;
}

void session_encode_events(bout *b, const session_event *ev, size_t n)
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

size_t session_decode_events(const uint8_t *p, size_t n, int64_t min_t, session_event *out, size_t cap,
                             const char **why)
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
    if (count > cap) {
        *why = "more events in one chunk than the reader accepts (4096)";
        return 0;
    }

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
        const char *problem = session_event_problem(e);
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
