/* skin.h: skin layers by region (model-defaults.md, "Skin"). Lessons may override. */
#ifndef STIPPLE_SKIN_H
#define STIPPLE_SKIN_H

#include "surface.h"

typedef struct skin_layers {
    double epidermis_mm;      /* bottom of the epidermis: shallower pigment sheds */
    double papillary_mm;      /* bottom of the papillary dermis (target layer) */
    double total_mm;          /* whole skin; deeper is subcutis */
} skin_layers;

/* Defaults: epidermis 0.08, papillary to 0.50, total 1.2 (frontal/mid/vertex/parietal,
 * practice skin), 1.4 (temporal), 1.5 (occipital). */
void skin_default_layers(region_id region, skin_layers *dest);

#endif
