/* session_wire.h: what the session reader, writer and verifier share (not a public
 * interface): chunk framing, bounds-checked byte input and output, the codecs of the
 * header, event and checkpoint chunks. The byte layout is described in session_codec.c. */
#ifndef STIPPLE_SESSION_WIRE_H
#define STIPPLE_SESSION_WIRE_H

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "session.h"

#define SESSION_CHUNK_MAX_EVENTS 512            /* the writer seals a chunk at this many */
#define CHUNK_HEADER 'H'
#define CHUNK_EVENTS 'E'
#define CHUNK_END    'Z'
#define CHUNK_CHECKPOINT 'S'
#define CHUNK_FRAME  9u                         /* type + length + crc */
#define T_MAX        ((int64_t)1 << 60)         /* largest time accepted, in us */
#define PEN_FLAGS_ALL 0x1Fu
#define PEN_DEPTH_FOLLOWS 0x20u                 /* in a pen flags varint: a depth delta follows */
#define HEADER_MAX   1024u                      /* no valid header payload is longer */
/* Worst case bytes of one encoded event: kind + run length + mask + 9 varints, or a view. */
#define EVENT_MAX_BYTES 112u
/* No chunk the writers make is longer (payload bytes); longer ones are damaged. This also
 * bounds the work of looking for the next good chunk after damage. */
#define CHUNK_PAYLOAD_MAX ((size_t)SESSION_READ_CHUNK_EVENTS * EVENT_MAX_BYTES + 64u)
/* Checkpoints: chunk digests are BLAKE2b-128, the link to the previous checkpoint (or the
 * header) BLAKE2b-256. */
#define CP_DIGEST 16u
#define CP_LINK   32u
#define CP_MAX_CHUNKS 1024u                     /* chunks one checkpoint may cover */
#define CP_FIXED  (4u + 8u + CP_LINK + 2u)      /* seq, t, link, count */
#define CP_SIG_DOMAIN "STPLSIG2"               /* 8 bytes before the signed payload */

static const uint8_t session_magic[8] = { 'S', 'T', 'P', 'L', 'S', 'E', 'S', 0 };

/* --- small helpers ---------------------------------------------------------------- */

static inline void set_msg(char *buf, size_t len, const char *fmt, ...)
{
    if (!buf || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* CRC-32 (IEEE 802.3) of p[0..n), slicing by 8 (session_crc.c). */
uint32_t crc32_ieee(const uint8_t *p, size_t n);

static inline uint64_t zz_encode(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? UINT64_MAX : 0);
}

static inline int64_t zz_decode(uint64_t u)
{
    /* (u >> 1) fits in int64; for odd u the value is -(u >> 1) - 1, which never overflows. */
    int64_t half = (int64_t)(u >> 1);
    return (u & 1u) ? -half - 1 : half;
}

static inline uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float f32_from_bits(uint32_t u)
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

static inline void put_u8(bout *b, uint8_t v)
{
    if (b->n >= b->cap) {
        b->overflow = 1;
        return;
    }
    b->p[b->n++] = v;
}

static inline void put_u16(bout *b, uint16_t v)
{
    put_u8(b, (uint8_t)(v & 0xFFu));
    put_u8(b, (uint8_t)(v >> 8));
}

static inline void put_u32(bout *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put_u8(b, (uint8_t)((v >> (8 * i)) & 0xFFu));
}

static inline void put_u64(bout *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        put_u8(b, (uint8_t)((v >> (8 * i)) & 0xFFu));
}

static inline void put_i32(bout *b, int32_t v) { put_u32(b, (uint32_t)v); }
static inline void put_f32(bout *b, float f) { put_u32(b, f32_bits(f)); }

static inline void put_varint(bout *b, uint64_t v)
{
    while (v >= 0x80u) {
        put_u8(b, (uint8_t)((v & 0x7Fu) | 0x80u));
        v >>= 7;
    }
    put_u8(b, (uint8_t)v);
}

static inline void put_zz(bout *b, int64_t v) { put_varint(b, zz_encode(v)); }

static inline void put_str(bout *b, const char *s, size_t field_size)
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

static inline uint8_t get_u8(bin *b)
{
    if (b->bad || b->pos >= b->n) {
        b->bad = 1;
        return 0;
    }
    return b->p[b->pos++];
}

static inline uint16_t get_u16(bin *b)
{
    uint16_t lo = get_u8(b);
    uint16_t hi = get_u8(b);
    return (uint16_t)(lo | (uint16_t)(hi << 8));
}

static inline uint32_t get_u32(bin *b)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)get_u8(b) << (8 * i);
    return v;
}

