/* trainee.h: virtual trainees. Each produces pen samples and actions, never dots: the
 * samples go through the same engine as a real pen. A profile behaves like a person
 * (looks at a patch, switches the machine on, hovers, approaches, punctures, lifts, takes
 * breaks) with one characteristic habit or fault. Deterministic for a seed. */
#ifndef STIPPLE_TRAINEE_H
#define STIPPLE_TRAINEE_H

#include <stdint.h>

#include "lesson.h"
#include "pen.h"
#include "session.h"
#include "surface.h"

typedef enum trainee_profile {
    TRAINEE_EXPERT = 0,    /* natural pattern, right depth, shade and hairline */
    TRAINEE_DEEP,          /* presses too hard: blow-outs */
    TRAINEE_SHALLOW,       /* too light: dots shed */
    TRAINEE_GRID,          /* rows and columns */
    TRAINEE_CLUMPED,       /* dots in clusters */
    TRAINEE_SPARSE,        /* under half the density */
    TRAINEE_DRAGGER,       /* moves while the needle is in */
    TRAINEE_WRONG_SHADE,   /* picks a shade far from the target */
    TRAINEE_HARD_HAIRLINE, /* full density right up to (and over) the design line */
    TRAINEE_COUNT
} trainee_profile;

const char *trainee_profile_name(int profile);          /* "expert", "deep", ... */
int         trainee_profile_from_name(const char *name); /* -1 if unknown */
/* The metric a profile's fault is about (METRIC_* from lesson.h); -1 for the expert. */
int         trainee_profile_metric(int profile);

/* The header of a session this trainee records: program version, the lesson's id and
 * content hash, source "trainee:<profile>", the seed, the virtual pen and its default
 * calibration. */
void trainee_session_header(const lesson *l, int profile, uint64_t seed, session_header *dest);

/* Receives each event in time order; a non-zero return stops the trainee. */
typedef int (*trainee_sink)(void *ctx, const session_event *ev);

/* Works the whole lesson. Returns 0 when done (end time in *end_t_us), -1 on allocation
 * failure or when the sink stopped it. */
int trainee_run(const lesson *l, const surface *s, int profile, uint64_t seed,
                const device_desc *dev, const pen_calibration *cal,
                trainee_sink sink, void *ctx, int64_t *end_t_us);

#endif
