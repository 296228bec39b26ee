/* replay.c: see replay.h. */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay {
    const lesson *lesson;
    const surface *surface;
    const session_data *data;
    engine *eng;          /* the state shown: at `now` */
    int64_t now_us;
    size_t  next_event;   /* the first event not yet fed to eng */
    int     finished;     /* engine_finish was applied (now == end) */
    /* the whole session, from the opening pass */
    dot    *dots;
    int64_t *made_us;
    size_t  dot_count;
    /* keyframe k: the state after every event with t_us <= k * REPLAY_KEYFRAME_US */
    unsigned char *keyframes;
    size_t *keyframe_next;   /* its next_event */
    size_t  keyframe_count, keyframe_size;
};

static engine *fresh_engine(const replay *r)
{
    return engine_create(r->lesson, r->surface, &r->data->header.device, &r->data->header.calibration);
}

replay *replay_open(const lesson *l, const surface *s, const session_data *d, char *err, size_t errlen)
{
    replay *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->lesson = l;
    r->surface = s;
    r->data = d;
    r->keyframe_size = engine_keyframe_size();
    int64_t end = d->end_t_us > 0 ? d->end_t_us : 0;
    r->keyframe_count = (size_t)(end / REPLAY_KEYFRAME_US) + 1;
    r->keyframes = malloc(r->keyframe_count * r->keyframe_size);
    r->keyframe_next = malloc(r->keyframe_count * sizeof *r->keyframe_next);
    engine *e = fresh_engine(r);
    size_t made_cap = 1024;
    r->made_us = malloc(made_cap * sizeof *r->made_us);
    if (!r->keyframes || !r->keyframe_next || !e || !r->made_us)
        goto oom;
    /* one pass: keyframes at each boundary, the time each dot was made */
    size_t i = 0;
    for (size_t k = 0; k <= r->keyframe_count; k++) {
        /* after the last keyframe: the rest of the events, then the finish */
        int last = k == r->keyframe_count;
        int64_t bound = last ? INT64_MAX : (int64_t)k * REPLAY_KEYFRAME_US;
        for (; i <= d->event_count; i++) {
            int64_t t;
            if (i < d->event_count) {
                if (d->events[i].t_us > bound)
                    break;
                if (engine_feed(e, &d->events[i]) < 0)
                    goto oom;
                t = d->events[i].t_us;
            } else if (last) {
                if (engine_finish(e, end) < 0)
                    goto oom;
                t = end;
            } else {
                break;
            }
            size_t n;
            engine_dots(e, &n);
            while (r->dot_count < n) {
                if (r->dot_count == made_cap) {
                    int64_t *nm = realloc(r->made_us, 2 * made_cap * sizeof *nm);
                    if (!nm)
                        goto oom;
                    r->made_us = nm;
                    made_cap *= 2;
                }
                r->made_us[r->dot_count++] = t < end ? t : end;
            }
        }
        if (!last) {
            engine_keyframe_save(e, r->keyframes + k * r->keyframe_size);
            r->keyframe_next[k] = i;
        }
    }
    size_t n;
    const dot *all = engine_dots(e, &n);
    r->dots = malloc((n ? n : 1) * sizeof *r->dots);
    if (!r->dots)
        goto oom;
    if (n)
        memcpy(r->dots, all, n * sizeof *all);
    r->eng = e;
    r->now_us = end;
    r->next_event = d->event_count;
    r->finished = 1;
    return r;
oom:
    engine_free(e);
    replay_free(r);
    snprintf(err, errlen, "out of memory");
    return NULL;
}

void replay_free(replay *r)
{
    if (!r)
        return;
    engine_free(r->eng);
    free(r->dots);
    free(r->made_us);
    free(r->keyframes);
    free(r->keyframe_next);
    free(r);
}

int replay_seek(replay *r, int64_t t_us)
{
    int64_t end = r->data->end_t_us > 0 ? r->data->end_t_us : 0;
    if (t_us < 0)
        t_us = 0;
    if (t_us > end)
        t_us = end;
    size_t k = (size_t)(t_us / REPLAY_KEYFRAME_US);
    if (k >= r->keyframe_count)
        k = r->keyframe_count - 1;
    int64_t kt = (int64_t)k * REPLAY_KEYFRAME_US;
    /* forward from where we are when that is no further than from the keyframe */
    int forward = !r->finished && t_us >= r->now_us && r->now_us >= kt;
    if (!forward) {
        if (engine_keyframe_load(r->eng, r->keyframes + k * r->keyframe_size, r->dots) != 0)
            return -1;
        r->next_event = r->keyframe_next[k];
        r->now_us = kt;
        r->finished = 0;
    }
    const session_data *d = r->data;
    while (r->next_event < d->event_count && d->events[r->next_event].t_us <= t_us) {
        if (engine_feed(r->eng, &d->events[r->next_event]) < 0)
            return -1;
        r->next_event++;
    }
    r->now_us = t_us;
    if (t_us >= end) {
        while (r->next_event < d->event_count) {
            if (engine_feed(r->eng, &d->events[r->next_event]) < 0)
                return -1;
            r->next_event++;
        }
        if (engine_finish(r->eng, end) < 0)
            return -1;
        r->finished = 1;
    }
    return 0;
}

const engine *replay_engine(const replay *r)
{
    return r->eng;
}

int64_t replay_time(const replay *r)
{
    return r->now_us;
}

int64_t replay_end_us(const replay *r)
{
    return r->data->end_t_us > 0 ? r->data->end_t_us : 0;
}

const dot *replay_all_dots(const replay *r, size_t *count)
{
    *count = r->dot_count;
    return r->dots;
}

int64_t replay_dot_made_us(const replay *r, size_t i)
{
    return i < r->dot_count ? r->made_us[i] : replay_end_us(r);
}

size_t replay_dot_count_at(const replay *r, int64_t t_us)
{
    /* made_us is non-decreasing: the first dot made after t */
    size_t lo = 0, hi = r->dot_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->made_us[mid] <= t_us)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (t_us >= replay_end_us(r))
        return r->dot_count;
    return lo;
}

const session_data *replay_session(const replay *r)
{
    return r->data;
}

size_t replay_keyframe_count(const replay *r)
{
    return r->keyframe_count;
}
