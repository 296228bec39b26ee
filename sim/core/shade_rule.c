/* shade_rule.c: the client's real pigment target and the shade rule.
 *
 * The target. SMP dots stand in for the client's shaved stubble, so a dot is judged against
 * the colour of a shaved follicle over the client's own skin (model-defaults.md, "Pigment and
 * colour": "the colour of the client's stubble dots"), not against the shade a lesson happens
 * to name. A follicle seen at the surface shows the hair's colour through a thin film of
 * skin: choice, STUBBLE_SHOW = 0.8 of the way from the skin's colour (color.c, by Fitzpatrick
 * type) to the hair's (color.c, hair_lab). Session 1 lays a light first layer that later
 * sessions darken (smp-reference.md section 3, "Session progression": "Session 1: lighter
 * shade, lower density"; section 4, "Session shade strategy": "start lighter and darken
 * later"): its target keeps SESSION1_SHOW = 0.8 of that contrast.
 *
 * The rule. Carbon black diluted with distilled water, shade N = N parts water to 1 of
 * pigment (smp-reference.md section 4, TABA "Pigment preparation"). The shade is picked from
 * the Fitzpatrick type and the hair colour (section 4, "Shade by skin/hair"): little or no
 * water for dark hair, about 20 parts or more for light hair ("Dilution practice"); lighter
 * in session 1 (SESSION1_EXTRA_WATER more parts). The table below gives sessions 2 and 3;
 * each entry is the whole shade whose healed colour at the middle of the ideal band
 * (0.30 mm, frontal scalp, pigment.c) comes nearest, in CIEDE2000, to that client's stubble:
 * the published charts are vendors' own and give no numbers, so the model fills them in,
 * and tests/test_pigment.c checks every entry against the model (within 6 dE00 of the
 * target, most within 3). Where the sources disagree (smp-reference.md section 8, item 9:
 * "bolder, darker pigment" on dark skin vs "undiluted black risks a blue or green cast"),
 * the model follows the colours: on type V-VI skin a brown hair's stubble differs little
 * from the skin, so the rule dilutes more.
 *
 * Carbon black only darkens and greys the skin. Blonde, red, grey and white stubble is
 * lighter or warmer than any dilution heals (light brown too, on type V-VI skin), so for
 * those hairs the rule gives the lightest shade and says the target cannot be matched
 * (shade_rule_matchable): a lesson for such a client sets its own target_lab. */
#include "shade_rule.h"

#include <string.h>

static const double STUBBLE_SHOW = 0.8;
static const double SESSION1_SHOW = 0.8;
static const int SESSION1_EXTRA_WATER = 4;
static const int LIGHTEST_SHADE = 30;

/* Sessions 2 and 3: parts of water by hair colour (rows) and Fitzpatrick type I..VI. */
static const struct {
    const char *hair;
    int matchable;
    int shade[6];
} RULE[] = {
    { "black",       1, {  4,  5,  5,  5,  6,  7 } },
    { "dark_brown",  1, {  7,  7,  8,  9, 10, 17 } },
    { "brown",       1, { 10, 11, 12, 14, 19, 30 } },
    { "light_brown", 0, { 16, 18, 22, 28, 30, 30 } },   /* V-VI: lighter than any shade heals */
    { "blonde",      0, { 30, 30, 30, 30, 30, 30 } },
    { "red",         0, { 30, 30, 30, 30, 30, 30 } },
    { "grey",        0, { 30, 30, 30, 30, 30, 30 } },
    { "white",       0, { 30, 30, 30, 30, 30, 30 } },
};
#define RULE_COUNT (sizeof RULE / sizeof RULE[0])

static int rule_row(const char *hair)
{
    for (size_t i = 0; hair && i < RULE_COUNT; i++)
        if (strcmp(hair, RULE[i].hair) == 0)
            return (int)i;
    return -1;
}

static int clamp_type(int fitzpatrick)
{
    return fitzpatrick < 1 ? 1 : fitzpatrick > 6 ? 6 : fitzpatrick;
}

static void toward(const lab *from, const lab *to, double k, lab *dest)
{
    dest->L = from->L + k * (to->L - from->L);
    dest->a = from->a + k * (to->a - from->a);
    dest->b = from->b + k * (to->b - from->b);
}

int shade_rule_stubble_lab(const char *hair_colour, int fitzpatrick, lab *dest)
{
    lab hair, skin;
    if (!hair_lab(hair_colour, &hair))
        return 0;
    skin_lab_fitzpatrick(clamp_type(fitzpatrick), &skin);
    toward(&skin, &hair, STUBBLE_SHOW, dest);
    return 1;
}

int shade_rule_target_lab(const char *hair_colour, int fitzpatrick, int session_number, lab *dest)
{
    lab hair, skin;
    if (!hair_lab(hair_colour, &hair))
        return 0;
    skin_lab_fitzpatrick(clamp_type(fitzpatrick), &skin);
    toward(&skin, &hair, STUBBLE_SHOW * (session_number <= 1 ? SESSION1_SHOW : 1.0), dest);
    return 1;
}

int shade_rule_shade(const char *hair_colour, int fitzpatrick, int session_number)
{
    int row = rule_row(hair_colour);
    if (row < 0)
        return -1;
    int s = RULE[row].shade[clamp_type(fitzpatrick) - 1];
    if (session_number <= 1)
        s += SESSION1_EXTRA_WATER;
    return s > LIGHTEST_SHADE ? LIGHTEST_SHADE : s;
}

int shade_rule_matchable(const char *hair_colour)
{
    int row = rule_row(hair_colour);
    return row >= 0 && RULE[row].matchable;
}
