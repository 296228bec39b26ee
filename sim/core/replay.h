/* replay.h: a recorded session played back for review, with seek. Reviewing reads the
 * session and never writes one.
 *
 * Opening re-simulates the whole session once through the engine (the same path as grading,
 * so the dots are the graded dots) and keeps a keyframe of the engine's state every
 * REPLAY_KEYFRAME_US of session time. Seeking to T loads the last keyframe at or before T
 * and re-simulates from there, so it costs at most one keyframe's span of events, wherever T
 * is. The state at T is the engine after every event with t_us <= T (and, from the session's
 * end on, after engine_finish): bit for bit what playing straight to T gives. */
#ifndef STIPPLE_REPLAY_H
#define STIPPLE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "session.h"

#define REPLAY_KEYFRAME_US 2000000

typedef struct replay replay;

/* l, s and d must outlive the replay. NULL with err on allocation failure. */
replay *replay_open(const lesson *l, const surface *s, const session_data *d, char *err, size_t errlen);
void    replay_free(replay *r);   /* NULL-safe */

/* The engine at session time t_us (clamped to [0, end]). 0, or -1 on allocation failure. */
int     replay_seek(replay *r, int64_t t_us);
const engine *replay_engine(const replay *r);
int64_t replay_time(const replay *r);
int64_t replay_end_us(const replay *r);

/* Every dot of the whole session (as grading sees them) and, for dot i, the session time it
 * was made (the event that ended its puncture): seeking there shows it just placed. */
const dot *replay_all_dots(const replay *r, size_t *count);
int64_t replay_dot_made_us(const replay *r, size_t i);
/* How many dots exist at time t_us. */
size_t  replay_dot_count_at(const replay *r, int64_t t_us);

/* The session's events (for the timeline). */
const session_data *replay_session(const replay *r);
size_t  replay_keyframe_count(const replay *r);

#endif
