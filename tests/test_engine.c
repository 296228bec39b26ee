/* test_engine.c: the puncture model, driven with hand-made pen events. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "practice_lesson.h"
#include "engine.h"
#include "pigment.h"
#include "score.h"

typedef struct rig {
    lesson l;
    surface *s;
    device_desc dev;
    pen_calibration cal;
    engine *e;
    int64_t t;
} rig;

static void feed_value(rig *r, int kind, int32_t v)
{
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.t_us = r->t;
    ev.u.value = v;
    engine_feed(r->e, &ev);
}

/* A pen sample aimed at skin point (x, y) through the current view. */
static int feed_pen_at(rig *r, double x_mm, double y_mm, double pressure_norm, int tilt_x)
{
    double p[3] = { x_mm, y_mm, 0.0 }, vx, vy, tx, ty;
    const view_state *v = engine_view(r->e);
    if (!view_project(v, p, &vx, &vy))
        return -2;
    pen_map_from_viewport(&r->dev, (double)v->aspect, vx, vy, &tx, &ty);
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_PEN;
    ev.t_us = r->t;
    ev.u.pen.t_us = r->t;
    ev.u.pen.x = (int32_t)lround(tx * r->dev.x.max);
    ev.u.pen.y = (int32_t)lround(ty * r->dev.y.max);
    ev.u.pen.pressure = (int32_t)lround(pressure_norm * r->dev.pressure.max);
    ev.u.pen.tilt_x = tilt_x;
    ev.u.pen.flags = PEN_IN_PROXIMITY | (pressure_norm > 0 ? PEN_TOUCH : 0);
    r->t += 5000;
    return engine_feed(r->e, &ev);
}

