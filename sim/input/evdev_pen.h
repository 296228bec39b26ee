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
    /* --- added with the implementation (additive) ------------------------------------ */
    pen_sample  committed;      /* state at the last SYN_REPORT: a dropped frame rolls back to it */
    int         saw_tool;       /* a BTN_TOOL_* event came: proximity follows the tool keys */
    uint8_t     abs_channel[ABS_CNT];  /* EVDEV_CH_* for each ABS code (a device profile's map) */
    uint16_t    machine_key;    /* EV_KEY code whose press toggles the machine; 0 = none */
    int         machine_on;
    int32_t     needle_depth;   /* raw needle-depth channel (instrumented pens), 0 if none */
    int32_t     depth_um_per_unit; /* its unit in um (0: not reported in samples) */
} evdev_pen;

/* What an absolute axis means to Stipple (the channel a device profile maps it to). */
enum evdev_channel {
    EVDEV_CH_NONE = 0,
    EVDEV_CH_X,
    EVDEV_CH_Y,
    EVDEV_CH_PRESSURE,      /* tip pressure or force: pen_sample.pressure */
    EVDEV_CH_TILT_X,
    EVDEV_CH_TILT_Y,
    EVDEV_CH_DISTANCE,
    EVDEV_CH_NEEDLE_DEPTH,  /* evdev_pen.needle_depth */
};

/* desc: the device's description (axes ranges). The first event's kernel time becomes
 * session time start_us. */
void evdev_pen_init(evdev_pen *p, const device_desc *desc, int64_t start_us);

/* Feeds one event. Returns 1 and fills *out (a SEV_PEN or SEV_SYN_DROPPED event) when the
 * event completes one, else 0. */
int evdev_pen_feed(evdev_pen *p, const struct input_event *ev, session_event *out);

/* After a SYN_DROPPED on a live device: sets the whole state from the device's current
 * values (as libevdev reports them after its sync), so no stale axis survives. */
void evdev_pen_resync(evdev_pen *p, const pen_sample *current);

/* Replaces the default axis map (ABS_X -> x, ABS_PRESSURE -> pressure, ...) with a device
 * profile's: abs_channel[code] = EVDEV_CH_*; machine_key: an EV_KEY code whose press yields
 * a SEV_MACHINE event toggling the machine (0 = none). */
void evdev_pen_set_map(evdev_pen *p, const uint8_t abs_channel[ABS_CNT], uint16_t machine_key);
/* Reports the needle-depth channel in samples (pen_sample.needle_depth_um), one raw unit
 * being um_per_unit micrometres; 0 turns it off. */
void evdev_pen_set_depth_scale(evdev_pen *p, int32_t um_per_unit);

/* The device went away (live: -ENODEV): the tool leaves proximity, any contact ends, and a
 * SEV_PAUSE event (value 1 = unplugged) at session time t_us is written to *out so the
 * lesson pauses. evdev_pen_replug writes the SEV_RESUME that follows a successful reopen. */
void evdev_pen_unplug(evdev_pen *p, int64_t t_us, session_event *out);
void evdev_pen_replug(evdev_pen *p, int64_t t_us, session_event *out);

/* Kernel time of an event in microseconds. */
static inline int64_t evdev_event_us(const struct input_event *ev)
{
    return (int64_t)ev->input_event_sec * 1000000 + (int64_t)ev->input_event_usec;
}

#endif
