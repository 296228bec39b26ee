/* evdev_pen.h: evdev events -> pen samples. The one place that understands tablet
 * events; live devices (libevdev) and recordings (evemu) both feed it, so a recording
 * plays through exactly the code a live tablet does.
 *
 * Events accumulate into the pen's state; each SYN_REPORT yields one pen sample (time =
 * the SYN_REPORT's timestamp, turned into session time). SYN_DROPPED discards the
 * partial frame, yields a SEV_SYN_DROPPED event and ignores events up to the next
 * SYN_REPORT, as the kernel documents; a live reader then resynchronises the state
 * from the device (evdev_pen_resync). */
#ifndef STIPPLE_EVDEV_PEN_H
#define STIPPLE_EVDEV_PEN_H

#include <linux/input.h>
#include <stddef.h>
#include <stdint.h>

#include "pen.h"
#include "session.h"

typedef struct evdev_pen {
    device_desc desc;
    pen_sample  state;          /* current axes, buttons and tool */
    uint32_t    serial;         /* MSC_SERIAL of the tool, 0 if none */
    int         tool_pen, tool_rubber;
    int         dropping;       /* between SYN_DROPPED and the next SYN_REPORT */
    int         frame_dirty;    /* something changed since the last sample */
    int64_t     origin_us;      /* kernel time that maps to session time start_us */
    int64_t     start_us;
    int         have_origin;
    int64_t     last_t_us;      /* session time of the last sample (kept monotonic) */
    size_t      frames;         /* samples produced */
    size_t      dropped;        /* SYN_DROPPED seen */
    size_t      events;         /* events fed */
} evdev_pen;

/* desc: the device's description (axes ranges). The first event's kernel time becomes
 * session time start_us. */
void evdev_pen_init(evdev_pen *p, const device_desc *desc, int64_t start_us);

/* Feeds one event. Returns 1 and fills *out (a SEV_PEN or SEV_SYN_DROPPED event) when the
 * event completes one, else 0. */
int evdev_pen_feed(evdev_pen *p, const struct input_event *ev, session_event *out);

/* After a SYN_DROPPED on a live device: sets the whole state from the device's current
 * values (as libevdev reports them after its sync), so no stale axis survives. */
void evdev_pen_resync(evdev_pen *p, const pen_sample *current);

#endif
