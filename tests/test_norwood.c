/* test_norwood.c: the Norwood presets on the head chart: each stage's bald area contains
 * the one before (hair loss only progresses), the stages' defining features hold (a band
 * between front and crown at IV-V, gone at VI; only a fringe at VII), and a lesson's zone
 * and existing hair follow the preset. */
#include "lesson.h"
#include "norwood.h"
#include "surface.h"
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void test_names(void)
{
    for (int k = NORWOOD_MIN; k <= NORWOOD_MAX; k++) {
        CHECK(norwood_from_name(norwood_name(k)) == k, "stage %s round-trips", norwood_name(k));
        char d[4] = { (char)('0' + k), 0 };
        CHECK(norwood_from_name(d) == k, "stage %s by number", d);
    }
    CHECK(norwood_from_name("VIII") == 0 && norwood_from_name("") == 0 && norwood_from_name(NULL) == 0,
          "unknown stages refused");
    CHECK(!norwood_is_bald(0, 0.0, 50.0) && !norwood_is_bald(8, 0.0, 50.0), "stages out of range are never bald");
    CHECK(!norwood_is_bald(7, NAN, 0.0), "NaN is never bald");
}

static void test_progression(const surface *s)
{
    double area[NORWOOD_MAX + 1] = { 0 }, scalp = 0.0;
    int regress = 0;
    const double h = 1.0;
    for (double v = -140.0; v <= 160.0; v += h)
        for (double u = -130.0; u <= 130.0; u += h) {
            if (!region_is_scalp(surface_region_at_chart(s, u, v)))
                continue;
            double a = surface_chart_area_scale(s, u, v) * h * h / 100.0;
            scalp += a;
            int prev = 0;
            for (int k = NORWOOD_MIN; k <= NORWOOD_MAX; k++) {
                int b = norwood_is_bald(k, u, v);
                if (prev && !b)
                    regress++;
                prev = b;
                if (b)
                    area[k] += a;
            }
        }
    printf("bald area by stage (cm^2 of %.0f on the chart):", scalp);
    for (int k = NORWOOD_MIN; k <= NORWOOD_MAX; k++)
        printf(" %s %.0f", norwood_name(k), area[k]);
    printf("\n");
    CHECK(regress == 0, "%d chart points bald at a stage and not at the next", regress);
    for (int k = NORWOOD_MIN + 1; k <= NORWOOD_MAX; k++)
        CHECK(area[k] > area[k - 1], "stage %s loses more than %s", norwood_name(k), norwood_name(k - 1));
    CHECK(area[1] < 0.02 * scalp, "stage I is nearly no loss (%.1f cm^2)", area[1]);
    CHECK(area[7] > 0.6 * scalp, "stage VII leaves only a fringe (%.0f of %.0f cm^2 bald)", area[7], scalp);
}

static void test_features(void)
{
    double cc[2], cr;
    head_chart_crown(cc, &cr);
    double rho_h = head_chart_hairline_rho(0.0), rho_t = head_chart_hairline_rho(40.0);
    /* II-III: the temples recede further than the midline */
    for (int k = 2; k <= 3; k++) {
        double mid = 0.0, tem = 0.0;
        for (double r = rho_h; r > 0.0 && norwood_is_bald(k, 0.0, r); r -= 0.25) mid = rho_h - r;
        double a = 40.0 * 3.14159265358979 / 180.0;
        for (double r = rho_t; r > 0.0 && norwood_is_bald(k, r * sin(a), r * cos(a)); r -= 0.25) tem = rho_t - r;
        printf("stage %s: recession %.1f mm on the midline, %.1f mm at the temples\n", norwood_name(k), mid, tem);
        CHECK(tem > mid + 5.0, "stage %s recedes most at the temples", norwood_name(k));
    }
    CHECK(!norwood_is_bald(3, cc[0], cc[1]), "stage III keeps the crown");
    /* IV and V: a bald crown and a bald front, with a band of hair between on the midline */
    for (int k = 4; k <= 5; k++) {
        CHECK(norwood_is_bald(k, cc[0], cc[1]), "stage %s: the crown is bald", norwood_name(k));
        CHECK(norwood_is_bald(k, 0.0, rho_h - 1.0), "stage %s: the front is bald", norwood_name(k));
        int band = 0;
        for (double v = cc[1]; v < rho_h; v += 0.5)
            band += !norwood_is_bald(k, 0.0, v);
        printf("stage %s: band of hair %.1f mm on the midline\n", norwood_name(k), band * 0.5);
        CHECK(band > 0, "stage %s keeps a band between front and crown", norwood_name(k));
    }
    for (int k = 6; k <= 7; k++)
        for (double v = cc[1]; v < rho_h; v += 0.5)
            if (!norwood_is_bald(k, 0.0, v)) {
                CHECK(0, "stage %s has hair on the midline at v %.1f", norwood_name(k), v);
                break;
            }
    /* every stage keeps the fringe low at the back */
    for (int k = NORWOOD_MIN; k <= NORWOOD_MAX; k++)
        CHECK(!norwood_is_bald(k, 0.0, -125.0), "stage %s keeps the hair low at the back", norwood_name(k));
}