static void rig_open(rig *r)
{
    char err[256];
    memset(r, 0, sizeof *r);
    if (load_practice_lesson(&r->l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    r->s = surface_create(SURFACE_PRACTICE_SKIN, 100, 70);
    device_desc_virtual(&r->dev);
    pen_calibration_default(&r->cal);
    r->e = engine_create(&r->l, r->s, &r->dev, &r->cal);
}

static void rig_close(rig *r)
{
    engine_free(r->e);
    surface_free(r->s);
    lesson_free(&r->l);
}

/* One press at (x, y): ramp to pressure, hold n samples, lift. Returns dots made. */
static int press(rig *r, double x, double y, double pressure, int hold, int tilt_x, double slide_mm)
{
    int made = 0;
    for (int i = 0; i < hold; i++) {
        double f = hold > 1 ? (double)i / (hold - 1) : 0.0;
        made += feed_pen_at(r, x + slide_mm * f, y, pressure, tilt_x) == 1;
    }
    made += feed_pen_at(r, x + slide_mm, y, 0.0, 0) == 1;
    return made;
}

int main(void)
{
    rig r;
    size_t n;

    /* machine off: pen contact makes no dot */
    rig_open(&r);
    CHECK(press(&r, 50, 35, 0.3, 10, 0, 0) == 0, "no dot with the machine off");
    feed_value(&r, SEV_MACHINE, 1);
    CHECK(press(&r, 50, 35, 0.3, 10, 0, 0) == 1, "a dot with the machine on");
    /* pen held down while the machine is switched on: no puncture until the next contact */
    feed_value(&r, SEV_MACHINE, 0);
    feed_pen_at(&r, 40, 30, 0.3, 0);
    feed_value(&r, SEV_MACHINE, 1);
    feed_pen_at(&r, 40, 30, 0.3, 0);
    feed_pen_at(&r, 40, 30, 0.0, 0);
    engine_dots(r.e, &n);
    CHECK(n == 1, "machine switched on under a pressed pen makes no dot (got %zu dots)", n);
    rig_close(&r);

    /* depth follows the calibration: travel = (p - act) / (sat - act) * full; straight in */
    rig_open(&r);
    feed_value(&r, SEV_MACHINE, 1);
    double pressures[] = { 0.1, 0.3, 0.5, 0.9 };
    for (int i = 0; i < 4; i++)
        press(&r, 30 + 10 * i, 35, pressures[i], 12, 0, 0);
    const dot *d = engine_dots(r.e, &n);
    CHECK(n == 4, "four presses, four dots (got %zu)", n);
    for (size_t i = 0; i < n && i < 4; i++) {
        /* raw pressure is quantised to the device's 8192 levels */
        double pn = round(pressures[i] * r.dev.pressure.max) / r.dev.pressure.max;
        double travel = (pn - r.cal.activation) / (r.cal.saturation - r.cal.activation) * r.cal.travel_at_full_mm;
        double cosang = cos(d[i].angle_deg * 3.14159265358979 / 180.0);
        CHECK_NEAR(d[i].depth_mm, travel * cosang, 1e-6, "depth = travel x cos(angle)");
        CHECK(d[i].angle_deg < 12.0, "view from above: the needle is near perpendicular (%.2f deg)", d[i].angle_deg);
        CHECK(fabs(d[i].pos_mm[0] - (30 + 10 * (double)i)) < 0.05 && fabs(d[i].pos_mm[1] - 35) < 0.05,
              "dot lands where the pen pointed: (%.3f, %.3f)", d[i].pos_mm[0], d[i].pos_mm[1]);
        CHECK(d[i].shade == r.l.target_shade, "shade from the lesson until an action changes it");
    }
    CHECK(d[0].depth_mm < d[1].depth_mm && d[1].depth_mm < d[2].depth_mm && d[2].depth_mm < d[3].depth_mm,
          "more pressure, deeper");
    skin_layers layers;
    lesson_layers(&r.l, REGION_PRACTICE, &layers);
    for (size_t i = 0; i < n; i++) {
        CHECK(((d[i].flags & DOT_SHED) != 0) == pigment_sheds(d[i].depth_mm, &layers), "shed flag from pigment model");
        CHECK(((d[i].flags & DOT_BLOWOUT) != 0) == pigment_blows_out(d[i].depth_mm, &layers), "blowout flag from pigment model");
    }
    CHECK((d[3].flags & DOT_BLOWOUT) != 0, "full pressure blows out (depth %.3f)", d[3].depth_mm);
    rig_close(&r);

    /* tilt: the same pressure at 40 degrees goes in shallower by cos and elongates */
    rig_open(&r);
    feed_value(&r, SEV_MACHINE, 1);
    press(&r, 50, 35, 0.4, 12, 0, 0);
    press(&r, 55, 35, 0.4, 12, 40, 0);   /* virtual pen: tilt units are degrees */
    d = engine_dots(r.e, &n);
    CHECK(n == 2, "two dots");
    if (n == 2) {
        double ratio = d[1].depth_mm / d[0].depth_mm;
        double want = cos(d[1].angle_deg * 3.14159265358979 / 180.0) / cos(d[0].angle_deg * 3.14159265358979 / 180.0);
        CHECK_NEAR(ratio, want, 1e-6, "tilted depth ratio = cos ratio");
        CHECK(d[1].angle_deg > 30.0, "tilt shows in the angle (%.1f)", d[1].angle_deg);
        CHECK(d[1].elongation > d[0].elongation, "tilted dot is elongated");
    }
    rig_close(&r);

    /* drag: moving while in the skin makes a tail, flagged past the threshold */
    rig_open(&r);
    feed_value(&r, SEV_MACHINE, 1);
    press(&r, 40, 35, 0.3, 12, 0, 0.0);
    press(&r, 50, 35, 0.3, 12, 0, 0.8);
    d = engine_dots(r.e, &n);
    CHECK(n == 2, "two dots");
    if (n == 2) {
        CHECK(!(d[0].flags & DOT_DRAGGED), "still pen: not dragged (drag %.3f mm)", d[0].drag_mm);
        CHECK(d[1].flags & DOT_DRAGGED, "sliding pen: dragged");
        CHECK_NEAR(d[1].drag_mm, 0.8, 0.05, "drag length");
        CHECK(d[1].drag_dir[0] > 0.99, "tail points along the slide");
        CHECK(fabs(d[1].pos_mm[0] - 50) < 0.05, "the dot sits at the puncture, not the end of the slide");
    }
    rig_close(&r);

    /* dwell widens the dot; a pause ends a contact with its dot; resume allows more */
    rig_open(&r);
    feed_value(&r, SEV_MACHINE, 1);
    press(&r, 40, 35, 0.3, 10, 0, 0);
    press(&r, 45, 35, 0.3, 80, 0, 0);
    feed_pen_at(&r, 50, 35, 0.3, 0);
    feed_pen_at(&r, 50, 35, 0.3, 0);
    feed_value(&r, SEV_PAUSE, 1);
    d = engine_dots(r.e, &n);
    CHECK(n == 3, "pause ends the contact as a dot (got %zu)", n);
    if (n == 3)
        CHECK(d[1].diameter_fresh_mm > d[0].diameter_fresh_mm, "longer dwell, wider dot (%.3f vs %.3f)",
              d[1].diameter_fresh_mm, d[0].diameter_fresh_mm);
    CHECK(press(&r, 60, 35, 0.3, 10, 0, 0) == 0, "no punctures while paused");
    feed_value(&r, SEV_RESUME, 0);
    CHECK(press(&r, 60, 35, 0.3, 10, 0, 0) == 1, "punctures again after resume");
    double depth;
    feed_pen_at(&r, 65, 35, 0.3, 0);
    CHECK(engine_contact_depth(r.e, &depth) == 1 && depth > 0.1, "live depth gauge during a contact");
    feed_pen_at(&r, 65, 35, 0.0, 0);
    CHECK(engine_contact_depth(r.e, &depth) == 0, "gauge empty after lift");
    rig_close(&r);

    /* shade and needle actions apply to the dots that follow */
    rig_open(&r);
    feed_value(&r, SEV_MACHINE, 1);
    feed_value(&r, SEV_SHADE, 3);
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_NEEDLE;
    ev.u.needle.config = NEEDLE_1RL;
    ev.u.needle.diameter_mm = 0.20f;
    engine_feed(r.e, &ev);
    press(&r, 50, 35, 0.3, 10, 0, 0);
    d = engine_dots(r.e, &n);
    CHECK(n == 1 && d[0].shade == 3 && d[0].needle_config == NEEDLE_1RL, "shade and needle actions apply");
    if (n == 1)
        CHECK(d[0].diameter_fresh_mm < 0.25, "1RL 0.20 mm makes a small dot (%.3f)", d[0].diameter_fresh_mm);
    rig_close(&r);

    /* one continuous press through a view change, a machine off/on and a pause/resume
     * makes exactly one dot: the pen must lift before it punctures again */
    rig_open(&r);
    feed_value(&r, SEV_MACHINE, 1);
    feed_pen_at(&r, 50, 35, 0.3, 0);
    feed_pen_at(&r, 50, 35, 0.3, 0);
    view_state moved = *engine_view(r.e);
    moved.target_mm[0] += 5.0f;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_VIEW;
    ev.t_us = r.t;
    ev.u.view = moved;
    engine_feed(r.e, &ev);
    feed_pen_at(&r, 50, 35, 0.3, 0);
    feed_value(&r, SEV_MACHINE, 0);
    feed_value(&r, SEV_MACHINE, 1);
    feed_pen_at(&r, 50, 35, 0.3, 0);
    feed_value(&r, SEV_PAUSE, 2);
    feed_value(&r, SEV_RESUME, 0);
    feed_pen_at(&r, 50, 35, 0.3, 0);
    engine_dots(r.e, &n);
    CHECK(n == 1, "a press held through view, machine and pause changes makes one dot (got %zu)", n);
    feed_pen_at(&r, 50, 35, 0.0, 0);
    CHECK(press(&r, 52, 35, 0.3, 10, 0, 0) == 1, "after a lift the next press punctures");
    rig_close(&r);

    /* tilt sign (evdev: +tilt_x leans the pen's top to the right): seen from a camera
     * swung 20 degrees to the right (+x) of the skin's normal, a pen leaning its top 20
     * degrees to the left (-20) is perpendicular to the skin; leaning right doubles the
     * slant. */
    rig_open(&r);
    feed_value(&r, SEV_MACHINE, 1);
    view_state oblique = *engine_view(r.e);
    oblique.yaw_deg = 20.0f;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_VIEW;
    ev.t_us = r.t;
    ev.u.view = oblique;
    engine_feed(r.e, &ev);
    press(&r, 50, 35, 0.4, 12, -20, 0);
    press(&r, 55, 35, 0.4, 12, 20, 0);
    press(&r, 45, 35, 0.4, 12, 0, 0);
    d = engine_dots(r.e, &n);
    CHECK(n == 3, "three dots from the oblique view");
    if (n == 3) {
        CHECK(d[0].angle_deg < 3.0, "leaning against the view's slant: perpendicular (%.2f deg)", d[0].angle_deg);
        CHECK(fabs(d[1].angle_deg - 40.0) < 3.0, "leaning with it: about 40 degrees (%.2f)", d[1].angle_deg);
        CHECK(fabs(d[2].angle_deg - 20.0) < 3.0, "upright pen: the view's 20 degrees (%.2f)", d[2].angle_deg);
        CHECK(d[0].depth_mm > d[2].depth_mm && d[2].depth_mm > d[1].depth_mm, "the straighter, the deeper");
    }
    rig_close(&r);

    /* the wrong needle is flagged on every dot and costs the quality metric */
    rig_open(&r);
    feed_value(&r, SEV_MACHINE, 1);
    for (int k = 0; k < 20; k++)
        press(&r, 30 + 2.0 * k, 30, 0.3, 10, 0, 0);
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_NEEDLE;
    ev.t_us = r.t;
    ev.u.needle.config = NEEDLE_1RL;
    ev.u.needle.diameter_mm = 0.20f;
    engine_feed(r.e, &ev);
    for (int k = 0; k < 20; k++)
        press(&r, 30 + 2.0 * k, 40, 0.3, 10, 0, 0);
    d = engine_dots(r.e, &n);
    score_result sc;
    CHECK(score_session(&r.l, r.s, d, n, &sc) == 0, "score");
    size_t flagged = 0, wrong = 0;
    for (size_t i = 0; i < n; i++) {
        wrong += d[i].needle_config != r.l.needle.config;
        flagged += (sc.dot_flags[i] & SF_WRONG_NEEDLE) != 0;
    }
    CHECK(wrong == 20 && flagged == wrong, "dots with the wrong needle flagged (%zu of %zu)", flagged, wrong);
    CHECK_NEAR(sc.quality.wrong_needle_fraction, (double)wrong / (double)n, 1e-12, "wrong-needle fraction");
    CHECK(!sc.metric_passed[METRIC_QUALITY], "half the dots with the wrong needle fails quality (%.1f)",
          sc.metric_score[METRIC_QUALITY]);
    score_result_free(&sc);
    rig_close(&r);

    return check_summary("test_engine");
}
