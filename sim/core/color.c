/* color.c: CIELAB colours, CIEDE2000, sRGB <-> CIELAB (D65), and the reference colours of
 * skin and hair. Pure functions, no state. Angles inside are degrees unless named _rad.
 * CIEDE2000 follows Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula:
 * implementation notes, supplementary test data, and mathematical observations", Color
 * Res. Appl. 30(1), eqs. (1)-(22); tests/test_color.c checks it against their Table 1. */
#include "color.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define COLOR_PI 3.14159265358979323846

static double deg2rad(double d) { return d * (COLOR_PI / 180.0); }
static double rad2deg(double r) { return r * (180.0 / COLOR_PI); }

/* Hue angle in [0, 360); 0 for the achromatic point (Sharma eq. 4: h' = 0 when a' = b' = 0). */
static double hue_deg(double b, double ap)
{
    if (b == 0.0 && ap == 0.0)
        return 0.0;
    double h = rad2deg(atan2(b, ap));
    return h < 0.0 ? h + 360.0 : h;
}

double ciede2000(const lab *x, const lab *y)
{
    const double pow25_7 = 6103515625.0; /* 25^7 */

    /* Step 1: C', h' (eqs. 2-7). */
    double c1 = sqrt(x->a * x->a + x->b * x->b);
    double c2 = sqrt(y->a * y->a + y->b * y->b);
    double cbar = 0.5 * (c1 + c2);
    double cbar7 = pow(cbar, 7.0);
    double g = 0.5 * (1.0 - sqrt(cbar7 / (cbar7 + pow25_7)));
    double a1p = (1.0 + g) * x->a;
    double a2p = (1.0 + g) * y->a;
    double c1p = sqrt(a1p * a1p + x->b * x->b);
    double c2p = sqrt(a2p * a2p + y->b * y->b);
    double h1p = hue_deg(x->b, a1p);
    double h2p = hue_deg(y->b, a2p);

    /* Step 2: dL', dC', dH' (eqs. 8-11). dh' is 0 when either chroma is 0. */
    double dlp = y->L - x->L;
    double dcp = c2p - c1p;
    double cprod = c1p * c2p;
    double dhp = 0.0;
    if (cprod != 0.0) {
        dhp = h2p - h1p;
        if (dhp > 180.0)
            dhp -= 360.0;
        else if (dhp < -180.0)
            dhp += 360.0;
    }
    double dHp = 2.0 * sqrt(cprod) * sin(deg2rad(dhp) / 2.0);

    /* Step 3: means, weights and rotation (eqs. 12-22). */
    double lbarp = 0.5 * (x->L + y->L);
    double cbarp = 0.5 * (c1p + c2p);
    double hbarp;
    if (cprod == 0.0)
        hbarp = h1p + h2p;                      /* one hue is undefined: take the other */
    else if (fabs(h1p - h2p) <= 180.0)
        hbarp = 0.5 * (h1p + h2p);
    else if (h1p + h2p < 360.0)
        hbarp = 0.5 * (h1p + h2p + 360.0);
    else
        hbarp = 0.5 * (h1p + h2p - 360.0);

    double t = 1.0 - 0.17 * cos(deg2rad(hbarp - 30.0)) + 0.24 * cos(deg2rad(2.0 * hbarp))
             + 0.32 * cos(deg2rad(3.0 * hbarp + 6.0)) - 0.20 * cos(deg2rad(4.0 * hbarp - 63.0));
    double dtheta = 30.0 * exp(-((hbarp - 275.0) / 25.0) * ((hbarp - 275.0) / 25.0));
    double cbarp7 = pow(cbarp, 7.0);
    double rc = 2.0 * sqrt(cbarp7 / (cbarp7 + pow25_7));
    double l50 = (lbarp - 50.0) * (lbarp - 50.0);
    double sl = 1.0 + 0.015 * l50 / sqrt(20.0 + l50);
    double sc = 1.0 + 0.045 * cbarp;
    double sh = 1.0 + 0.015 * cbarp * t;
    double rt = -sin(deg2rad(2.0 * dtheta)) * rc;

    double tl = dlp / sl, tc = dcp / sc, th = dHp / sh;
    double sum = tl * tl + tc * tc + th * th + rt * tc * th;
    return sum > 0.0 ? sqrt(sum) : 0.0;
}

/* --- sRGB (IEC 61966-2-1) <-> XYZ (D65, Y of white = 100) <-> CIELAB ------------------ */

static const double XN = 95.047, YN = 100.0, ZN = 108.883;
/* CIE constants as exact rationals: epsilon = (6/29)^3, and the linear segment below it. */
static const double LAB_D = 6.0 / 29.0;

static double srgb_decode(double v) /* encoded 0..1 -> linear 0..1 */
{
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double srgb_encode(double v) /* linear 0..1 -> encoded 0..1 */
{
    return v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1.0 / 2.4) - 0.055;
}

