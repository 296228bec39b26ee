/* evdev_source.h: a live evdev device (libevdev) as an input source, plus a hot-plug
 * watcher. Reads never block. After SYN_DROPPED the source drains libevdev's sync events and
 * resynchronises the handler from the device's current state. When the device goes away
 * (-ENODEV) poll emits SEV_PAUSE (value 1) and returns INPUT_UNPLUGGED until the same device
 * (name, vendor, product, uniq) is plugged back in and evdev_source_replug reopens it
 * (then SEV_RESUME follows). Session time: kernel CLOCK_MONOTONIC time minus the source's
 * opening time, plus start_us. */
#ifndef STIPPLE_EVDEV_SOURCE_H
#define STIPPLE_EVDEV_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "device_profile.h"
#include "evdev_pen.h"
#include "input_source.h"

/* Opens devnode (e.g. /dev/input/event5) read-only and non-blocking. The device profile is
 * the best match in device_profile_dir(NULL) when that is set. NULL with err set on failure;
 * *errno_out (when not NULL) receives the errno (EACCES: not in the `input` group). */
input_source *evdev_source_open(const char *devnode, int64_t start_us, char *err, size_t errlen);
input_source *evdev_source_open_profile(const char *devnode, const device_profile *profile, int64_t start_us,
                                        int *errno_out, char *err, size_t errlen);

/* The handler of an evdev source; NULL for other sources. */
const evdev_pen *evdev_source_pen(const input_source *s);
/* 1 while the source's device is unplugged. */
int evdev_source_unplugged(const input_source *s);
/* After a hot-plug "added" event: when devnode is the source's device (same name, vendor,
 * product, uniq) and the source is unplugged, reopens it: 1. 0 when not ours, -1 on error. */
int evdev_source_replug(input_source *s, const char *devnode);

/* Force feedback (the profile's "vibration" channel): uploads the effect on first use and
 * plays it once. 0, or a negative errno (-ENOTSUP when the device or profile has none). */
int evdev_source_vibrate(input_source *s);

/* ---- added for the practice app (additive) ------------------------------------------ */
/* The open device's fd for poll(2) (an input thread waits on it); -1 while unplugged or for
 * other sources. Reading stays with poll(): the fd is only for waiting. */
int evdev_source_fd(const input_source *s);
/* 1 when the device advertises EV_FF with FF_RUMBLE or FF_PERIODIC (whatever the profile). */
int evdev_source_has_ff(const input_source *s);
/* A force-feedback cue in one of EVDEV_FF_SLOTS slots (the practice app: 0 the machine's
 * buzz, 1 the depth pulse): uploads the effect (FF_RUMBLE, else FF_PERIODIC) the first time
 * or when strength/duration change, then plays it (on = 1) or stops it (on = 0).
 * duration_ms 0 = until stopped. 0, or a negative errno (-ENOTSUP: no force feedback). */
#define EVDEV_FF_SLOTS 2
int evdev_source_ff_play(input_source *s, int slot, double strength, int duration_ms, int on);

/* Reads a device's capabilities (for `stipple devices` and profile matching). 0 or -errno. */
int evdev_caps_from_fd(int fd, device_caps *dest);

/* ---- hot-plug: inotify on /dev/input (no udev needed) -------------------------------- */
typedef struct input_hotplug input_hotplug;

typedef enum hotplug_kind { HOTPLUG_ADDED = 1, HOTPLUG_REMOVED = 2 } hotplug_kind;

typedef struct hotplug_event {
    int  kind;            /* hotplug_kind */
    char devnode[64];     /* /dev/input/eventN */
} hotplug_event;

/* dir: NULL for /dev/input. NULL with err set when the folder cannot be watched. */
input_hotplug *input_hotplug_open(const char *dir, char *err, size_t errlen);
/* Never blocks; call between frames. Returns how many events were written to out. A node
 * whose permissions change (udev applying a rule) is reported as added again. */
size_t input_hotplug_poll(input_hotplug *h, hotplug_event *out, size_t max);
int    input_hotplug_fd(const input_hotplug *h);   /* for poll()/select() users */
void   input_hotplug_close(input_hotplug *h);       /* NULL-safe */

#endif
