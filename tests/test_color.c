/* test_color.c: CIEDE2000 against the published test data, sRGB <-> Lab, and the skin and
 * hair reference tables. */
#include "check.h"
#include "color.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Sharma, Wu and Dalal (2005), Table 1: L1 a1 b1, L2 a2 b2, dE00 (kL = kC = kH = 1). */
static const double SHARMA[34][7] = {
    { 50.0000,   2.6772, -79.7751,  50.0000,   0.0000, -82.7485,  2.0425 },
    { 50.0000,   3.1571, -77.2803,  50.0000,   0.0000, -82.7485,  2.8615 },
    { 50.0000,   2.8361, -74.0200,  50.0000,   0.0000, -82.7485,  3.4412 },
    { 50.0000,  -1.3802, -84.2814,  50.0000,   0.0000, -82.7485,  1.0000 },
    { 50.0000,  -1.1848, -84.8006,  50.0000,   0.0000, -82.7485,  1.0000 },
    { 50.0000,  -0.9009, -85.5211,  50.0000,   0.0000, -82.7485,  1.0000 },
    { 50.0000,   0.0000,   0.0000,  50.0000,  -1.0000,   2.0000,  2.3669 },
    { 50.0000,  -1.0000,   2.0000,  50.0000,   0.0000,   0.0000,  2.3669 },
    { 50.0000,   2.4900,  -0.0010,  50.0000,  -2.4900,   0.0009,  7.1792 },
    { 50.0000,   2.4900,  -0.0010,  50.0000,  -2.4900,   0.0010,  7.1792 },
    { 50.0000,   2.4900,  -0.0010,  50.0000,  -2.4900,   0.0011,  7.2195 },
    { 50.0000,   2.4900,  -0.0010,  50.0000,  -2.4900,   0.0012,  7.2195 },
    { 50.0000,  -0.0010,   2.4900,  50.0000,   0.0009,  -2.4900,  4.8045 },
    { 50.0000,  -0.0010,   2.4900,  50.0000,   0.0010,  -2.4900,  4.8045 },
    { 50.0000,  -0.0010,   2.4900,  50.0000,   0.0011,  -2.4900,  4.7461 },
    { 50.0000,   2.5000,   0.0000,  50.0000,   0.0000,  -2.5000,  4.3065 },
    { 50.0000,   2.5000,   0.0000,  73.0000,  25.0000, -18.0000, 27.1492 },
    { 50.0000,   2.5000,   0.0000,  61.0000,  -5.0000,  29.0000, 22.8977 },
    { 50.0000,   2.5000,   0.0000,  56.0000, -27.0000,  -3.0000, 31.9030 },
    { 50.0000,   2.5000,   0.0000,  58.0000,  24.0000,  15.0000, 19.4535 },
    { 50.0000,   2.5000,   0.0000,  50.0000,   3.1736,   0.5854,  1.0000 },
    { 50.0000,   2.5000,   0.0000,  50.0000,   3.2972,   0.0000,  1.0000 },
    { 50.0000,   2.5000,   0.0000,  50.0000,   1.8634,   0.5757,  1.0000 },
    { 50.0000,   2.5000,   0.0000,  50.0000,   3.2592,   0.3350,  1.0000 },
    { 60.2574, -34.0099,  36.2677,  60.4626, -34.1751,  39.4387,  1.2644 },
    { 63.0109, -31.0961,  -5.8663,  62.8187, -29.7946,  -4.0864,  1.2630 },
    { 61.2901,   3.7196,  -5.3901,  61.4292,   2.2480,  -4.9620,  1.8731 },
    { 35.0831, -44.1164,   3.7933,  35.0232, -40.0716,   1.5901,  1.8645 },
    { 22.7233,  20.0904, -46.6940,  23.0331,  14.9730, -42.5619,  2.0373 },
    { 36.4612,  47.8580,  18.3852,  36.2715,  50.5065,  21.2231,  1.4146 },
    { 90.8027,  -2.0831,   1.4410,  91.1528,  -1.6435,   0.0447,  1.4441 },
    { 90.9257,  -0.5406,  -0.9208,  88.6381,  -0.8985,  -0.7239,  1.5381 },
    {  6.7747,  -0.2908,  -2.4247,   5.8714,  -0.0985,  -2.2286,  0.6377 },
    {  2.0776,   0.0795,  -1.1350,   0.9033,  -0.0636,  -0.5514,  0.9082 },
};

static void test_sharma_table(void)
{
    char what[64];
    for (int i = 0; i < 34; i++) {
        const double *r = SHARMA[i];
        lab x = { r[0], r[1], r[2] }, y = { r[3], r[4], r[5] };
        snprintf(what, sizeof what, "Sharma pair %d", i + 1);
        CHECK_NEAR(ciede2000(&x, &y), r[6], 1e-4, what);
        snprintf(what, sizeof what, "Sharma pair %d reversed", i + 1);
        CHECK_NEAR(ciede2000(&y, &x), r[6], 1e-4, what);
    }
}

