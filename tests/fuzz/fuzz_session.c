/* fuzz_session.c: libFuzzer target for the session reader and verifier.
 * Any input: session_load_mem, session_open_mem with its cursor, and session_verify_mem
 * must not crash, read out of bounds or leak. When the reader accepts the input, every
 * event it returns must be one the writer accepts, the cursor must give the same events,
 * and writing them again (unsigned) and reading that back must give the same header
 * (less the station's signing fields) and events, bit for bit.
 * Each input is tried twice: as it is, and with the CRC of every chunk frame that fits
 * made right, so that mutations reach the decoders behind the CRC check. */
#include "session.h"
#include "session_verify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_event(const session_event *a, const session_event *b)
{
    if (a->kind != b->kind || a->t_us != b->t_us)
        return 0;
    switch (a->kind) {
    case SEV_PEN:    return memcmp(&a->u.pen, &b->u.pen, sizeof a->u.pen) == 0;
    case SEV_VIEW:   return memcmp(&a->u.view, &b->u.view, sizeof a->u.view) == 0;
    case SEV_NEEDLE: return memcmp(&a->u.needle, &b->u.needle, sizeof a->u.needle) == 0;
    case SEV_RESUME: return 1;
    default:         return a->u.value == b->u.value;
    }
}

static void rewrite_and_compare(const session_data *d)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f)
        return;
    char err[256];
    session_writer *w = session_writer_open_stream(f, &d->header, err, sizeof err);
    if (!w)
        abort();   /* a header the reader accepted must be writable */
    for (size_t i = 0; i < d->event_count; i++)
        if (session_writer_add(w, &d->events[i]) != 0)
            abort();   /* an event the reader accepted must be writable */
    if (session_writer_close(w, d->end_t_us) != 0)
        abort();
    fclose(f);
    session_data again;
    if (session_load_mem((const uint8_t *)mem, len, &again, err, sizeof err) != 0)
        abort();
    session_header want = d->header;   /* written again: format 2, unsigned */
    want.format_version = SESSION_FORMAT_VERSION;
    memset(want.station_id, 0, sizeof want.station_id);
    memset(want.station_key, 0, sizeof want.station_key);
    want.synthetic = want.origin == SESSION_ORIGIN_SIMULATED;
    if (!again.complete || again.recovered || again.event_count != d->event_count ||
        memcmp(&again.header, &want, sizeof again.header) != 0)
        abort();
    for (size_t i = 0; i < d->event_count; i++)
        if (!same_event(&again.events[i], &d->events[i]))
            abort();
    session_data_free(&again);
    free(mem);
}

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

static void load_one(const uint8_t *data, size_t size)
{
    session_data d;
    char err[256];
    if (session_load_mem(data, size, &d, err, sizeof err) == 0) {
        if (d.event_count != session_count_kind(&d, SEV_PEN) + session_count_kind(&d, SEV_VIEW) +
                                 session_count_kind(&d, SEV_MACHINE) + session_count_kind(&d, SEV_NEEDLE) +
                                 session_count_kind(&d, SEV_SHADE) + session_count_kind(&d, SEV_SYN_DROPPED) +
                                 session_count_kind(&d, SEV_PAUSE) + session_count_kind(&d, SEV_RESUME))
            abort();   /* an event of unknown kind got through */
        rewrite_and_compare(&d);
        session_data opened;
        if (session_open_mem(data, size, &opened, err, sizeof err) != 0 || opened.event_count != d.event_count)
            abort();   /* opening and loading must agree */
        session_cursor *c = session_cursor_open(&opened);
        session_event ev;
        size_t i = 0;
        while (c && session_cursor_next(c, &ev) == 1) {
            if (i >= d.event_count || !same_event(&ev, &d.events[i]))
                abort();
            i++;
        }
        if (c && i != d.event_count)
            abort();
        session_cursor_free(c);
        session_data_free(&opened);
        session_data_free(&d);
    }
    session_verification *v = malloc(sizeof *v);
    if (v) {
        session_verify_mem(data, size, NULL, v);
        if (v->status == VERIFY_OK)
            abort();   /* no registered key: never wholly verified */
        free(v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_one(data, size);
    if (size < 8 + 9)
        return 0;
    uint8_t *copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    size_t pos = 8;
    while (size - pos >= 9) {
        const uint8_t *q = copy + pos + 1;
        uint32_t n = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        if (n > size - pos - 9)
            break;
        uint32_t c = crc32_bitwise(copy + pos, 5 + (size_t)n);
        for (int i = 0; i < 4; i++)
            copy[pos + 5 + n + (size_t)i] = (uint8_t)(c >> (8 * i));
        pos += 9 + (size_t)n;
    }
    load_one(copy, size);
    free(copy);
    return 0;
}
