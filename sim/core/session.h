/* session.h: the session file. Everything needed to re-simulate a session exactly:
 * format and program version, lesson id and content hash, device description and
 * calibration, and every event (pen samples, view changes, machine/needle/shade actions),
 * then an end marker.
 *
 * Layout (all integers little-endian, see session.c for the byte-level description):
 *   magic "STPLSES\0", then chunks: [u8 type][u32 payload length][payload][u32 CRC-32 of
 *   type+length+payload]. A header chunk first, event chunks (delta-coded pen samples)
 *   written as the session goes, an end chunk last. A reader keeps every chunk up to the
 *   first damaged or missing one and says so. */
#ifndef STIPPLE_SESSION_H
#define STIPPLE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "needle.h"
#include "pen.h"
#include "view.h"

#define SESSION_FORMAT_VERSION 1
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

typedef struct session_header {
    uint32_t format_version;
    char     program_version[32];
    char     lesson_id[64];
    uint8_t  lesson_hash[32];   /* BLAKE2b-256 of the lesson file's bytes */
    char     source[32];        /* "live", or "trainee:<profile>" */
    uint64_t seed;              /* trainee seed; 0 for live sessions */
    device_desc device;
    pen_calibration calibration;
} session_header;

/* --- writing ---------------------------------------------------------------------- */
typedef struct session_writer session_writer;

/* Writes the magic and header chunk at once. The FILE variant does not close `f`. */
session_writer *session_writer_open(const char *path, const session_header *h, char *err, size_t errlen);
session_writer *session_writer_open_stream(FILE *f, const session_header *h, char *err, size_t errlen);
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
    session_event *events;
    size_t   event_count;
    int      complete;        /* 1 when the end marker was read */
    int64_t  end_t_us;        /* from the end marker, else the last event's time */
    int      recovered;       /* 1 when damage was found and the tail dropped */
    size_t   chunks_read;     /* good chunks */
    uint64_t bytes_dropped;   /* bytes after the last good chunk */
    char     warning[256];    /* set when recovered or incomplete */
} session_data;

/* 0 on success (check complete/recovered/warning), -1 on an error that leaves nothing to
 * recover (not a session, unknown version, damaged header): err says why.
 * On success free with session_data_free. */
int  session_load_file(const char *path, session_data *out, char *err, size_t errlen);
int  session_load_mem(const uint8_t *buf, size_t len, session_data *out, char *err, size_t errlen);
void session_data_free(session_data *d);   /* NULL-safe; leaves *d zeroed */

/* Counts of each kind, for reports and tests. */
size_t session_count_kind(const session_data *d, int kind);

#endif
