/* evdev_pen.c: the one tablet-event handler. Live devices and recordings both feed it, one
 * struct input_event at a time; it keeps the pen's state and turns each SYN_REPORT into a
 * pen sample in session time. It must stay cheap (a benchmark wants >= 10 M events/s), so
 * the hot path is a switch and a table lookup, no allocation, no floating point.
 *
 * Rules:
 * - Axes go through abs_channel[] (the default map, or a device profile's), so a new pen
 *   needs a profile, not code.
 * - Proximity: BTN_TOOL_PEN/BRUSH/PENCIL/AIRBRUSH and BTN_TOOL_RUBBER (PEN_ERASER). A device
 *   that never sends a BTN_TOOL_* key (cheap tablets such as UC-Logic's) is taken to be in
 *   proximity from its first event: they only report while the pen is near.
 * - Leaving proximity zeroes pressure and releases touch and buttons (some drivers do not).
 * - SYN_DROPPED: the partial frame is rolled back to the last complete one, a SEV_SYN_DROPPED
 *   event is emitted, and events up to the next SYN_REPORT are ignored (the kernel's rule).
 * - Time: the first event's kernel time maps to start_us (unless a live source set
 *   origin_us itself); session time never goes backwards. */
#include "evdev_pen.h"

#include <string.h>

static void default_map(evdev_pen *p)
{
    memset(p->abs_channel, 0, sizeof p->abs_channel);
    p->abs_channel[ABS_X] = EVDEV_CH_X;
    p->abs_channel[ABS_Y] = EVDEV_CH_Y;
    p->abs_channel[ABS_PRESSURE] = EVDEV_CH_PRESSURE;
    p->abs_channel[ABS_TILT_X] = EVDEV_CH_TILT_X;
    p->abs_channel[ABS_TILT_Y] = EVDEV_CH_TILT_Y;
    p->abs_channel[ABS_DISTANCE] = EVDEV_CH_DISTANCE;
}

void evdev_pen_init(evdev_pen *p, const device_desc *desc, int64_t start_us)
{
    memset(p, 0, sizeof *p);
    if (desc)
        p->desc = *desc;
    p->start_us = start_us;
    p->last_t_us = start_us;
    default_map(p);
}

/* Raw needle depth to um, clamped to what a session can hold; 0 when not reported. */
static int32_t depth_um(const evdev_pen *p, int32_t raw)
{
    if (p->depth_um_per_unit <= 0 || raw <= 0)
        return 0;
    int64_t um = (int64_t)raw * p->depth_um_per_unit;
    return um > PEN_NEEDLE_DEPTH_MAX_UM ? PEN_NEEDLE_DEPTH_MAX_UM : (int32_t)um;
}

void evdev_pen_set_depth_scale(evdev_pen *p, int32_t um_per_unit)
{
    p->depth_um_per_unit = um_per_unit > 0 ? um_per_unit : 0;
    p->state.needle_depth_um = depth_um(p, p->needle_depth);
}

void evdev_pen_set_map(evdev_pen *p, const uint8_t abs_channel[ABS_CNT], uint16_t machine_key)
{
    if (abs_channel)
        memcpy(p->abs_channel, abs_channel, sizeof p->abs_channel);
    else
        default_map(p);
    p->machine_key = machine_key;
}

static int64_t session_time(evdev_pen *p, const struct input_event *ev)
{
    int64_t t = p->start_us + (evdev_event_us(ev) - p->origin_us);
    if (t < p->last_t_us)
        t = p->last_t_us;   /* a clock step or a reordered recording: keep time monotonic */
    p->last_t_us = t;
    return t;
}

static void set_flag(pen_sample *s, uint32_t flag, int on)
{
    if (on)
        s->flags |= flag;
    else
        s->flags &= ~flag;
}

static void update_proximity(evdev_pen *p)
{
    int in = p->tool_pen || p->tool_rubber;
    set_flag(&p->state, PEN_IN_PROXIMITY, in);
    set_flag(&p->state, PEN_ERASER, p->tool_rubber);
    if (!in) {
        p->state.pressure = 0;
        p->state.flags &= ~(uint32_t)(PEN_TOUCH | PEN_BUTTON1 | PEN_BUTTON2);
    }
}

