/* replay.c: see replay.h. */
#include "replay.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay {
    const lesson *lesson;
    const surface *surface;
    const session_data *data;
    int64_t end_us;
    /* the state shown: at `now` */
    engine *eng;
    int64_t now_us;
    size_t  next_event;   /* the first event not yet fed to eng */
    int     finished;     /* engine_finish was applied (now == end) */
    /* the builder: one pass through the session, in slices */
    engine *bld;
    size_t  bld_next;     /* its first event not yet fed */
    size_t  bld_keyframe; /* its next keyframe to save */
    int     bld_done;     /* every event fed and engine_finish applied */
    int64_t *made_us;     /* the time each dot the builder has made was made */
    size_t  dot_count, made_cap;
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
    r->end_us = d->end_t_us > 0 ? d->end_t_us : 0;
    r->keyframe_size = engine_keyframe_size();
    r->keyframe_count = (size_t)(r->end_us / REPLAY_KEYFRAME_US) + 1;
    r->keyframes = malloc(r->keyframe_count * r->keyframe_size);
    r->keyframe_next = malloc(r->keyframe_count * sizeof *r->keyframe_next);
    r->made_cap = 1024;
    r->made_us = malloc(r->made_cap * sizeof *r->made_us);
    r->eng = fresh_engine(r);
    r->bld = fresh_engine(r);
    if (!r->keyframes || !r->keyframe_next || !r->made_us || !r->eng || !r->bld || replay_seek(r, 0) != 0) {
        replay_free(r);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return r;
}

void replay_free(replay *r)
{
    if (!r)
        return;
    engine_free(r->eng);
    engine_free(r->bld);
    free(r->made_us);
    free(r->keyframes);
    free(r->keyframe_next);
    free(r);
}

/* The builder's new dots, made by what it was just fed at t. 0 or -1. */
static int note_new_dots(replay *r, int64_t t)
{
    size_t n;
    engine_dots(r->bld, &n);
    while (r->dot_count < n) {
        if (r->dot_count == r->made_cap) {
            int64_t *nm = realloc(r->made_us, 2 * r->made_cap * sizeof *nm);
            if (!nm)
                return -1;
            r->made_us = nm;
            r->made_cap *= 2;
        }
        r->made_us[r->dot_count++] = t < r->end_us ? t : r->end_us;
    }
    return 0;
}

/* Builds on until max_events more are fed, or everything up to stop_us is known. */
static int build(replay *r, size_t max_events, int64_t stop_us)
{
    const session_data *d = r->data;
    size_t fed = 0;
    while (!r->bld_done) {
        if (r->bld_keyframe < r->keyframe_count) {
            int64_t bound = (int64_t)r->bld_keyframe * REPLAY_KEYFRAME_US;
            if (r->bld_next < d->event_count && d->events[r->bld_next].t_us <= bound) {
                if (fed == max_events)
                    return 0;
                if (engine_feed(r->bld, &d->events[r->bld_next]) < 0 || note_new_dots(r, d->events[r->bld_next].t_us) < 0)
                    return -1;
                r->bld_next++;
                fed++;
                continue;
            }
            engine_keyframe_save(r->bld, r->keyframes + r->bld_keyframe * r->keyframe_size);
            r->keyframe_next[r->bld_keyframe++] = r->bld_next;
            if (bound >= stop_us)
                return 0;
            continue;
        }
        /* after the last keyframe: the rest of the events, then the finish */
        if (r->bld_next < d->event_count) {
            if (fed == max_events)
                return 0;
            if (engine_feed(r->bld, &d->events[r->bld_next]) < 0 || note_new_dots(r, d->events[r->bld_next].t_us) < 0)
                return -1;
            r->bld_next++;
            fed++;
            continue;
        }
        if (engine_finish(r->bld, r->end_us) < 0 || note_new_dots(r, r->end_us) < 0)
            return -1;
        r->bld_done = 1;
    }
    return 1;
}

int replay_build(replay *r, size_t max_events)
{
    return build(r, max_events, INT64_MAX);
}

int64_t replay_built_us(const replay *r)
{
    if (r->bld_done)
        return INT64_MAX;
    /* every event up to the last keyframe saved has been fed */
    return r->bld_keyframe ? (int64_t)(r->bld_keyframe - 1) * REPLAY_KEYFRAME_US : -1;
}

int replay_build_done(const replay *r)
{
    return r->bld_done;
}

double replay_build_fraction(const replay *r)
{
    if (r->bld_done)
        return 1.0;
    size_t n = r->data->event_count;
    return n ? (double)r->bld_next / (double)(n + 1) : 0.0;
}

/* Builds until the dots up to t_us are known. 0 or -1. */
static int build_to(replay *r, int64_t t_us)
{
    if (t_us >= r->end_us)   /* the end includes the finish */
        t_us = INT64_MAX;
    while (replay_built_us(r) < t_us) {
        if (build(r, SIZE_MAX, t_us) < 0)
            return -1;
    }
    return 0;
}

int replay_seek(replay *r, int64_t t_us)
{
    int64_t end = r->end_us;
    if (t_us < 0)
        t_us = 0;
    if (t_us > end)
        t_us = end;
    if (build_to(r, t_us) != 0)
        return -1;
    size_t k = (size_t)(t_us / REPLAY_KEYFRAME_US);
    if (k >= r->keyframe_count)
        k = r->keyframe_count - 1;
    int64_t kt = (int64_t)k * REPLAY_KEYFRAME_US;
    /* forward from where we are when that is no further than from the keyframe */
    int forward = !r->finished && t_us >= r->now_us && r->now_us >= kt;
    if (!forward) {
        size_t n;
        const dot *all = engine_dots(r->bld, &n);
        if (engine_keyframe_load(r->eng, r->keyframes + k * r->keyframe_size, all) != 0)
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
    return r->end_us;
}

const dot *replay_all_dots(const replay *r, size_t *count)
{
    size_t n;
    const dot *d = engine_dots(r->bld, &n);
    *count = r->dot_count;   /* == n */
    return d;
}

int64_t replay_dot_made_us(const replay *r, size_t i)
{
    return i < r->dot_count ? r->made_us[i] : r->end_us;
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
    if (t_us >= r->end_us && r->bld_done)
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
