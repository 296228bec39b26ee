/* lesson_geometry.c: the geometric questions the scorer and the app ask of a loaded lesson:
 * which skin layers a region has, whether a point lies in a zone, a polygon or a scar's
 * strip, and boxes around point lists. */
#include "lesson.h"
#include "norwood.h"

#include <math.h>
#include <string.h>

/* ---- queries ------------------------------------------------------------------------ */

static void apply_override(const skin_layers *o, skin_layers *dest)
{
    if (!isnan(o->epidermis_mm)) dest->epidermis_mm = o->epidermis_mm;
    if (!isnan(o->papillary_mm)) dest->papillary_mm = o->papillary_mm;
    if (!isnan(o->total_mm))     dest->total_mm = o->total_mm;
}

void lesson_layers(const lesson *l, region_id region, skin_layers *dest)
{
    skin_default_layers(region, dest);
    if (!l || !l->skin)
        return;
    for (size_t i = 0; i < l->skin_count; i++)
        if (l->skin[i].region == REGION_NONE)
            apply_override(&l->skin[i].layers, dest);
    if (region == REGION_NONE)
        return;
    for (size_t i = 0; i < l->skin_count; i++)
        if (l->skin[i].region == region)
            apply_override(&l->skin[i].layers, dest);
}

/* Even-odd rule: count crossings of a ray towards +u. */
static int polygon_contains(const chart_point *p, size_t n, double u, double v)
{
    int in = 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        if ((p[i].v_mm > v) != (p[j].v_mm > v)) {
            double cross = p[j].u_mm + (v - p[j].v_mm) * (p[i].u_mm - p[j].u_mm) / (p[i].v_mm - p[j].v_mm);
            if (u < cross)
                in = !in;
        }
    }
    return in;
}

int lesson_area_contains(const lesson_zone *z, double u_mm, double v_mm, region_id r)
{
    if (z->polygon && z->polygon_count >= 3 && !polygon_contains(z->polygon, z->polygon_count, u_mm, v_mm))
        return 0;
    if (z->region_mask && (r <= REGION_NONE || r >= 32 || !(z->region_mask & (1u << (unsigned)r))))
        return 0;
    if (z->norwood_stage) {
        if (!region_is_scalp(r) || norwood_is_bald(z->norwood_stage, u_mm, v_mm) == z->norwood_hair)
            return 0;
    }
    return z->polygon || z->region_mask || z->norwood_stage;
}

int lesson_zone_contains(const lesson *l, double u_mm, double v_mm, region_id r)
{
    if (!l)
        return 0;
    for (size_t i = 0; i < l->zone_count; i++)
        if (lesson_area_contains(&l->zones[i], u_mm, v_mm, r))
            return 1;
    return 0;
}

/* Distance from p to the segment a-b, mm. */
static double segment_distance(chart_point a, chart_point b, double u, double v)
{
    double du = b.u_mm - a.u_mm, dv = b.v_mm - a.v_mm, l2 = du * du + dv * dv;
    double t = l2 > 0.0 ? ((u - a.u_mm) * du + (v - a.v_mm) * dv) / l2 : 0.0;
    t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    double x = a.u_mm + t * du - u, y = a.v_mm + t * dv - v;
    return sqrt(x * x + y * y);
}

void lesson_points_box(const chart_point *p, size_t n, double margin_mm, double box[4])
{
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        box[0] = fmin(box[0], p[i].u_mm - margin_mm);
        box[1] = fmin(box[1], p[i].v_mm - margin_mm);
        box[2] = fmax(box[2], p[i].u_mm + margin_mm);
        box[3] = fmax(box[3], p[i].v_mm + margin_mm);
    }
}

int lesson_box_clip(double box[4], const double clip[4])
{
    box[0] = fmax(box[0], clip[0]);
    box[1] = fmax(box[1], clip[1]);
    box[2] = fmin(box[2], clip[2]);
    box[3] = fmin(box[3], clip[3]);
    return box[0] < box[2] && box[1] < box[3];
}

double lesson_strip_distance_mm(const lesson_scar *sc, double u_mm, double v_mm)
{
    double best = INFINITY;
    for (size_t i = 0; i + 1 < sc->point_count; i++)
        best = fmin(best, segment_distance(sc->points[i], sc->points[i + 1], u_mm, v_mm));
    return best;
}

int lesson_polygon_contains(const chart_point *p, size_t n, double u_mm, double v_mm)
{
    return n >= 3 && polygon_contains(p, n, u_mm, v_mm);
}

double lesson_hairline_offset_mm(const lesson *l, double u_mm, double v_mm)
{
    if (!l || !l->has_hairline || !l->hairline.line || l->hairline.line_count == 0)
        return 0.0;
    const chart_point *p = l->hairline.line;
    size_t n = l->hairline.line_count;
    double v_line;
    if (u_mm <= p[0].u_mm) {
        v_line = p[0].v_mm;
    } else if (u_mm >= p[n - 1].u_mm) {
        v_line = p[n - 1].v_mm;
    } else {
        size_t lo = 0, hi = n - 1;   /* p[lo].u <= u < p[hi].u */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (p[mid].u_mm <= u_mm)
                lo = mid;
            else
                hi = mid;
        }
        double t = (u_mm - p[lo].u_mm) / (p[hi].u_mm - p[lo].u_mm);
        v_line = p[lo].v_mm + t * (p[hi].v_mm - p[lo].v_mm);
    }
    return v_mm - v_line;
}
