/* fd_source.c: see fd_source.h. Reads whole records only: a partial record stays in a small
 * carry-over buffer until the rest arrives. Never blocks. */
#include "fd_source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct fd_src {
    evdev_pen     pen;
    int           fd;
    unsigned char part[sizeof(struct input_event)];
    size_t        part_n;
    session_event pending;
    int           has_pending, eof;
} fd_src;

static size_t fs_poll(input_source *self, int64_t until_us, session_event *out, size_t max, input_status *status)
{
    fd_src *f = self->impl;
    size_t n = 0;
    *status = INPUT_OK;
    while (n < max) {
        if (f->has_pending) {
            if (f->pending.t_us > until_us)
                break;
            out[n++] = f->pending;
            f->has_pending = 0;
            continue;
        }
        if (f->eof)
            break;
        struct input_event ev;
        size_t need = sizeof ev - f->part_n;
        ssize_t got = read(f->fd, f->part + f->part_n, need);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got <= 0) {   /* end of file or an error: the writer is gone */
            f->eof = 1;
            break;
        }
        f->part_n += (size_t)got;
        if (f->part_n < sizeof ev)
            continue;
        memcpy(&ev, f->part, sizeof ev);
        f->part_n = 0;
        if (evdev_pen_feed(&f->pen, &ev, &f->pending))
            f->has_pending = 1;
    }
    if (f->eof && !f->has_pending)
        *status = INPUT_END;
    return n;
}

static int64_t fs_peek(input_source *self)
{
    fd_src *f = self->impl;
    return f->has_pending ? f->pending.t_us : INT64_MAX;
}

static void fs_close(input_source *self)
{
    if (!self)
        return;
    fd_src *f = self->impl;
    if (f) {
        if (f->fd >= 0)
            close(f->fd);
        free(f);
    }
    free(self);
}

input_source *fd_source_open(int fd, const device_desc *desc, int64_t start_us)
{
    input_source *s = calloc(1, sizeof *s);
    fd_src *f = calloc(1, sizeof *f);
    if (!s || !f) {
        free(s);
        free(f);
        return NULL;
    }
    f->fd = fd;
    evdev_pen_init(&f->pen, desc, start_us);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    f->pen.origin_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    f->pen.have_origin = 1;
    snprintf(s->name, sizeof s->name, "%s", desc->name);
    s->desc = *desc;
    pen_calibration_default(&s->calibration);
    s->poll = fs_poll;
    s->peek_time = fs_peek;
    s->close = fs_close;
    s->impl = f;
    return s;
}

int fd_source_fd(const input_source *s)
{
    if (!s || s->close != fs_close)
        return -1;
    const fd_src *f = s->impl;
    return f->eof ? -1 : f->fd;
}

const evdev_pen *fd_source_pen(const input_source *s)
{
    return s && s->close == fs_close ? &((const fd_src *)s->impl)->pen : NULL;
}