static void test_properties(void)
{
    /* Identity and symmetry over a coarse grid of colours, including the neutral axis and
     * hue pairs that straddle 0/360 and 180 degrees. */
    static const double ls[] = { 0.0, 25.0, 50.0, 90.0 };
    static const double abs_[] = { -60.0, -2.5, 0.0, 0.001, 3.0, 45.0 };
    int asym = 0, nonzero = 0, negative = 0;
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 6; j++)
            for (size_t k = 0; k < 6; k++) {
                lab x = { ls[i], abs_[j], abs_[k] };
                if (ciede2000(&x, &x) != 0.0)
                    nonzero++;
                for (size_t m = 0; m < 6; m++)
                    for (size_t n = 0; n < 6; n++) {
                        lab y = { ls[3 - i], abs_[m], abs_[5 - n] };
                        double d1 = ciede2000(&x, &y), d2 = ciede2000(&y, &x);
                        if (fabs(d1 - d2) > 1e-9)
                            asym++;
                        if (!(d1 >= 0.0))
                            negative++;
                    }
            }
    CHECK(nonzero == 0, "dE(x, x) != 0 for %d colours", nonzero);
    CHECK(asym == 0, "dE not symmetric for %d pairs", asym);
    CHECK(negative == 0, "dE negative or NaN for %d pairs", negative);

    /* A pure lightness difference centred on L = 50 is exactly dL (S_L = 1 there). */
    lab g1 = { 47.5, 0.0, 0.0 }, g2 = { 52.5, 0.0, 0.0 };
    CHECK_NEAR(ciede2000(&g1, &g2), 5.0, 1e-12, "neutral dL at L=50");
}

static void test_srgb(void)
{
    lab c;
    uint8_t white[3] = { 255, 255, 255 }, black[3] = { 0, 0, 0 };
    srgb8_to_lab(white, &c);
    CHECK_NEAR(c.L, 100.0, 0.01, "white L");
    CHECK_NEAR(c.a, 0.0, 0.01, "white a");
    CHECK_NEAR(c.b, 0.0, 0.01, "white b");
    srgb8_to_lab(black, &c);
    CHECK_NEAR(c.L, 0.0, 1e-9, "black L");
    CHECK_NEAR(c.a, 0.0, 1e-9, "black a");
    CHECK_NEAR(c.b, 0.0, 1e-9, "black b");

    /* Known value: sRGB red (255, 0, 0) is about L 53.24, a 80.09, b 67.20. */
    uint8_t red[3] = { 255, 0, 0 };
    srgb8_to_lab(red, &c);
    CHECK_NEAR(c.L, 53.24, 0.02, "red L");
    CHECK_NEAR(c.a, 80.09, 0.05, "red a");
    CHECK_NEAR(c.b, 67.20, 0.05, "red b");

    /* Lab -> sRGB of white and black. */
    lab lw = { 100.0, 0.0, 0.0 }, lk = { 0.0, 0.0, 0.0 };
    uint8_t rgb[3];
    lab_to_srgb8(&lw, rgb);
    CHECK(rgb[0] == 255 && rgb[1] == 255 && rgb[2] == 255, "Lab white -> %d %d %d", rgb[0], rgb[1], rgb[2]);
    lab_to_srgb8(&lk, rgb);
    CHECK(rgb[0] == 0 && rgb[1] == 0 && rgb[2] == 0, "Lab black -> %d %d %d", rgb[0], rgb[1], rgb[2]);

    /* Round trip over a grid: within 0.5 per channel, i.e. exact after rounding. */
    int worst = 0, bad = 0;
    for (int r = 0; r <= 255; r += 15)
        for (int g = 0; g <= 255; g += 15)
            for (int b = 0; b <= 255; b += 15) {
                uint8_t in[3] = { (uint8_t)r, (uint8_t)g, (uint8_t)b }, out[3];
                srgb8_to_lab(in, &c);
                lab_to_srgb8(&c, out);
                for (int k = 0; k < 3; k++) {
                    int d = abs(in[k] - out[k]);
                    if (d > worst)
                        worst = d;
                    if (d > 0)
                        bad++;
                }
            }
    CHECK(bad == 0, "sRGB round trip: %d channels off, worst by %d", bad, worst);

    /* Out of gamut clamps, never wraps. */
    lab hot = { 150.0, 200.0, -200.0 }, cold = { -20.0, 0.0, 0.0 };
    lab_to_srgb8(&hot, rgb);
    CHECK(rgb[0] == 255 && rgb[2] == 255, "bright out-of-gamut clamps: %d %d %d", rgb[0], rgb[1], rgb[2]);
    lab_to_srgb8(&cold, rgb);
    CHECK(rgb[0] == 0 && rgb[1] == 0 && rgb[2] == 0, "negative L clamps to black: %d %d %d", rgb[0], rgb[1], rgb[2]);
}

