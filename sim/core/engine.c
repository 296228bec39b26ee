/* engine.c: punctures -> dots.
 *
 * A puncture starts when, with the machine on and the session not paused, the pen's
 * normalised pressure rises above the calibration's activation and the pen's ray hits
 * the skin. While the needle is in, the deepest needle travel, the largest displacement
 * over the skin (the drag) and the needle's angle are tracked. It ends on lift, machine
 * off, proximity out or pause; then the dot is made:
 *   travel    = the calibrated pressure's, or the pen's own measurement (needle depth)
 *   depth     = travel at the deepest moment x cos(angle to the skin normal)
 *   diameter  = needle footprint, grown by dwell and by depth (needle.c)
 *   healed    = pigment.c over the client's skin, with the region's layers
 * The needle goes into the screen along the view ray through the pen, tilted by the
 * pen's tilt: work seen at a slant is punctured at a slant. */
#include "engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pigment.h"
#include "vec3.h"

#define RAD2DEG (180.0 / 3.14159265358979323846)

struct engine {
    const lesson  *lesson;
    const surface *surface;
    device_desc    dev;
    pen_calibration cal;

    view_state view;
    int        machine_on;
    int        paused;
    int        shade;
    needle     needle;
    int64_t    now_us;
    size_t     pen_samples;
    size_t     dropped;

    /* the puncture in progress */
    int        pen_down;       /* the pen is pressed (whatever the machine does) */
    int        in_contact;     /* needle in the skin */
    int        contact_blocked;/* pen down but no puncture (machine off, missed skin) */
    int64_t    contact_start_us;
    surface_hit start_hit;
    double     max_travel_mm;
    double     cos_at_max;
    double     current_depth_mm;
    double     max_drag_mm;
    double     drag_dir[3];

    dot   *dots;
    size_t dot_count, dot_cap;
};

engine *engine_create(const lesson *l, const surface *s, const device_desc *dev, const pen_calibration *cal)
{
    engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->lesson = l;
    e->surface = s;
    e->dev = *dev;
    e->cal = *cal;
    e->needle = l->needle;
    e->shade = l->target_shade;
    engine_default_view(l, s, &e->view);
    return e;
}

void engine_free(engine *e)
{
    if (!e)
        return;
    free(e->dots);
    free(e);
}

void engine_default_view(const lesson *l, const surface *s, view_state *dest)
{
    memset(dest, 0, sizeof *dest);
    dest->fov_y_deg = 30.0f;
    dest->aspect = 1.6f;
    if (l->surface == SURFACE_PRACTICE_SKIN) {
        dest->target_mm[0] = (float)(0.5 * l->skin_width_mm);
        dest->target_mm[1] = (float)(0.5 * l->skin_height_mm);
        dest->distance_mm = (float)(0.62 * l->skin_height_mm / tan(15.0 / RAD2DEG) + 1.0);
    } else {
        double lo[3], hi[3];
        surface_bounds(s, lo, hi);
        dest->target_mm[1] = (float)(0.5 * (lo[1] + hi[1]));
        dest->distance_mm = (float)(0.65 * (hi[1] - lo[1]) / tan(15.0 / RAD2DEG));
    }
}

/* Where the pen points on the skin: 1 and the hit, 0 when off the viewport or the skin. */
static int pen_hit(const engine *e, const pen_sample *p, surface_hit *hit, double ray_dir[3])
{
    double tx, ty, vx, vy, origin[3];
    pen_position_norm(&e->dev, p, &tx, &ty);
    if (!pen_map_to_viewport(&e->dev, (double)e->view.aspect, tx, ty, &vx, &vy))
        return 0;
    view_ray(&e->view, vx, vy, origin, ray_dir);
    return surface_raycast(e->surface, origin, ray_dir, hit);
}

/* cos of the angle between the needle (view ray tilted by the pen) and the inward normal. */
static double needle_cos(const engine *e, const pen_sample *p, const double ray_dir[3], const double normal[3])
{
    double tx, ty, eye[3], right[3], up[3], fwd[3], axis[3];
    pen_tilt_rad(&e->dev, p, &tx, &ty);
    view_basis(&e->view, eye, right, up, fwd);
    /* evdev convention: positive tilt_x leans the pen's top to the right, positive tilt_y
     * towards the user (down the screen); the needle goes the other way, top to tip. */
    for (int i = 0; i < 3; i++)
        axis[i] = ray_dir[i] - right[i] * tan(tx) + up[i] * tan(ty);
    vec3_normalize(axis);
    double c = -vec3_dot(axis, normal);
    /* a needle cannot enter the skin beyond grazing; keep the depth maths finite */
    return c < 0.2 ? 0.2 : c > 1.0 ? 1.0 : c;
}

