/* pen.c: device units -> normalised pressure, needle travel, tilt and position. */
#include "pen.h"

#include <math.h>
#include <string.h>

void device_desc_virtual(device_desc *dest)
{
    memset(dest, 0, sizeof *dest);
    strcpy(dest->name, "Stipple virtual pen");
    dest->device_class = DEVICE_CLASS_VIRTUAL;
    dest->axes = DEVICE_HAS_PRESSURE | DEVICE_HAS_TILT | DEVICE_HAS_DISTANCE;
    dest->x = (device_axis){ 0, 20000, 100 };        /* 200 mm at 0.01 mm */
    dest->y = (device_axis){ 0, 12500, 100 };        /* 125 mm */
    dest->pressure = (device_axis){ 0, 8191, 0 };
    dest->tilt_x = (device_axis){ -64, 63, 57 };     /* degrees: 57 units per radian */
    dest->tilt_y = (device_axis){ -64, 63, 57 };
    dest->distance = (device_axis){ 0, 63, 0 };
}

void pen_calibration_default(pen_calibration *dest)
{
    dest->activation = 0.04f;
    dest->saturation = 0.95f;
    dest->gamma = 1.0f;
    /* 1.5 mm at full force: a hard press reaches the 1.2 mm at which a dot blows out to
     * about 3x (model-defaults, "Pigment depth"), even at 35 degrees of tilt. */
    dest->travel_at_full_mm = 1.5f;
}

static double axis_fraction(const device_axis *a, int32_t v)
{
    double span = (double)a->max - (double)a->min;
    if (span <= 0.0)
        return 0.0;
    double f = ((double)v - (double)a->min) / span;
    return f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
}

double pen_pressure_norm(const device_desc *dev, int32_t raw_pressure)
{
    return axis_fraction(&dev->pressure, raw_pressure);
}

double pen_travel_mm(const pen_calibration *cal, double pressure_norm)
{
    double lo = cal->activation, hi = cal->saturation;
    if (pressure_norm <= lo || hi <= lo)
        return 0.0;
    double c = (pressure_norm - lo) / (hi - lo);
    if (c > 1.0)
        c = 1.0;
    if (cal->gamma > 0.0f && cal->gamma != 1.0f)
        c = pow(c, (double)cal->gamma);
    return c * (double)cal->travel_at_full_mm;
}

double pen_pressure_for_travel(const pen_calibration *cal, double travel_mm)
{
    double full = (double)cal->travel_at_full_mm;
    double c = full > 0.0 ? travel_mm / full : 0.0;
    c = c < 0.0 ? 0.0 : c > 1.0 ? 1.0 : c;
    if (cal->gamma > 0.0f && cal->gamma != 1.0f)
        c = pow(c, 1.0 / (double)cal->gamma);
    return (double)cal->activation + c * ((double)cal->saturation - (double)cal->activation);
}

static double tilt_rad(const device_axis *a, int32_t v)
{
    /* evdev gives tilt resolution in units per radian; without one assume degrees. */
    if (a->resolution > 0)
        return (double)v / (double)a->resolution;
    return (double)v * (3.14159265358979323846 / 180.0);
}

void pen_tilt_rad(const device_desc *dev, const pen_sample *s, double *tilt_x_rad, double *tilt_y_rad)
{
    if (!(dev->axes & DEVICE_HAS_TILT)) {
        *tilt_x_rad = 0.0;
        *tilt_y_rad = 0.0;
        return;
    }
    *tilt_x_rad = tilt_rad(&dev->tilt_x, s->tilt_x);
    *tilt_y_rad = tilt_rad(&dev->tilt_y, s->tilt_y);
}

void pen_position_norm(const device_desc *dev, const pen_sample *s, double *x01, double *y01)
{
    *x01 = axis_fraction(&dev->x, s->x);
    *y01 = axis_fraction(&dev->y, s->y);
}

/* Fraction of the tablet's width and height that the mapped area covers. */
static void mapped_area(const device_desc *dev, double viewport_aspect, double *fw, double *fh)
{
    double w = (double)dev->x.max - (double)dev->x.min;
    double h = (double)dev->y.max - (double)dev->y.min;
    if (dev->x.resolution > 0 && dev->y.resolution > 0) {
        w /= (double)dev->x.resolution;
        h /= (double)dev->y.resolution;
    }
    double tablet_aspect = (w > 0.0 && h > 0.0) ? w / h : 1.0;
    *fw = 1.0;
    *fh = 1.0;
    if (!(viewport_aspect > 0.0))
        return;
    if (tablet_aspect > viewport_aspect)
        *fw = viewport_aspect / tablet_aspect;
    else
        *fh = tablet_aspect / viewport_aspect;
}

int pen_map_to_viewport(const device_desc *dev, double viewport_aspect, double tx01, double ty01,
                        double *vx01, double *vy01)
{
    double fw, fh;
    mapped_area(dev, viewport_aspect, &fw, &fh);
    double x = (tx01 - 0.5 * (1.0 - fw)) / fw;
    double y = (ty01 - 0.5 * (1.0 - fh)) / fh;
    int inside = x >= 0.0 && x <= 1.0 && y >= 0.0 && y <= 1.0;
    *vx01 = x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
    *vy01 = y < 0.0 ? 0.0 : y > 1.0 ? 1.0 : y;
    return inside;
}

void pen_map_from_viewport(const device_desc *dev, double viewport_aspect, double vx01, double vy01,
                           double *tx01, double *ty01)
{
    double fw, fh;
    mapped_area(dev, viewport_aspect, &fw, &fh);
    *tx01 = 0.5 * (1.0 - fw) + vx01 * fw;
    *ty01 = 0.5 * (1.0 - fh) + vy01 * fh;
}
