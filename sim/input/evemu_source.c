/* evemu_source.c: a recording played through evdev_pen, the live devices' handler. One
 * produced event is held back ("pending") until the caller's until_us reaches it, so poll
 * never hands out the future and never loses an event. */
#include "evemu_source.h"

#include <stdlib.h>
#include <string.h>

#include "evdev_source.h"

typedef struct evemu_source {
    evemu_recording rec;
    evdev_pen       pen;
    size_t          next;        /* next raw event */
    session_event   pending;
    int             has_pending;
} evemu_source;

/* Produces the next session event into pending; 0 when the recording is exhausted. */
static int fill(evemu_source *es)
{
    while (!es->has_pending && es->next < es->rec.event_count) {
        if (evdev_pen_feed(&es->pen, &es->rec.events[es->next++], &es->pending))
            es->has_pending = 1;
    }
    return es->has_pending;
}

static size_t es_poll(input_source *self, int64_t until_us, session_event *out, size_t max, input_status *status)
{
    evemu_source *es = self->impl;
    size_t n = 0;
    while (n < max && fill(es) && es->pending.t_us <= until_us) {
        out[n++] = es->pending;
        es->has_pending = 0;
    }
    *status = fill(es) ? INPUT_OK : INPUT_END;
    return n;
}

static int64_t es_peek(input_source *self)
{
    evemu_source *es = self->impl;
    return fill(es) ? es->pending.t_us : INT64_MAX;
}

static void es_close(input_source *self)
{
    if (!self)
        return;
    evemu_source *es = self->impl;
    if (es) {
        evemu_free(&es->rec);
        free(es);
    }
    free(self);
}

/* Sets up a handler for a recording: the profile's map and description, or the defaults. */
static void pen_for(const evemu_recording *r, const device_profile *profile, int64_t start_us, evdev_pen *pen)
{
    device_caps caps;
    device_caps_from_evemu(r, &caps);
    if (profile) {
        device_desc desc;
        uint8_t map[ABS_CNT];
        uint16_t key;
        device_profile_apply(profile, &caps, &desc, map, &key);
        evdev_pen_init(pen, &desc, start_us);
        evdev_pen_set_map(pen, map, key);
        evdev_pen_set_depth_scale(pen, device_profile_depth_um_per_unit(profile));
    } else {
        evdev_pen_init(pen, &caps.desc, start_us);
    }
}

