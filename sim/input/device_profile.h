/* device_profile.h: device profiles (assets/devices/NAME.json, format
 * "stipple-device-profile/1"): which evdev codes of a device carry which needle channel.
 * A new pen works by adding a profile, not code. The format:
 *
 *   { "format": "stipple-device-profile/1",
 *     "name": "Instrumented pen (reference)",
 *     "class": "instrumented_pen",          auto | pen_tablet | pen_display | instrumented_pen | mouse
 *     "match": { "name": "substring", "vendor": "0x1d50", "product": "0x6189",
 *                "requires": ["ABS_PRESSURE", "ABS_Z"] },       every key optional
 *     "channels": {
 *       "x": {"code": "ABS_X"}, "y": {"code": "ABS_Y"}, "distance": {"code": "ABS_DISTANCE"},
 *       "force": {"code": "ABS_PRESSURE", "unit": "mN", "range": [0, 4000]},
 *       "needle_depth": {"code": "ABS_Z", "unit": "0.01 mm", "range": [0, 300]},
 *       "tilt_x": {"code": "ABS_TILT_X"}, "tilt_y": {"code": "ABS_TILT_Y"},
 *       "machine_trigger": {"code": "BTN_0"},
 *       "vibration": {"effect": "FF_RUMBLE", "strength": 0.5, "duration_ms": 40} } }
 *
 * Codes are libevdev names or integers. "range" overrides the device's absinfo (the raw
 * values it reports, in "unit"). The best match wins: a profile naming the device's
 * name/vendor/product beats a generic one; "requires" must all be present.
 * Errors: "file:line:col: what is wrong". */
#ifndef STIPPLE_DEVICE_PROFILE_H
#define STIPPLE_DEVICE_PROFILE_H

#include <linux/input.h>
#include <stddef.h>
#include <stdint.h>

#include "evdev_pen.h"
#include "evemu.h"
#include "pen.h"

#define DEVICE_PROFILE_MAX_REQUIRES 16

typedef struct profile_channel {
    int     code;            /* evdev code, -1 when not mapped */
    int     has_range;
    int32_t range[2];
    char    unit[16];
} profile_channel;

enum profile_channel_id {
    PCH_X = 0, PCH_Y, PCH_FORCE, PCH_NEEDLE_DEPTH, PCH_TILT_X, PCH_TILT_Y, PCH_DISTANCE,
    PCH_ABS_COUNT,          /* the channels above are absolute axes */
};

typedef struct device_profile {
    char     name[80];
    char     path[256];
    int      device_class;   /* enum device_class, -1 = from the capabilities */
    char     match_name[80]; /* substring of the device name; "" = any */
    int      match_vendor, match_product;   /* -1 = any */
    int      requires[DEVICE_PROFILE_MAX_REQUIRES][2];   /* (type, code) */
    size_t   require_count;
    profile_channel abs[PCH_ABS_COUNT];
    int      machine_key;    /* EV_KEY code, -1 = none */
    int      ff_effect;      /* FF_RUMBLE / FF_PERIODIC ..., -1 = none */
    double   ff_strength;    /* 0..1 */
    int      ff_duration_ms;
} device_profile;

/* What a device offers, from an evemu description or a live libevdev device. */
typedef struct device_caps {
    device_desc desc;                 /* name, ids, class guessed from the capabilities */
    char        uniq[64];             /* the device's serial ("uniq"), "" if none */
    int         abs_present[ABS_CNT];
    device_axis abs[ABS_CNT];
    uint8_t     keys[KEY_CNT / 8 + 1];
    uint8_t     ff[FF_CNT / 8 + 1];
    int         has_ff;
} device_caps;

void device_caps_from_evemu(const evemu_recording *r, device_caps *dest);
int  device_caps_has(const device_caps *c, unsigned type, unsigned code);

/* 0, or -1 with err = "name:line:col: ...". `name` is used in messages and kept as path. */
int device_profile_load_mem(const char *text, size_t len, const char *name, device_profile *out, char *err,
                            size_t errlen);
int device_profile_load(const char *path, device_profile *out, char *err, size_t errlen);

/* Match score: -1 when the profile does not apply, else higher = more specific. */
int device_profile_score(const device_profile *p, const device_caps *caps);

/* Loads every *.json in dir and picks the best profile for caps. 1 found (in *out), 0 none,
 * -1 a profile failed to load (err says which and where). */
int device_profile_find(const char *dir, const device_caps *caps, device_profile *out, char *err, size_t errlen);

/* The folder of shipped profiles: $STIPPLE_DEVICE_PROFILES, else `fallback`. */
const char *device_profile_dir(const char *fallback);

/* Applies a profile: the device description Stipple records (pressure axis = the force
 * channel, class), and the evdev_pen axis map and machine key. */
void device_profile_apply(const device_profile *p, const device_caps *caps, device_desc *desc,
                          uint8_t abs_channel[ABS_CNT], uint16_t *machine_key);

const char *device_class_name(uint32_t device_class);   /* "pen tablet", ... */

/* Micrometres per raw unit of the profile's needle_depth channel, from its "unit"
 * ("um", "0.01 mm", "0.1 mm", "mm", ...); 0 when the channel is not mapped or its unit is
 * not a whole number of micrometres. */
int32_t device_profile_depth_um_per_unit(const device_profile *p);

#endif
