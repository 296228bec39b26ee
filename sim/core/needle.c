/* needle.c: needle names and fresh dot size (model-defaults.md, "Needles and dots"). */
#include "needle.h"

#include <string.h>

const char *needle_config_name(int config)
{
    switch (config) {
    case NEEDLE_1RL: return "1RL";
    case NEEDLE_3RL: return "3RL";
    default:         return "?";
    }
}

int needle_config_from_name(const char *name)
{
    if (!name)
        return 0;
    if (strcmp(name, "1RL") == 0)
        return NEEDLE_1RL;
    if (strcmp(name, "3RL") == 0)
        return NEEDLE_3RL;
    return 0;
}

double needle_footprint_mm(const needle *n)
{
    double d = n->diameter_mm;
    return n->config == NEEDLE_3RL ? 2.15 * d : d;
}

double needle_fresh_diameter_mm(const needle *n, int64_t dwell_us, double depth_mm, const skin_layers *layers)
{
    double d = needle_footprint_mm(n);
    /* choice: a clean stipple lasts ~100 ms; every further 100 ms of dwell widens the
     * dot by 10 %, saturating at +60 %. */
    double extra_dwell_s = (double)(dwell_us - 100000) / 1e6;
    if (extra_dwell_s > 0.0) {
        double grow = extra_dwell_s;   /* 1.0 per second over */
        if (grow > 0.6)
            grow = 0.6;
        d *= 1.0 + grow;
    }
    /* Past the papillary dermis the fresh puncture already bleeds wider. */
    double past = depth_mm - layers->papillary_mm;
    if (past > 0.0)
        d *= 1.0 + 0.5 * past;
    return d;
}
