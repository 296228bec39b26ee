/* test_replay.c: the review player's seek. Seeking to 200 random points (in random order,
 * back and forth) plus every awkward one (0, keyframe boundaries and a microsecond either
 * side, the end, past it) gives the same dots and engine state, bit for bit, as playing
 * straight there; the dots of the whole session equal the graded re-simulation's; each dot's
 * "made at" time shows it just placed. Sessions made by virtual trainees (a practice skin
 * with pauses and drags, and the head with a hairline). */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"
#include "trainee.h"

typedef struct evbuf {
    session_event *ev;
    size_t n, cap;
} evbuf;

static int collect(void *ctx, const session_event *ev)
{
    evbuf *b = ctx;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        session_event *ne = realloc(b->ev, cap * sizeof *ne);
        if (!ne)
            return -1;
        b->ev = ne;
        b->cap = cap;
    }
    b->ev[b->n++] = *ev;
    return 0;
}

typedef struct snap {
    int64_t t_us;
    unsigned char *kf;
    dot *dots;
    size_t n;
} snap;

static int cmp_t(const void *x, const void *y)
{
    int64_t a = ((const snap *)x)->t_us, b = ((const snap *)y)->t_us;
    return (a > b) - (a < b);
}

static void check_session(const char *lesson_file, int profile, uint64_t seed)
{
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/lessons/%s", STIPPLE_SOURCE_DIR, lesson_file);
    lesson l;
    if (lesson_load_file(path, &l, err, sizeof err) != 0) {
        CHECK(0, "%s", err);
        return;
    }
    surface *s = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    session_data d;
    memset(&d, 0, sizeof d);
    trainee_session_header(&l, profile, seed, &d.header);
    evbuf b = { 0 };
    int64_t end_us = 0;
    CHECK(trainee_run(&l, s, profile, seed, &d.header.device, &d.header.calibration, collect, &b, &end_us) == 0,
          "trainee ran");
    d.events = b.ev;
    d.event_count = b.n;
    d.end_t_us = end_us;
    d.complete = 1;

    replay *r = replay_open(&l, s, &d, err, sizeof err);
    CHECK(r != NULL, "replay_open: %s", err);
    if (!r)
        goto out;
    /* opening builds nothing past time 0: the rest is built on demand by the seeks below */
    CHECK(!replay_build_done(r) && replay_built_us(r) < REPLAY_KEYFRAME_US, "%s: opening built up to %lld us",
          lesson_file, (long long)replay_built_us(r));
    engine *ref = engine_replay(&l, s, &d);
    size_t nref, nall;
    const dot *dref = engine_dots(ref, &nref);
    /* a second replay built in small slices, as the review does a frame at a time */
    char err2[256];
    replay *sliced = replay_open(&l, s, &d, err2, sizeof err2);
    int brc = 0;
    size_t slices = 0;
    while (sliced && (brc = replay_build(sliced, 997)) == 0)
        slices++;
    const dot *dsl = sliced ? replay_all_dots(sliced, &nall) : NULL;
    CHECK(brc == 1 && dsl && nall == nref && nall > 100 && memcmp(dsl, dref, nall * sizeof *dsl) == 0,
          "%s/%s: built in %zu slices, the dots (%zu) equal engine_replay's (%zu)", lesson_file,
          trainee_profile_name(profile), slices, nall, nref);

    /* the points: 200 random, then the awkward ones */
    enum { RANDOM = 200 };
    size_t ks = replay_keyframe_count(r);
    size_t cap = RANDOM + 3 * ks + 8, np = 0;
    snap *pts = calloc(cap, sizeof *pts);
    rng_state rng;
    rng_seed(seed * 7919u + 17u, &rng);
    for (int i = 0; i < RANDOM; i++)
        pts[np++].t_us = (int64_t)rng_below(&rng, (uint32_t)(end_us + 1));
    pts[np++].t_us = 0;
    pts[np++].t_us = end_us;
    pts[np++].t_us = end_us - 1;
    pts[np++].t_us = end_us + 5000000;   /* past the end: the end */
    for (size_t k = 1; k < ks && np + 3 <= cap; k++) {
        int64_t t = (int64_t)k * REPLAY_KEYFRAME_US;
        pts[np++].t_us = t - 1;
        pts[np++].t_us = t;
        pts[np++].t_us = t + 1;
    }
    /* straight play, one engine forward through the sorted points */
    qsort(pts, np, sizeof *pts, cmp_t);
    size_t kfs = engine_keyframe_size();
    engine *e = engine_create(&l, s, &d.header.device, &d.header.calibration);
    size_t next = 0;
    int finished = 0;
    for (size_t i = 0; i < np; i++) {
        int64_t t = pts[i].t_us > end_us ? end_us : pts[i].t_us;
        while (next < d.event_count && d.events[next].t_us <= t)
            engine_feed(e, &d.events[next++]);
        if (t >= end_us && !finished) {
            while (next < d.event_count)
                engine_feed(e, &d.events[next++]);
            engine_finish(e, end_us);
            finished = 1;
        }
        pts[i].kf = malloc(kfs);
        engine_keyframe_save(e, pts[i].kf);
        const dot *dd = engine_dots(e, &pts[i].n);
        pts[i].dots = malloc((pts[i].n ? pts[i].n : 1) * sizeof(dot));
        if (pts[i].n) memcpy(pts[i].dots, dd, pts[i].n * sizeof(dot)); /* dd may be NULL when empty */
    }
    engine_free(e);
    /* seeks in random order */
    for (size_t i = np; i > 1; i--) {
        size_t j = rng_below(&rng, (uint32_t)i);
        snap t = pts[i - 1];
        pts[i - 1] = pts[j];
        pts[j] = t;
    }
    unsigned char *kf = malloc(kfs);
    size_t bad_state = 0, bad_dots = 0, bad_count = 0;
    for (size_t i = 0; i < np; i++) {
        if (replay_seek(r, pts[i].t_us) != 0) {
            CHECK(0, "seek to %lld failed", (long long)pts[i].t_us);
            break;
        }
        engine_keyframe_save(replay_engine(r), kf);
        size_t n;
        const dot *dd = engine_dots(replay_engine(r), &n);
        if (memcmp(kf, pts[i].kf, kfs) != 0)
            bad_state++;
        if (n != pts[i].n || memcmp(dd, pts[i].dots, n * sizeof *dd) != 0)
            bad_dots++;
        if (replay_dot_count_at(r, pts[i].t_us) != pts[i].n) {
            bad_count++;
            fprintf(stderr, "t %lld (end %lld): count_at %zu, straight %zu\n", (long long)pts[i].t_us, (long long)end_us,
                    replay_dot_count_at(r, pts[i].t_us), pts[i].n);
        }
    }
    CHECK(bad_state == 0, "%s/%s: engine state differs after %zu of %zu seeks", lesson_file,
          trainee_profile_name(profile), bad_state, np);
    CHECK(bad_dots == 0, "%s/%s: dots differ after %zu of %zu seeks", lesson_file, trainee_profile_name(profile),
          bad_dots, np);
    CHECK(bad_count == 0, "%s/%s: replay_dot_count_at wrong at %zu of %zu points", lesson_file,
          trainee_profile_name(profile), bad_count, np);
    /* the seeks built it all on demand (one went to the end): the whole session's dots are the graded ones */
    const dot *dall = replay_all_dots(r, &nall);
    CHECK(replay_build_done(r) && nall == nref && memcmp(dall, dref, nall * sizeof *dall) == 0,
          "%s/%s: built on demand, the replay's dots (%zu) equal engine_replay's (%zu)", lesson_file,
          trainee_profile_name(profile), nall, nref);
    for (size_t i = 0; sliced && i < nall; i++)
        if (replay_dot_made_us(r, i) != replay_dot_made_us(sliced, i)) {
            CHECK(0, "dot %zu: made at %lld on demand, %lld in slices", i, (long long)replay_dot_made_us(r, i),
                  (long long)replay_dot_made_us(sliced, i));
            break;
        }
    replay_free(sliced);
    engine_free(ref);
    printf("%s/%s: %zu seeks over %.1f s of session, %zu dots, %zu keyframes: identical\n", lesson_file,
           trainee_profile_name(profile), np, (double)end_us * 1e-6, nall, ks);
    /* the moment each dot was placed shows it, a microsecond earlier does not */
    size_t bad_made = 0;
    for (size_t i = 0; i < nall; i += 7) {
        int64_t m = replay_dot_made_us(r, i);
        replay_seek(r, m);
        size_t n1;
        engine_dots(replay_engine(r), &n1);
        replay_seek(r, m - 1);
        size_t n0;
        engine_dots(replay_engine(r), &n0);
        if (!(n1 > i && n0 <= i))
            bad_made++;
    }
    CHECK(bad_made == 0, "dot made-at times wrong for %zu dots", bad_made);
    free(kf);
    for (size_t i = 0; i < np; i++) {
        free(pts[i].kf);
        free(pts[i].dots);
    }
    free(pts);
out:
    replay_free(r);
    free(b.ev);
    surface_free(s);
    lesson_free(&l);
}

int main(void)
{
    check_session("01-spacing-drill.json", TRAINEE_DRAGGER, 11);
    check_session("04-soft-hairline.json", TRAINEE_DEEP, 3);
    return check_summary("test_replay");
}
