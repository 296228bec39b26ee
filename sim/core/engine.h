/* engine.h: the simulation. Consumes session events (pen samples, view changes,
 * machine/needle/shade actions) in time order and turns punctures into dots. Live input,
 * recorded sessions and virtual trainees all come through engine_feed, so the same
 * events always give bit-identical dots. Time is the events' own (integer us). */
#ifndef STIPPLE_ENGINE_H
#define STIPPLE_ENGINE_H

#include <stddef.h>

#include "dot.h"
#include "lesson.h"
#include "pen.h"
#include "session.h"
#include "surface.h"
#include "view.h"

/* A drag longer than this (mm of skin) while the needle is in makes a dragged dot. */
#define ENGINE_DRAG_THRESHOLD_MM 0.25

typedef struct engine engine;

/* The lesson and surface must outlive the engine. NULL on allocation failure. */
engine *engine_create(const lesson *l, const surface *s, const device_desc *dev, const pen_calibration *cal);
void    engine_free(engine *e);   /* NULL-safe */

/* Feeds one event. Returns 1 when it completed a dot, 0 otherwise, -1 on allocation
 * failure. Events earlier than the last one are applied as if they came at that time. */
int engine_feed(engine *e, const session_event *ev);
/* Ends any contact in progress (as a lift) at time t_us. */
int engine_finish(engine *e, int64_t t_us);

const dot *engine_dots(const engine *e, size_t *count);
const view_state *engine_view(const engine *e);
int     engine_machine_on(const engine *e);
int     engine_shade(const engine *e);
const needle *engine_needle(const engine *e);
int64_t engine_time_us(const engine *e);
size_t  engine_pen_samples(const engine *e);
size_t  engine_dropped_count(const engine *e);
int     engine_paused(const engine *e);

/* The puncture in progress, for a live depth gauge: 1 and its current depth (mm) while the
 * needle is in the skin, else 0. */
int engine_contact_depth(const engine *e, double *depth_mm);
/* ... and where it went in (chart mm): 1 while the needle is in the skin, else 0. */
int engine_contact_chart(const engine *e, double chart_mm[2]);

/* The view a session starts with for a lesson's surface: looking at the practice skin
 * from above it, or at the head from the front. */
void engine_default_view(const lesson *l, const surface *s, view_state *dest);

/* Keyframes, for seeking in a replay (replay.c): the engine's whole state but its dots
 * (dots are only ever appended, so a keyframe keeps just their count). A keyframe is
 * engine_keyframe_size() bytes; saved pointers are zeroed, so two keyframes of equal states
 * compare equal with memcmp. engine_keyframe_load restores one into e (made for the same
 * lesson, surface and device) with the first engine_keyframe_dots(kf) of all_dots: 0, or -1
 * on allocation failure. */
size_t engine_keyframe_size(void);
void   engine_keyframe_save(const engine *e, void *kf);
size_t engine_keyframe_dots(const void *kf);
int    engine_keyframe_load(engine *e, const void *kf, const dot *all_dots);

/* Runs every event of a loaded session through a fresh engine. Returns the engine (the
 * caller frees it) or NULL on allocation failure. */
engine *engine_replay(const lesson *l, const surface *s, const session_data *d);

#endif
