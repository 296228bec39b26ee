/* review_bench.c: see review_bench.h. */
#include "review_bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "rng.h"
#include "session.h"
#include "surface.h"

#define SEEKS 200
#define LONG_US (4LL * 3600 * 1000000)

static int cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Opens a replay of d, then seeks to SEEKS random points; prints one line. 0 or -1. */
static int seek_bench(const char *what, const lesson *l, const surface *s, const session_data *d, size_t *ndots)
{
    char err[256];
    double t0 = app_now_s();
    replay *r = replay_open(l, s, d, err, sizeof err);
    double open_s = app_now_s() - t0;
    if (!r) {
        fprintf(stderr, "stipple review: %s\n", err);
        return -1;
    }
    t0 = app_now_s();
    if (replay_build(r, SIZE_MAX) < 0) {
        fprintf(stderr, "stipple review: out of memory\n");
        replay_free(r);
        return -1;
    }
    double build_s = app_now_s() - t0;
    size_t n;
    replay_all_dots(r, &n);
    *ndots = n;
    int64_t end = replay_end_us(r);
    rng_state rng;
    rng_seed(42, &rng);
    double ms[SEEKS];
    for (int i = 0; i < SEEKS; i++) {
        int64_t t = (int64_t)(rng_uniform(&rng) * (double)end);
        double a = app_now_s();
        replay_seek(r, t);
        ms[i] = (app_now_s() - a) * 1e3;
    }
    qsort(ms, SEEKS, sizeof ms[0], cmp_d);
    printf("review: %s: %.1f min, %zu dots, %zu keyframes: replay opened in %.4f s, built in %.3f s (in slices "
           "after the first frame); seek median %.2f ms, max %.2f ms over %d random seeks (target < 100 ms)\n",
           what, (double)end / 60e6, n, replay_keyframe_count(r), open_s, build_s, ms[SEEKS / 2], ms[SEEKS - 1], SEEKS);
    fflush(stdout);
    replay_free(r);
    return 0;
}

/* The session repeated (each copy after the last, a second apart) to at least 4 hours. */
static int make_long(const session_data *d, session_data *out)
{
    memset(out, 0, sizeof *out);
    out->header = d->header;
    int64_t span = d->end_t_us + 1000000;
    size_t copies = (size_t)(LONG_US / span + 1);
    out->events = malloc(copies * (d->event_count ? d->event_count : 1) * sizeof *out->events);
    if (!out->events)
        return -1;
    for (size_t c = 0; c < copies; c++)
        for (size_t i = 0; i < d->event_count; i++) {
            session_event e = d->events[i];
            e.t_us += (int64_t)c * span;
            if (e.kind == SEV_PEN)
                e.u.pen.t_us += (int64_t)c * span;
            out->events[out->event_count++] = e;
        }
    out->end_t_us = (int64_t)copies * span;
    out->complete = 1;
    return 0;
}

int review_bench(const app_options *o, const lesson *l)
{
    const session_data *d = o->input_session;
    surface *s = surface_create(l->surface, l->skin_width_mm, l->skin_height_mm);
    if (!s) {
        fprintf(stderr, "stipple review: out of memory\n");
        return 1;
    }
    session_data big;
    size_t n_dots, n_big = 0;
    int rc = seek_bench(o->input_file, l, s, d, &n_dots);
    if (rc == 0 && make_long(d, &big) == 0) {
        rc = seek_bench("the same repeated to 4 h", l, s, &big, &n_big);
        /* the window opens that 4 h session: its open-to-first-frame is the figure that
         * issue 9 sets for a long session */
        printf("review: the window opens the 4 h session (%.1f min, %zu dots)\n", (double)big.end_t_us / 60e6, n_big);
        fflush(stdout);
        /* the window: open to first frame, then 64x playback */
        app_options w = *o;
        w.input_session = &big;
        w.shot_count = 0;
        w.review_step_count = 0;
        w.review_at_us = -1;
        w.exit_after = 2;
        w.review_play_frames = 180;   /* at each of 1x, 8x, 64x */
        if (rc == 0)
            rc = app_run(&w);
        free(big.events);
    } else if (rc == 0) {
        fprintf(stderr, "stipple review: out of memory\n");
        rc = 1;
    }
    surface_free(s);
    return rc;
}