static int on_key(evdev_pen *p, const struct input_event *ev, session_event *out)
{
    int down = ev->value != 0;
    switch (ev->code) {
    case BTN_TOUCH:
        set_flag(&p->state, PEN_TOUCH, down);
        break;
    case BTN_STYLUS:
        set_flag(&p->state, PEN_BUTTON1, down);
        break;
    case BTN_STYLUS2:
        set_flag(&p->state, PEN_BUTTON2, down);
        break;
    case BTN_TOOL_PEN:
    case BTN_TOOL_BRUSH:
    case BTN_TOOL_PENCIL:
    case BTN_TOOL_AIRBRUSH:
        p->saw_tool = 1;
        p->tool_pen = down;
        update_proximity(p);
        break;
    case BTN_TOOL_RUBBER:
        p->saw_tool = 1;
        p->tool_rubber = down;
        update_proximity(p);
        break;
    default:
        if (p->machine_key && ev->code == p->machine_key && ev->value == 1) {
            p->machine_on = !p->machine_on;
            memset(out, 0, sizeof *out);
            out->kind = SEV_MACHINE;
            out->t_us = session_time(p, ev);
            out->u.value = p->machine_on;
            return 1;
        }
        return 0;
    }
    p->frame_dirty = 1;
    return 0;
}

int evdev_pen_feed(evdev_pen *p, const struct input_event *ev, session_event *out)
{
    p->events++;
    if (!p->have_origin) {
        p->origin_us = evdev_event_us(ev);
        p->have_origin = 1;
    }
    if (p->dropping) {
        if (ev->type == EV_SYN && ev->code == SYN_REPORT)
            p->dropping = 0;
        return 0;
    }
    switch (ev->type) {
    case EV_ABS:
        if (ev->code < ABS_CNT) {
            switch (p->abs_channel[ev->code]) {
            case EVDEV_CH_X:            p->state.x = ev->value; break;
            case EVDEV_CH_Y:            p->state.y = ev->value; break;
            case EVDEV_CH_PRESSURE:     p->state.pressure = ev->value; break;
            case EVDEV_CH_TILT_X:       p->state.tilt_x = ev->value; break;
            case EVDEV_CH_TILT_Y:       p->state.tilt_y = ev->value; break;
            case EVDEV_CH_DISTANCE:     p->state.distance = ev->value; break;
            case EVDEV_CH_NEEDLE_DEPTH:
                p->needle_depth = ev->value;
                p->state.needle_depth_um = depth_um(p, ev->value);
                break;
            default: return 0;
            }
            p->frame_dirty = 1;
        }
        return 0;
    case EV_KEY:
        return on_key(p, ev, out);
    case EV_MSC:
        if (ev->code == MSC_SERIAL)
            p->serial = (uint32_t)ev->value;
        return 0;
    case EV_SYN:
        if (ev->code == SYN_REPORT) {
            if (!p->saw_tool)
                p->state.flags |= PEN_IN_PROXIMITY;
            p->state.t_us = session_time(p, ev);
            p->committed = p->state;
            p->frame_dirty = 0;
            p->frames++;
            out->kind = SEV_PEN;
            out->t_us = p->state.t_us;
            out->u.pen = p->state;
            return 1;
        }
        if (ev->code == SYN_DROPPED) {
            p->state = p->committed;
            p->tool_pen = (p->state.flags & PEN_IN_PROXIMITY) && !(p->state.flags & PEN_ERASER);
            p->tool_rubber = (p->state.flags & PEN_ERASER) != 0;
            p->dropping = 1;
            p->frame_dirty = 0;
            p->dropped++;
            memset(out, 0, sizeof *out);
            out->kind = SEV_SYN_DROPPED;
            out->t_us = session_time(p, ev);
            out->u.value = (int32_t)(p->dropped > INT32_MAX ? INT32_MAX : p->dropped);
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

void evdev_pen_resync(evdev_pen *p, const pen_sample *current)
{
    int64_t t = p->state.t_us;
    p->state = *current;
    p->state.t_us = t;
    p->tool_pen = (current->flags & PEN_IN_PROXIMITY) && !(current->flags & PEN_ERASER);
    p->tool_rubber = (current->flags & PEN_ERASER) != 0;
    p->dropping = 0;
    p->frame_dirty = 1;
}

void evdev_pen_unplug(evdev_pen *p, int64_t t_us, session_event *out)
{
    p->tool_pen = p->tool_rubber = 0;
    p->state.flags = 0;
    p->state.pressure = 0;
    p->committed = p->state;
    p->dropping = 0;
    if (t_us < p->last_t_us)
        t_us = p->last_t_us;
    p->last_t_us = t_us;
    memset(out, 0, sizeof *out);
    out->kind = SEV_PAUSE;
    out->t_us = t_us;
    out->u.value = 1;
}

void evdev_pen_replug(evdev_pen *p, int64_t t_us, session_event *out)
{
    if (t_us < p->last_t_us)
        t_us = p->last_t_us;
    p->last_t_us = t_us;
    memset(out, 0, sizeof *out);
    out->kind = SEV_RESUME;
    out->t_us = t_us;
}
