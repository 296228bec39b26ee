/* session_writer.c: writing session files as the session goes (layout in session_codec.c),
 * signed by the station when given its key. */
#include "session_wire.h"

#include <errno.h>
#include <stdlib.h>

#include "sign.h"

#define CP_PAYLOAD_MAX (CP_FIXED + CP_MAX_CHUNKS * CP_DIGEST + SIGN_BYTES)
#define EVENTS_PAYLOAD_MAX (32u + SESSION_CHUNK_MAX_EVENTS * EVENT_MAX_BYTES)
#define OUT_MAX (CHUNK_FRAME + sizeof CP_SIG_DOMAIN + \
                 (CP_PAYLOAD_MAX > EVENTS_PAYLOAD_MAX ? CP_PAYLOAD_MAX : EVENTS_PAYLOAD_MAX))

struct session_writer {
    FILE    *f;
    int      own;          /* opened by path: close it */
    int      failed;       /* a write failed: every later call fails */
    uint64_t bytes;
    int64_t  last_t;       /* time of the last event added (or -1) */
    int64_t  sealed_t;     /* time of the last event written in a chunk (or 0) */
    size_t   n;
    session_event buf[SESSION_CHUNK_MAX_EVENTS];
    /* signing */
    int      sign;
    station_key key;
    uint32_t cp_seq;
    int64_t  cp_t;                       /* session time of the last checkpoint */
    uint8_t  link[CP_LINK];              /* digest of the last checkpoint or the header chunk */
    size_t   dn;                         /* chunks since then */
    uint8_t  digests[CP_MAX_CHUNKS][CP_DIGEST];
    /* out[0 .. 8) is room for the signature domain just before a checkpoint's payload */
    uint8_t  out[OUT_MAX];
};

#define FRAME_AT 8u   /* where a chunk's frame starts in out */

/* Frames payload out[FRAME_AT + 5 .. + len) as a chunk of `type`, writes it, and (signing)
 * notes its digest. */
static int write_chunk(session_writer *w, uint8_t type, size_t len)
{
    if (w->failed)
        return -1;
    uint8_t *frame = w->out + FRAME_AT;
    bout b = { frame, 0, sizeof w->out - FRAME_AT, 0 };
    put_u8(&b, type);
    put_u32(&b, (uint32_t)len);
    b.n = 5 + len;
    put_u32(&b, crc32_ieee(frame, 5 + len));
    if (b.overflow || fwrite(frame, 1, b.n, w->f) != b.n || fflush(w->f) != 0) {
        w->failed = 1;
        return -1;
    }
    w->bytes += b.n;
    if (w->sign) {
        if (type == CHUNK_HEADER || type == CHUNK_CHECKPOINT) {
            session_chunk_link(frame, b.n, w->link);
            w->dn = 0;
        } else {
            session_chunk_digest(frame, b.n, w->digests[w->dn++]);
        }
    }
    return 0;
}

/* Signs the chunks since the last checkpoint. */
static int checkpoint(session_writer *w, int64_t t_us)
{
    if (!w->sign || w->failed)
        return w->failed ? -1 : 0;
    uint8_t *payload = w->out + FRAME_AT + 5;
    bout b = { payload, 0, CP_PAYLOAD_MAX, 0 };
    put_u32(&b, w->cp_seq);
    put_u64(&b, (uint64_t)(t_us < 0 ? 0 : t_us));
    for (size_t i = 0; i < CP_LINK; i++)
        put_u8(&b, w->link[i]);
    put_u16(&b, (uint16_t)w->dn);
    for (size_t i = 0; i < w->dn; i++)
        for (size_t j = 0; j < CP_DIGEST; j++)
            put_u8(&b, w->digests[i][j]);
    if (b.overflow)
        return -1;
    /* The domain goes just before the payload (over the frame's start, written later). */
    uint8_t *msg = payload - (sizeof CP_SIG_DOMAIN - 1);
    uint8_t saved[sizeof CP_SIG_DOMAIN - 1];
    memcpy(saved, msg, sizeof saved);
    memcpy(msg, CP_SIG_DOMAIN, sizeof CP_SIG_DOMAIN - 1);
    uint8_t sig[SIGN_BYTES];
    sign_detached(&w->key, msg, sizeof CP_SIG_DOMAIN - 1 + b.n, sig);
    memcpy(msg, saved, sizeof saved);
    for (size_t i = 0; i < SIGN_BYTES; i++)
        put_u8(&b, sig[i]);
    if (b.overflow || write_chunk(w, CHUNK_CHECKPOINT, b.n) != 0)
        return -1;
    w->cp_seq++;
    w->cp_t = t_us;
    return 0;
}

/* A checkpoint when a second of session time has passed with chunks to sign, or when the
 * list is full. */
