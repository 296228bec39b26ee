/* review_bench.h: `stipple review SESSION --bench`. Prints, for the session and for a
 * 4-hour session made by repeating it: the replay's open and build times, seek times over
 * 200 random points once built (median and max, ms); then, in the review window on the
 * 4-hour session: open-to-first-frame, when the build (in slices, a frame at a time) was
 * done, and the median frame rate while playing at 1x, 8x and 64x. */
#ifndef STIPPLE_REVIEW_BENCH_H
#define STIPPLE_REVIEW_BENCH_H

#include "app.h"
#include "lesson.h"

int review_bench(const app_options *o, const lesson *l);

#endif