static const char NW_LESSON[] =
    "{\"format\": \"stipple-lesson/1\", \"id\": \"nw\", \"title\": \"n\", \"version\": 1,\n"
    " \"surface\": {\"kind\": \"head\"}, \"client\": {\"fitzpatrick\": 3, \"hair_colour\": \"brown\"},\n"
    " \"zones\": [{\"name\": \"bald\", \"norwood\": {\"stage\": \"V\", \"part\": \"bald\"}}],\n"
    " \"existing_hair\": {\"norwood\": {\"stage\": \"V\", \"part\": \"hair\"}, \"regions\": [\"mid_scalp\", \"parietal_l\","
    " \"parietal_r\"], \"density_per_cm2\": 70, \"length_mm\": 0.6, \"seed\": 1},\n"
    " \"session\": {\"number\": 1, \"density_per_cm2\": 30},\n"
    " \"needle\": {\"config\": \"3RL\", \"diameter_mm\": 0.25},\n"
    " \"pigment\": {\"target_shade\": 10, \"allowed_shades\": [8, 14]},\n"
    " \"weights\": {\"spacing\": 0.3, \"depth\": 0.4, \"pigment\": 0.1, \"quality\": 0.2},\n"
    " \"pass\": {\"spacing\": 60, \"depth\": 60, \"pigment\": 60, \"quality\": 60, \"total\": 70},\n"
    " \"sources\": [\"test\"]}\n";

static void test_lesson(const surface *s)
{
    lesson l;
    char err[512] = "";
    int rc = lesson_load_mem(NW_LESSON, strlen(NW_LESSON), "nw.json", &l, err, sizeof err);
    CHECK(rc == 0, "a lesson with Norwood presets loads (%s)", err);
    if (rc != 0)
        return;
    int mism = 0, n = 0, in_zone = 0, in_hair = 0;
    for (double v = -130.0; v <= 150.0; v += 2.0)
        for (double u = -120.0; u <= 120.0; u += 2.0) {
            region_id r = surface_region_at_chart(s, u, v);
            if (!region_is_scalp(r))
                continue;
            n++;
            int bald = norwood_is_bald(5, u, v);
            int z = lesson_zone_contains(&l, u, v, r), hh = lesson_area_contains(&l.hair.area, u, v, r);
            in_zone += z;
            in_hair += hh;
            if (z != bald)
                mism++;
            if (hh && bald)
                mism++;
            if (hh != (!bald && (r == REGION_MID_SCALP || r == REGION_PARIETAL_L || r == REGION_PARIETAL_R)))
                mism++;
        }
    printf("lesson: %d scalp points, %d in the bald zone, %d in the hair\n", n, in_zone, in_hair);
    CHECK(mism == 0, "zone and hair disagree with the preset at %d points", mism);
    CHECK(in_zone > 0 && in_hair > 0, "both parts present");
    lesson_free(&l);
    /* errors */
    const char *bad[][2] = {
        { "\"stage\": \"V\", \"part\": \"bald\"", "\"stage\": \"VIII\", \"part\": \"bald\"" },
        { "\"stage\": \"V\", \"part\": \"bald\"", "\"stage\": \"V\", \"part\": \"bare\"" },
        { "\"stage\": \"V\", \"part\": \"bald\"", "\"stage\": \"V\"" },
        { "{\"kind\": \"head\"}", "{\"kind\": \"practice_skin\", \"width_mm\": 100, \"height_mm\": 100}" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char text[4096];
        const char *at = strstr(NW_LESSON, bad[k][0]);
        CHECK(at != NULL, "bad case %zu applies", k);
        if (!at)
            continue;
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - NW_LESSON), NW_LESSON, bad[k][1], at + strlen(bad[k][0]));
        err[0] = '\0';
        rc = lesson_load_mem(text, strlen(text), "nw.json", &l, err, sizeof err);
        printf("bad Norwood preset %zu: %s\n", k, err);
        CHECK(rc != 0 && strncmp(err, "nw.json:", 8) == 0, "bad case %zu refused with a position", k);
        if (rc == 0)
            lesson_free(&l);
    }
}

int main(void)
{
    test_names();
    test_features();
    surface *s = surface_create(SURFACE_HEAD, 0.0, 0.0);
    CHECK(s != NULL, "head");
    if (s) {
        test_progression(s);
        test_lesson(s);
        surface_free(s);
    }
    return check_summary("test_norwood");
}
