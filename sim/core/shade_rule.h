/* shade_rule.h: what the pigment is scored against: the colour of the client's own stubble,
 * and the shade rule (which dilution of carbon black suits which skin type and hair colour,
 * lighter in session 1). The one place these live; the table, its sources and how it was
 * chosen are in shade_rule.c. Pure functions. */
#ifndef STIPPLE_SHADE_RULE_H
#define STIPPLE_SHADE_RULE_H

#include "color.h"

/* A shade within this many parts of water of the rule's is suitable. */
#define SHADE_RULE_TOLERANCE 2

/* The colour of a shaved hair's follicle over the client's skin (Fitzpatrick 1..6): part of
 * the way from the skin to the hair colour. 0, dest untouched, for an unknown hair colour. */
int shade_rule_stubble_lab(const char *hair_colour, int fitzpatrick, lab *dest);

/* The colour a session aims at: the stubble colour from session 2 on; in session 1 a
 * lighter one (the first layer is kept light and darkened later). 0 for an unknown hair. */
int shade_rule_target_lab(const char *hair_colour, int fitzpatrick, int session_number, lab *dest);

/* The shade (parts of water to one of carbon black, 0..30) the rule gives; -1 for an
 * unknown hair colour. */
int shade_rule_shade(const char *hair_colour, int fitzpatrick, int session_number);

/* 1 when carbon black can match this hair's stubble (dark hair), 0 when it cannot (blonde,
 * red, grey, white: the stubble is lighter or warmer than any dilution heals, so the rule
 * gives the lightest shade and a lesson for such a client should set its own target_lab). */
int shade_rule_matchable(const char *hair_colour);

#endif