static double lab_f(double t)
{
    return t > LAB_D * LAB_D * LAB_D ? cbrt(t) : t / (3.0 * LAB_D * LAB_D) + 4.0 / 29.0;
}

static double lab_finv(double f)
{
    return f > LAB_D ? f * f * f : 3.0 * LAB_D * LAB_D * (f - 4.0 / 29.0);
}

void srgb8_to_lab(const uint8_t rgb[3], lab *dest)
{
    double r = srgb_decode(rgb[0] / 255.0);
    double g = srgb_decode(rgb[1] / 255.0);
    double b = srgb_decode(rgb[2] / 255.0);
    double X = 100.0 * (0.4124564 * r + 0.3575761 * g + 0.1804375 * b);
    double Y = 100.0 * (0.2126729 * r + 0.7151522 * g + 0.0721750 * b);
    double Z = 100.0 * (0.0193339 * r + 0.1191920 * g + 0.9503041 * b);
    double fx = lab_f(X / XN), fy = lab_f(Y / YN), fz = lab_f(Z / ZN);
    dest->L = 116.0 * fy - 16.0;
    dest->a = 500.0 * (fx - fy);
    dest->b = 200.0 * (fy - fz);
}

static uint8_t to_byte(double linear)
{
    /* Clamp out-of-gamut (and NaN) to the cube, then encode and round. */
    if (!(linear > 0.0))
        linear = 0.0;
    if (linear > 1.0)
        linear = 1.0;
    double v = srgb_encode(linear) * 255.0 + 0.5;
    if (v > 255.0)
        v = 255.0;
    return (uint8_t)v;
}

void lab_to_srgb8(const lab *c, uint8_t rgb[3])
{
    double fy = (c->L + 16.0) / 116.0;
    double fx = fy + c->a / 500.0;
    double fz = fy - c->b / 200.0;
    double X = XN * lab_finv(fx) / 100.0;
    double Y = YN * lab_finv(fy) / 100.0;
    double Z = ZN * lab_finv(fz) / 100.0;
    /* Inverse of the matrix above (Lindbloom's sRGB D65 pair). */
    double r = 3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z;
    double g = -0.9692660 * X + 1.8760108 * Y + 0.0415560 * Z;
    double b = 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z;
    rgb[0] = to_byte(r);
    rgb[1] = to_byte(g);
    rgb[2] = to_byte(b);
}

/* --- reference colours --------------------------------------------------------------- */

/* choice: typical skin L*a*b* by Fitzpatrick type, placed near the middle of each type's
 * ITA class (Chardon et al. 1991 classes: I > 55, II 41..55, III 28..41, IV 10..28,
 * V -30..10, VI < -30 degrees) with a* 8..12 and b* 12..20. ITA in comments. */
static const lab SKIN_FITZPATRICK[6] = {
    { 70.0,  8.0, 12.0 },   /* I    ITA  59.0 */
    { 66.0,  9.0, 15.0 },   /* II   ITA  46.8 */
    { 61.0, 10.0, 16.0 },   /* III  ITA  34.5 */
    { 56.0, 11.0, 18.0 },   /* IV   ITA  18.4 */
    { 46.0, 12.0, 18.0 },   /* V    ITA -12.5 */
    { 32.0, 10.0, 14.0 },   /* VI   ITA -52.1 */
};

void skin_lab_fitzpatrick(int fitzpatrick, lab *dest)
{
    if (fitzpatrick < 1)
        fitzpatrick = 1;
    if (fitzpatrick > 6)
        fitzpatrick = 6;
    *dest = SKIN_FITZPATRICK[fitzpatrick - 1];
}

double lab_ita_deg(const lab *c)
{
    return rad2deg(atan2(c->L - 50.0, c->b));
}

/* choice: typical hair (stubble-dot) colours; dark hair nearly neutral, warm browns,
 * blonde light and yellow, red with high a*, grey and white near neutral. */
static const struct { const char *name; lab c; } HAIR[] = {
    { "black",       { 18.0,  1.0,  1.5 } },
    { "dark_brown",  { 25.0,  4.0,  6.0 } },
    { "brown",       { 32.0,  6.0, 11.0 } },
    { "light_brown", { 42.0,  7.0, 15.0 } },
    { "blonde",      { 60.0,  5.0, 20.0 } },
    { "red",         { 40.0, 20.0, 25.0 } },
    { "grey",        { 55.0,  0.0,  1.0 } },
    { "white",       { 80.0,  0.0,  4.0 } },
};

int hair_lab(const char *name, lab *dest)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < sizeof HAIR / sizeof HAIR[0]; i++) {
        if (strcmp(name, HAIR[i].name) == 0) {
            *dest = HAIR[i].c;
            return 1;
        }
    }
    return 0;
}