static int push_dot(engine *e, const dot *d)
{
    if (e->dot_count == e->dot_cap) {
        size_t cap = e->dot_cap ? e->dot_cap * 2 : 1024;
        dot *nd = realloc(e->dots, cap * sizeof *nd);
        if (!nd)
            return -1;
        e->dots = nd;
        e->dot_cap = cap;
    }
    e->dots[e->dot_count++] = *d;
    return 1;
}

/* Ends the puncture in progress (making its dot). A pen still pressed stays blocked: it
 * must lift before it punctures again, so a view change, machine off/on or pause/resume
 * under a pressed pen never makes a second dot. */
static int end_contact(engine *e, int64_t t_us)
{
    e->contact_blocked = e->pen_down;
    if (!e->in_contact)
        return 0;
    e->in_contact = 0;
    e->current_depth_mm = 0.0;

    const lesson *l = e->lesson;
    const surface_hit *h = &e->start_hit;
    skin_layers layers;
    lesson_layers(l, h->region, &layers);

    dot d;
    memset(&d, 0, sizeof d);
    d.t_us = e->contact_start_us;
    d.dwell_us = t_us - e->contact_start_us;
    vec3_copy(h->pos_mm, d.pos_mm);
    vec3_copy(h->normal, d.normal);
    d.chart_mm[0] = h->chart_mm[0];
    d.chart_mm[1] = h->chart_mm[1];
    d.region = (int)h->region;
    d.needle_config = e->needle.config;
    d.needle_diameter_mm = (double)e->needle.diameter_mm;
    d.shade = e->shade;
    d.depth_mm = e->max_travel_mm * e->cos_at_max;
    d.angle_deg = acos(e->cos_at_max) * RAD2DEG;
    d.elongation = 1.0 / e->cos_at_max;
    d.diameter_fresh_mm = needle_fresh_diameter_mm(&e->needle, d.dwell_us, d.depth_mm, &layers);
    d.diameter_healed_mm = pigment_healed_diameter_mm(d.diameter_fresh_mm, d.depth_mm, &layers);
    d.drag_mm = e->max_drag_mm;
    if (d.drag_mm > 0.0)
        vec3_copy(e->drag_dir, d.drag_dir);
    pigment_fresh_lab(d.shade, d.depth_mm, l->fitzpatrick, &layers, &d.lab_fresh);
    pigment_healed_lab(d.shade, d.depth_mm, l->fitzpatrick, &layers, &d.lab_healed);
    if (pigment_sheds(d.depth_mm, &layers))
        d.flags |= DOT_SHED;
    if (pigment_blows_out(d.depth_mm, &layers))
        d.flags |= DOT_BLOWOUT;
    if (d.drag_mm > ENGINE_DRAG_THRESHOLD_MM)
        d.flags |= DOT_DRAGGED;
    if (!region_is_scalp(h->region))
        d.flags |= DOT_OFF_SCALP;
    return push_dot(e, &d);
}

static int on_pen(engine *e, const pen_sample *p)
{
    e->pen_samples++;
    double pn = pen_pressure_norm(&e->dev, p->pressure);
    int down = (p->flags & PEN_IN_PROXIMITY) && pn > (double)e->cal.activation && !(p->flags & PEN_ERASER);
    e->pen_down = down;

    if (!down)
        return end_contact(e, e->now_us);

    /* An instrumented pen measures the needle's travel itself; other pens give it through
     * their calibrated pressure. */
    double travel = (e->dev.axes & DEVICE_HAS_NEEDLE_DEPTH) ? (double)p->needle_depth_um / 1000.0
                                                            : pen_travel_mm(&e->cal, pn);
    surface_hit hit;
    double dir[3];

    if (!e->in_contact) {
        /* A pen that lands with the machine off, or off the skin, stays blocked until it
         * lifts: switching the machine on mid-press does not make a puncture. */
        if (e->contact_blocked)
            return 0;
        if (!e->machine_on || e->paused || !pen_hit(e, p, &hit, dir)) {
            e->contact_blocked = 1;
            return 0;
        }
        e->in_contact = 1;
        e->contact_start_us = e->now_us;
        e->start_hit = hit;
        e->max_travel_mm = travel;
        e->cos_at_max = needle_cos(e, p, dir, hit.normal);
        e->current_depth_mm = travel * e->cos_at_max;
        e->max_drag_mm = 0.0;
        vec3_set(0.0, 0.0, 0.0, e->drag_dir);
        return 0;
    }

    if (!pen_hit(e, p, &hit, dir))
        return 0;   /* slid off the viewport: keep what we have until lift */
    double c = needle_cos(e, p, dir, hit.normal);
    e->current_depth_mm = travel * c;
    if (travel > e->max_travel_mm) {
        e->max_travel_mm = travel;
        e->cos_at_max = c;
    }
    double moved[3];
    vec3_sub(hit.pos_mm, e->start_hit.pos_mm, moved);
    double dist = vec3_norm(moved);
    if (dist > e->max_drag_mm) {
        e->max_drag_mm = dist;
        vec3_scale(moved, 1.0 / dist, e->drag_dir);
    }
    return 0;
}

