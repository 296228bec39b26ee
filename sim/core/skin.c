/* skin.c: default layer depths from model-defaults.md. */
#include "skin.h"

void skin_default_layers(region_id region, skin_layers *dest)
{
    dest->epidermis_mm = 0.08;
    dest->papillary_mm = 0.50;
    switch (region) {
    case REGION_TEMPORAL_L:
    case REGION_TEMPORAL_R:
        dest->total_mm = 1.4;
        break;
    case REGION_OCCIPITAL:
        dest->total_mm = 1.5;
        break;
    default:
        dest->total_mm = 1.2;
        break;
    }
}
