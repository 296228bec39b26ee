/* vec3.h: small double-precision 3-vector helpers for the core.
 * Header-only and pure: the core does its geometry in double so that results do not
 * depend on float rounding order in callers. */
#ifndef STIPPLE_VEC3_H
#define STIPPLE_VEC3_H

#include <math.h>

static inline void vec3_set(double x, double y, double z, double dest[3]) { dest[0] = x; dest[1] = y; dest[2] = z; }
static inline void vec3_copy(const double a[3], double dest[3]) { dest[0] = a[0]; dest[1] = a[1]; dest[2] = a[2]; }
static inline void vec3_add(const double a[3], const double b[3], double dest[3]) { dest[0] = a[0] + b[0]; dest[1] = a[1] + b[1]; dest[2] = a[2] + b[2]; }
static inline void vec3_sub(const double a[3], const double b[3], double dest[3]) { dest[0] = a[0] - b[0]; dest[1] = a[1] - b[1]; dest[2] = a[2] - b[2]; }
static inline void vec3_scale(const double a[3], double s, double dest[3]) { dest[0] = a[0] * s; dest[1] = a[1] * s; dest[2] = a[2] * s; }
/* dest = a + b * s */
static inline void vec3_muladds(const double a[3], const double b[3], double s, double dest[3]) { dest[0] = a[0] + b[0] * s; dest[1] = a[1] + b[1] * s; dest[2] = a[2] + b[2] * s; }
static inline double vec3_dot(const double a[3], const double b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static inline void vec3_cross(const double a[3], const double b[3], double dest[3]) {
    double x = a[1] * b[2] - a[2] * b[1], y = a[2] * b[0] - a[0] * b[2], z = a[0] * b[1] - a[1] * b[0];
    dest[0] = x; dest[1] = y; dest[2] = z;
}
static inline double vec3_norm(const double a[3]) { return sqrt(vec3_dot(a, a)); }
static inline double vec3_distance(const double a[3], const double b[3]) { double d[3]; vec3_sub(a, b, d); return vec3_norm(d); }
/* Normalises in place; leaves a zero vector untouched. */
static inline void vec3_normalize(double a[3]) { double n = vec3_norm(a); if (n > 0.0) vec3_scale(a, 1.0 / n, a); }

#endif
