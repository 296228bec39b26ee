/* fusion.c: the tablet + instrumented pen merge documented in fusion.h. Each side has a
 * small queue refilled with poll(until_us); since both are drained up to until_us before a
 * head is chosen, the merge is in time order for recordings and live devices alike. */
#include "fusion.h"

#include <stdlib.h>
#include <string.h>

#define FUSION_QUEUE 256

typedef struct side {
    input_source *src;
    session_event q[FUSION_QUEUE];
    size_t head, count;
    input_status status;
} side;

typedef struct fusion {
    side tablet, pen;
    pen_sample tab_state;     /* latest tablet sample */
    int32_t force;            /* latest force (raw) */
    int32_t depth_um;         /* latest needle depth measured by the pen */
    int32_t force_min;
} fusion;

static void refill(side *s, int64_t until_us)
{
    if (s->count || s->status == INPUT_END || s->status == INPUT_ERROR)
        return;
    s->head = 0;
    s->count = s->src->poll(s->src, until_us, s->q, FUSION_QUEUE, &s->status);
}

static session_event *head(side *s)
{
    return s->count ? &s->q[s->head] : NULL;
}

static void pop(side *s)
{
    s->head++;
    s->count--;
}

static void fused(fusion *f, int64_t t_us, session_event *out)
{
    memset(out, 0, sizeof *out);
    out->kind = SEV_PEN;
    out->t_us = t_us;
    out->u.pen = f->tab_state;
    out->u.pen.t_us = t_us;
    out->u.pen.pressure = f->force;
    out->u.pen.needle_depth_um = f->depth_um;
    if (f->force > f->force_min)
        out->u.pen.flags |= PEN_TOUCH;
}

static size_t fu_poll(input_source *self, int64_t until_us, session_event *out, size_t max, input_status *status)
{
    fusion *f = self->impl;
    size_t n = 0;
    while (n < max) {
        refill(&f->tablet, until_us);
        refill(&f->pen, until_us);
        session_event *a = head(&f->tablet), *b = head(&f->pen);
        if (!a && !b)
            break;
        int from_tablet = a && (!b || a->t_us <= b->t_us);
        session_event ev = from_tablet ? *a : *b;
        pop(from_tablet ? &f->tablet : &f->pen);
        if (ev.kind == SEV_PEN) {
            if (from_tablet) {
                f->tab_state = ev.u.pen;
            } else {
                f->force = ev.u.pen.pressure;
                f->depth_um = ev.u.pen.needle_depth_um;
            }
            fused(f, ev.t_us, &out[n++]);
        } else {
            if (!from_tablet && ev.kind == SEV_PAUSE)
            {
                f->force = f->force_min;
                f->depth_um = 0;
            }
            out[n++] = ev;
        }
    }
    int unplugged = f->tablet.status == INPUT_UNPLUGGED || f->pen.status == INPUT_UNPLUGGED;
    int error = f->tablet.status == INPUT_ERROR || f->pen.status == INPUT_ERROR;
    int ended = f->tablet.status == INPUT_END && f->pen.status == INPUT_END && !f->tablet.count && !f->pen.count;
    *status = error ? INPUT_ERROR : unplugged ? INPUT_UNPLUGGED : ended ? INPUT_END : INPUT_OK;
    return n;
}

static int64_t fu_peek(input_source *self)
{
    fusion *f = self->impl;
    int64_t a = f->tablet.count ? f->tablet.q[f->tablet.head].t_us : f->tablet.src->peek_time(f->tablet.src);
    int64_t b = f->pen.count ? f->pen.q[f->pen.head].t_us : f->pen.src->peek_time(f->pen.src);
    return a < b ? a : b;
}

static void fu_close(input_source *self)
{
    if (!self)
        return;
    fusion *f = self->impl;
    if (f) {
        input_source_close(f->tablet.src);
        input_source_close(f->pen.src);
        free(f);
    }
    free(self);
}

input_source *fusion_source_open(input_source *tablet, input_source *pen, char *err, size_t errlen)
{
    input_source *src = calloc(1, sizeof *src);
    fusion *f = calloc(1, sizeof *f);
    if (!src || !f || !tablet || !pen) {
        free(src);
        free(f);
        input_source_close(tablet);
        input_source_close(pen);
        snprintf(err, errlen, (tablet && pen) ? "out of memory" : "fusion needs a tablet and a pen source");
        return NULL;
    }
    f->tablet.src = tablet;
    f->pen.src = pen;
    f->force_min = pen->desc.pressure.min;
    f->force = f->force_min;
    snprintf(src->name, sizeof src->name, "%.44s + %.44s", tablet->name, pen->name);
    src->desc = tablet->desc;
    src->desc.pressure = pen->desc.pressure;
    src->desc.axes |= DEVICE_HAS_PRESSURE | (pen->desc.axes & DEVICE_HAS_NEEDLE_DEPTH);
    src->desc.device_class = DEVICE_CLASS_INSTRUMENTED_PEN;
    src->calibration = pen->calibration;
    src->poll = fu_poll;
    src->peek_time = fu_peek;
    src->close = fu_close;
    src->impl = f;
    return src;
}