static int maybe_checkpoint(session_writer *w, int64_t now_us)
{
    if (!w->sign || w->dn == 0)
        return w->failed ? -1 : 0;
    if (now_us - w->cp_t >= SESSION_CHECKPOINT_US || w->dn >= CP_MAX_CHUNKS)
        return checkpoint(w, w->sealed_t);
    return 0;
}

static int seal(session_writer *w)
{
    if (w->n == 0)
        return w->failed ? -1 : 0;
    bout b = { w->out + FRAME_AT + 5, 0, EVENTS_PAYLOAD_MAX, 0 };
    session_encode_events(&b, w->buf, w->n);
    w->sealed_t = w->buf[w->n - 1].t_us;
    w->n = 0;
    if (b.overflow) {   /* cannot happen: the buffer holds the worst case */
        w->failed = 1;
        return -1;
    }
    return write_chunk(w, CHUNK_EVENTS, b.n);
}

static session_writer *open_stream(FILE *f, const session_header *given, const station_key *key,
                                   char *err, size_t errlen)
{
    if (!f || !given) {
        set_msg(err, errlen, "session: no file or header");
        return NULL;
    }
    session_header h = *given;
    h.format_version = SESSION_FORMAT_VERSION;
    /* a virtual trainee's work stays synthetic, also when played in again (the caller says) */
    h.synthetic = h.origin == SESSION_ORIGIN_SIMULATED || (h.synthetic && h.origin == SESSION_ORIGIN_RECORDING);
    memset(h.station_id, 0, sizeof h.station_id);
    memset(h.station_key, 0, sizeof h.station_key);
    if (key) {
        memcpy(h.station_key, key->public_key, sizeof h.station_key);
        sign_station_id(key->public_key, h.station_id);
    }
    const char *problem = session_header_problem(&h);
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
    if (key) {
        w->sign = 1;
        w->key = *key;
    }
    bout b = { w->out + FRAME_AT + 5, 0, HEADER_MAX, 0 };
    session_encode_header(&b, &h);
    if (fwrite(session_magic, 1, sizeof session_magic, f) != sizeof session_magic ||
        write_chunk(w, CHUNK_HEADER, b.n) != 0) {
        set_msg(err, errlen, "session: cannot write the header: %s", strerror(errno));
        free(w);
        return NULL;
    }
    w->bytes += sizeof session_magic;
    return w;
}

session_writer *session_writer_open_stream(FILE *f, const session_header *h, char *err, size_t errlen)
{
    return open_stream(f, h, NULL, err, errlen);
}

session_writer *session_writer_open_stream_signed(FILE *f, const session_header *h, const station_key *key,
                                                  char *err, size_t errlen)
{
    return open_stream(f, h, key, err, errlen);
}

static session_writer *open_path(const char *path, const session_header *h, const station_key *key,
                                 char *err, size_t errlen)
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
    session_writer *w = open_stream(f, h, key, err, errlen);
    if (!w) {
        fclose(f);
        return NULL;
    }
    w->own = 1;
    return w;
}

session_writer *session_writer_open(const char *path, const session_header *h, char *err, size_t errlen)
{
    return open_path(path, h, NULL, err, errlen);
}

session_writer *session_writer_open_signed(const char *path, const session_header *h, const station_key *key,
                                           char *err, size_t errlen)
{
    return open_path(path, h, key, err, errlen);
}

int session_writer_add(session_writer *w, const session_event *ev)
{
    if (!w || !ev || w->failed)
        return -1;
    if (session_event_problem(ev) || ev->t_us < w->last_t)
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
    if (w->n >= SESSION_CHUNK_MAX_EVENTS || e->t_us - w->buf[0].t_us >= SESSION_CHUNK_SPAN_US) {
        if (seal(w) != 0)
            return -1;
        return maybe_checkpoint(w, e->t_us);
    }
    return 0;
}

int session_writer_tick(session_writer *w, int64_t now_us)
{
    if (!w || w->failed)
        return -1;
    if (w->n > 0 && now_us - w->buf[0].t_us >= SESSION_CHUNK_SPAN_US && seal(w) != 0)
        return -1;
    return maybe_checkpoint(w, now_us);
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
    bout b = { w->out + FRAME_AT + 5, 0, 8, 0 };
    put_u64(&b, (uint64_t)end_t_us);
    if (write_chunk(w, CHUNK_END, b.n) != 0)
        rc = -1;
    if (w->sign && checkpoint(w, end_t_us) != 0)
        rc = -1;
    if (w->own && fclose(w->f) != 0)
        rc = -1;
    memset(&w->key, 0, sizeof w->key);
    free(w);
    return rc;
}

void session_writer_abandon(session_writer *w)
{
    if (!w)
        return;
    if (w->own)
        fclose(w->f);
    memset(&w->key, 0, sizeof w->key);
    free(w);
}

uint64_t session_writer_bytes(const session_writer *w)
{
    return w ? w->bytes : 0;
}
