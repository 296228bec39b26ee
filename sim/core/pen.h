/* pen.h: what a pen (tablet stylus, instrumented pen, mouse, virtual trainee) reports, in
 * the device's own units, plus the device description and the calibration that turn
 * those units into millimetres and needle travel. Input backends fill these; the core
 * never touches a device. */
#ifndef STIPPLE_PEN_H
#define STIPPLE_PEN_H

#include <stdint.h>

enum pen_flags {
    PEN_IN_PROXIMITY = 1u << 0, /* tool is near the tablet */
    PEN_TOUCH        = 1u << 1, /* tip down (BTN_TOUCH) */
    PEN_BUTTON1      = 1u << 2, /* lower side button */
    PEN_BUTTON2      = 1u << 3, /* upper side button */
    PEN_ERASER       = 1u << 4, /* eraser end is the tool */
};

/* One pen report. All values are device units as described by device_desc. */
typedef struct pen_sample {
    int64_t  t_us;        /* timestamp, microseconds since session start */
    int32_t  x, y;        /* position */
    int32_t  pressure;    /* tip pressure (0 when not touching) */
    int32_t  tilt_x, tilt_y; /* tilt; units per device_desc (usually degrees) */
    int32_t  distance;    /* hover distance */
    uint32_t flags;       /* enum pen_flags */
    int32_t  needle_depth_um; /* needle travel measured by an instrumented pen, in um
                                 (used instead of pressure when the device has
                                 DEVICE_HAS_NEEDLE_DEPTH; 0 otherwise) */
} pen_sample;

/* One absolute axis, as evdev describes it. resolution: units per mm for x/y (and
 * distance), units per radian for tilt (evdev convention), 0 when unknown. */
typedef struct device_axis {
    int32_t min, max, resolution;
} device_axis;

enum device_axis_bits {
    DEVICE_HAS_PRESSURE = 1u << 0,
    DEVICE_HAS_TILT     = 1u << 1,
    DEVICE_HAS_DISTANCE = 1u << 2,
    DEVICE_HAS_NEEDLE_DEPTH = 1u << 3,  /* measures needle travel itself (instrumented pen) */
};
#define PEN_NEEDLE_DEPTH_MAX_UM 10000

enum device_class {
    DEVICE_CLASS_VIRTUAL = 0,    /* simulated trainee */
    DEVICE_CLASS_PEN_TABLET = 1,
    DEVICE_CLASS_PEN_DISPLAY = 2,
    DEVICE_CLASS_INSTRUMENTED_PEN = 3,
    DEVICE_CLASS_MOUSE = 4,
};

typedef struct device_desc {
    char     name[80];
    uint16_t bustype, vendor, product, version;
    uint32_t device_class;   /* enum device_class */
    uint32_t axes;           /* enum device_axis_bits */
    device_axis x, y, pressure, tilt_x, tilt_y, distance;
} device_desc;

/* Per device and stylus calibration: raw pressure -> needle travel in mm.
 *   p = (raw - pressure.min) / (pressure.max - pressure.min)            (0..1)
 *   c = clamp((p - activation) / (saturation - activation), 0, 1) ^ gamma
 *   travel_mm = c * travel_at_full_mm
 * Contact (a puncture) starts when p > activation. */
typedef struct pen_calibration {
    float activation;         /* normalised pressure that starts contact */
    float saturation;         /* normalised pressure at the trainee's maximum force */
    float gamma;              /* curve shape, 1 = linear */
    float travel_at_full_mm;  /* needle travel into skin at full calibrated force */
} pen_calibration;

/* The virtual pen that simulated trainees hold: 0.01 mm resolution on a 200 x 125 mm
 * tablet, 8192 pressure levels, tilt in degrees. */
void device_desc_virtual(device_desc *dest);
/* Default calibration: activation 0.04, saturation 0.95, gamma 1, 1.5 mm at full force. */
void pen_calibration_default(pen_calibration *dest);

/* The normalised pressure that gives a needle travel (the inverse of pen_travel_mm,
 * clamped to the calibrated range): what a hand presses to mean a depth. */
double pen_pressure_for_travel(const pen_calibration *cal, double travel_mm);
/* Normalised pressure 0..1 of a raw sample. */
double pen_pressure_norm(const device_desc *dev, int32_t raw_pressure);
/* Needle travel in mm for a normalised pressure; 0 below activation. */
double pen_travel_mm(const pen_calibration *cal, double pressure_norm);
/* Tilt of the pen from the tablet's normal, in radians, from tilt_x/tilt_y. */
void pen_tilt_rad(const device_desc *dev, const pen_sample *s, double *tilt_x_rad, double *tilt_y_rad);
/* Position as a fraction 0..1 of the active area. */
void pen_position_norm(const device_desc *dev, const pen_sample *s, double *x01, double *y01);

/* Tablet -> viewport mapping: the whole tablet maps onto the viewport with the aspect
 * ratio kept, by using the largest centred tablet area of the viewport's aspect.
 * Returns 0 (and clamps) when the tablet point lies outside that area. */
int  pen_map_to_viewport(const device_desc *dev, double viewport_aspect, double tx01, double ty01,
                         double *vx01, double *vy01);
/* The inverse: where on the tablet (0..1) a viewport point lies. */
void pen_map_from_viewport(const device_desc *dev, double viewport_aspect, double vx01, double vy01,
                           double *tx01, double *ty01);

#endif