int engine_feed(engine *e, const session_event *ev)
{
    if (ev->t_us > e->now_us)
        e->now_us = ev->t_us;
    switch (ev->kind) {
    case SEV_PEN:
        return on_pen(e, &ev->u.pen);
    case SEV_VIEW: {
        /* The view moves under a needle that is in: treat it as a lift first. */
        int r = end_contact(e, e->now_us);
        e->view = ev->u.view;
        return r;
    }
    case SEV_MACHINE: {
        int r = ev->u.value ? 0 : end_contact(e, e->now_us);
        e->machine_on = ev->u.value != 0;
        return r;
    }
    case SEV_NEEDLE:
        e->needle = ev->u.needle;
        return 0;
    case SEV_SHADE:
        e->shade = ev->u.value;
        return 0;
    case SEV_SYN_DROPPED:
        e->dropped++;
        return 0;
    case SEV_PAUSE: {
        int r = end_contact(e, e->now_us);
        e->paused = 1;
        return r;
    }
    case SEV_RESUME:
        e->paused = 0;
        return 0;
    default:
        return 0;
    }
}

int engine_finish(engine *e, int64_t t_us)
{
    if (t_us > e->now_us)
        e->now_us = t_us;
    return end_contact(e, e->now_us);
}

const dot *engine_dots(const engine *e, size_t *count)
{
    *count = e->dot_count;
    return e->dots;
}

const view_state *engine_view(const engine *e) { return &e->view; }
int engine_machine_on(const engine *e) { return e->machine_on; }
int engine_shade(const engine *e) { return e->shade; }
const needle *engine_needle(const engine *e) { return &e->needle; }
int64_t engine_time_us(const engine *e) { return e->now_us; }
size_t engine_pen_samples(const engine *e) { return e->pen_samples; }
size_t engine_dropped_count(const engine *e) { return e->dropped; }
int engine_paused(const engine *e) { return e->paused; }

int engine_contact_depth(const engine *e, double *depth_mm)
{
    *depth_mm = e->in_contact ? e->current_depth_mm : 0.0;
    return e->in_contact;
}

int engine_contact_chart(const engine *e, double chart_mm[2])
{
    chart_mm[0] = e->in_contact ? e->start_hit.chart_mm[0] : 0.0;
    chart_mm[1] = e->in_contact ? e->start_hit.chart_mm[1] : 0.0;
    return e->in_contact;
}

size_t engine_keyframe_size(void)
{
    return sizeof(engine);
}

void engine_keyframe_save(const engine *e, void *kf)
{
    memcpy(kf, e, sizeof *e);
    engine *k = kf;
    k->dots = NULL;
    k->dot_cap = 0;
}

size_t engine_keyframe_dots(const void *kf)
{
    engine k;
    memcpy(&k, kf, sizeof k);
    return k.dot_count;
}

int engine_keyframe_load(engine *e, const void *kf, const dot *all_dots)
{
    dot *dots = e->dots;
    size_t cap = e->dot_cap;
    memcpy(e, kf, sizeof *e);
    if (cap < e->dot_count) {
        size_t want = e->dot_count < 64 ? 64 : e->dot_count;
        dot *nd = realloc(dots, want * sizeof *nd);
        if (!nd) {
            e->dots = dots;
            e->dot_cap = cap;
            e->dot_count = 0;
            return -1;
        }
        dots = nd;
        cap = want;
    }
    e->dots = dots;
    e->dot_cap = cap;
    if (e->dot_count)
        memcpy(e->dots, all_dots, e->dot_count * sizeof *dots);
    return 0;
}

engine *engine_replay(const lesson *l, const surface *s, const session_data *d)
{
    engine *e = engine_create(l, s, &d->header.device, &d->header.calibration);
    if (!e)
        return NULL;
    session_cursor *c = session_cursor_open(d);   /* held events or the file's chunks */
    if (!c) {
        engine_free(e);
        return NULL;
    }
    session_event ev;
    while (session_cursor_next(c, &ev) == 1) {
        if (engine_feed(e, &ev) < 0) {
            int failed = session_cursor_failed(c);
    session_cursor_free(c);
    if (failed) {   /* out of memory, not a short session */
        engine_free(e);
        return NULL;
    }
            engine_free(e);
            return NULL;
        }
    }
    session_cursor_free(c);
    if (engine_finish(e, d->end_t_us) < 0) {
        engine_free(e);
        return NULL;
    }
    return e;
}
