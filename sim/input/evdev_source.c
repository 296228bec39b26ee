/* evdev_source.c: a live tablet or instrumented pen through libevdev, fed into evdev_pen
 * (the same handler recordings go through). Never blocks; never exits on device errors: an
 * unplugged device pauses the lesson (SEV_PAUSE) and a replugged one resumes it.
 * Also the inotify hot-plug watcher and force feedback (EV_FF). */
#include "evdev_source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

typedef struct evdev_source {
    evdev_pen        pen;
    struct libevdev *dev;
    int              fd;
    char             devnode[256];
    char             uniq[64];
    device_profile   profile;
    int              has_profile;
    int              unplugged;
    /* events made but not yet delivered, oldest first: a pen sample, then at most a
     * pause and a resume when the device goes and comes back between two polls */
    session_event    pending[4];
    int              npending;
    int              ff_id;          /* uploaded effect, -1 none */
    /* evdev_source_ff_play's slots: effect id (-1 none) and what was uploaded */
    int              slot_id[EVDEV_FF_SLOTS];
    int              slot_mag[EVDEV_FF_SLOTS], slot_ms[EVDEV_FF_SLOTS];
} evdev_source;

static int64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- capabilities ------------------------------------------------------------------- */

static void caps_from_dev(struct libevdev *dev, device_caps *dest)
{
    evemu_recording *r = calloc(1, sizeof *r);
    memset(dest, 0, sizeof *dest);
    if (!r)
        return;
    snprintf(r->name, sizeof r->name, "%s", libevdev_get_name(dev) ? libevdev_get_name(dev) : "");
    r->bustype = (uint16_t)libevdev_get_id_bustype(dev);
    r->vendor = (uint16_t)libevdev_get_id_vendor(dev);
    r->product = (uint16_t)libevdev_get_id_product(dev);
    r->version = (uint16_t)libevdev_get_id_version(dev);
    r->has_description = 1;
    for (unsigned p = 0; p < INPUT_PROP_CNT; p++)
        if (libevdev_has_property(dev, p))
            r->props[p / 8] |= (uint8_t)(1u << (p % 8));
    static const unsigned types[] = { EV_SYN, EV_KEY, EV_REL, EV_ABS, EV_MSC, EV_FF };
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        unsigned type = types[t];
        int max = libevdev_event_type_get_max(type);
        for (int c = 0; c <= max && (unsigned)c / 8 < sizeof r->bits[0]; c++)
            if (libevdev_has_event_code(dev, type, (unsigned)c))
                r->bits[type][c / 8] |= (uint8_t)(1u << (c % 8));
    }
    for (unsigned c = 0; c < ABS_CNT; c++) {
        const struct input_absinfo *a = libevdev_has_event_code(dev, EV_ABS, c) ? libevdev_get_abs_info(dev, c) : NULL;
        if (a)
            r->abs[c] = (evemu_absinfo){ 1, a->minimum, a->maximum, a->fuzz, a->flat, a->resolution };
    }
    device_caps_from_evemu(r, dest);
    const char *u = libevdev_get_uniq(dev);
    snprintf(dest->uniq, sizeof dest->uniq, "%s", u ? u : "");
    free(r);
}

int evdev_caps_from_fd(int fd, device_caps *dest)
{
    struct libevdev *dev = NULL;
    int rc = libevdev_new_from_fd(fd, &dev);
    if (rc < 0)
        return rc;
    caps_from_dev(dev, dest);
    libevdev_free(dev);
    return 0;
}

/* ---- the source ----------------------------------------------------------------------- */

