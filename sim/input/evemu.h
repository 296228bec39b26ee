/* evemu.h: evemu recordings (evemu-record's text format): a device description
 * (N: name, I: bustype vendor product version, P: properties, B: capability bitmaps,
 * A: absinfo code min max fuzz flat resolution) and events (E: sec.usec type code value),
 * in one file or as a .desc plus .events pair. Parsed without libevdev so that recordings
 * work anywhere, and fast (a benchmark measures MB/s). */
#ifndef STIPPLE_EVEMU_H
#define STIPPLE_EVEMU_H

#include <linux/input.h>
#include <stddef.h>
#include <stdint.h>

#include "pen.h"

typedef struct evemu_absinfo {
    int present;
    int32_t min, max, fuzz, flat, resolution;
} evemu_absinfo;

typedef struct evemu_recording {
    char     name[80];
    uint16_t bustype, vendor, product, version;
    int      has_description;
    uint8_t  props[INPUT_PROP_CNT / 8 + 1];
    uint8_t  bits[EV_CNT][KEY_CNT / 8 + 1];   /* capability bitmaps per event type */
    evemu_absinfo abs[ABS_CNT];
    struct input_event *events;
    size_t   event_count;
} evemu_recording;

/* Parses a recording from text. 0 on success; -1 with err = "name:line: what is wrong".
 * Free with evemu_free. */
int  evemu_parse(const char *text, size_t len, const char *name, evemu_recording *out, char *err, size_t errlen);
/* Loads `path`; when it holds no description, looks for `desc_path` if given, else for a
 * .desc file named like it (X.events -> X.desc, "X.stylus-tap.events" -> "X Pen.desc" is
 * not guessed: pass desc_path). */
int  evemu_load(const char *path, const char *desc_path, evemu_recording *out, char *err, size_t errlen);
void evemu_free(evemu_recording *r);   /* NULL-safe */

int  evemu_has(const evemu_recording *r, unsigned type, unsigned code);
/* The description as Stipple's device_desc (axes, class from the capabilities). */
void evemu_to_device_desc(const evemu_recording *r, device_desc *dest);

#endif
