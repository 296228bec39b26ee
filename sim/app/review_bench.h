/* review_bench.h: `stipple review SESSION --bench`. Prints, for the session and for a
 * 4-hour session made by repeating it: the replay's open time, seek times over 200 random
 * points (median and max, ms), open-to-first-frame of the review window, and frames per
 * second while playing at 64x. */
#ifndef STIPPLE_REVIEW_BENCH_H
#define STIPPLE_REVIEW_BENCH_H

#include "app.h"
#include "lesson.h"

int review_bench(const app_options *o, const lesson *l);

#endif