input_source *evemu_source_from_recording(const evemu_recording *r, const device_profile *profile, int64_t start_us,
                                          char *err, size_t errlen)
{
    input_source *src = calloc(1, sizeof *src);
    evemu_source *es = calloc(1, sizeof *es);
    struct input_event *ev = r->event_count ? malloc(r->event_count * sizeof *ev) : NULL;
    if (!src || !es || (r->event_count && !ev)) {
        free(src);
        free(es);
        free(ev);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    es->rec = *r;
    if (ev)
        memcpy(ev, r->events, r->event_count * sizeof *ev);
    es->rec.events = ev;
    pen_for(&es->rec, profile, start_us, &es->pen);
    snprintf(src->name, sizeof src->name, "%s (recording)", r->name[0] ? r->name : "unnamed device");
    src->desc = es->pen.desc;
    pen_calibration_default(&src->calibration);
    src->poll = es_poll;
    src->peek_time = es_peek;
    src->close = es_close;
    src->impl = es;
    return src;
}

input_source *evemu_source_open_profile(const char *path, const char *desc_path, const device_profile *profile,
                                        int64_t start_us, char *err, size_t errlen)
{
    evemu_recording r;
    if (evemu_load(path, desc_path, &r, err, errlen) != 0)
        return NULL;
    input_source *s = evemu_source_from_recording(&r, profile, start_us, err, errlen);
    evemu_free(&r);
    return s;
}

input_source *evemu_source_open(const char *path, const char *desc_path, int64_t start_us, char *err, size_t errlen)
{
    evemu_recording r;
    if (evemu_load(path, desc_path, &r, err, errlen) != 0)
        return NULL;
    device_profile prof;
    int have = 0;
    const char *dir = device_profile_dir(NULL);
    if (dir) {
        device_caps caps;
        device_caps_from_evemu(&r, &caps);
        have = device_profile_find(dir, &caps, &prof, err, errlen);
        if (have < 0) {
            evemu_free(&r);
            return NULL;
        }
    }
    input_source *s = evemu_source_from_recording(&r, have ? &prof : NULL, start_us, err, errlen);
    evemu_free(&r);
    return s;
}

const evdev_pen *input_source_pen(const input_source *s)
{
    if (!s)
        return NULL;
    if (s->close == es_close)
        return &((const evemu_source *)s->impl)->pen;
    return evdev_source_pen(s);
}

/* ---- stats ------------------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void widen(int *have, int32_t *lo, int32_t *hi, int32_t v)
{
    if (!*have) {
        *have = 1;
        *lo = *hi = v;
        return;
    }
    if (v < *lo)
        *lo = v;
    if (v > *hi)
        *hi = v;
}

int evemu_stats_compute(const evemu_recording *r, const device_profile *profile, evemu_stats *out)
{
    evemu_stats st;
    memset(&st, 0, sizeof st);
    evdev_pen pen;
    pen_for(r, profile, 0, &pen);
    st.desc = pen.desc;
    int64_t *iv = r->event_count ? malloc(r->event_count * sizeof *iv) : NULL;
    if (r->event_count && !iv)
        return -1;
    size_t niv = 0;
    uint32_t prev_flags = 0;
    int64_t prev_t = 0, first_t = 0;
    /* which channels have been reported at least once */
    int seen[EVDEV_CH_NEEDLE_DEPTH + 1] = { 0 };
    session_event ev;
    for (size_t i = 0; i < r->event_count; i++) {
        const struct input_event *e = &r->events[i];
        if (e->type == EV_ABS && e->code < ABS_CNT && !pen.dropping)
            seen[pen.abs_channel[e->code]] = 1;
        if (!evdev_pen_feed(&pen, e, &ev))
            continue;
        if (ev.kind == SEV_SYN_DROPPED) {
            st.syn_dropped++;
            continue;
        }
        if (ev.kind == SEV_MACHINE) {
            st.machine_events++;
            continue;
        }
        if (ev.kind != SEV_PEN)
            continue;
        const pen_sample *s = &ev.u.pen;
        if (st.frames == 0)
            first_t = s->t_us;
        else if (s->t_us > prev_t)
            iv[niv++] = s->t_us - prev_t;
        prev_t = s->t_us;
        st.frames++;
        uint32_t f = s->flags;
        if ((f & PEN_IN_PROXIMITY) && !(prev_flags & PEN_IN_PROXIMITY))
            st.proximity_in++;
        if (!(f & PEN_IN_PROXIMITY) && (prev_flags & PEN_IN_PROXIMITY))
            st.proximity_out++;
        if ((f & PEN_TOUCH) && !(prev_flags & PEN_TOUCH))
            st.contacts++;
        if (f & PEN_ERASER)
            st.eraser_frames++;
        prev_flags = f;
        if (seen[EVDEV_CH_PRESSURE])
            widen(&st.have_pressure, &st.pressure_min, &st.pressure_max, s->pressure);
        if (seen[EVDEV_CH_TILT_X])
            widen(&st.have_tilt_x, &st.tilt_x_min, &st.tilt_x_max, s->tilt_x);
        if (seen[EVDEV_CH_TILT_Y])
            widen(&st.have_tilt_y, &st.tilt_y_min, &st.tilt_y_max, s->tilt_y);
        if (seen[EVDEV_CH_NEEDLE_DEPTH])
            widen(&st.have_depth, &st.depth_min, &st.depth_max, pen.needle_depth);
    }
    st.events = pen.events;
    st.duration_us = st.frames ? prev_t - first_t : 0;
    if (niv > 0) {
        qsort(iv, niv, sizeof *iv, cmp_i64);
        double med = niv % 2 ? (double)iv[niv / 2] : 0.5 * (double)(iv[niv / 2 - 1] + iv[niv / 2]);
        st.report_rate_hz = 1e6 / med;
    }
    free(iv);
    *out = st;
    return 0;
}