static void test_skin(void)
{
    /* ITA classes (Chardon et al. 1991): I > 55, II 41..55, III 28..41, IV 10..28,
     * V -30..10, VI < -30. */
    static const double lo[6] = { 55.0, 41.0, 28.0, 10.0, -30.0, -90.0 };
    static const double hi[6] = { 90.0, 55.0, 41.0, 28.0, 10.0, -30.0 };
    lab prev = { 101.0, 0.0, 0.0 };
    for (int t = 1; t <= 6; t++) {
        lab c;
        skin_lab_fitzpatrick(t, &c);
        double ita = lab_ita_deg(&c);
        CHECK(ita > lo[t - 1] && ita < hi[t - 1], "type %d: ITA %.2f not in (%g, %g)", t, ita, lo[t - 1], hi[t - 1]);
        CHECK(c.a >= 8.0 && c.a <= 12.0, "type %d: a* %.2f", t, c.a);
        CHECK(c.b >= 12.0 && c.b <= 20.0, "type %d: b* %.2f", t, c.b);
        CHECK(c.L < prev.L, "type %d not darker than type %d", t, t - 1);
        prev = c;
    }
    lab c0, c1, c7, c6;
    skin_lab_fitzpatrick(0, &c0);
    skin_lab_fitzpatrick(1, &c1);
    skin_lab_fitzpatrick(7, &c7);
    skin_lab_fitzpatrick(6, &c6);
    CHECK(memcmp(&c0, &c1, sizeof c0) == 0, "type 0 clamps to I");
    CHECK(memcmp(&c7, &c6, sizeof c7) == 0, "type 7 clamps to VI");

    lab ita0 = { 50.0, 0.0, 10.0 }, ita90 = { 60.0, 0.0, 0.0 };
    CHECK_NEAR(lab_ita_deg(&ita0), 0.0, 1e-12, "ITA at L=50");
    CHECK_NEAR(lab_ita_deg(&ita90), 90.0, 1e-12, "ITA at b=0, L>50");
}

static void test_hair(void)
{
    static const char *names[] = { "black", "dark_brown", "brown", "light_brown", "blonde", "red", "grey", "white" };
    lab c;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK(hair_lab(names[i], &c) == 1, "hair '%s' unknown", names[i]);

    lab black, dbrown, brown, lbrown, blonde, red, grey, white;
    hair_lab("black", &black);
    hair_lab("dark_brown", &dbrown);
    hair_lab("brown", &brown);
    hair_lab("light_brown", &lbrown);
    hair_lab("blonde", &blonde);
    hair_lab("red", &red);
    hair_lab("grey", &grey);
    hair_lab("white", &white);
    CHECK_NEAR(black.L, 18.0, 3.0, "black L");
    CHECK_NEAR(dbrown.L, 25.0, 3.0, "dark_brown L");
    CHECK_NEAR(brown.L, 32.0, 3.0, "brown L");
    CHECK_NEAR(lbrown.L, 42.0, 3.0, "light_brown L");
    CHECK_NEAR(blonde.L, 60.0, 3.0, "blonde L");
    CHECK_NEAR(blonde.b, 20.0, 3.0, "blonde b");
    CHECK_NEAR(grey.L, 55.0, 3.0, "grey L");
    CHECK_NEAR(white.L, 80.0, 3.0, "white L");
    CHECK(black.L < dbrown.L && dbrown.L < brown.L && brown.L < lbrown.L && lbrown.L < blonde.L, "hair lightness order");
    CHECK(red.a > 15.0 && red.a > brown.a + 10.0, "red hair a* %.1f", red.a);
    CHECK(sqrt(grey.a * grey.a + grey.b * grey.b) < 3.0, "grey near neutral");

    lab untouched = { 1.0, 2.0, 3.0 };
    CHECK(hair_lab("purple", &untouched) == 0, "unknown hair accepted");
    CHECK(hair_lab(NULL, &untouched) == 0, "NULL hair name accepted");
    CHECK(hair_lab("Black", &untouched) == 0, "hair names are case-sensitive");
    CHECK(untouched.L == 1.0 && untouched.a == 2.0 && untouched.b == 3.0, "dest touched on failure");
}

int main(void)
{
    test_sharma_table();
    test_properties();
    test_srgb();
    test_skin();
    test_hair();
    return check_summary("test_color");
}
