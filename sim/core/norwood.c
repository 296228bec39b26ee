/* norwood.c: the Norwood stages on the head chart (see norwood.h).
 *
 * Chart polar coordinates about the vertex: rho (mm of arc), alpha (0 in front, +-90 on
 * the sides, 180 behind). A stage is three shapes:
 *   the front    the hairline moved back from the natural one (surface.c's anterior
 *                hairline rho_h) by mid_mm on the midline and by temple_mm more at the
 *                temples (the "triangular recession"), fading out on the sides, so that
 *                rho_h - recession < rho <= rho_h is bald;
 *   the crown    a bald disc of crown_mm radius about the crown's centre;
 *   the top      from stage VI: everything above the fringe line is bald, the fringe line
 *                at fringe_side_mm of chart radius on the sides and fringe_back_mm behind
 *                (in front, down to the natural hairline), and all that stage V had lost.
 * Figures in mm of chart (equal to skin mm over the top of the head). */
#include "norwood.h"
#include "surface.h"

#include <math.h>
#include <string.h>

#define NW_PI 3.14159265358979323846

typedef struct stage_shape {
    const char *name;
    double mid_mm, temple_mm;       /* frontal recession */
    double crown_mm;                /* bald crown radius, 0 for none */
    double fringe_side_mm, fringe_back_mm;   /* 0: no bald top */
} stage_shape;

static const stage_shape STAGES[NORWOOD_MAX + 1] = {
    { "?", 0, 0, 0, 0, 0 },
    { "I", 0.0, 4.0, 0.0, 0.0, 0.0 },
    { "II", 4.0, 14.0, 0.0, 0.0, 0.0 },
    { "III", 10.0, 28.0, 0.0, 0.0, 0.0 },
    { "IV", 28.0, 34.0, 28.0, 0.0, 0.0 },
    { "V", 48.0, 30.0, 42.0, 0.0, 0.0 },
    { "VI", 0.0, 0.0, 0.0, 86.0, 96.0 },
    { "VII", 0.0, 0.0, 0.0, 97.0, 110.0 },
};

int norwood_from_name(const char *name)
{
    if (!name)
        return 0;
    for (int k = NORWOOD_MIN; k <= NORWOOD_MAX; k++) {
        char digit[4] = { (char)('0' + k), 0 };
        if (strcmp(name, STAGES[k].name) == 0 || strcmp(name, digit) == 0)
            return k;
    }
    return 0;
}

const char *norwood_name(int stage)
{
    return stage >= NORWOOD_MIN && stage <= NORWOOD_MAX ? STAGES[stage].name : "?";
}

static double smooth01(double x)
{
    x = x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
    return x * x * (3.0 - 2.0 * x);
}

int norwood_is_bald(int stage, double u_mm, double v_mm)
{
    if (stage < NORWOOD_MIN || stage > NORWOOD_MAX || !isfinite(u_mm) || !isfinite(v_mm))
        return 0;
    const stage_shape *st = &STAGES[stage];
    double rho = hypot(u_mm, v_mm), aa = fabs(atan2(u_mm, v_mm)) * 180.0 / NW_PI;
    double rho_h = head_chart_hairline_rho(aa);
    if (st->fringe_side_mm > 0.0) {
        /* the top: in front down to the natural hairline, elsewhere down to the fringe */
        double side_to_back = smooth01((aa - 100.0) / 60.0);
        double fringe = st->fringe_side_mm + (st->fringe_back_mm - st->fringe_side_mm) * side_to_back;
        double limit = aa < 45.0 ? rho_h : aa < 75.0 ? rho_h + (fringe - rho_h) * smooth01((aa - 45.0) / 30.0) : fringe;
        return rho <= limit || norwood_is_bald(5, u_mm, v_mm);   /* and all that V had lost */
    }
    /* the front: recession largest at the temples (|alpha| ~ 40), none past the sides */
    double temple_w = smooth01(aa / 40.0) * (1.0 - smooth01((aa - 50.0) / 25.0));
    double side_w = 1.0 - smooth01((aa - 55.0) / 25.0);
    double recession = (st->mid_mm * side_w + st->temple_mm * temple_w);
    if (aa < 80.0 && rho <= rho_h && rho > rho_h - recession)
        return 1;
    if (st->crown_mm > 0.0) {
        double c[2], r;
        head_chart_crown(c, &r);
        if (hypot(u_mm - c[0], v_mm - c[1]) <= st->crown_mm)
            return 1;
    }
    return 0;
}
