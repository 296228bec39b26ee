/* calibration.h: per device and stylus pressure calibration (pen_calibration, pen.h):
 * measuring it from a short guided exercise (10 light taps, then 5 presses as firm as for
 * a deep dot), and storing it as JSON under $XDG_CONFIG_HOME/stipple/calibration/ (default
 * ~/.config/stipple/calibration/), one file per device (name + vendor:product) and tool
 * serial (MSC_SERIAL; 0 for pens without one).
 *
 * The analysis (all on normalised pressure p = (raw - min) / (max - min)):
 * - contacts: runs of samples with raw pressure above the axis minimum;
 * - light vs firm: 1-D two-means on the contacts' peaks (no reliance on order or count);
 * - activation: median over the light taps of the onset (the first sample of the contact),
 *   capped at half the median light peak so that a light tap always registers;
 * - gamma and saturation from two anchors, with travel_at_full_mm kept at its default:
 *   the median light tap gives CALIBRATION_NOMINAL_LIGHT_MM (the shallow end of the ideal
 *   band) and the median firm press CALIBRATION_NOMINAL_DEEP_MM (the deep end):
 *     gamma = ln(deep / light) / ln((p_firm - act) / (p_light - act))        (clamped 0.2-5)
 *     saturation = act + (p_firm - act) / (deep / travel_at_full)^(1 / gamma)
 *   so saturation is where the trainee's curve reaches full travel. It may lie above 1
 *   (beyond the device's range): pressing harder than a deep dot then still goes deeper,
 *   towards a blow-out, which a trainer must keep possible. The measured maximum force of the
 *   exercise is reported as firm_peak_max. (Fitting gamma to the firm presses alone with
 *   saturation = that maximum is ill-conditioned: firm presses cluster just under their own
 *   maximum, so gamma explodes and light taps vanish.) */
#ifndef STIPPLE_CALIBRATION_H
#define STIPPLE_CALIBRATION_H

#include <stddef.h>
#include <stdint.h>

#include "pen.h"
#include "session.h"

/* Travel (mm) the median firm press is mapped to: the deep end of the ideal band. */
#define CALIBRATION_NOMINAL_DEEP_MM 0.45
/* Travel (mm) the median light tap is mapped to: the shallow end of the ideal band. */
#define CALIBRATION_NOMINAL_LIGHT_MM 0.15
/* Saturation may exceed 1 (see above), up to this. */
#define CALIBRATION_MAX_SATURATION 10.0   /* the most a session file accepts */
#define CALIBRATION_LIGHT_TAPS 10
#define CALIBRATION_FIRM_PRESSES 5

typedef struct calibration_result {
    size_t contacts, light, firm;
    double light_peak_median, onset_median;   /* normalised */
    double firm_peak_median, firm_peak_max;
    pen_calibration cal;
} calibration_result;

/* Analyses the pen samples of an exercise (other events are ignored). 0, or -1 with err
 * saying what the exercise lacked (e.g. "found 3 contacts; need at least 2 light and 1 firm"). */
int calibration_analyse(const session_event *events, size_t n, const device_desc *dev, calibration_result *out,
                        char *err, size_t errlen);

/* The calibration folder ($XDG_CONFIG_HOME/stipple/calibration or ~/.config/...). -1 when
 * neither XDG_CONFIG_HOME nor HOME is set. */
int calibration_dir(char *out, size_t outlen);
/* The file for a device and tool serial inside calibration_dir. */
int calibration_path(const device_desc *dev, uint32_t tool_serial, char *out, size_t outlen);

/* Writes the calibration (creating the folders). 0 or -1 with err. */
int calibration_save(const device_desc *dev, uint32_t tool_serial, const pen_calibration *cal, char *err,
                     size_t errlen);
/* 1 loaded into *cal, 0 no file (cal untouched), -1 a damaged file (err = "file:line:col: ..."). */
int calibration_load(const device_desc *dev, uint32_t tool_serial, pen_calibration *cal, char *err, size_t errlen);

#endif
