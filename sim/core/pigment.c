/* pigment.c: how a dot of diluted carbon black looks over the client's skin, fresh and
 * healed (day 30), by depth. Figures from ../shared/domain/model-defaults.md ("Skin",
 * "Pigment depth", "Pigment and colour"); the optics behind them from smp-reference.md
 * section 2c. Pure functions of their arguments: no state, no randomness.
 *
 * The model, in three parts (every constant below is a product choice, tuned so that the
 * figures of model-defaults.md hold and tested in tests/test_pigment.c):
 *
 * 1. Where the pigment goes. Shallower than the epidermis it is shed with the epidermis
 *    by day 30; deeper than the papillary dermis + 0.10 mm (0.60 mm with the default
 *    layers, model-defaults "deeper than ~0.60 mm") it migrates: the healed dot grows
 *    smoothly with depth, to about 3x the fresh diameter at 1.2 mm.
 *
 * 2. How much of the skin it hides. Diluted pigment is a scatter of carbon particles; the
 *    fraction of the dot's area they cover is Poisson-like, 1 - exp(-k c) in the pigment
 *    concentration c (Beer-Lambert in form: each part of pigment hides a fixed share of
 *    what is still visible). Tissue above the deposit scatters light back before it
 *    reaches the pigment, so the deposit's contrast fades with depth as exp(-mu d): deeper
 *    dots heal lighter. The blend towards the pigment's colour is done in CIELAB, i.e. as
 *    perceived coverage; a linear-light blend lets the skin dominate so strongly that
 *    shades 4..20 would all look alike, unlike practice where each step of dilution reads.
 *
 * 3. What colour it takes. Carbon black is neutral. Inside the band the dot's chroma is the
 *    pigment's cover over the skin, the same at every depth: pigment placed right does not
 *    change hue with depth, only fades a little in L* (a dot 0.45 mm deep must not heal
 *    warmer than one 0.15 mm deep). Past the blow-out depth (papillary dermis + 0.10 mm,
 *    0.60 mm by default: model-defaults "deeper than ~0.60 mm ... shifts cooler/blue") the
 *    tissue above backscatters short (blue) wavelengths while long ones pass on and are
 *    absorbed by the pigment (Tyndall; smp-reference 2c): b* falls and a* a little, from
 *    zero at that depth and growing with every step deeper ("colder", "steel-blue").
 *    Rules 1 of the scoring judged colours with the model before this (pigment_healed_lab_v1).
 *
 * Fresh work has no healed epidermis and no settled haze over it and carries surface ink:
 * it reads ~40 % further from the skin in L* and b* (model-defaults: "~30-50 % darker and
 * cooler than healed"), even where the pigment will later shed. */
#include "pigment.h"

#include <math.h>

/* --- constants (choices) ------------------------------------------------------------- */

static const double BLOWOUT_MARGIN_MM = 0.10; /* past the papillary dermis: blowout */
static const double HEALED_IN_BAND = 0.95;    /* the wound closes a little around the dot */
static const double SPREAD_CAP = 4.0;         /* healed/fresh diameter never exceeds this */
static const double SPREAD_SCALE_MM = 0.568;  /* 3.0x at 0.60 mm past blowout (1.2 mm) */

static const double COVER_K = 10.0;           /* coverage = 1 - exp(-COVER_K * c) */
static const double TISSUE_MU_PER_MM = 0.62;  /* contrast through tissue: exp(-mu * d) */
static const double INK_L = 12.0;             /* carbon black under the thinnest tissue */

static const double TYNDALL_B_DEEP = 30.0;    /* blue per mm past the blow-out depth (b* at full
                                                 cover): about 16 at 1.2 mm */
static const double TYNDALL_RAMP_MM = 0.10;   /* smooth (C1) onset of the shift */
static const double TYNDALL_A_SHARE = 0.25;   /* a* falls by this share of the b* shift */

/* Rules 1 (pigment_healed_lab_v1): a slight blue per mm of all tissue above and the deep
 * term from the papillary dermis on; kept so that old sessions grade as they did. */
static const double V1_TYNDALL_B_PER_MM = 2.0;
static const double V1_TYNDALL_B_DEEP = 22.0;

static const double FRESH_GAIN = 1.40;        /* fresh: 40 % further from the skin */
static const double FRESH_A_COOL = 1.0;       /* fresh a* a little lower, times coverage */
static const double FRESH_L_FLOOR = 5.0;      /* wet carbon black: L* does not go below */
static const double FRESH_L_SOFT = 2.0;       /* softness of that floor (L* units) */

/* ----------------------------------------------------------------------------------- */

static skin_layers layers_or_default(const skin_layers *layers)
{
    skin_layers l;
    if (layers)
        return *layers;
    skin_default_layers(REGION_PRACTICE, &l);
    return l;
}

double pigment_concentration(int shade)
{
    if (shade < 0)
        shade = 0;
    return 1.0 / (1.0 + (double)shade);
}

int pigment_sheds(double depth_mm, const skin_layers *layers)
{
    skin_layers l = layers_or_default(layers);
    return depth_mm < l.epidermis_mm;
}

static double blowout_depth_mm(const skin_layers *l)
{
    return l->papillary_mm + BLOWOUT_MARGIN_MM;
}

int pigment_blows_out(double depth_mm, const skin_layers *layers)
{
    skin_layers l = layers_or_default(layers);
    return depth_mm > blowout_depth_mm(&l);
}

