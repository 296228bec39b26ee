/* view.h: the camera through which the pen touches the surface. A pen position in the
 * viewport becomes a ray; the same view projects surface points back to the viewport.
 * Every view change is an event in the session, so re-simulation sees what the trainee saw. */
#ifndef STIPPLE_VIEW_H
#define STIPPLE_VIEW_H

typedef struct view_state {
    float target_mm[3];   /* point the camera orbits and looks at */
    float yaw_deg;        /* rotation about +y; 0 looks along -z from +z (at the face) */
    float pitch_deg;      /* elevation; +90 looks straight down from above */
    float distance_mm;    /* camera to target */
    float fov_y_deg;      /* vertical field of view */
    float aspect;         /* viewport width / height */
} view_state;

/* Camera position and orthonormal basis (right, up, forward = looking direction). */
void view_basis(const view_state *v, double eye_mm[3], double right[3], double up[3], double forward[3]);
/* Ray through viewport point (x01, y01): x to the right, y down, both 0..1. dir is unit. */
void view_ray(const view_state *v, double x01, double y01, double origin_mm[3], double dir[3]);
/* Projects a point to viewport coordinates; returns 0 if it is behind the camera. */
int  view_project(const view_state *v, const double p_mm[3], double *x01, double *y01);
/* Field height in mm at the target distance (how much skin the viewport shows). */
double view_field_height_mm(const view_state *v);
/* Turns v to look along -nrm at a surface point (yaw and pitch from the normal, pitch held in
 * [pitch_min_deg, pitch_max_deg]); with pos, targets it; with field_mm > 0, sets the distance
 * that shows field_mm of skin in the view height. The one way every caller faces a point. */
void view_face(view_state *v, const double pos_mm[3], const double nrm[3], double field_mm, double pitch_min_deg,
               double pitch_max_deg);

#endif
