/* tablet_map.c: see tablet_map.h. */
#include "tablet_map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tablet_area_parse_mm(const char *s, double mm[4], char *err, size_t errlen)
{
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        char *end;
        mm[i] = strtod(p, &end);
        if (end == p || !isfinite(mm[i]) || (i < 3 && *end != ',') || (i == 3 && *end)) {
            snprintf(err, errlen, "--tablet-area wants x0,y0,x1,y1 in mm (got '%s')", s);
            return -1;
        }
        p = end + 1;
    }
    if (!(mm[2] > mm[0] && mm[3] > mm[1]) || mm[0] < 0.0 || mm[1] < 0.0) {
        snprintf(err, errlen, "--tablet-area %s: want 0 <= x0 < x1 and 0 <= y0 < y1 (mm)", s);
        return -1;
    }
    return 0;
}

void tablet_area_whole(const device_desc *dev, tablet_area *out)
{
    out->x0 = dev->x.min;
    out->y0 = dev->y.min;
    out->x1 = dev->x.max;
    out->y1 = dev->y.max;
}

int tablet_area_from_mm(const device_desc *dev, const double mm[4], tablet_area *out, char *err, size_t errlen)
{
    if (dev->x.resolution <= 0 || dev->y.resolution <= 0) {
        snprintf(err, errlen, "%s reports no resolution: a tablet area in mm cannot be placed on it", dev->name);
        return -1;
    }
    double rx = dev->x.resolution, ry = dev->y.resolution;
    tablet_area a = { round(dev->x.min + mm[0] * rx), round(dev->y.min + mm[1] * ry),
                      round(dev->x.min + mm[2] * rx), round(dev->y.min + mm[3] * ry) };
    if (a.x1 > dev->x.max || a.y1 > dev->y.max) {
        snprintf(err, errlen, "tablet area %.1f,%.1f,%.1f,%.1f mm lies outside %s's %.1f x %.1f mm", mm[0], mm[1], mm[2],
                 mm[3], dev->name, ((double)dev->x.max - dev->x.min) / rx, ((double)dev->y.max - dev->y.min) / ry);
        return -1;
    }
    if (a.x1 - a.x0 < 1.0 || a.y1 - a.y0 < 1.0) {
        snprintf(err, errlen, "tablet area is empty");
        return -1;
    }
    *out = a;
    return 0;
}

int tablet_area_for_window(const device_desc *dev, const int display[4], const int window[4], tablet_area *out)
{
    if (display[2] <= 0 || display[3] <= 0 || window[2] <= 0 || window[3] <= 0)
        return -1;
    /* pixel edges -> fractions of the screen -> device units */
    double fx0 = (double)(window[0] - display[0]) / display[2], fx1 = (double)(window[0] + window[2] - display[0]) / display[2];
    double fy0 = (double)(window[1] - display[1]) / display[3], fy1 = (double)(window[1] + window[3] - display[1]) / display[3];
    if (fx1 <= 0.0 || fy1 <= 0.0 || fx0 >= 1.0 || fy0 >= 1.0)
        return -1;
    double sx = (double)dev->x.max - dev->x.min, sy = (double)dev->y.max - dev->y.min;
    out->x0 = round(dev->x.min + fx0 * sx);
    out->x1 = round(dev->x.min + fx1 * sx);
    out->y0 = round(dev->y.min + fy0 * sy);
    out->y1 = round(dev->y.min + fy1 * sy);
    return 0;
}

static int32_t to_i32(double v)
{
    return v < -2147483647.0 ? -2147483647 : v > 2147483647.0 ? 2147483647 : (int32_t)lround(v);
}

void tablet_map_init(tablet_map *m, const device_desc *dev, const tablet_area *area)
{
    m->device = *dev;
    m->mapped = *dev;
    tablet_area whole;
    tablet_area_whole(dev, &whole);
    m->area = area ? *area : whole;
    m->mapped.x.min = to_i32(m->area.x0);
    m->mapped.x.max = to_i32(m->area.x1);
    m->mapped.y.min = to_i32(m->area.y0);
    m->mapped.y.max = to_i32(m->area.y1);
}

void tablet_map_set_area(tablet_map *m, const tablet_area *area)
{
    m->area = *area;
}

int tablet_map_apply(const tablet_map *m, pen_sample *s)
{
    const tablet_area *a = &m->area;
    int inside = s->x >= a->x0 && s->x <= a->x1 && s->y >= a->y0 && s->y <= a->y1;
    double fx = (s->x - a->x0) / (a->x1 - a->x0), fy = (s->y - a->y0) / (a->y1 - a->y0);
    fx = fx < 0.0 ? 0.0 : fx > 1.0 ? 1.0 : fx;
    fy = fy < 0.0 ? 0.0 : fy > 1.0 ? 1.0 : fy;
    s->x = to_i32(m->mapped.x.min + fx * ((double)m->mapped.x.max - m->mapped.x.min));
    s->y = to_i32(m->mapped.y.min + fy * ((double)m->mapped.y.max - m->mapped.y.min));
    if (!inside) {
        s->flags = 0;
        s->pressure = 0;
    }
    return inside;
}
