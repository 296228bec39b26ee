/* pigment.h: how a dot of diluted carbon black looks, fresh and healed (day 30), over the
 * client's skin, by depth (model-defaults.md, "Pigment depth" and "Pigment and colour").
 * Shade N = N parts water to 1 part pigment. Pure functions. */
#ifndef STIPPLE_PIGMENT_H
#define STIPPLE_PIGMENT_H

#include "color.h"
#include "skin.h"

/* Pigment fraction of the mix: 1 / (1 + shade). */
double pigment_concentration(int shade);

/* 1 when pigment at this depth is lost in healing (shallower than the epidermis). */
int pigment_sheds(double depth_mm, const skin_layers *layers);
/* 1 when pigment at this depth blows out (spreads) in healing. */
int pigment_blows_out(double depth_mm, const skin_layers *layers);

/* Healed diameter from the fresh one: 0 when shed; about the same inside the band;
 * growing past the papillary dermis to about 3x at 1.2 mm. */
double pigment_healed_diameter_mm(double fresh_diameter_mm, double depth_mm, const skin_layers *layers);

/* Colour of the dot's centre just after the work: darker and cooler than healed. */
void pigment_fresh_lab(int shade, double depth_mm, int fitzpatrick, const skin_layers *layers, lab *dest);
/* Colour of the dot's centre at day 30: the skin colour when shed; deeper = lighter; the
 * same hue at every depth down to the blow-out depth, bluer with every step past it. */
void pigment_healed_lab(int shade, double depth_mm, int fitzpatrick, const skin_layers *layers, lab *dest);
/* The healed colour as scoring rules 1 computed it (a slight blue from the surface on, the
 * chroma fading with depth): kept so that a session graded under rules 1 gives the same
 * numbers it always gave. */
void pigment_healed_lab_v1(int shade, double depth_mm, int fitzpatrick, const skin_layers *layers, lab *dest);

#endif
