/* live_input.h: the practice app's path from a live pen source to session events, kept
 * free of SDL so it can be tested headless with a fake source:
 *   source -> input thread (ring, kernel timestamps) -> tablet area mapping ->
 *   pen side buttons taken out as camera motion -> times kept non-decreasing -> the app,
 *   which feeds engine_feed and the session writer in that order.
 * Hot-plug: the app passes the watcher's events to live_input_hotplug; an unplugged source
 * (its SEV_PAUSE, value 1, went through) is reopened when the same device comes back, and
 * its SEV_RESUME follows. Nothing read before the unplug is lost: the ring holds it.
 * Side buttons (issue 3): BTN_STYLUS held + pen motion orbits, BTN_STYLUS2 held pans; while
 * one is held, and until the tip next lifts, the sample goes on with no touch and no
 * pressure, so camera moves never puncture. */
#ifndef STIPPLE_LIVE_INPUT_H
#define STIPPLE_LIVE_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "evdev_source.h"
#include "input_source.h"
#include "input_thread.h"
#include "tablet_map.h"

/* Camera motion from the side buttons since the last pump, in viewport fractions
 * (x: of the width, y: of the height; right and down positive). */
typedef struct live_input_camera {
    double orbit_dx, orbit_dy;
    double pan_dx, pan_dy;
} live_input_camera;

typedef struct live_input live_input;

/* Takes ownership of src. area: NULL for the whole tablet. The input thread starts here.
 * NULL with err on failure (src is then closed). */
live_input *live_input_open(input_source *src, const tablet_area *area, char *err, size_t errlen);
void        live_input_close(live_input *li);   /* NULL-safe: stops the thread, closes the source */

/* For sources other than evdev_source (tests): how to reopen after an unplug. */
void live_input_set_replug(live_input *li, int (*replug)(input_source *s, const char *devnode));

/* The device description the session records (the tablet area applied). */
const device_desc *live_input_desc(const live_input *li);
input_source      *live_input_source(live_input *li);
tablet_map        *live_input_map(live_input *li);

/* Moves what arrived into out (session events, times >= floor_us and non-decreasing). aspect:
 * the viewport's, for side-button motion. Adds side-button motion into *cam. Never blocks.
 * *kernel_us (when not NULL) receives each event's kernel time (CLOCK_MONOTONIC us). */
size_t live_input_pump(live_input *li, int64_t floor_us, double aspect, session_event *out, int64_t *kernel_us,
                       size_t max, live_input_camera *cam);
/* A hot-plug event. 1 when it reopened our unplugged device, 0 otherwise, -1 on error. */
int live_input_hotplug(live_input *li, const hotplug_event *ev);
/* 1 between the SEV_PAUSE of an unplug and the SEV_RESUME of the replug (as pumped). */
int live_input_unplugged(const live_input *li);
/* Events read and lost (ring overflow) so far; SYN_DROPPED are counted by the engine. */
void live_input_stats(live_input *li, input_thread_stats *out);
/* Force feedback on the source (see evdev_source_ff_play), under the thread's lock. */
int live_input_ff_play(live_input *li, int slot, double strength, int duration_ms, int on);
int live_input_has_ff(live_input *li);

/* Is devnode a pen (tablet, pen display, instrumented pen)? 1 with *caps filled, 0 not a pen
 * or not readable. */
int live_input_is_pen(const char *devnode, device_caps *caps);
/* The first pen device in dir (NULL: /dev/input), by event number. 1 found (path in out), 0. */
int live_input_find_pen(const char *dir, char *out, size_t outlen);

#endif