double pigment_healed_diameter_mm(double fresh_diameter_mm, double depth_mm, const skin_layers *layers)
{
    skin_layers l = layers_or_default(layers);
    if (!(fresh_diameter_mm > 0.0) || depth_mm < l.epidermis_mm)
        return 0.0;
    double factor = HEALED_IN_BAND;
    double past = depth_mm - blowout_depth_mm(&l);
    if (past > 0.0) {
        /* Migration: starts flat (C1 at the blowout depth), grows with depth, saturates at
         * the cap: 0.95 + (4 - 0.95) * (1 - exp(-(past / s)^2)). About 3.0x at 1.2 mm. */
        double u = past / SPREAD_SCALE_MM;
        factor += (SPREAD_CAP - HEALED_IN_BAND) * (1.0 - exp(-u * u));
    }
    return fresh_diameter_mm * factor;
}

/* Tyndall shift of b* at full coverage (positive = bluer): zero down to the blow-out depth,
 * growing past it with a quadratic (C1) onset over RAMP mm, then linearly. */
static double tyndall_b(double depth_mm, const skin_layers *l)
{
    double x = depth_mm - blowout_depth_mm(l);
    double deep = 0.0;
    if (x > TYNDALL_RAMP_MM)
        deep = x - 0.5 * TYNDALL_RAMP_MM;
    else if (x > 0.0)
        deep = x * x / (2.0 * TYNDALL_RAMP_MM);
    return TYNDALL_B_DEEP * deep;
}

/* The healed colour as if the pigment stayed, whatever the depth. The lightness contrast
 * fades with the tissue above; the chroma is the cover seen through the epidermis alone,
 * the same at every depth, and only the Tyndall term past the blow-out depth shifts it. */
static void healed_unshed(int shade, double depth_mm, const lab *skin, const skin_layers *l, lab *dest)
{
    double d = depth_mm > 0.0 ? depth_mm : 0.0;
    double c = pigment_concentration(shade);
    double cover = 1.0 - exp(-COVER_K * c);
    double seen = cover * exp(-TISSUE_MU_PER_MM * d);                 /* lightness contrast left */
    double seen_c = cover * exp(-TISSUE_MU_PER_MM * l->epidermis_mm); /* chroma contrast */
    double blue = cover * tyndall_b(d, l);
    dest->L = skin->L - seen * (skin->L - INK_L);
    dest->a = skin->a - seen_c * skin->a - TYNDALL_A_SHARE * blue;
    dest->b = skin->b - seen_c * skin->b - blue;
}

/* Rules 1's model, unchanged: a slight blue per mm of all tissue above, the deep term from
 * the papillary dermis, the chroma fading with depth like the lightness. */
static void healed_unshed_v1(int shade, double depth_mm, const lab *skin, const skin_layers *l, lab *dest)
{
    double d = depth_mm > 0.0 ? depth_mm : 0.0;
    double c = pigment_concentration(shade);
    double cover = 1.0 - exp(-COVER_K * c);
    double seen = cover * exp(-TISSUE_MU_PER_MM * d);
    double x = d - l->papillary_mm, deep = 0.0;
    if (x > TYNDALL_RAMP_MM)
        deep = x - 0.5 * TYNDALL_RAMP_MM;
    else if (x > 0.0)
        deep = x * x / (2.0 * TYNDALL_RAMP_MM);
    double blue = cover * (V1_TYNDALL_B_PER_MM * d + V1_TYNDALL_B_DEEP * deep);
    dest->L = skin->L - seen * (skin->L - INK_L);
    dest->a = skin->a - seen * skin->a - TYNDALL_A_SHARE * blue;
    dest->b = skin->b - seen * skin->b - blue;
}

void pigment_healed_lab_v1(int shade, double depth_mm, int fitzpatrick, const skin_layers *layers, lab *dest)
{
    skin_layers l = layers_or_default(layers);
    lab skin;
    skin_lab_fitzpatrick(fitzpatrick, &skin);
    if (depth_mm < l.epidermis_mm) {
        *dest = skin;
        return;
    }
    healed_unshed_v1(shade, depth_mm, &skin, &l, dest);
}

void pigment_healed_lab(int shade, double depth_mm, int fitzpatrick, const skin_layers *layers, lab *dest)
{
    skin_layers l = layers_or_default(layers);
    lab skin;
    skin_lab_fitzpatrick(fitzpatrick, &skin);
    if (depth_mm < l.epidermis_mm) {
        *dest = skin;                       /* shed with the epidermis by day 30 */
        return;
    }
    healed_unshed(shade, depth_mm, &skin, &l, dest);
}

void pigment_fresh_lab(int shade, double depth_mm, int fitzpatrick, const skin_layers *layers, lab *dest)
{
    skin_layers l = layers_or_default(layers);
    lab skin, h;
    skin_lab_fitzpatrick(fitzpatrick, &skin);
    healed_unshed(shade, depth_mm, &skin, &l, &h);
    double cover = 1.0 - exp(-COVER_K * pigment_concentration(shade));

    /* Further from the skin in L* and b* by FRESH_GAIN; L* above a soft floor
     * (softplus, so it stays continuous and monotone). */
    double L = skin.L - FRESH_GAIN * (skin.L - h.L);
    L = FRESH_L_FLOOR + FRESH_L_SOFT * log1p(exp((L - FRESH_L_FLOOR) / FRESH_L_SOFT));
    dest->L = L < h.L ? L : h.L;
    dest->a = h.a - FRESH_A_COOL * cover;
    dest->b = skin.b - FRESH_GAIN * (skin.b - h.b);
}
