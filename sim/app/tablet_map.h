/* tablet_map.h: which part of a tablet drives the viewport. The core maps a device's whole
 * x/y range onto the viewport with the aspect ratio kept (pen_map_to_viewport); this module
 * narrows that range to an area of the tablet:
 *   - the whole tablet (the default),
 *   - an area given in mm from the active area's top-left corner (--tablet-area),
 *   - for a pen display (INPUT_PROP_DIRECT), the part of its screen the window covers, so
 *     the needle lands exactly under the pen (1:1).
 * The session records `mapped`: the device description whose x/y ranges are the area, so a
 * replay maps exactly as the live run did. Samples are rewritten into that description's
 * units (identity while the area is the one the session started with); a pen outside the
 * area is out of proximity for Stipple, as libinput treats a pen outside a tablet area.
 * No SDL, no device: plain maths, tested in tests/test_app_input.c. */
#ifndef STIPPLE_TABLET_MAP_H
#define STIPPLE_TABLET_MAP_H

#include <stddef.h>

#include "pen.h"

typedef struct tablet_area {
    double x0, y0, x1, y1;   /* device units, x0 < x1, y0 < y1 */
} tablet_area;

/* Parses "x0,y0,x1,y1" (mm). 0, or -1 with err. */
int tablet_area_parse_mm(const char *s, double mm[4], char *err, size_t errlen);
/* The whole active area. */
void tablet_area_whole(const device_desc *dev, tablet_area *out);
/* mm from the active area's top-left corner -> device units (rounded to whole units). Needs
 * the x/y resolution (units per mm). 0, or -1 with err (no resolution, outside the tablet,
 * empty). */
int tablet_area_from_mm(const device_desc *dev, const double mm[4], tablet_area *out, char *err, size_t errlen);
/* A pen display whose digitiser covers the screen `display` {x, y, w, h} (pixels): the area
 * under the window {x, y, w, h}. 0, or -1 when the window is not on that screen at all. */
int tablet_area_for_window(const device_desc *dev, const int display[4], const int window[4], tablet_area *out);

typedef struct tablet_map {
    device_desc device;   /* what the device reports */
    device_desc mapped;   /* what the session records: x/y ranges = the starting area */
    tablet_area area;     /* the area now (a pen display's window may have moved) */
} tablet_map;

void tablet_map_init(tablet_map *m, const device_desc *dev, const tablet_area *area);
/* The area moved (a pen display's window moved): later samples are rewritten so that the
 * new area lands where the starting one did. */
void tablet_map_set_area(tablet_map *m, const tablet_area *area);
/* Rewrites a sample's x/y into `mapped`'s units. 1 inside the area; 0 outside, and then the
 * sample is out of proximity (flags cleared, pressure 0). */
int tablet_map_apply(const tablet_map *m, pen_sample *s);

#endif
