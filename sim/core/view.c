/* view.c: orbit camera maths (perspective). Angles in degrees in the struct because that
 * is what people type and read; radians inside. */
#include "view.h"

#include <math.h>

#include "vec3.h"

#define DEG2RAD (3.14159265358979323846 / 180.0)

void view_basis(const view_state *v, double eye_mm[3], double right[3], double up[3], double forward[3])
{
    double yaw = (double)v->yaw_deg * DEG2RAD, pitch = (double)v->pitch_deg * DEG2RAD;
    double cy = cos(yaw), sy = sin(yaw), cp = cos(pitch), sp = sin(pitch);
    double back[3] = { sy * cp, sp, cy * cp };      /* from target towards the eye */
    for (int i = 0; i < 3; i++) {
        eye_mm[i] = (double)v->target_mm[i] + back[i] * (double)v->distance_mm;
        forward[i] = -back[i];
    }
    /* right stays horizontal so the view never rolls, even looking straight down */
    vec3_set(cy, 0.0, -sy, right);
    vec3_cross(right, forward, up);
    vec3_normalize(up);
}

static double tan_half_fov(const view_state *v)
{
    double fov = (double)v->fov_y_deg;
    if (!(fov > 1.0 && fov < 170.0))
        fov = 30.0;
    return tan(0.5 * fov * DEG2RAD);
}

static double aspect_of(const view_state *v)
{
    return v->aspect > 0.0f ? (double)v->aspect : 1.6;
}

void view_ray(const view_state *v, double x01, double y01, double origin_mm[3], double dir[3])
{
    double right[3], up[3], forward[3];
    view_basis(v, origin_mm, right, up, forward);
    double th = tan_half_fov(v);
    double nx = (2.0 * x01 - 1.0) * th * aspect_of(v);
    double ny = (1.0 - 2.0 * y01) * th;
    for (int i = 0; i < 3; i++)
        dir[i] = forward[i] + right[i] * nx + up[i] * ny;
    vec3_normalize(dir);
}

int view_project(const view_state *v, const double p_mm[3], double *x01, double *y01)
{
    double eye[3], right[3], up[3], forward[3], d[3];
    view_basis(v, eye, right, up, forward);
    vec3_sub(p_mm, eye, d);
    double z = vec3_dot(d, forward);
    if (z <= 1e-9)
        return 0;
    double th = tan_half_fov(v);
    double nx = vec3_dot(d, right) / (z * th * aspect_of(v));
    double ny = vec3_dot(d, up) / (z * th);
    *x01 = 0.5 * (nx + 1.0);
    *y01 = 0.5 * (1.0 - ny);
    return 1;
}

double view_field_height_mm(const view_state *v)
{
    return 2.0 * (double)v->distance_mm * tan_half_fov(v);
}

void view_face(view_state *v, const double pos_mm[3], const double nrm[3], double field_mm, double pitch_min_deg,
               double pitch_max_deg)
{
    const double pi = 3.14159265358979323846;
    if (pos_mm)
        for (int i = 0; i < 3; i++)
            v->target_mm[i] = (float)pos_mm[i];
    v->yaw_deg = (float)(atan2(nrm[0], nrm[2]) * 180.0 / pi);
    double ny = nrm[1] < -1.0 ? -1.0 : nrm[1] > 1.0 ? 1.0 : nrm[1];
    double p = asin(ny) * 180.0 / pi;
    v->pitch_deg = (float)(p > pitch_max_deg ? pitch_max_deg : p < pitch_min_deg ? pitch_min_deg : p);
    if (field_mm > 0.0)
        v->distance_mm = (float)(0.5 * field_mm / tan(0.5 * (double)v->fov_y_deg * pi / 180.0));
}