static inline uint64_t get_u64(bin *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)get_u8(b) << (8 * i);
    return v;
}

static inline int32_t get_i32(bin *b)
{
    uint32_t u = get_u32(b);
    /* two's complement without implementation-defined conversion */
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

static inline float get_f32(bin *b) { return f32_from_bits(get_u32(b)); }

static inline uint64_t get_varint(bin *b)
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

static inline int64_t get_zz(bin *b) { return zz_decode(get_varint(b)); }

static inline void get_str(bin *b, char *dest, size_t field_size)
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

static inline uint32_t read_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* --- codecs (session_codec.c) ---------------------------------------------------------- */

const char *session_header_problem(const session_header *h);
const char *session_event_problem(const session_event *ev);
void   session_encode_header(bout *b, const session_header *h);
/* Decodes a version 1 or 2 header payload. 0 or -1. */
int    session_decode_header(bin *b, session_header *h);
/* Encodes events [0, n) (valid, in time order) as an 'E' payload. */
void   session_encode_events(bout *b, const session_event *ev, size_t n);
/* Decodes an 'E' payload into out[0..cap). `min_t` is the last time already read. Returns
 * the number of events, or 0 with *why set when the chunk is invalid. */
size_t session_decode_events(const uint8_t *p, size_t n, int64_t min_t, session_event *out, size_t cap,
                             const char **why);

/* The event count an 'E' payload declares (0 when unreadable): to size a buffer. */
static inline uint64_t session_chunk_count(const uint8_t *p, size_t n)
{
    bin b = { p, n, 0, 0 };
    get_varint(&b);
    uint64_t count = get_varint(&b);
    return b.bad ? 0 : count;
}

/* A buffer of decoded events that grows to what a chunk needs (at most
 * SESSION_READ_CHUNK_EVENTS). 0, or -1 when out of memory. */
typedef struct event_scratch {
    session_event *ev;
    size_t cap;
} event_scratch;
int session_scratch_fit(event_scratch *s, const uint8_t *payload, size_t n);

/* --- framing (session.c) ----------------------------------------------------------------- */

/* Checks the frame of the chunk at `pos`: 0 with its type, payload and length, or -1 with
 * why (may be NULL). */
int    session_read_frame(const uint8_t *buf, size_t len, size_t pos, uint8_t *type,
                          const uint8_t **payload, size_t *plen, char *why, size_t whylen);
/* Checks the magic and reads the header chunk into out->header. 0 with *pos past the
 * header, or -1 with err. */
int    session_read_header(const uint8_t *buf, size_t len, session_data *out, size_t *pos, char *err,
                           size_t errlen);
/* The first position after `from` where a good chunk (of a type that may follow the
 * header) starts, or len when there is none. */
size_t session_resync(const uint8_t *buf, size_t len, size_t from);

/* --- checkpoints (session_sign.c) ----------------------------------------------------------- */

typedef struct session_checkpoint {
    uint32_t seq;              /* 0, 1, 2, ... */
    uint64_t t_us;             /* session time covered */
    const uint8_t *link;       /* CP_LINK bytes: digest of the previous checkpoint or header chunk */
    uint32_t count;            /* chunks covered since then */
    const uint8_t *digests;    /* count x CP_DIGEST bytes */
    const uint8_t *signature;  /* SIGN_BYTES */
    size_t signed_len;         /* payload bytes the signature covers (after the domain) */
} session_checkpoint;

/* 0, or -1 when the payload is not a well-formed checkpoint. */
int  session_checkpoint_parse(const uint8_t *p, size_t n, session_checkpoint *cp);
void session_chunk_digest(const uint8_t *chunk, size_t n, uint8_t out[CP_DIGEST]);
void session_chunk_link(const uint8_t *chunk, size_t n, uint8_t out[CP_LINK]);
/* 1 when the checkpoint's signature is good for public_key. */
int  session_checkpoint_signed(const uint8_t *payload, const session_checkpoint *cp, const uint8_t *public_key);

#endif
