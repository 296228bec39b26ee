/* session.h: the session file. Everything needed to re-simulate a session exactly:
 * format and program version, lesson id and content hash, device description and
 * calibration, who practised where and how (trainee, station, exam mode, input origin),
 * and every event (pen samples, view changes, machine/needle/shade actions), then an end
 * marker; signed by the station (format 2).
 *
 * Layout (all integers little-endian; the byte-level description is in session_codec.c):
 *   magic "STPLSES\0", then chunks: [u8 type][u32 payload length][payload][u32 CRC-32 of
 *   type+length+payload]. A header chunk first, event chunks (delta-coded pen samples)
 *   written as the session goes, signed checkpoints at least once a second, an end chunk
 *   and a last checkpoint. A reader keeps every good chunk, skips damaged ones (it finds
 *   the next good chunk and reports the gap) and says so.
 *
 * Reading limits (a hostile file costs bounded memory and time):
 *   a file of at most SESSION_FILE_MAX bytes; at most SESSION_READ_CHUNK_EVENTS events in
 *   one chunk; session_load_* holds at most SESSION_LOAD_MAX_EVENTS events in memory
 *   (56 bytes each); session_open_* holds the file's bytes and a chunk index only (about
 *   1.8 x the file size at worst) and hands events out through a cursor. */
#ifndef STIPPLE_SESSION_H
#define STIPPLE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "needle.h"
#include "pen.h"
#include "view.h"

#define SESSION_FORMAT_VERSION 2      /* written; versions 1 and 2 are read */
#define SESSION_FILE_MAX        ((size_t)1 << 30)
#define SESSION_READ_CHUNK_EVENTS 4096
#define SESSION_LOAD_MAX_EVENTS ((size_t)1 << 24)
/* The writer signs a checkpoint once this much session time has passed since the last. */
#define SESSION_CHECKPOINT_US 1000000
/* The writer seals a chunk once its events span this much session time. */
#define SESSION_CHUNK_SPAN_US 100000

typedef enum session_event_kind {
    SEV_PEN = 1,          /* u.pen */
    SEV_VIEW = 2,         /* u.view */
    SEV_MACHINE = 3,      /* u.value: 1 on, 0 off */
    SEV_NEEDLE = 4,       /* u.needle */
    SEV_SHADE = 5,        /* u.value: shade N */
    SEV_SYN_DROPPED = 6,  /* the device dropped events; u.value: count so far */
    SEV_PAUSE = 7,        /* u.value: reason (1 = device unplugged, 2 = user) */
    SEV_RESUME = 8,
} session_event_kind;

typedef struct session_event {
    int32_t kind;         /* enum session_event_kind */
    int64_t t_us;         /* for SEV_PEN equal to u.pen.t_us */
    union {
        pen_sample pen;
        view_state view;
        needle     needle;
        int32_t    value;
    } u;
} session_event;

/* Where the pen samples came from. */
typedef enum session_origin {
    SESSION_ORIGIN_UNKNOWN = 0,     /* format 1 files */
    SESSION_ORIGIN_LIVE_DEVICE = 1, /* a tablet or pen, live */
    SESSION_ORIGIN_MOUSE = 2,       /* the mouse as a pen, live */
    SESSION_ORIGIN_RECORDING = 3,   /* played in from a recording (--input-file) */
    SESSION_ORIGIN_SIMULATED = 4,   /* a virtual trainee: synthetic */
} session_origin;
#define SESSION_ORIGIN_MAX 4
const char *session_origin_name(int origin);   /* "live device", "mouse", ... */

typedef struct session_header {
    uint32_t format_version;
    char     program_version[32];
    char     lesson_id[64];
    uint8_t  lesson_hash[32];   /* BLAKE2b-256 of the lesson file's bytes */
    char     source[32];        /* "live", or "trainee:<profile>" */
    uint64_t seed;              /* trainee seed; 0 for live sessions */
    device_desc device;
    pen_calibration calibration;
    /* format 2 (zero in format 1 files) */
    char     trainee_id[64];    /* who practised (a name or gradebook id) */
    char     station_id[17];    /* the signing station's id, "" when unsigned (set by the writer) */
    uint8_t  station_key[32];   /* its Ed25519 public key, zero when unsigned (set by the writer) */
    int64_t  start_utc_us;      /* wall-clock start, us since 1970 UTC; 0 = none (simulated) */
    uint8_t  exam_mode;         /* 1: an exam, no feedback was shown */
    uint8_t  origin;            /* enum session_origin */
    uint8_t  synthetic;         /* 1: made by a virtual trainee, simulated or played in again (origin 4, or 3 when the caller sets it) */
    uint32_t rules_version;     /* scoring-rules version in force when recorded */
} session_header;

