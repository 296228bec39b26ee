/* evemu_source.h: an evemu recording played as an input source, through evdev_pen (the
 * handler a live device uses). poll(until_us) returns the samples whose time <= until_us:
 * the caller decides whether that is real time or as fast as possible. */
#ifndef STIPPLE_EVEMU_SOURCE_H
#define STIPPLE_EVEMU_SOURCE_H

#include "device_profile.h"
#include "evdev_pen.h"
#include "evemu.h"
#include "input_source.h"

/* desc_path: the .desc file for recordings that carry no description (NULL: guess X.desc).
 * The recording's first event is played at session time start_us. The device profile is the
 * best match in $STIPPLE_DEVICE_PROFILES when that is set, else the default evdev map.
 * NULL with err set ("file:line: ...") on failure. */
input_source *evemu_source_open(const char *path, const char *desc_path, int64_t start_us, char *err, size_t errlen);

/* The same with an explicit profile (NULL = the default map). */
input_source *evemu_source_open_profile(const char *path, const char *desc_path, const device_profile *profile,
                                        int64_t start_us, char *err, size_t errlen);

/* The same from a parsed recording (copied). */
input_source *evemu_source_from_recording(const evemu_recording *r, const device_profile *profile, int64_t start_us,
                                          char *err, size_t errlen);

/* The handler inside an evemu or evdev source (NULL for other sources): tests and
 * `stipple devices test` read its counters. */
const evdev_pen *input_source_pen(const input_source *s);

/* What Stipple reads from a recording (`stipple devices test`). Ranges are over the values
 * the handler took on each channel once it was first reported; -1/0 counts when absent. */
typedef struct evemu_stats {
    device_desc desc;
    size_t   events, frames;
    size_t   proximity_in, proximity_out;
    size_t   contacts;            /* touch-downs (PEN_TOUCH 0 -> 1 between samples) */
    size_t   eraser_frames;       /* samples with PEN_ERASER */
    size_t   machine_events;      /* SEV_MACHINE from a profile's trigger */
    size_t   syn_dropped;
    int      have_pressure, have_tilt_x, have_tilt_y, have_depth;
    int32_t  pressure_min, pressure_max, tilt_x_min, tilt_x_max, tilt_y_min, tilt_y_max, depth_min, depth_max;
    double   report_rate_hz;      /* median over SYN_REPORT intervals; 0 when < 2 frames */
    int64_t  duration_us;
} evemu_stats;

/* Plays r through evdev_pen (with the profile's map when given) and gathers the stats. 0 or
 * -1 on allocation failure. */
int evemu_stats_compute(const evemu_recording *r, const device_profile *profile, evemu_stats *out);

#endif
