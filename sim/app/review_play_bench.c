/* review_play_bench.c: `stipple review --bench`: once the session is built, playback at 1x, 8x
 * and 64x (the median frame interval of each gives its frames per second), then seeks from
 * the end back to half way (and back 10 s) and forward again, a frame each. */
#include <stdio.h>
#include <stdlib.h>

#include "review_internal.h"

/* The bench's seek back from the end: to half way, then 10 s back. */
int64_t review_bench_back_us(const review *r)
{
    return r->bench_phase == BENCH_PHASES ? r->bench_hi_us / 2 : r->bench_hi_us - 10000000;
}

static int cmp_double(const void *x, const void *y)
{
    double p = *(const double *)x, q = *(const double *)y;
    return (p > q) - (p < q);
}

/* The bench's playback: review_play_frames frames at each of 1x, 8x and 64x; the median
 * frame interval of each gives its frames per second. */
void review_bench_frame(app *a)
{
    review *r = RV(a);
    static const int phase_speed[BENCH_PHASES] = { 2, 5, 8 };   /* review_speeds[]: 1x, 8x, 64x */
    double now = app_now_s();
    r->bench_dt[r->bench_frames++] = now - r->bench_last;
    r->bench_last = now;
    if (r->bench_phase >= BENCH_PHASES) {
        if (r->bench_frames < 2 * BENCH_SEEKS)
            return;
        double back[BENCH_SEEKS], fwd[BENCH_SEEKS];
        for (int i = 0; i < BENCH_SEEKS; i++) {
            back[i] = r->bench_dt[2 * i];
            fwd[i] = r->bench_dt[2 * i + 1];
        }
        qsort(back, BENCH_SEEKS, sizeof back[0], cmp_double);
        qsort(fwd, BENCH_SEEKS, sizeof fwd[0], cmp_double);
        int64_t lo_us = review_bench_back_us(r);
        size_t hi = replay_dot_count_at(r->rp, r->bench_hi_us), lo = replay_dot_count_at(r->rp, lo_us);
        printf("review: seeking back from %.2f to %.2f min (%zu of %zu dots taken out of the texture): median %.1f ms a "
               "frame, max %.1f; forward again (baked in again): median %.1f ms, max %.1f (%d of each)\n",
               (double)r->bench_hi_us / 60e6, (double)lo_us / 60e6, hi - lo, hi, back[BENCH_SEEKS / 2] * 1e3,
               back[BENCH_SEEKS - 1] * 1e3, fwd[BENCH_SEEKS / 2] * 1e3, fwd[BENCH_SEEKS - 1] * 1e3, BENCH_SEEKS);
        fflush(stdout);
        if (r->bench_phase++ > BENCH_PHASES)
            a->running = 0;
        r->bench_frames = 0;
        r->bench_last = app_now_s();
        return;
    }
    if (r->bench_frames < a->opt->review_play_frames && r->playing)
        return;
    int n = r->bench_frames;
    double total = now - r->bench_t0;
    qsort(r->bench_dt, (size_t)n, sizeof *r->bench_dt, cmp_double);
    double med = r->bench_dt[n / 2], p90 = r->bench_dt[n * 9 / 10];
    printf("review: playing at %gx, %d x %d: %d frames in %.2f s: median %.2f ms a frame = %.1f fps, 90th percentile "
           "%.2f ms (target at 64x: >= 60 fps); at %.1f of %.1f min\n",
           review_speeds[r->speed_i], a->gl.width, a->gl.height, n, total, med * 1e3, med > 0 ? 1.0 / med : 0.0, p90 * 1e3,
           (double)r->t_us / 60e6, (double)r->end_us / 60e6);
    fflush(stdout);
    if (!r->playing) {
        a->running = 0;
        return;
    }
    if (++r->bench_phase == BENCH_PHASES) {
        r->playing = 0;
        r->bench_hi_us = r->end_us;   /* with every dot of the session in the texture */
        r->bench_frames = 0;
        r->bench_last = app_now_s();
        return;
    }
    r->speed_i = phase_speed[r->bench_phase];
    r->bench_frames = 0;
    r->bench_t0 = r->bench_last = r->last_wall = app_now_s();
}

