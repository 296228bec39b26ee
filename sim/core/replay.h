/* replay.h: a recorded session played back for review, with seek. Reviewing reads the
 * session and never writes one.
 *
 * A second engine (the builder) re-simulates the session once, in slices, through the same
 * path as grading (so the dots are the graded dots), keeping a keyframe of the engine's state
 * every REPLAY_KEYFRAME_US of session time and the time each dot was made. Opening costs
 * nothing of that: the review shows its first frame at once and builds the rest a slice a
 * frame (replay_build), or on demand when a seek goes past what is built. Seeking to T loads
 * the last keyframe at or before T and re-simulates from there, so once built it costs at
 * most one keyframe's span of events, wherever T is. The state at T is the engine after
 * every event with t_us <= T (and, from the session's end on, after engine_finish): bit for
 * bit what playing straight to T gives. */
#ifndef STIPPLE_REPLAY_H
#define STIPPLE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "session.h"

#define REPLAY_KEYFRAME_US 2000000

typedef struct replay replay;

/* l, s and d must outlive the replay. Shows session time 0; builds nothing else yet. NULL
 * with err on allocation failure. */
replay *replay_open(const lesson *l, const surface *s, const session_data *d, char *err, size_t errlen);
void    replay_free(replay *r);   /* NULL-safe */

/* Builds on: feeds the builder at most max_events more events (its keyframes and dot times
 * as it goes). 1 when the whole session is built, 0 when there is more, -1 on allocation
 * failure. replay_build(r, SIZE_MAX) builds everything. */
int     replay_build(replay *r, size_t max_events);
/* Session time up to which the dots and their times are known (INT64_MAX once all is built). */
int64_t replay_built_us(const replay *r);
int     replay_build_done(const replay *r);
/* How far the build has got, 0..1 (of the session's events). */
double  replay_build_fraction(const replay *r);

/* The engine at session time t_us (clamped to [0, end]), building up to there first when
 * needed. 0, or -1 on allocation failure. */
int     replay_seek(replay *r, int64_t t_us);
const engine *replay_engine(const replay *r);
int64_t replay_time(const replay *r);
int64_t replay_end_us(const replay *r);

/* The dots built so far (every dot of the session, as grading sees them, once the build is
 * done) and, for dot i, the session time it was made (the event that ended its puncture):
 * seeking there shows it just placed. The pointer holds until the next build or seek. */
const dot *replay_all_dots(const replay *r, size_t *count);
int64_t replay_dot_made_us(const replay *r, size_t i);
/* How many dots exist at time t_us (t_us <= replay_built_us, or the build done). */
size_t  replay_dot_count_at(const replay *r, int64_t t_us);

/* The session's events (for the timeline). */
const session_data *replay_session(const replay *r);
size_t  replay_keyframe_count(const replay *r);   /* of the whole session, built or not */

#endif
