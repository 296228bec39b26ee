/* session_source.c: plays a session file's events back through the input interface. */
#include "session_source.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct session_source {
    session_data    data;      /* opened, not held: events come from the file's chunks */
    session_cursor *cursor;
    int64_t         shift_us;
} session_source;

static size_t ss_poll(input_source *self, int64_t until_us, session_event *out, size_t max, input_status *status)
{
    session_source *ss = self->impl;
    size_t n = 0;
    while (n < max) {
        int64_t t = session_cursor_peek_time(ss->cursor);
        if (t == INT64_MAX || t + ss->shift_us > until_us)
            break;
        session_event ev;
        session_cursor_next(ss->cursor, &ev);
        ev.t_us += ss->shift_us;
        if (ev.kind == SEV_PEN)
            ev.u.pen.t_us += ss->shift_us;
        out[n++] = ev;
    }
    *status = session_cursor_peek_time(ss->cursor) != INT64_MAX ? INPUT_OK : INPUT_END;
    return n;
}

static int64_t ss_peek(input_source *self)
{
    session_source *ss = self->impl;
    int64_t t = session_cursor_peek_time(ss->cursor);
    return t == INT64_MAX ? INT64_MAX : t + ss->shift_us;
}

static void ss_close(input_source *self)
{
    if (!self)
        return;
    session_source *ss = self->impl;
    if (ss) {
        session_cursor_free(ss->cursor);
        session_data_free(&ss->data);
        free(ss);
    }
    free(self);
}

input_source *session_source_open(const char *path, int64_t start_us, char *warning, size_t warnlen,
                                  char *err, size_t errlen)
{
    input_source *src = calloc(1, sizeof *src);
    session_source *ss = calloc(1, sizeof *ss);
    if (!src || !ss) {
        free(src);
        free(ss);
        if (errlen)
            strncpy(err, "out of memory", errlen - 1);
        return NULL;
    }
    if (session_open_file(path, &ss->data, err, errlen) != 0) {
        free(src);
        free(ss);
        return NULL;
    }
    ss->cursor = session_cursor_open(&ss->data);
    if (!ss->cursor) {
        session_data_free(&ss->data);
        free(src);
        free(ss);
        if (errlen)
            snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (warnlen)
        snprintf(warning, warnlen, "%s", ss->data.warning);
    ss->shift_us = start_us;
    snprintf(src->name, sizeof src->name, "session %s", ss->data.header.lesson_id);
    src->desc = ss->data.header.device;
    src->calibration = ss->data.header.calibration;
    src->poll = ss_poll;
    src->peek_time = ss_peek;
    src->close = ss_close;
    src->impl = ss;
    return src;
}
