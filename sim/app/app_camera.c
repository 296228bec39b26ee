/* app_camera.c: the camera: snap views, orbit, pan, zoom, facing a point, turning to the
 * working zone, and the smooth flight between two views. */
#include <math.h>
#include <string.h>

#include "app_internal.h"

void cam_snap(app *a, int which)
{
    view_state v;
    engine_default_view(&a->lesson, a->surface, &v);
    v.aspect = (float)a->gl.width / (float)a->gl.height;
    if (a->lesson.surface == SURFACE_HEAD) {
        static const float yaw[5] = { 0, 0, 90, -90, 180 };
        static const float pitch[5] = { 8, 89.9f, 10, 10, 10 };
        v.yaw_deg = yaw[which];
        v.pitch_deg = pitch[which];
        if (which == 1)
            v.target_mm[1] += 40.0f;
    } else {
        /* the practice skin faces +z: pitch 0 looks straight at it */
        static const float yaw[5] = { 0, 0, -40, 40, 0 };
        static const float pitch[5] = { 0, 40, 0, 0, -40 };
        v.yaw_deg = yaw[which];
        v.pitch_deg = pitch[which];
    }
    a->cam = v;
    a->cam_dirty = 1;
}

/* Where a window point meets the skin. */
int cam_pick(const app *a, const view_state *v, int x, int y, surface_hit *h)
{
    double o[3], d[3];
    view_state vv = *v;
    vv.aspect = (float)a->gl.width / (float)a->gl.height;
    view_ray(&vv, (x + 0.5) / a->gl.width, (y + 0.5) / a->gl.height, o, d);
    return surface_raycast(a->surface, o, d, h);
}

void cam_face_point(const app *a, const double pos[3], const double nrm[3], double field_mm, view_state *v)
{
    *v = *engine_view(a->eng);
    v->aspect = (float)a->gl.width / (float)a->gl.height;
    view_face(v, pos, nrm, field_mm, -90.0, 89.9);
}

/* Orbits a head view to look at the middle of the working zones (from the chart points in
 * them, 4 mm apart), keeping its distance. */
void cam_turn_to_zone(const app *a, view_state *v)
{
    const lesson *l = &a->lesson;
    if (l->surface != SURFACE_HEAD)
        return;
    double su = 0.0, sv = 0.0, dom[4];
    size_t n = 0;
    surface_chart_bounds(a->surface, dom);
    for (double cv = dom[1]; cv <= dom[3]; cv += 4.0)
        for (double cu = dom[0]; cu <= dom[2]; cu += 4.0)
            if (lesson_zone_contains(l, cu, cv, surface_region_at_chart(a->surface, cu, cv))) {
                su += cu;
                sv += cv;
                n++;
            }
    surface_hit h;
    if (!n || !surface_chart_point(a->surface, su / (double)n, sv / (double)n, &h))
        return;
    /* not from below the chin, nor over the top */
    view_face(v, NULL, h.normal, 0.0, -30.0, 75.0);
}

void cam_orbit(view_state *v, double dyaw, double dpitch)
{
    v->yaw_deg = (float)fmod((double)v->yaw_deg + dyaw, 360.0);
    double p = (double)v->pitch_deg + dpitch;
    v->pitch_deg = (float)(p > 89.9 ? 89.9 : p < -60.0 ? -60.0 : p);
}

void cam_pan(view_state *v, double dx_px, double dy_px, int height)
{
    double eye[3], right[3], up[3], fwd[3];
    view_basis(v, eye, right, up, fwd);
    double mm_per_px = view_field_height_mm(v) / height;
    for (int i = 0; i < 3; i++)
        v->target_mm[i] -= (float)((right[i] * dx_px - up[i] * dy_px) * mm_per_px);
}

void cam_zoom(view_state *v, double factor)
{
    double d = (double)v->distance_mm * factor;
    v->distance_mm = (float)(d < 8.0 ? 8.0 : d > 3000.0 ? 3000.0 : d);
}

void cam_fly_start(app *a, const view_state *from, const view_state *to)
{
    a->fly_from = *from;
    a->fly_to = *to;
    a->fly = 1;
    a->fly_t0 = app_now_s();
    a->dirty = 1;
}

void cam_fly_step(app *a, view_state *v)
{
    if (!a->fly)
        return;
    double t = (app_now_s() - a->fly_t0) / 0.7;
    if (t >= 1.0) {
        t = 1.0;
        a->fly = 0;
    }
    double s = t * t * (3.0 - 2.0 * t);
    const view_state *f = &a->fly_from, *g = &a->fly_to;
    for (int i = 0; i < 3; i++)
        v->target_mm[i] = (float)((double)f->target_mm[i] + s * ((double)g->target_mm[i] - (double)f->target_mm[i]));
    double dy = fmod((double)g->yaw_deg - (double)f->yaw_deg + 540.0, 360.0) - 180.0;
    v->yaw_deg = (float)((double)f->yaw_deg + s * dy);
    v->pitch_deg = (float)((double)f->pitch_deg + s * ((double)g->pitch_deg - (double)f->pitch_deg));
    /* distance: geometric, so zooming feels even */
    v->distance_mm = (float)exp(log((double)f->distance_mm) + s * (log((double)g->distance_mm) - log((double)f->distance_mm)));
    a->dirty = 1;
}

/* --view: the head from one side (yaw 90 puts the eye on +x, the subject's left), the whole
 * head or field_mm of skin in the view's height. */
void cam_from_side(const app *a, const char *side, double field_mm, view_state *v)
{
    static const struct { const char *name; float yaw, pitch; } SIDES[] = {
        { "front", 0.0f, 5.0f }, { "back", 180.0f, 10.0f }, { "left", 90.0f, 5.0f },
        { "right", -90.0f, 5.0f }, { "top", 0.0f, 89.9f },
    };
    for (size_t i = 0; i < sizeof SIDES / sizeof SIDES[0]; i++) {
        if (strcmp(side, SIDES[i].name) != 0)
            continue;
        v->yaw_deg = SIDES[i].yaw;
        v->pitch_deg = SIDES[i].pitch;
        /* about the middle of the skull (the cranium's centre; from the top, its crown) */
        double lo[3], hi[3];
        surface_bounds(a->surface, lo, hi);
        v->target_mm[0] = 0.0f;
        v->target_mm[1] = (float)(hi[1] - (strcmp(side, "top") ? 70.0 : 40.0));
        v->target_mm[2] = -5.0f;
        if (field_mm > 0.0) {
            /* closer: field_mm of the skin facing the camera, targeted on it */
            double eye[3], right[3], up[3], fwd[3], o[3];
            view_basis(v, eye, right, up, fwd);
            for (int k = 0; k < 3; k++)
                o[k] = (double)v->target_mm[k] - 400.0 * fwd[k];
            surface_hit h;
            if (surface_raycast(a->surface, o, fwd, &h))
                for (int k = 0; k < 3; k++)
                    v->target_mm[k] = (float)h.pos_mm[k];
            v->distance_mm = (float)(0.5 * field_mm / tan(0.5 * (double)v->fov_y_deg * 3.14159265358979323846 / 180.0));
        }
        return;
    }
}