/* --- writing ---------------------------------------------------------------------- */
typedef struct session_writer session_writer;

struct station_key;
/* Writes the magic and header chunk at once. The FILE variant does not close `f`.
 * These write an unsigned session; the _signed variants sign with `key` (the header's
 * station id and key are set from it): a checkpoint at least every SESSION_CHECKPOINT_US
 * of session time and one after the end marker (a NULL key: unsigned). */
session_writer *session_writer_open(const char *path, const session_header *h, char *err, size_t errlen);
session_writer *session_writer_open_stream(FILE *f, const session_header *h, char *err, size_t errlen);
session_writer *session_writer_open_signed(const char *path, const session_header *h,
                                           const struct station_key *key, char *err, size_t errlen);
session_writer *session_writer_open_stream_signed(FILE *f, const session_header *h,
                                                  const struct station_key *key, char *err, size_t errlen);
/* Buffers an event; seals and writes a chunk when the buffer spans
 * SESSION_CHUNK_SPAN_US or holds many events. Events must come in time order. 0 or -1. */
int session_writer_add(session_writer *w, const session_event *ev);
/* For live sessions, call with the current session time: seals a pending chunk whose
 * first event is older than SESSION_CHUNK_SPAN_US, so a crash loses at most ~250 ms. */
int session_writer_tick(session_writer *w, int64_t now_us);
/* Seals any pending events, writes the end marker and frees. NULL is a no-op (returns 0). */
int session_writer_close(session_writer *w, int64_t end_t_us);
/* Frees without sealing pending events or writing an end marker (what a crash leaves). */
void session_writer_abandon(session_writer *w);
/* Bytes written so far. */
uint64_t session_writer_bytes(const session_writer *w);

/* --- reading ---------------------------------------------------------------------- */
typedef struct session_data {
    session_header header;
    session_event *events;    /* session_load_*: every event; session_open_*: NULL (use a cursor) */
    size_t   event_count;     /* either way: events kept */
    int      complete;        /* 1 when the end marker was read */
    int64_t  end_t_us;        /* from the end marker, else the last event's time */
    int      recovered;       /* 1 when damage was found and chunks or bytes dropped */
    size_t   chunks_read;     /* good chunks */
    uint64_t bytes_dropped;   /* bytes in damaged regions and after the end */
    size_t   gaps;            /* damaged regions skipped before a later good chunk */
    size_t   checkpoints;     /* checkpoint chunks seen (format 2; checked by session_verify) */
    char     warning[256];    /* set when recovered or incomplete */
    /* session_open_*: the file's bytes and where its good event chunks lie */
    uint8_t *raw_;
    size_t   raw_len_;
    size_t  *event_chunks_;
    size_t   event_chunk_n_;
} session_data;

/* 0 on success (check complete/recovered/warning), -1 on an error that leaves nothing to
 * recover (not a session, unknown version, damaged header, out of memory, past a stated
 * limit): err says why. On success free with session_data_free. */
int  session_load_file(const char *path, session_data *out, char *err, size_t errlen);
int  session_load_mem(const uint8_t *buf, size_t len, session_data *out, char *err, size_t errlen);
/* The same checks without holding the events: read them with a cursor. */
int  session_open_file(const char *path, session_data *out, char *err, size_t errlen);
int  session_open_mem(const uint8_t *buf, size_t len, session_data *out, char *err, size_t errlen);
void session_data_free(session_data *d);   /* NULL-safe; leaves *d zeroed */

/* Every event of a loaded or opened session, in order. */
typedef struct session_cursor session_cursor;
session_cursor *session_cursor_open(const session_data *d);   /* NULL when out of memory */
/* 1 and *ev, or 0 at the end. */
int  session_cursor_next(session_cursor *c, session_event *ev);
/* The time of the next event without taking it; INT64_MAX at the end. */
int64_t session_cursor_peek_time(session_cursor *c);
/* 1 when the cursor ran out of memory (so its events ended early): not damage. */
int  session_cursor_failed(const session_cursor *c);
void session_cursor_free(session_cursor *c);

/* Counts of each kind, for reports and tests. */
size_t session_count_kind(const session_data *d, int kind);

#endif
