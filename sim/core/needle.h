/* needle.h: needle configuration and the fresh size of the dot it makes. */
#ifndef STIPPLE_NEEDLE_H
#define STIPPLE_NEEDLE_H

#include "skin.h"

typedef enum needle_config {
    NEEDLE_1RL = 1,   /* single point: hairline, temples, detail */
    NEEDLE_3RL = 3,   /* three points: fill */
} needle_config;

typedef struct needle {
    int   config;          /* enum needle_config */
    float diameter_mm;     /* 0.18 .. 0.30 */
} needle;

#define NEEDLE_DIAMETER_MIN_MM 0.18
#define NEEDLE_DIAMETER_MAX_MM 0.30

const char *needle_config_name(int config);          /* "1RL", "3RL", "?" */
int         needle_config_from_name(const char *name); /* 0 if unknown */

/* Footprint of the cluster on the skin: 1RL = d, 3RL = 2.15 d. */
double needle_footprint_mm(const needle *n);
/* Fresh surface diameter: the footprint, growing with dwell time (ink wicks while the
 * needle stays in) and with depth past the papillary dermis. */
double needle_fresh_diameter_mm(const needle *n, int64_t dwell_us, double depth_mm, const skin_layers *layers);

#endif
