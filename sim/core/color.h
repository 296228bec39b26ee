/* color.h: CIELAB colours, CIEDE2000 colour difference, sRGB conversion, and the
 * reference colours of skin (Fitzpatrick I-VI) and hair. D65 white throughout. */
#ifndef STIPPLE_COLOR_H
#define STIPPLE_COLOR_H

#include <stdint.h>

typedef struct lab { double L, a, b; } lab;

/* CIEDE2000 (kL = kC = kH = 1), per Sharma, Wu and Dalal (2005). */
double ciede2000(const lab *x, const lab *y);

/* sRGB (8-bit, gamma-encoded) <-> CIELAB (D65). Out-of-gamut values are clamped. */
void lab_to_srgb8(const lab *c, uint8_t rgb[3]);
void srgb8_to_lab(const uint8_t rgb[3], lab *dest);

/* Typical skin colour of a Fitzpatrick type 1..6 (clamped). A product choice, each value
 * chosen so that its individual typology angle (ITA) falls in that type's ITA class. */
void skin_lab_fitzpatrick(int fitzpatrick, lab *dest);
/* Individual typology angle in degrees: atan2(L - 50, b) * 180 / pi. */
double lab_ita_deg(const lab *c);

/* Hair colour by name: "black", "dark_brown", "brown", "light_brown", "blonde", "red",
 * "grey", "white". 1 if known, 0 otherwise (dest untouched). */
int hair_lab(const char *name, lab *dest);

#endif
