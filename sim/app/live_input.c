/* live_input.c: see live_input.h. */
#include "live_input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DRAIN_BATCH 512

struct live_input {
    input_source *src;
    input_thread *thr;
    tablet_map    map;
    int (*replug)(input_source *s, const char *devnode);
    int           unplugged;
    int64_t       last_t;
    /* side buttons */
    int           cam_button;      /* PEN_BUTTON1 / PEN_BUTTON2 held at the last sample, 0 none */
    double        last_vx, last_vy;
    int           suppress;        /* touch suppressed until the tip lifts */
    input_item    items[DRAIN_BATCH];
};

live_input *live_input_open(input_source *src, const tablet_area *area, char *err, size_t errlen)
{
    live_input *li = calloc(1, sizeof *li);
    if (!li) {
        input_source_close(src);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    li->src = src;
    li->replug = evdev_source_replug;
    tablet_map_init(&li->map, &src->desc, area);
    li->thr = input_thread_start(src, 0, err, errlen);
    if (!li->thr) {
        input_source_close(src);
        free(li);
        return NULL;
    }
    return li;
}

void live_input_close(live_input *li)
{
    if (!li)
        return;
    input_thread_stop(li->thr);
    input_source_close(li->src);
    free(li);
}

void live_input_set_replug(live_input *li, int (*replug)(input_source *s, const char *devnode))
{
    li->replug = replug;
}

const device_desc *live_input_desc(const live_input *li) { return &li->map.mapped; }
input_source *live_input_source(live_input *li) { return li->src; }
tablet_map *live_input_map(live_input *li) { return &li->map; }
int live_input_unplugged(const live_input *li) { return li->unplugged; }

static void side_buttons(live_input *li, double aspect, pen_sample *p, live_input_camera *cam)
{
    uint32_t held = p->flags & (PEN_BUTTON1 | PEN_BUTTON2);
    int button = (p->flags & PEN_IN_PROXIMITY) ? (held & PEN_BUTTON1 ? PEN_BUTTON1 : held & PEN_BUTTON2 ? PEN_BUTTON2 : 0) : 0;
    double tx, ty, vx, vy;
    pen_position_norm(&li->map.mapped, p, &tx, &ty);
    pen_map_to_viewport(&li->map.mapped, aspect, tx, ty, &vx, &vy);
    if (button && button == li->cam_button && cam) {
        double dx = vx - li->last_vx, dy = vy - li->last_vy;
        if (button == PEN_BUTTON1) {
            cam->orbit_dx += dx;
            cam->orbit_dy += dy;
        } else {
            cam->pan_dx += dx;
            cam->pan_dy += dy;
        }
    }
    li->cam_button = button;
    li->last_vx = vx;
    li->last_vy = vy;
    if (button)
        li->suppress = 1;
    else if (!(p->flags & PEN_TOUCH) && p->pressure <= li->map.mapped.pressure.min)
        li->suppress = 0;   /* the tip lifted: the next touch punctures again */
    if (li->suppress) {
        p->flags &= ~(uint32_t)PEN_TOUCH;
        p->pressure = li->map.mapped.pressure.min;
    }
}

size_t live_input_pump(live_input *li, int64_t floor_us, double aspect, session_event *out, int64_t *kernel_us,
                       size_t max, live_input_camera *cam)
{
    if (li->last_t < floor_us)
        li->last_t = floor_us;
    size_t n = 0;
    while (n < max) {
        size_t want = max - n < DRAIN_BATCH ? max - n : DRAIN_BATCH;
        size_t got = input_thread_drain(li->thr, li->items, want);
        for (size_t i = 0; i < got; i++) {
            session_event ev = li->items[i].ev;
            if (ev.t_us < li->last_t)
                ev.t_us = li->last_t;   /* the session file wants non-decreasing times */
            li->last_t = ev.t_us;
            if (ev.kind == SEV_PEN) {
                ev.u.pen.t_us = ev.t_us;
                tablet_map_apply(&li->map, &ev.u.pen);
                side_buttons(li, aspect, &ev.u.pen, cam);
            } else if (ev.kind == SEV_PAUSE && ev.u.value == 1) {
                li->unplugged = 1;
                li->cam_button = 0;
                li->suppress = 0;
            } else if (ev.kind == SEV_RESUME) {
                li->unplugged = 0;
            }
            if (kernel_us)
                kernel_us[n] = li->items[i].kernel_us;
            out[n++] = ev;
        }
        if (got < want)
            break;
    }
    return n;
}

int live_input_hotplug(live_input *li, const hotplug_event *ev)
{
    if (ev->kind != HOTPLUG_ADDED)
        return 0;   /* a removal shows as -ENODEV on the source's own fd */
    input_thread_lock(li->thr);
    int rc = li->replug ? li->replug(li->src, ev->devnode) : 0;
    input_thread_unlock(li->thr);
    return rc;
}

void live_input_stats(live_input *li, input_thread_stats *out)
{
    input_thread_stats_get(li->thr, out);
}

int live_input_ff_play(live_input *li, int slot, double strength, int duration_ms, int on)
{
    input_thread_lock(li->thr);
    int rc = evdev_source_ff_play(li->src, slot, strength, duration_ms, on);
    input_thread_unlock(li->thr);
    return rc;
}

int live_input_has_ff(live_input *li)
{
    input_thread_lock(li->thr);
    int rc = evdev_source_has_ff(li->src);
    input_thread_unlock(li->thr);
    return rc;
}

int live_input_is_pen(const char *devnode, device_caps *caps)
{
    int fd = open(devnode, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int rc = evdev_caps_from_fd(fd, caps);
    close(fd);
    if (rc < 0)
        return 0;
    uint32_t c = caps->desc.device_class;
    return c == DEVICE_CLASS_PEN_TABLET || c == DEVICE_CLASS_PEN_DISPLAY || c == DEVICE_CLASS_INSTRUMENTED_PEN;
}

int live_input_find_pen(const char *dir, char *out, size_t outlen)
{
    if (!dir)
        dir = "/dev/input";
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    long best = -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "event", 5) != 0)
            continue;
        char *end;
        long num = strtol(e->d_name + 5, &end, 10);
        if (*end || num < 0 || (best >= 0 && num >= best))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        device_caps caps;
        if (live_input_is_pen(path, &caps)) {
            best = num;
            snprintf(out, outlen, "%s", path);
        }
    }
    closedir(d);
    return best >= 0;
}
