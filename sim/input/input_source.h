/* input_source.h: where pen samples come from. The practice app and the CLI read every
 * source through this one interface, so a live tablet, an evemu recording, a recorded
 * session and the mouse all go through the same path into the engine.
 *
 * Times: every event carries session time in integer microseconds. A live device's
 * kernel timestamps are turned into session time by subtracting the source's start;
 * recordings are shifted so that their first event is at start_us. */
#ifndef STIPPLE_INPUT_SOURCE_H
#define STIPPLE_INPUT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "pen.h"
#include "session.h"

typedef enum input_status {
    INPUT_OK = 0,
    INPUT_END = 1,        /* a recording has no more events */
    INPUT_UNPLUGGED = 2,  /* a live device went away: the lesson pauses */
    INPUT_ERROR = -1,
} input_status;

typedef struct input_source input_source;

struct input_source {
    char            name[96];
    device_desc     desc;          /* what the source reports, in its units */
    pen_calibration calibration;   /* applied by the engine, recorded in the session */
    /* Moves up to `max` events with t_us <= until_us into out; returns how many. Never
     * blocks. Sets *status (INPUT_OK while more may come). */
    size_t (*poll)(input_source *self, int64_t until_us, session_event *out, size_t max, input_status *status);
    /* Time of the next pending event, or INT64_MAX when none is known (live devices). */
    int64_t (*peek_time)(input_source *self);
    void   (*close)(input_source *self);   /* frees self */
    void   *impl;
};

static inline void input_source_close(input_source *s)
{
    if (s && s->close)
        s->close(s);
}

#endif
