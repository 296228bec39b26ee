/* norwood.h: the Hamilton-Norwood stages of male pattern hair loss as presets on the head's
 * scalp chart: which chart points are bald at a stage, and so where the remaining fringe
 * of hair is. Lessons use them for a working zone (the bald part) and for the client's
 * existing hair (the rest).
 *
 * Sources (smp-reference.md, section 5): Hamilton, "Patterned loss of hair in man: types
 * and incidence", Ann N Y Acad Sci 1951;53:708-728; Norwood, "Male pattern baldness:
 * classification and incidence", South Med J 1975;68(11):1359-1365; summaries in
 * https://de.zxc.wiki/wiki/Hamilton-Norwood-Schema and
 * http://www.iltrapiantodicapelli.it/menuSx/classificazione-alopecia/classificazione-norwood.html :
 *   I    minimal or no recession;
 *   II   triangular recession at the temples, the front a little back;
 *   III  deeper temple recession (the threshold of "balding");
 *   IV   frontal recession plus a bald crown, separated by a solid band of hair;
 *   V    both larger, the band narrower;
 *   VI   the band gone: the front and the crown one bald area;
 *   VII  only a horseshoe fringe left, low on the sides and at the back.
 * The millimetres below are this product's reading of those drawings on the chart (a
 * choice, to be checked by instructors), not measurements. */
#ifndef STIPPLE_NORWOOD_H
#define STIPPLE_NORWOOD_H

#define NORWOOD_MIN 1
#define NORWOOD_MAX 7

/* "I".."VII" (or "1".."7") -> 1..7; 0 when not a stage. */
int         norwood_from_name(const char *name);
const char *norwood_name(int stage);   /* "I".."VII", or "?" */

/* 1 when head chart point (u, v) (mm) is bald at the stage; 0 where hair remains, and for
 * a stage out of range. Only meaningful on the scalp (surface_region_at_chart). */
int norwood_is_bald(int stage, double u_mm, double v_mm);

#endif