static int open_dev(const char *devnode, int *fd_out, struct libevdev **dev_out)
{
    int fd = open(devnode, O_RDWR | O_NONBLOCK | O_CLOEXEC);   /* RDWR for force feedback */
    if (fd < 0)
        fd = open(devnode, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct libevdev *dev = NULL;
    int rc = libevdev_new_from_fd(fd, &dev);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    libevdev_set_clock_id(dev, CLOCK_MONOTONIC);
    *fd_out = fd;
    *dev_out = dev;
    return 0;
}

static void close_dev(evdev_source *es)
{
    libevdev_free(es->dev);
    es->dev = NULL;
    if (es->fd >= 0)
        close(es->fd);
    es->fd = -1;
    es->ff_id = -1;
    for (int i = 0; i < EVDEV_FF_SLOTS; i++)
        es->slot_id[i] = -1;   /* effects die with the fd */
}

static int64_t now_session_us(const evdev_pen *p)
{
    return p->start_us + (monotonic_us() - p->origin_us);
}

/* The device's current state as a pen sample, for evdev_pen_resync. */
static void current_state(const evdev_source *es, pen_sample *s)
{
    memset(s, 0, sizeof *s);
    for (unsigned c = 0; c < ABS_CNT; c++) {
        if (!es->pen.abs_channel[c] || !libevdev_has_event_code(es->dev, EV_ABS, c))
            continue;
        int v = libevdev_get_event_value(es->dev, EV_ABS, c);
        switch (es->pen.abs_channel[c]) {
        case EVDEV_CH_X:        s->x = v; break;
        case EVDEV_CH_Y:        s->y = v; break;
        case EVDEV_CH_PRESSURE: s->pressure = v; break;
        case EVDEV_CH_TILT_X:   s->tilt_x = v; break;
        case EVDEV_CH_TILT_Y:   s->tilt_y = v; break;
        case EVDEV_CH_DISTANCE: s->distance = v; break;
        default: break;
        }
    }
    int pen = libevdev_get_event_value(es->dev, EV_KEY, BTN_TOOL_PEN) ||
              libevdev_get_event_value(es->dev, EV_KEY, BTN_TOOL_BRUSH) ||
              libevdev_get_event_value(es->dev, EV_KEY, BTN_TOOL_PENCIL) ||
              libevdev_get_event_value(es->dev, EV_KEY, BTN_TOOL_AIRBRUSH);
    int rubber = libevdev_get_event_value(es->dev, EV_KEY, BTN_TOOL_RUBBER);
    int has_tool = libevdev_has_event_code(es->dev, EV_KEY, BTN_TOOL_PEN) ||
                   libevdev_has_event_code(es->dev, EV_KEY, BTN_TOOL_RUBBER);
    if (pen || rubber || !has_tool)
        s->flags |= PEN_IN_PROXIMITY;
    if (rubber)
        s->flags |= PEN_ERASER;
    if (libevdev_get_event_value(es->dev, EV_KEY, BTN_TOUCH))
        s->flags |= PEN_TOUCH;
    if (libevdev_get_event_value(es->dev, EV_KEY, BTN_STYLUS))
        s->flags |= PEN_BUTTON1;
    if (libevdev_get_event_value(es->dev, EV_KEY, BTN_STYLUS2))
        s->flags |= PEN_BUTTON2;
}

/* Where the next queued event goes. Full only if the device flapped twice between two
 * polls: then the newest state change replaces the last one queued. */
static session_event *queue_slot(evdev_source *es)
{
    int cap = (int)(sizeof es->pending / sizeof es->pending[0]);
    if (es->npending < cap)
        return &es->pending[es->npending++];
    return &es->pending[cap - 1];
}

/* The device is gone: close it and queue the pause that tells the lesson. */
static void mark_unplugged(evdev_source *es)
{
    close_dev(es);
    es->unplugged = 1;
    evdev_pen_unplug(&es->pen, now_session_us(&es->pen), queue_slot(es));
}

static size_t ed_poll(input_source *self, int64_t until_us, session_event *out, size_t max, input_status *status)
{
    evdev_source *es = self->impl;
    size_t n = 0;
    *status = INPUT_OK;
    while (n < max) {
        if (es->npending > 0) {
            if (es->pending[0].t_us > until_us)
                break;
            out[n++] = es->pending[0];
            es->npending--;
            memmove(&es->pending[0], &es->pending[1], (size_t)es->npending * sizeof es->pending[0]);
            continue;
        }
        if (es->unplugged || !es->dev)
            break;
        struct input_event ev;
        int rc = libevdev_next_event(es->dev, LIBEVDEV_READ_FLAG_NORMAL, &ev);
        if (rc == LIBEVDEV_READ_STATUS_SUCCESS) {
            if (evdev_pen_feed(&es->pen, &ev, &es->pending[0]))
                es->npending = 1;
        } else if (rc == LIBEVDEV_READ_STATUS_SYNC) {
            /* ev is the SYN_DROPPED: let the handler record it, then drain libevdev's sync
             * delta and take the device's whole state from libevdev instead. */
            if (evdev_pen_feed(&es->pen, &ev, &es->pending[0]))
                es->npending = 1;
            struct input_event sev;
            int src;
            do {
                src = libevdev_next_event(es->dev, LIBEVDEV_READ_FLAG_SYNC, &sev);
            } while (src == LIBEVDEV_READ_STATUS_SYNC);
            pen_sample cur;
            current_state(es, &cur);
            evdev_pen_resync(&es->pen, &cur);
        } else if (rc == -EAGAIN) {
            break;
        } else if (rc == -ENODEV) {
            mark_unplugged(es);
        } else {
            *status = INPUT_ERROR;
            return n;
        }
    }
    if (es->unplugged)
        *status = INPUT_UNPLUGGED;
    return n;
}

static int64_t ed_peek(input_source *self)
{
    evdev_source *es = self->impl;
    return es->npending > 0 ? es->pending[0].t_us : INT64_MAX;
}

static void ed_close(input_source *self)
{
    if (!self)
        return;
    evdev_source *es = self->impl;
    if (es) {
        close_dev(es);
        free(es);
    }
    free(self);
}

input_source *evdev_source_open_profile(const char *devnode, const device_profile *profile, int64_t start_us,
                                        int *errno_out, char *err, size_t errlen)
{
    int fd = -1;
    struct libevdev *dev = NULL;
    int rc = open_dev(devnode, &fd, &dev);
    if (errno_out)
        *errno_out = rc < 0 ? -rc : 0;
    if (rc < 0) {
        if (rc == -EACCES)
            snprintf(err, errlen, "%s: permission denied: join the 'input' group (usermod -aG input $USER, then log in "
                     "again) or install assets/udev/70-stipple.rules", devnode);
        else
            snprintf(err, errlen, "%s: %s", devnode, strerror(-rc));
        return NULL;
    }
    input_source *src = calloc(1, sizeof *src);
    evdev_source *es = calloc(1, sizeof *es);
    if (!src || !es) {
        free(src);
        free(es);
        libevdev_free(dev);
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    es->fd = fd;
    es->dev = dev;
    es->ff_id = -1;
    for (int i = 0; i < EVDEV_FF_SLOTS; i++)
        es->slot_id[i] = -1;
    snprintf(es->devnode, sizeof es->devnode, "%s", devnode);
    device_caps caps;
    caps_from_dev(dev, &caps);
    snprintf(es->uniq, sizeof es->uniq, "%s", caps.uniq);
    if (profile) {
        device_desc desc;
        uint8_t map[ABS_CNT];
        uint16_t key;
        device_profile_apply(profile, &caps, &desc, map, &key);
        evdev_pen_init(&es->pen, &desc, start_us);
        evdev_pen_set_map(&es->pen, map, key);
        evdev_pen_set_depth_scale(&es->pen, device_profile_depth_um_per_unit(profile));
        es->profile = *profile;
        es->has_profile = 1;
    } else {
        evdev_pen_init(&es->pen, &caps.desc, start_us);
    }
    /* live time: the session's start is now, not the first event */
    es->pen.origin_us = monotonic_us();
    es->pen.have_origin = 1;
    pen_sample cur;
    current_state(es, &cur);
    evdev_pen_resync(&es->pen, &cur);
    snprintf(src->name, sizeof src->name, "%s", caps.desc.name);
    src->desc = es->pen.desc;
    pen_calibration_default(&src->calibration);
    src->poll = ed_poll;
    src->peek_time = ed_peek;
    src->close = ed_close;
    src->impl = es;
    return src;
}

input_source *evdev_source_open(const char *devnode, int64_t start_us, char *err, size_t errlen)
{
    const char *dir = device_profile_dir(NULL);
    if (dir) {
        int fd = -1;
        struct libevdev *dev = NULL;
        if (open_dev(devnode, &fd, &dev) == 0) {
            device_caps caps;
            caps_from_dev(dev, &caps);
            libevdev_free(dev);
            close(fd);
            device_profile prof;
            int have = device_profile_find(dir, &caps, &prof, err, errlen);
            if (have < 0)
                return NULL;
            if (have)
                return evdev_source_open_profile(devnode, &prof, start_us, NULL, err, errlen);
        }
    }
    return evdev_source_open_profile(devnode, NULL, start_us, NULL, err, errlen);
}

const evdev_pen *evdev_source_pen(const input_source *s)
{
    return s && s->close == ed_close ? &((const evdev_source *)s->impl)->pen : NULL;
}

int evdev_source_unplugged(const input_source *s)
{
    return s && s->close == ed_close && ((const evdev_source *)s->impl)->unplugged;
}

int evdev_source_replug(input_source *s, const char *devnode)
{
    if (!s || s->close != ed_close)
        return 0;
    evdev_source *es = s->impl;
    if (!es->unplugged) {
        /* The device may have gone and come back before a poll noticed; its old fd then
         * answers ENODEV. Take that as the unplug now, so this replug is not lost. */
        int version;
        if (es->fd < 0 || ioctl(es->fd, EVIOCGVERSION, &version) == 0 || errno != ENODEV)
            return 0;
        mark_unplugged(es);
    }
    int fd = -1;
    struct libevdev *dev = NULL;
    int rc = open_dev(devnode, &fd, &dev);
    if (rc < 0)
        return rc == -EACCES || rc == -ENOENT ? 0 : -1;   /* udev may not have set permissions yet */
    const char *name = libevdev_get_name(dev), *uniq = libevdev_get_uniq(dev);
    int same = name && strcmp(name, s->name) == 0 && libevdev_get_id_vendor(dev) == es->pen.desc.vendor &&
               libevdev_get_id_product(dev) == es->pen.desc.product && strcmp(uniq ? uniq : "", es->uniq) == 0;
    if (!same) {
        libevdev_free(dev);
        close(fd);
        return 0;
    }
    es->fd = fd;
    es->dev = dev;
    es->unplugged = 0;
    snprintf(es->devnode, sizeof es->devnode, "%s", devnode);
    pen_sample cur;
    current_state(es, &cur);
    evdev_pen_resync(&es->pen, &cur);
    /* a pause not yet delivered goes first; the resume follows it */
    evdev_pen_replug(&es->pen, now_session_us(&es->pen), queue_slot(es));
    return 1;
}

int evdev_source_vibrate(input_source *s)
{
    if (!s || s->close != ed_close)
        return -ENOTSUP;
    evdev_source *es = s->impl;
    if (!es->has_profile || es->profile.ff_effect < 0)
        return -ENOTSUP;
    if (!es->dev || es->fd < 0)
        return -ENODEV;
    if (!libevdev_has_event_code(es->dev, EV_FF, (unsigned)es->profile.ff_effect))
        return -ENOTSUP;
    if (es->ff_id < 0) {
        struct ff_effect e;
        memset(&e, 0, sizeof e);
        e.id = -1;
        e.type = (uint16_t)es->profile.ff_effect;
        e.replay.length = (uint16_t)es->profile.ff_duration_ms;
        uint16_t mag = (uint16_t)(es->profile.ff_strength * 0xffff);
        if (e.type == FF_RUMBLE) {
            e.u.rumble.strong_magnitude = mag;
            e.u.rumble.weak_magnitude = mag;
        } else if (e.type == FF_PERIODIC) {
            e.u.periodic.waveform = FF_SINE;
            e.u.periodic.period = 10;
            e.u.periodic.magnitude = (int16_t)(mag / 2);
        } else if (e.type == FF_CONSTANT) {
            e.u.constant.level = (int16_t)(mag / 2);
        }
        if (ioctl(es->fd, EVIOCSFF, &e) < 0)
            return -errno;
        es->ff_id = e.id;
    }
    struct input_event play;
    memset(&play, 0, sizeof play);
    play.type = EV_FF;
    play.code = (uint16_t)es->ff_id;
    play.value = 1;
    if (write(es->fd, &play, sizeof play) != (ssize_t)sizeof play)
        return -errno;
    return 0;
}

int evdev_source_fd(const input_source *s)
{
    return s && s->close == ed_close ? ((const evdev_source *)s->impl)->fd : -1;
}

int evdev_source_has_ff(const input_source *s)
{
    if (!s || s->close != ed_close)
        return 0;
    const evdev_source *es = s->impl;
    return es->dev && libevdev_has_event_type(es->dev, EV_FF) &&
           (libevdev_has_event_code(es->dev, EV_FF, FF_RUMBLE) || libevdev_has_event_code(es->dev, EV_FF, FF_PERIODIC));
}

int evdev_source_ff_play(input_source *s, int slot, double strength, int duration_ms, int on)
{
    if (!evdev_source_has_ff(s) || slot < 0 || slot >= EVDEV_FF_SLOTS)
        return -ENOTSUP;
    evdev_source *es = s->impl;
    if (es->fd < 0)
        return -ENODEV;
    strength = strength < 0.0 ? 0.0 : strength > 1.0 ? 1.0 : strength;
    int mag = (int)(strength * 0xffff), ms = duration_ms < 0 ? 0 : duration_ms > 0x7fff ? 0x7fff : duration_ms;
    if (on && (es->slot_id[slot] < 0 || es->slot_mag[slot] != mag || es->slot_ms[slot] != ms)) {
        struct ff_effect e;
        memset(&e, 0, sizeof e);
        e.id = (int16_t)es->slot_id[slot];   /* -1: a new effect; else update it in place */
        e.replay.length = (uint16_t)ms;
        if (libevdev_has_event_code(es->dev, EV_FF, FF_RUMBLE)) {
            e.type = FF_RUMBLE;
            e.u.rumble.strong_magnitude = (uint16_t)mag;
            e.u.rumble.weak_magnitude = (uint16_t)mag;
        } else {
            e.type = FF_PERIODIC;
            e.u.periodic.waveform = FF_SINE;
            e.u.periodic.period = 10;
            e.u.periodic.magnitude = (int16_t)(mag / 2);
        }
        if (ioctl(es->fd, EVIOCSFF, &e) < 0)
            return -errno;
        es->slot_id[slot] = e.id;
        es->slot_mag[slot] = mag;
        es->slot_ms[slot] = ms;
    }
    if (es->slot_id[slot] < 0)
        return 0;   /* stopping what never played */
    struct input_event play;
    memset(&play, 0, sizeof play);
    play.type = EV_FF;
    play.code = (uint16_t)es->slot_id[slot];
    play.value = on ? 1 : 0;
    if (write(es->fd, &play, sizeof play) != (ssize_t)sizeof play)
        return -errno;
    return 0;
}

/* ---- hot-plug ------------------------------------------------------------------------- */

#define HOTPLUG_QUEUE 64

struct input_hotplug {
    int fd;
    char dir[200];
    hotplug_event queue[HOTPLUG_QUEUE];
    size_t head, count;
};

input_hotplug *input_hotplug_open(const char *dir, char *err, size_t errlen)
{
    if (!dir)
        dir = "/dev/input";
    input_hotplug *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(h->dir, sizeof h->dir, "%s", dir);
    h->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (h->fd < 0 || inotify_add_watch(h->fd, dir, IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_TO | IN_MOVED_FROM) < 0) {
        snprintf(err, errlen, "%s: cannot watch for devices: %s", dir, strerror(errno));
        if (h->fd >= 0)
            close(h->fd);
        free(h);
        return NULL;
    }
    return h;
}

static void hp_push(input_hotplug *h, int kind, const char *name)
{
    if (h->count == HOTPLUG_QUEUE) {   /* full: drop the oldest */
        h->head = (h->head + 1) % HOTPLUG_QUEUE;
        h->count--;
    }
    hotplug_event *e = &h->queue[(h->head + h->count) % HOTPLUG_QUEUE];
    e->kind = kind;
    snprintf(e->devnode, sizeof e->devnode, "%.40s/%.20s", h->dir, name);
    h->count++;
}

size_t input_hotplug_poll(input_hotplug *h, hotplug_event *out, size_t max)
{
    if (!h)
        return 0;
    _Alignas(struct inotify_event) char buf[4096];
    for (;;) {
        ssize_t got = read(h->fd, buf, sizeof buf);
        if (got <= 0)
            break;
        for (char *p = buf; p < buf + got;) {
            struct inotify_event *ie = (struct inotify_event *)(void *)p;
            if (ie->len && strncmp(ie->name, "event", 5) == 0) {
                if (ie->mask & (IN_DELETE | IN_MOVED_FROM))
                    hp_push(h, HOTPLUG_REMOVED, ie->name);
                else
                    hp_push(h, HOTPLUG_ADDED, ie->name);
            }
            p += sizeof *ie + ie->len;
        }
    }
    size_t n = 0;
    while (n < max && h->count) {
        out[n++] = h->queue[h->head];
        h->head = (h->head + 1) % HOTPLUG_QUEUE;
        h->count--;
    }
    return n;
}

int input_hotplug_fd(const input_hotplug *h)
{
    return h ? h->fd : -1;
}

void input_hotplug_close(input_hotplug *h)
{
    if (!h)
        return;
    close(h->fd);
    free(h);
}
