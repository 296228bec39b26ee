/* test_score.c: scoring and reports on dots generated directly (not through the pen):
 * natural, grid, clumped and sparse patterns, planted faults, the hairline feather,
 * zero dots, the JSON report read back, determinism. Every expectation is computed here
 * (brute force, shoelace, the Clark-Evans formula), never typed in. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "color.h"
#include "dot.h"
#include "lesson.h"
#include "needle.h"
#include "pigment.h"
#include "report.h"
#include "rng.h"
#include "pattern_order.h"
#include "report_text.h"
#include "score.h"
#include "shade_rule.h"
#include "surface.h"

static const char *LESSON_PRACTICE =
    "{\"format\":\"stipple-lesson/1\",\"id\":\"t\",\"title\":\"t\",\"version\":1,"
    "\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
    "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
    "\"zones\":[{\"name\":\"z\",\"polygon_mm\":[[10,10],[90,10],[90,60],[10,60]]}],"
    "\"session\":{\"number\":1,\"density_per_cm2\":30,\"depth_band_mm\":[0.15,0.45],"
    "\"depth_acceptable_mm\":[0.1,0.6]},"
    "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},"
    "\"pigment\":{\"target_shade\":12,\"allowed_shades\":[10,14]},"
    "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},"
    "\"sources\":[\"test\"]}";

/* An irregular pentagon zone, for the area check. */
static const char *LESSON_PENTAGON =
    "{\"format\":\"stipple-lesson/1\",\"id\":\"p\",\"title\":\"p\",\"version\":1,"
    "\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
    "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
    "\"zones\":[{\"name\":\"z\",\"polygon_mm\":[[10,10],[80,15],[90,50],[50,65],[15,45]]}],"
    "\"session\":{\"number\":1,\"density_per_cm2\":30,\"depth_band_mm\":[0.15,0.45],"
    "\"depth_acceptable_mm\":[0.1,0.6]},"
    "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},"
    "\"pigment\":{\"target_shade\":12,\"allowed_shades\":[10,14]},"
    "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},"
    "\"sources\":[\"test\"]}";
static const double PENTAGON[5][2] = {{10, 10}, {80, 15}, {90, 50}, {50, 65}, {15, 45}};

/* The practice zone with a soft hairline along v = 55 (in front: v > 55). */
static const char *LESSON_HAIRLINE =
    "{\"format\":\"stipple-lesson/1\",\"id\":\"h\",\"title\":\"h\",\"version\":1,"
    "\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
    "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
    "\"zones\":[{\"name\":\"z\",\"polygon_mm\":[[10,10],[90,10],[90,60],[10,60]]}],"
    "\"hairline\":{\"style\":\"soft\",\"line_mm\":[[0,55],[100,55]],\"feather_mm\":20,"
    "\"front_density_fraction\":0.3,\"tolerance_mm\":1.0},"
    "\"session\":{\"number\":1,\"density_per_cm2\":30,\"depth_band_mm\":[0.15,0.45],"
    "\"depth_acceptable_mm\":[0.1,0.6]},"
    "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},"
    "\"pigment\":{\"target_shade\":12,\"allowed_shades\":[10,14]},"
    "\"weights\":{\"spacing\":0.3,\"depth\":0.25,\"pigment\":0.15,\"hairline\":0.15,\"quality\":0.15},"
    "\"sources\":[\"test\"]}";
#define HL_V 55.0
#define HL_FEATHER 20.0

/* Rectangle zone of LESSON_PRACTICE and LESSON_HAIRLINE. */
#define ZU0 10.0
#define ZU1 90.0
#define ZV0 10.0
#define ZV1 60.0

static int load(const char *json, lesson *l)
{
    char err[256];
    if (lesson_load_mem(json, strlen(json), "test", l, err, sizeof err) != 0) {
        fprintf(stderr, "lesson: %s\n", err);
        return -1;
    }
    return 0;
}

/* A dot as the simulation would leave it, every field consistent with the models. */
static dot make_dot(const lesson *l, double u, double v, double depth, int shade, int64_t dwell_us)
{
    dot d;
    memset(&d, 0, sizeof d);
    d.t_us = 0;
    d.dwell_us = dwell_us;
    d.pos_mm[0] = u;
    d.pos_mm[1] = v;
    d.pos_mm[2] = 0.0;
    d.normal[2] = 1.0;
    d.chart_mm[0] = u;
    d.chart_mm[1] = v;
    d.region = REGION_PRACTICE;
    d.needle_config = l->needle.config;
    d.needle_diameter_mm = l->needle.diameter_mm;
    d.shade = shade;
    d.depth_mm = depth;
    d.angle_deg = 0.0;
    skin_layers layers;
    lesson_layers(l, REGION_PRACTICE, &layers);
    d.diameter_fresh_mm = needle_fresh_diameter_mm(&l->needle, dwell_us, depth, &layers);
    d.diameter_healed_mm = pigment_healed_diameter_mm(d.diameter_fresh_mm, depth, &layers);
    d.elongation = 1.0;
    pigment_fresh_lab(shade, depth, l->fitzpatrick, &layers, &d.lab_fresh);
    pigment_healed_lab(shade, depth, l->fitzpatrick, &layers, &d.lab_healed);
    if (pigment_sheds(depth, &layers))
        d.flags |= DOT_SHED;
    if (pigment_blows_out(depth, &layers))
        d.flags |= DOT_BLOWOUT;
    return d;
}

/* --- patterns ------------------------------------------------------------------------ */

/* Random sequential adsorption (dart throwing) of n points with a minimum distance in the
 * rectangle zone: a natural-looking, never-touching pattern. Returns how many it placed. */
static size_t poisson_disc(rng_state *rng, double (*p)[2], size_t n, double dmin)
{
    size_t k = 0;
    for (long tries = 0; k < n && tries < 5000000; tries++) {
        double u = rng_range(rng, ZU0, ZU1), v = rng_range(rng, ZV0, ZV1);
        int ok = 1;
        for (size_t j = 0; j < k && ok; j++)
            ok = hypot(p[j][0] - u, p[j][1] - v) >= dmin;
        if (ok) {
            p[k][0] = u;
            p[k][1] = v;
            k++;
        }
    }
    return k;
}

static size_t make_pattern_dots(const lesson *l, double (*p)[2], size_t n, dot *dots)
{
    for (size_t i = 0; i < n; i++)
        dots[i] = make_dot(l, p[i][0], p[i][1], 0.30, l->target_shade, 100000);
    return n;
}

/* Brute-force nearest neighbour distances (in 3D positions). */
static void brute_nn(const dot *dots, size_t n, double *nn)
{
    for (size_t i = 0; i < n; i++) {
        double best = INFINITY;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double dx = dots[i].pos_mm[0] - dots[j].pos_mm[0], dy = dots[i].pos_mm[1] - dots[j].pos_mm[1],
                   dz = dots[i].pos_mm[2] - dots[j].pos_mm[2];
            double d = sqrt(dx * dx + dy * dy + dz * dz);
            if (d < best)
                best = d;
        }
        nn[i] = best;
    }
}

static double zone_area_mm2(void) { return (ZU1 - ZU0) * (ZV1 - ZV0); }

static size_t target_count(const lesson *l) { return (size_t)lround(l->target_density_per_cm2 * zone_area_mm2() / 100.0); }

/* --- cases --------------------------------------------------------------------------- */

static void test_natural(const lesson *l, const surface *s)
{
    size_t n = target_count(l);
    double (*p)[2] = calloc(n, sizeof *p);
    dot *dots = calloc(n, sizeof *dots);
    double *nn = calloc(n, sizeof *nn);
    rng_state rng;
    rng_seed(11, &rng);
    /* 0.65 spacings apart: well under jamming, no pair close enough to merge. */
    size_t got = poisson_disc(&rng, p, n, 0.65 * l->target_spacing_mm);
    CHECK(got == n, "poisson disc placed %zu of %zu", got, n);
    make_pattern_dots(l, p, n, dots);

    score_result r;
    CHECK(score_session(l, s, dots, n, &r) == 0, "score_session");
    const score_spacing *sp = &r.spacing;

    /* Zone area and density. */
    CHECK_NEAR(sp->zone_area_cm2, zone_area_mm2() / 100.0, 0.01 * zone_area_mm2() / 100.0, "zone area (rectangle)");
    CHECK(sp->dots_in_zone == n && sp->dots_outside_zone == 0, "in zone %zu, outside %zu", sp->dots_in_zone,
          sp->dots_outside_zone);
    CHECK_NEAR(sp->density_per_cm2, (double)n / sp->zone_area_cm2, 1e-9, "density = count / area");

    /* NN statistics against brute force. */
    brute_nn(dots, n, nn);
    double sum = 0, sum2 = 0;
    size_t close = 0;
    for (size_t i = 0; i < n; i++) {
        sum += nn[i];
        close += nn[i] < 0.5 * l->target_spacing_mm;
        CHECK_NEAR(r.dot_nn_mm[i], nn[i], 1e-4, "per-dot NN");
    }
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        sum2 += (nn[i] - mean) * (nn[i] - mean);
    double sd = sqrt(sum2 / (double)n);
    CHECK_NEAR(sp->nn_mean_mm, mean, 1e-5, "NN mean");
    CHECK_NEAR(sp->nn_sd_mm, sd, 1e-5, "NN sd");
    CHECK_NEAR(sp->nn_cv, sd / mean, 1e-5, "NN cv");
    CHECK_NEAR(sp->too_close_fraction, (double)close / (double)n, 1e-12, "too close fraction");
    double want_r = mean / (0.5 / sqrt(sp->density_per_cm2 / 100.0));
    CHECK_NEAR(sp->clark_evans_r, want_r, 1e-4, "Clark-Evans R");

    CHECK(sp->clark_evans_r >= l->clark_evans_natural[0] && sp->clark_evans_r <= l->clark_evans_natural[1],
          "natural R %.3f in [%.2f, %.2f]", sp->clark_evans_r, l->clark_evans_natural[0], l->clark_evans_natural[1]);
    CHECK(sp->pattern == PATTERN_NATURAL, "pattern %s", spacing_pattern_name(sp->pattern));
    CHECK(sp->largest_gap_mm > 0.0 && sp->largest_gap_mm <= 2.5 * l->target_spacing_mm,
          "largest gap %.2f mm", sp->largest_gap_mm);
    /* Without a hairline the expected density is the target, and gaps are in target spacings. */
    CHECK_NEAR(sp->expected_density_per_cm2, l->target_density_per_cm2, 1e-12, "expected density");
    CHECK_NEAR(sp->largest_gap_spacings, sp->largest_gap_mm / l->target_spacing_mm, 1e-9, "gap in spacings");
    CHECK(r.metric_applies[METRIC_SPACING] && r.metric_passed[METRIC_SPACING],
          "natural spacing passes: %.1f (pass %.0f)", r.metric_score[METRIC_SPACING], l->pass[METRIC_SPACING]);
    CHECK(!r.metric_applies[METRIC_HAIRLINE] && !r.hairline.applies, "no hairline metric without a hairline");
    /* Clean, in-band, right-shade dots pass everything. */
    CHECK(r.passed, "clean natural session passes: total %.1f", r.total);
    for (size_t i = 0; i < n; i++)
        CHECK(r.dot_flags[i] == 0, "dot %zu flagged %#x", i, r.dot_flags[i]);

    /* The total is the weighted mean of the applying metrics. */
    double wsum = 0, acc = 0;
    for (int m = 0; m < METRIC_COUNT; m++)
        if (r.metric_applies[m]) {
            wsum += l->weights[m];
            acc += l->weights[m] * r.metric_score[m];
        }
    CHECK_NEAR(r.total, acc / wsum, 1e-9, "weighted total");

    /* One region: the practice skin, with the whole zone. */
    CHECK(r.region_count == 1 && r.regions[0].region == REGION_PRACTICE, "regions %zu", r.region_count);
    if (r.region_count == 1) {
        CHECK(r.regions[0].dots == n, "region dots");
        CHECK_NEAR(r.regions[0].area_cm2, sp->zone_area_cm2, 1e-9, "region area");
        CHECK_NEAR(r.regions[0].nn_mean_mm, mean, 1e-5, "region NN mean");
    }

    /* Determinism: the same bytes twice, and the text report writes. */
    score_result r2;
    CHECK(score_session(l, s, dots, n, &r2) == 0, "second score");
    char *j1 = report_json(l, dots, &r, NULL), *j2 = report_json(l, dots, &r2, NULL);
    CHECK(j1 && j2 && strcmp(j1, j2) == 0, "scoring twice gives identical JSON");
    free(j1);
    free(j2);
    score_result_free(&r2);
    score_result_free(&r);
    free(p);
    free(dots);
    free(nn);
}

static void test_lattice(const lesson *l, const surface *s)
{
    /* Triangular lattice at the target density: 2 / (sqrt 3 a^2) = density. */
    double dens_mm2 = l->target_density_per_cm2 / 100.0;
    double a = sqrt(2.0 / (sqrt(3.0) * dens_mm2));
    size_t cap = 4 * target_count(l);
    dot *dots = calloc(cap, sizeof *dots);
    size_t n = 0;
    double h = a * sqrt(3.0) / 2.0;
    for (int row = 0; ZV0 + 0.3 + row * h < ZV1; row++) {
        double v = ZV0 + 0.3 + row * h;
        for (double u = ZU0 + 0.3 + (row % 2) * a / 2.0; u < ZU1 && n < cap; u += a)
            dots[n++] = make_dot(l, u, v, 0.30, l->target_shade, 100000);
    }
    score_result r;
    CHECK(score_session(l, s, dots, n, &r) == 0, "score lattice");
    /* Analytic: every NN is a, and R = a / (0.5 / sqrt(density)) at the measured density. */
    double want_analytic = 1.0 / (0.5 * sqrt(sqrt(3.0) / 2.0));   /* 2.149 at exact density */
    double want_measured = a / (0.5 / sqrt(r.spacing.density_per_cm2 / 100.0));
    CHECK_NEAR(r.spacing.nn_mean_mm, a, 1e-4, "lattice NN = a");
    CHECK_NEAR(r.spacing.clark_evans_r, want_measured, 1e-4, "lattice R at measured density");
    CHECK_NEAR(r.spacing.clark_evans_r, want_analytic, 0.03 * want_analytic, "lattice R ~ 2.15");
    CHECK(r.spacing.pattern == PATTERN_GRID, "lattice pattern %s", spacing_pattern_name(r.spacing.pattern));
    CHECK(!r.metric_passed[METRIC_SPACING], "lattice spacing fails: %.1f", r.metric_score[METRIC_SPACING]);
    score_result_free(&r);
    free(dots);
}

/* Rows and lattices that R alone lets through (issue 8 §4): a square lattice and a
 * hexagonal one with 15 % jitter, and dots in rows. Scoring rules 1 judged the pattern by R
 * alone; rules 2 see the repeated directions (pattern_order.h) and take the pattern marks
 * away, whatever R says. A natural pattern keeps its marks under both. */
static void score_both(const lesson *l, const surface *s, const dot *dots, size_t n, score_result *r1, score_result *r2)
{
    score_zone *z = score_zone_prepare(l, s);
    CHECK(z && score_session_rules(z, dots, n, 1, r1) == 0 && score_session_rules(z, dots, n, 2, r2) == 0,
          "scored under rules 1 and 2");
    score_zone_free(z);
}

static void test_rows_and_grids(const lesson *l, const surface *s)
{
    double dens_mm2 = l->target_density_per_cm2 / 100.0;
    size_t cap = 4 * target_count(l);
    dot *dots = calloc(cap, sizeof *dots);
    double (*p)[2] = calloc(cap, sizeof *p);
    if (!dots || !p) {
        free(dots);
        free(p);
        return;
    }
    for (int kind = 0; kind < 4; kind++) {
        rng_state rng;
        rng_seed(400 + (uint64_t)kind, &rng);
        size_t n = 0;
        const char *what = kind == 0 ? "square lattice, 15 % jitter"
                           : kind == 1 ? "hexagonal lattice, 15 % jitter"
                           : kind == 2 ? "rows" : "natural (dart throwing)";
        if (kind == 0 || kind == 1) {
            double a = kind == 0 ? 1.0 / sqrt(dens_mm2) : sqrt(2.0 / (sqrt(3.0) * dens_mm2));
            double h = kind == 0 ? a : a * sqrt(3.0) / 2.0;
            for (int row = 0; ZV0 + 0.5 * h + row * h < ZV1; row++)
                for (double u = ZU0 + 0.5 * a + (kind == 1 && row % 2 ? 0.5 * a : 0.0); u < ZU1 && n < cap; u += a) {
                    /* jitter as test_pattern_order calibrates it: uniform in a disc of 0.15 a */
                    double jr = 0.15 * a * sqrt(rng_uniform(&rng)), ja = rng_range(&rng, 0.0, 6.283185307179586);
                    double ju = u + jr * cos(ja), jv = ZV0 + 0.5 * h + row * h + jr * sin(ja);
                    if (ju > ZU0 && ju < ZU1 && jv > ZV0 && jv < ZV1)
                        dots[n++] = make_dot(l, ju, jv, 0.30, l->target_shade, 100000);
                }
        } else if (kind == 2) {
            /* rows 1.6 spacings apart, dots along them at uneven steps */
            double a = 1.0 / sqrt(dens_mm2), gap = 1.6 * a;
            for (double v = ZV0 + 0.5 * gap; v < ZV1; v += gap)
                for (double u = ZU0 + rng_range(&rng, 0.0, a); u < ZU1 && n < cap; u += rng_range(&rng, 0.45, 0.80) * a)
                    dots[n++] = make_dot(l, u, v + 0.03 * a * rng_normal(&rng), 0.30, l->target_shade, 100000);
        } else {
            n = poisson_disc(&rng, p, target_count(l), 0.70 / sqrt(dens_mm2));
            make_pattern_dots(l, p, n, dots);
        }
        score_result r1, r2;
        score_both(l, s, dots, n, &r1, &r2);
        printf("rows and grids: %-32s %4zu dots  R %.2f  order %.2f (%s)  pattern marks rules 1 %.2f, rules 2 %.2f  "
               "spacing %.1f / %.1f\n",
               what, n, r2.spacing.clark_evans_r, r2.spacing.order, pattern_order_kind_name(r2.spacing.order_kind),
               r1.spacing.pattern_marks, r2.spacing.pattern_marks, r1.metric_score[METRIC_SPACING],
               r2.metric_score[METRIC_SPACING]);
        /* both rule sets measure the same order; only rules 2 score it */
        CHECK(r1.spacing.order == r2.spacing.order, "%s: one order under both rules", what);
        CHECK(r1.rules == 1 && r2.rules == 2, "%s: rules recorded", what);
        if (kind < 3) {
            CHECK(r2.spacing.order >= PATTERN_ORDER_THRESHOLD && r2.spacing.order_kind != PATTERN_ORDER_NONE,
                  "%s: order %.2f sees it", what, r2.spacing.order);
            CHECK(r2.spacing.pattern == (kind == 2 ? PATTERN_ROWS : PATTERN_GRID), "%s: reads as %s under rules 2", what,
                  spacing_pattern_name(r2.spacing.pattern));
            CHECK(r2.spacing.pattern_marks <= 0.25 * r1.spacing.pattern_marks + 1e-12,
                  "%s: rules 2 take the pattern marks (%.2f, rules 1 %.2f)", what, r2.spacing.pattern_marks,
                  r1.spacing.pattern_marks);
            CHECK(!r2.metric_passed[METRIC_SPACING], "%s: fails spacing under rules 2 (%.1f)", what,
                  r2.metric_score[METRIC_SPACING]);
            /* the old fault: where R reads natural, rules 1 gave full pattern marks */
            if (r1.spacing.clark_evans_r >= l->clark_evans_natural[0] && r1.spacing.clark_evans_r <= l->clark_evans_natural[1])
                CHECK(r1.spacing.pattern == PATTERN_NATURAL && r1.spacing.pattern_marks > 0.9,
                      "%s: R %.2f reads natural under rules 1 (marks %.2f)", what, r1.spacing.clark_evans_r,
                      r1.spacing.pattern_marks);
            char said[REPORT_TEXT_MAX], todo[REPORT_TEXT_MAX];
            report_text_metric(l, &r2, METRIC_SPACING, said, sizeof said, todo, sizeof todo);
            CHECK(strstr(said, kind == 2 ? "rows" : "grid") && strstr(todo, kind == 2 ? "rows" : "grid"),
                  "%s: the report says so and what to do: %s / %s", what, said, todo);
        } else {
            CHECK(r2.spacing.order < PATTERN_ORDER_THRESHOLD && r2.spacing.pattern == PATTERN_NATURAL,
                  "natural: order %.2f, %s", r2.spacing.order, spacing_pattern_name(r2.spacing.pattern));
            CHECK(r2.spacing.pattern_marks == r1.spacing.pattern_marks && r2.metric_passed[METRIC_SPACING],
                  "natural: the same pattern marks under both rules (%.3f, %.3f), spacing passes",
                  r1.spacing.pattern_marks, r2.spacing.pattern_marks);
        }
        score_result_free(&r1);
        score_result_free(&r2);
    }
    free(dots);
    free(p);
}

static void test_clumped(const lesson *l, const surface *s)
{
    size_t n = target_count(l), per = 8;
    dot *dots = calloc(n, sizeof *dots);
    rng_state rng;
    rng_seed(23, &rng);
    double cu = 0, cv = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % per == 0) {
            cu = rng_range(&rng, ZU0 + 1, ZU1 - 1);
            cv = rng_range(&rng, ZV0 + 1, ZV1 - 1);
        }
        double ang = rng_range(&rng, 0, 6.283185307179586), rad = 0.9 * sqrt(rng_uniform(&rng));
        dots[i] = make_dot(l, cu + rad * cos(ang), cv + rad * sin(ang), 0.30, l->target_shade, 100000);
    }
    score_result r;
    CHECK(score_session(l, s, dots, n, &r) == 0, "score clumped");
    CHECK(r.spacing.clark_evans_r < 1.0 && r.spacing.pattern == PATTERN_CLUMPED, "clumped R %.3f (%s)",
          r.spacing.clark_evans_r, spacing_pattern_name(r.spacing.pattern));
    CHECK(!r.metric_passed[METRIC_SPACING], "clumped spacing fails: %.1f", r.metric_score[METRIC_SPACING]);
    CHECK(r.spacing.too_close_fraction > 0.5, "clumped too-close %.2f", r.spacing.too_close_fraction);
    score_result_free(&r);
    free(dots);
}

static void test_half_density(const lesson *l, const surface *s)
{
    size_t n = target_count(l) / 2;
    double (*p)[2] = calloc(n, sizeof *p);
    dot *dots = calloc(n, sizeof *dots);
    rng_state rng;
    rng_seed(5, &rng);
    /* Natural at half density: spacing sqrt(2) wider. */
    size_t got = poisson_disc(&rng, p, n, 0.65 * sqrt(2.0) * l->target_spacing_mm);
    CHECK(got == n, "half: placed %zu of %zu", got, n);
    make_pattern_dots(l, p, n, dots);
    score_result r;
    CHECK(score_session(l, s, dots, n, &r) == 0, "score half");
    CHECK_NEAR(r.spacing.density_per_cm2, (double)n / r.spacing.zone_area_cm2, 1e-9, "half density value");
    CHECK(!r.metric_passed[METRIC_SPACING], "half density fails spacing: %.1f", r.metric_score[METRIC_SPACING]);
    score_result_free(&r);
    free(p);
    free(dots);
}

static void test_pentagon_area(const surface *s)
{
    lesson l;
    if (load(LESSON_PENTAGON, &l) != 0) {
        CHECK(0, "pentagon lesson loads");
        return;
    }
    double area = 0;
    for (int i = 0; i < 5; i++) {
        int j = (i + 1) % 5;
        area += PENTAGON[i][0] * PENTAGON[j][1] - PENTAGON[j][0] * PENTAGON[i][1];
    }
    area = fabs(area) / 2.0 / 100.0;
    dot d = make_dot(&l, 50, 40, 0.3, l.target_shade, 100000);
    score_result r;
    CHECK(score_session(&l, s, &d, 1, &r) == 0, "score pentagon");
    CHECK_NEAR(r.spacing.zone_area_cm2, area, 0.01 * area, "pentagon zone area = shoelace");
    CHECK_NEAR(r.spacing.density_per_cm2, 1.0 / r.spacing.zone_area_cm2, 1e-9, "one dot density");
    /* One dot: NN undefined, reported as 0, pattern unknown, spacing scores 0. */
    CHECK(r.spacing.nn_mean_mm == 0.0 && r.spacing.clark_evans_r == 0.0 && r.spacing.pattern == PATTERN_UNKNOWN,
          "one dot: no NN");
    CHECK(r.metric_score[METRIC_SPACING] == 0.0, "one dot spacing 0");
    score_result_free(&r);
    lesson_free(&l);
}

static int has(const char *hay, const char *what) { return hay && strstr(hay, what) != NULL; }

/* Planted faults on a natural pattern, and depth/colour figures against direct counts. */
static void test_faults(const lesson *l, const surface *s)
{
    size_t base = target_count(l), n = base + 2;
    double (*p)[2] = calloc(base, sizeof *p);
    dot *dots = calloc(n, sizeof *dots);
    rng_state rng;
    rng_seed(99, &rng);
    CHECK(poisson_disc(&rng, p, base, 0.65 * l->target_spacing_mm) == base, "faults: placed");
    /* Varied depths and shades for the depth and colour figures. */
    static const int shades[] = {4, 8, 8, 12, 16};
    for (size_t i = 0; i < base; i++) {
        double depth = rng_range(&rng, 0.12, 0.55);
        dots[i] = make_dot(l, p[i][0], p[i][1], depth, shades[i % 5], 100000);
    }
    const size_t i_deep = 10, i_shallow = 20, i_drag = 30, i_big = 40, i_pair = 50;
    const size_t i_twin = base, i_out = base + 1;
    dots[i_deep] = make_dot(l, p[i_deep][0], p[i_deep][1], 1.0, l->target_shade, 100000);
    dots[i_shallow] = make_dot(l, p[i_shallow][0], p[i_shallow][1], 0.03, l->target_shade, 100000);
    dots[i_drag] = make_dot(l, p[i_drag][0], p[i_drag][1], 0.3, l->target_shade, 100000);
    dots[i_drag].flags |= DOT_DRAGGED;
    dots[i_drag].drag_mm = 0.8;
    dots[i_big] = make_dot(l, p[i_big][0], p[i_big][1], 0.3, l->target_shade, 1000000);
    dots[i_pair] = make_dot(l, p[i_pair][0], p[i_pair][1], 0.3, l->target_shade, 100000);
    dots[i_twin] = make_dot(l, p[i_pair][0] + 0.4, p[i_pair][1], 0.3, l->target_shade, 100000);
    dots[i_out] = make_dot(l, 5.0, 5.0, 0.3, l->target_shade, 100000);

    score_result r;
    CHECK(score_session(l, s, dots, n, &r) == 0, "score faults");
    char buf[1024];

    CHECK(r.dot_flags[i_pair] & SF_TOO_CLOSE, "pair flagged too close");
    CHECK(r.dot_flags[i_twin] & SF_TOO_CLOSE, "twin flagged too close");
    CHECK_NEAR(r.dot_nn_mm[i_twin], 0.4, 1e-5, "twin NN");
    score_dot_reason(&r, l, dots, i_twin, buf, sizeof buf);
    CHECK(has(buf, "too close: 0.40 mm"), "reason: %s", buf);

    skin_layers layers;
    lesson_layers(l, REGION_PRACTICE, &layers);
    uint32_t want_deep = pigment_blows_out(1.0, &layers) ? SF_BLOWOUT : SF_OUT_OF_BAND;
    CHECK(r.dot_flags[i_deep] & want_deep, "deep dot flags %#x", r.dot_flags[i_deep]);
    score_dot_reason(&r, l, dots, i_deep, buf, sizeof buf);
    CHECK(has(buf, want_deep == SF_BLOWOUT ? "too deep: 1.00 mm" : "deeper than"), "reason: %s", buf);
    uint32_t want_shallow = pigment_sheds(0.03, &layers) ? SF_SHED : SF_OUT_OF_BAND;
    CHECK(r.dot_flags[i_shallow] & want_shallow, "shallow dot flags %#x", r.dot_flags[i_shallow]);
    score_dot_reason(&r, l, dots, i_shallow, buf, sizeof buf);
    CHECK(has(buf, want_shallow == SF_SHED ? "will shed" : "shallower than"), "reason: %s", buf);

    CHECK(r.dot_flags[i_out] & SF_OUTSIDE_ZONE, "outside dot flagged");
    CHECK(!(r.dot_flags[i_out] & SF_TOO_CLOSE), "outside dot not judged for spacing");
    score_dot_reason(&r, l, dots, i_out, buf, sizeof buf);
    CHECK(has(buf, "outside the working zone"), "reason: %s", buf);
    CHECK(r.spacing.dots_outside_zone == 1 && r.spacing.dots_in_zone == n - 1, "zone counts");

    CHECK(r.dot_flags[i_drag] & SF_DRAGGED, "dragged flagged");
    score_dot_reason(&r, l, dots, i_drag, buf, sizeof buf);
    CHECK(has(buf, "dragged: the needle moved 0.80 mm"), "reason: %s", buf);
    CHECK(r.quality.dragged_count == 1, "dragged count");
    CHECK_NEAR(r.quality.dragged_fraction, 1.0 / (double)n, 1e-12, "dragged fraction");

    /* Depth figures by direct count; shed/blowout and size outliers from the dots. */
    size_t in_band = 0, in_acc = 0, shed = 0, blow = 0;
    double dsum = 0, mae = 0;
    for (size_t i = 0; i < n; i++) {
        double z = dots[i].depth_mm;
        in_band += z >= l->depth_band_mm[0] && z <= l->depth_band_mm[1];
        in_acc += z >= l->depth_acceptable_mm[0] && z <= l->depth_acceptable_mm[1];
        shed += (dots[i].flags & DOT_SHED) != 0;
        blow += (dots[i].flags & DOT_BLOWOUT) != 0;
        dsum += z;
        if (z < l->depth_band_mm[0])
            mae += l->depth_band_mm[0] - z;
        else if (z > l->depth_band_mm[1])
            mae += z - l->depth_band_mm[1];
    }
    CHECK_NEAR(r.depth.in_band_fraction, (double)in_band / (double)n, 1e-12, "in band fraction");
    CHECK_NEAR(r.depth.in_acceptable_fraction, (double)in_acc / (double)n, 1e-12, "in acceptable fraction");
    CHECK_NEAR(r.depth.mean_mm, dsum / (double)n, 1e-12, "depth mean");
    CHECK_NEAR(r.depth.mae_mm, mae / (double)n, 1e-12, "depth MAE");
    CHECK(r.depth.shed_count == shed && r.depth.blowout_count == blow, "shed %zu/%zu blowout %zu/%zu",
          r.depth.shed_count, shed, r.depth.blowout_count, blow);
    double want_depth = 100.0 * ((double)in_band / (double)n + 0.5 * (double)(in_acc - in_band) / (double)n
                                 - (double)(shed + blow) / (double)n);
    want_depth = want_depth < 0 ? 0 : want_depth > 100 ? 100 : want_depth;
    CHECK_NEAR(r.metric_score[METRIC_DEPTH], want_depth, 1e-9, "depth score");
    for (size_t i = 0; i < n; i++) {
        double z = dots[i].depth_mm;
        int out = z < l->depth_band_mm[0] || z > l->depth_band_mm[1];
        int sb = (dots[i].flags & (DOT_SHED | DOT_BLOWOUT)) != 0;
        CHECK(((r.dot_flags[i] & SF_OUT_OF_BAND) != 0) == (out && !sb), "out-of-band flag on dot %zu", i);
    }

    /* Size outliers against the median, by direct computation. */
    double *dia = calloc(n, sizeof *dia);
    for (size_t i = 0; i < n; i++)
        dia[i] = dots[i].diameter_fresh_mm;
    for (size_t i = 1; i < n; i++)   /* insertion sort: small and obvious */
        for (size_t j = i; j > 0 && dia[j - 1] > dia[j]; j--) {
            double t = dia[j];
            dia[j] = dia[j - 1];
            dia[j - 1] = t;
        }
    double med = n % 2 ? dia[n / 2] : 0.5 * (dia[n / 2 - 1] + dia[n / 2]);
    size_t outliers = 0;
    for (size_t i = 0; i < n; i++) {
        int o = fabs(dots[i].diameter_fresh_mm - med) > 0.5 * med;
        outliers += (size_t)o;
        CHECK(((r.dot_flags[i] & SF_SIZE_OUTLIER) != 0) == o, "size outlier flag on dot %zu", i);
    }
    CHECK(r.quality.size_outlier_count == outliers, "size outliers %zu vs %zu", r.quality.size_outlier_count, outliers);
    CHECK(r.dot_flags[i_big] & SF_SIZE_OUTLIER, "long-dwell dot (%.3f mm vs median %.3f) is a size outlier",
          dots[i_big].diameter_fresh_mm, med);
    free(dia);

    /* Colour (rules 2): dE00 against the client's stubble colour, by direct computation,
     * over the dots within the acceptable depths, each judged as its shade heals at its
     * depth clamped into the ideal band (the depth's own effect is depth's to judge). */
    lab target;
    score_target_lab(l, &target);
    lab want_target;
    CHECK(shade_rule_target_lab(l->hair_colour, l->fitzpatrick, l->session_number, &want_target), "stubble target");
    CHECK(target.L == want_target.L && target.a == want_target.a && target.b == want_target.b, "target lab");
    CHECK(r.pigment.target_is_stubble, "the target is the client's stubble");
    double desum = 0, demax = 0;
    size_t exc = 0, acc = 0, wrong = 0, judged = 0;
    int count[32] = {0};
    for (size_t i = 0; i < n; i++) {
        double z = dots[i].depth_mm;
        count[dots[i].shade]++;
        if (z < l->depth_acceptable_mm[0] || z > l->depth_acceptable_mm[1]) {
            CHECK(!(r.dot_flags[i] & SF_WRONG_COLOUR), "dot %zu at %.2f mm is depth's fault, not colour's", i, z);
            continue;
        }
        lab seen = dots[i].lab_healed;
        double zc = z < l->depth_band_mm[0] ? l->depth_band_mm[0] : z > l->depth_band_mm[1] ? l->depth_band_mm[1] : z;
        if (zc != z)
            pigment_healed_lab(dots[i].shade, zc, l->fitzpatrick, &layers, &seen);
        double de = ciede2000(&seen, &target);
        CHECK_NEAR(r.dot_delta_e00[i], de, 1e-12, "per-dot dE00");
        judged++;
        desum += de;
        demax = de > demax ? de : demax;
        exc += de <= 3.0;
        acc += de <= 6.0;
        wrong += de > 6.0;
        CHECK(((r.dot_flags[i] & SF_WRONG_COLOUR) != 0) == (de > 6.0), "wrong colour flag on dot %zu", i);
    }
    CHECK(r.pigment.judged_count == judged && 4 * judged >= n && !r.pigment.shade_only, "judged %zu of %zu dots",
          r.pigment.judged_count, n);
    CHECK_NEAR(r.pigment.delta_e00_mean, desum / (double)judged, 1e-9, "dE00 mean");
    CHECK_NEAR(r.pigment.delta_e00_max, demax, 1e-12, "dE00 max");
    CHECK_NEAR(r.pigment.excellent_fraction, (double)exc / (double)judged, 1e-12, "excellent fraction");
    CHECK_NEAR(r.pigment.acceptable_fraction, (double)acc / (double)judged, 1e-12, "acceptable fraction");
    int mode = 0;
    for (int k = 0; k < 32; k++)
        if (count[k] > count[mode])
            mode = k;
    CHECK(r.pigment.shade_used == mode, "shade used %d, want %d", r.pigment.shade_used, mode);
    int rule = shade_rule_shade(l->hair_colour, l->fitzpatrick, l->session_number);
    CHECK(r.pigment.shade_rule == rule, "the rule's shade %d, want %d", r.pigment.shade_rule, rule);
    CHECK(r.pigment.shade_suitable == (abs(mode - rule) <= SHADE_RULE_TOLERANCE), "suitable by the rule");
    if (wrong > 0) {
        size_t w = 0;
        while (w < n && !(r.dot_flags[w] & SF_WRONG_COLOUR))
            w++;
        score_dot_reason(&r, l, dots, w, buf, sizeof buf);
        CHECK(has(buf, "wrong colour"), "reason: %s", buf);
    }
    /* An unflagged dot has no reason. */
    size_t clean = 0;
    while (clean < n && r.dot_flags[clean])
        clean++;
    if (clean < n) {
        score_dot_reason(&r, l, dots, clean, buf, sizeof buf);
        CHECK(buf[0] == '\0', "clean dot reason '%s'", buf);
    }
    /* A tiny buffer truncates safely. */
    char tiny[8];
    score_dot_reason(&r, l, dots, i_deep, tiny, sizeof tiny);
    CHECK(strlen(tiny) < sizeof tiny, "tiny buffer");

    /* The JSON report, read back. */
    report_meta meta = {"/tmp/x.stpl", "trainee:expert", 123456789, 4321, 0, "recovered 3 chunks", NULL, NULL, 0};
    char *js = report_json(l, dots, &r, &meta);
    CHECK(js != NULL, "report_json");
    json_error_t je;
    json_t *root = js ? json_loads(js, 0, &je) : NULL;
    CHECK(root != NULL, "JSON parses back");
    if (root) {
        CHECK(json_integer_value(json_object_get(root, "report_version")) == SCORE_REPORT_VERSION, "version");
        CHECK_NEAR(json_real_value(json_object_get(root, "total")), r.total, 1e-8 * (1 + r.total), "json total");
        CHECK(json_is_true(json_object_get(root, "passed")) == (r.passed != 0), "json passed");
        json_t *m = json_object_get(root, "metrics");
        json_t *sp = json_object_get(m, "spacing");
        CHECK_NEAR(json_real_value(json_object_get(sp, "nn_mean_mm")), r.spacing.nn_mean_mm, 1e-8, "json nn mean");
        CHECK_NEAR(json_real_value(json_object_get(sp, "clark_evans_r")), r.spacing.clark_evans_r, 1e-8, "json R");
        CHECK_NEAR(json_real_value(json_object_get(sp, "density_per_cm2")), r.spacing.density_per_cm2, 1e-7,
                   "json density");
        CHECK_NEAR(json_real_value(json_object_get(sp, "zone_area_cm2")), r.spacing.zone_area_cm2, 1e-8, "json area");
        CHECK_NEAR(json_real_value(json_object_get(json_object_get(m, "depth"), "in_band_fraction")),
                   r.depth.in_band_fraction, 1e-9, "json in band");
        CHECK_NEAR(json_real_value(json_object_get(json_object_get(m, "pigment"), "delta_e00_mean")),
                   r.pigment.delta_e00_mean, 1e-8, "json dE00");
        for (int k = 0; k < METRIC_COUNT; k++) {
            json_t *mk = json_object_get(m, metric_name(k));
            CHECK(mk != NULL, "metric %s present", metric_name(k));
            CHECK(json_is_true(json_object_get(mk, "passed")) == (r.metric_passed[k] != 0), "%s passed",
                  metric_name(k));
            CHECK_NEAR(json_real_value(json_object_get(mk, "score")), r.metric_score[k], 1e-7, "json score");
        }
        json_t *lab_a = json_object_get(json_object_get(m, "pigment"), "target_lab");
        CHECK(json_array_size(lab_a) == 3, "target_lab array");
        json_t *se = json_object_get(root, "session");
        CHECK(!strcmp(json_string_value(json_object_get(se, "warning")), "recovered 3 chunks"), "warning");
        CHECK_NEAR(json_real_value(json_object_get(se, "duration_s")), 123.456789, 1e-9, "duration");
        CHECK(json_integer_value(json_object_get(se, "pen_samples")) == 4321, "pen samples");
        const char *hash = json_string_value(json_object_get(json_object_get(root, "lesson"), "content_hash"));
        CHECK(hash && strlen(hash) == 64, "content hash hex");
        size_t flagged = 0;
        for (size_t i = 0; i < n; i++)
            flagged += r.dot_flags[i] != 0;
        json_t *fd = json_object_get(root, "flagged_dots");
        CHECK(json_array_size(fd) == flagged, "all flagged dots listed: %zu vs %zu", json_array_size(fd), flagged);
        int found_twin = 0;
        for (size_t k = 0; k < json_array_size(fd); k++) {
            json_t *e = json_array_get(fd, k);
            if ((size_t)json_integer_value(json_object_get(e, "index")) != i_twin)
                continue;
            found_twin = 1;
            json_t *fl = json_object_get(e, "flags");
            int tc = 0;
            for (size_t q = 0; q < json_array_size(fl); q++)
                tc |= !strcmp(json_string_value(json_array_get(fl, q)), "too_close");
            CHECK(tc, "twin has too_close in JSON");
            CHECK(has(json_string_value(json_object_get(e, "reason")), "too close"), "twin reason in JSON");
        }
        CHECK(found_twin, "twin in flagged_dots");
        CHECK(json_array_size(json_object_get(root, "regions")) == r.region_count, "regions");
        json_decref(root);
    }
    free(js);

    /* Text report. */
    FILE *f = tmpfile();
    if (f) {
        CHECK(report_write_text(f, l, dots, &r, &meta) == 0, "text report");
        long len = ftell(f);
        rewind(f);
        char *txt = calloc((size_t)len + 1, 1);
        size_t rd = fread(txt, 1, (size_t)len, f);
        txt[rd] = '\0';
        CHECK(has(txt, "WARNING") && has(txt, r.passed ? "PASS" : "FAIL") && has(txt, "spacing") &&
                  has(txt, "and ") && has(txt, "closer than"),
              "text report content:\n%s", txt);
        free(txt);
        fclose(f);
    }
    score_result_free(&r);
    free(p);
    free(dots);
}

static int all_finite(const score_result *r)
{
    const double v[] = {r->spacing.zone_area_cm2, r->spacing.density_per_cm2, r->spacing.nn_mean_mm,
                        r->spacing.nn_sd_mm, r->spacing.nn_cv, r->spacing.too_close_fraction,
                        r->spacing.clark_evans_r, r->spacing.largest_gap_mm, r->depth.mean_mm, r->depth.sd_mm,
                        r->depth.in_band_fraction, r->depth.in_acceptable_fraction, r->depth.mae_mm,
                        r->pigment.delta_e00_mean, r->pigment.delta_e00_max, r->pigment.excellent_fraction,
                        r->pigment.acceptable_fraction, r->hairline.in_front_fraction,
                        r->hairline.front_band_density_ratio, r->hairline.softness, r->quality.diameter_mean_mm,
                        r->quality.diameter_cv, r->quality.dragged_fraction, r->total};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!isfinite(v[i]))
            return 0;
    for (int m = 0; m < METRIC_COUNT; m++)
        if (!isfinite(r->metric_score[m]))
            return 0;
    return 1;
}

static void test_zero(const lesson *l, const surface *s)
{
    score_result r;
    CHECK(score_session(l, s, NULL, 0, &r) == 0, "zero dots scores");
    CHECK(r.dot_count == 0 && !r.passed && r.total == 0.0, "zero: total %.1f", r.total);
    for (int m = 0; m < METRIC_COUNT; m++)
        CHECK(r.metric_score[m] == 0.0 && !r.metric_passed[m], "zero: %s", metric_name(m));
    CHECK(all_finite(&r), "zero: all finite");
    CHECK(r.spacing.zone_area_cm2 > 0.0, "zero: zone area still measured");
    char *js = report_json(l, NULL, &r, NULL);
    CHECK(js != NULL && strstr(js, "nan") == NULL, "zero: JSON");
    json_t *root = js ? json_loads(js, 0, NULL) : NULL;
    CHECK(root != NULL, "zero: JSON parses");
    json_decref(root);
    free(js);
    FILE *f = tmpfile();
    if (f) {
        CHECK(report_write_text(f, l, NULL, &r, NULL) == 0, "zero: text");
        fclose(f);
    }
    score_result_free(&r);
    score_result_free(&r);   /* idempotent */
    score_result_free(NULL);
}

/* Dots thinned from a uniform candidate field: keep probability p(behind the line). */
static size_t feather_dots(const lesson *l, rng_state *rng, int gradient, dot *dots, size_t cap)
{
    size_t n = 0;
    for (size_t c = 0; c < cap; c++) {
        double u = rng_range(rng, ZU0, ZU1), v = rng_range(rng, ZV0, HL_V);
        double behind = HL_V - v;
        double fr = l->hairline.front_density_fraction;
        double keep = gradient && behind < HL_FEATHER ? fr + (1.0 - fr) * behind / HL_FEATHER : 1.0;
        if (rng_uniform(rng) < keep)
            dots[n++] = make_dot(l, u, v, 0.3, l->target_shade, 100000);
    }
    return n;
}

static void test_hairline(const surface *s)
{
    lesson l;
    if (load(LESSON_HAIRLINE, &l) != 0) {
        CHECK(0, "hairline lesson loads");
        return;
    }
    CHECK(l.has_hairline, "lesson has a hairline");
    size_t cap = 4000;
    dot *dots = calloc(cap + 1, sizeof *dots);
    rng_state rng;
    double soft[2] = {0, 0};
    for (int gradient = 0; gradient < 2; gradient++) {
        rng_seed(7, &rng);
        size_t n = feather_dots(&l, &rng, gradient, dots, cap);
        score_result r;
        CHECK(score_session(&l, s, dots, n, &r) == 0, "score hairline");
        CHECK(r.hairline.applies && r.metric_applies[METRIC_HAIRLINE], "hairline applies");
        /* The ratio from direct band counts (the two bands have the same area). */
        size_t front = 0, back = 0;
        for (size_t i = 0; i < n; i++) {
            double behind = HL_V - dots[i].chart_mm[1];
            front += behind >= 0 && behind < HL_FEATHER / 4;
            back += behind >= 0.75 * HL_FEATHER && behind <= HL_FEATHER;
        }
        double ratio = (double)front / (double)back;
        CHECK_NEAR(r.hairline.front_band_density_ratio, ratio, 0.03 * ratio, "feather ratio");
        /* The design's own ratio: a linear ramp from f at the line to 1 at the feather's
         * end averages f + (1-f)/8 over the front quarter and f + 7(1-f)/8 over the back. */
        double f = l.hairline.front_density_fraction;
        double design = (f + (1.0 - f) / 8.0) / (f + 7.0 * (1.0 - f) / 8.0);
        CHECK_NEAR(r.hairline.target_density_ratio, design, 0.01 * design, "design ratio of the feather bands");
        double target = r.hairline.target_density_ratio;
        /* rules 2: a difference within two standard errors of counting is not held against */
        double diff = fabs(r.hairline.front_band_density_ratio - target);
        diff = fmax(0.0, diff - 2.0 * target * sqrt(1.0 / (double)front + 1.0 / (double)back));
        double want = 1.0 - diff / fmax(0.35, 1.0 - target);
        want = want < 0 ? 0 : want > 1 ? 1 : want;
        CHECK_NEAR(r.hairline.softness, want, 1e-12, "softness formula");
        CHECK(r.hairline.in_front_count == 0, "no dot in front");
        /* Expected density: the design's profile averaged over the zone, worked out by hand
         * for this rectangle: 0 in front of the line, the linear ramp over the feather, 1
         * further back. */
        double fr = l.hairline.front_density_fraction;
        double in_front = ZV1 - HL_V, feather = HL_FEATHER, full = HL_V - HL_FEATHER - ZV0;
        double mean_profile = (0.0 * in_front + 0.5 * (fr + 1.0) * feather + 1.0 * full) / (ZV1 - ZV0);
        /* Rules 2 judge the density behind the feather, against the target itself. */
        CHECK(r.spacing.density_behind_feather, "density judged behind the feather");
        CHECK_NEAR(r.spacing.expected_density_per_cm2, l.target_density_per_cm2, 1e-12,
                   "expected density behind the feather");
        CHECK_NEAR(r.spacing.density_area_cm2, (ZU1 - ZU0) * full / 100.0, 0.01 * (ZU1 - ZU0) * full / 100.0,
                   "area behind the feather");
        score_zone *z1 = score_zone_prepare(&l, s);
        score_result r1;
        CHECK(z1 && score_session_rules(z1, dots, n, 1, &r1) == 0, "score under rules 1");
        CHECK(!r1.spacing.density_behind_feather && r1.rules == 1, "rules 1 over the whole zone");
        CHECK_NEAR(r1.spacing.expected_density_per_cm2, l.target_density_per_cm2 * mean_profile,
                   0.01 * l.target_density_per_cm2 * mean_profile, "rules 1: expected density under the hairline");
        score_result_free(&r1);
        score_zone_free(z1);
        soft[gradient] = r.hairline.softness;
        score_result_free(&r);

        if (gradient) {
            /* A dot 3 mm in front of the line (tolerance 1 mm). */
            dots[n] = make_dot(&l, 50.0, HL_V + 3.0, 0.3, l.target_shade, 100000);
            CHECK(score_session(&l, s, dots, n + 1, &r) == 0, "score in front");
            CHECK(r.dot_flags[n] & SF_IN_FRONT, "in-front flag");
            CHECK(r.hairline.in_front_count == 1, "in front count");
            CHECK_NEAR(r.hairline.in_front_fraction, 1.0 / (double)(n + 1), 1e-12, "in front fraction");
            char buf[512];
            score_dot_reason(&r, &l, dots, n, buf, sizeof buf);
            CHECK(has(buf, "in front of the hairline: 3.00 mm"), "reason: %s", buf);
            double want_score = 100.0 * (1.0 - r.hairline.in_front_fraction / 0.05) * r.hairline.softness;
            CHECK_NEAR(r.metric_score[METRIC_HAIRLINE], want_score, 1e-9, "hairline score");
            score_result_free(&r);
        }
    }
    CHECK(soft[1] > soft[0] + 0.3, "gradient softness %.3f beats uniform %.3f", soft[1], soft[0]);
    CHECK(soft[1] > 0.6, "gradient softness %.3f", soft[1]);
    free(dots);
    lesson_free(&l);
}

static const char *LESSON_HEAD =
    "{\"format\":\"stipple-lesson/1\",\"id\":\"hd\",\"title\":\"hd\",\"version\":1,"
    "\"surface\":{\"kind\":\"head\"},"
    "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
    "\"zones\":[{\"name\":\"z\",\"regions\":[\"frontal\"]}],"
    "\"session\":{\"number\":1,\"density_per_cm2\":30},"
    "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},"
    "\"pigment\":{\"target_shade\":12,\"allowed_shades\":[10,14]},"
    "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},"
    "\"sources\":[\"test\"]}";

/* A head dot at chart (u, v), as the simulation would leave it. */
static int head_dot(const lesson *l, const surface *s, double u, double v, dot *d)
{
    surface_hit h;
    if (!surface_chart_point(s, u, v, &h))
        return 0;
    *d = make_dot(l, u, v, 0.3, l->target_shade, 100000);
    memcpy(d->pos_mm, h.pos_mm, sizeof d->pos_mm);
    memcpy(d->normal, h.normal, sizeof d->normal);
    d->region = (int)h.region;
    if (!region_is_scalp(h.region))
        d->flags |= DOT_OFF_SCALP;
    return 1;
}

/* Region-only zone on the head: area by region, and a dot on the forehead. */
static void test_head(void)
{
    lesson l;
    if (load(LESSON_HEAD, &l) != 0) {
        CHECK(0, "head lesson loads");
        return;
    }
    surface *s = surface_create(SURFACE_HEAD, 0, 0);
    CHECK(s != NULL, "head surface");
    if (!s) {
        lesson_free(&l);
        return;
    }
    /* Walk forwards from the vertex along u = 0: the first frontal and forehead points. */
    double v_front = -1, v_face = -1;
    for (double v = 0; v < 200 && v_face < 0; v += 0.5) {
        region_id r = surface_region_at_chart(s, 0, v);
        if (r == REGION_FRONTAL && v_front < 0)
            v_front = v + 5;
        if (r == REGION_FOREHEAD)
            v_face = v + 3;
    }
    CHECK(v_front > 0 && v_face > 0, "found frontal (%.1f) and forehead (%.1f)", v_front, v_face);
    dot d[3];
    size_t n = 0;
    n += (size_t)head_dot(&l, s, 0, v_front, &d[n]);
    n += (size_t)head_dot(&l, s, 1.0, v_front, &d[n]);
    n += (size_t)head_dot(&l, s, 0, v_face, &d[n]);
    CHECK(n == 3 && d[0].region == REGION_FRONTAL && d[2].region == REGION_FOREHEAD, "head dots");
    score_result r;
    CHECK(score_session(&l, s, d, n, &r) == 0, "score head");
    if (n == 3) {
        CHECK(r.dot_flags[2] & SF_OFF_SCALP, "forehead dot off scalp");
        CHECK(r.dot_flags[2] & SF_OUTSIDE_ZONE, "forehead dot outside the zone");
        CHECK(!(r.dot_flags[0] & (SF_OUTSIDE_ZONE | SF_OFF_SCALP)), "frontal dot in the zone");
        char buf[512];
        score_dot_reason(&r, &l, d, 2, buf, sizeof buf);
        CHECK(has(buf, "off the scalp") && has(buf, "forehead"), "reason: %s", buf);
        CHECK(r.spacing.dots_in_zone == 2 && r.spacing.dots_outside_zone == 1, "head zone counts");
        double dx = d[0].pos_mm[0] - d[1].pos_mm[0], dy = d[0].pos_mm[1] - d[1].pos_mm[1],
               dz = d[0].pos_mm[2] - d[1].pos_mm[2];
        CHECK_NEAR(r.spacing.nn_mean_mm, sqrt(dx * dx + dy * dy + dz * dz), 1e-4, "head NN in 3D");
    }
    /* The zone's area is all frontal; the forehead appears for its dot, with no area. */
    double frontal_area = -1, forehead_area = -1;
    for (size_t k = 0; k < r.region_count; k++) {
        if (r.regions[k].region == REGION_FRONTAL)
            frontal_area = r.regions[k].area_cm2;
        if (r.regions[k].region == REGION_FOREHEAD)
            forehead_area = r.regions[k].area_cm2;
    }
    CHECK(r.spacing.zone_area_cm2 > 1.0, "head zone area %.2f cm2", r.spacing.zone_area_cm2);
    CHECK_NEAR(frontal_area, r.spacing.zone_area_cm2, 1e-9, "zone area = frontal area");
    CHECK(forehead_area == 0.0, "forehead listed with no zone area");
    CHECK(all_finite(&r), "head: finite");
    score_result_free(&r);
    surface_free(s);
    lesson_free(&l);
}

/* A strip scar with its own, shallower band: the same depth is in band beside the scar and
 * out of band on it, and the reason quotes the scar's band. */
static void test_scar_band(const surface *s)
{
    static const char *json =
        "{\"format\":\"stipple-lesson/1\",\"id\":\"sc\",\"title\":\"sc\",\"version\":1,"
        "\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
        "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
        "\"zones\":[{\"name\":\"z\",\"polygon_mm\":[[10,10],[90,10],[90,60],[10,60]]}],"
        "\"scars\":[{\"kind\":\"strip\",\"path_mm\":[[10,35],[90,35]],\"width_mm\":2,"
        "\"depth_band_mm\":[0.12,0.30],\"depth_acceptable_mm\":[0.08,0.45]}],"
        "\"session\":{\"number\":1,\"density_per_cm2\":30,\"depth_band_mm\":[0.15,0.45],"
        "\"depth_acceptable_mm\":[0.1,0.6]},"
        "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},"
        "\"pigment\":{\"target_shade\":12,\"allowed_shades\":[10,14]},"
        "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},"
        "\"sources\":[\"test\"]}";
    lesson l;
    if (load(json, &l) != 0) {
        CHECK(0, "scar lesson loads");
        return;
    }
    const lesson_scar *sc = &l.scars[0];
    double depth = 0.5 * (sc->depth_band_mm[1] + l.depth_band_mm[1]);   /* in the session's band only */
    /* past the scar's acceptable depth, within the session's */
    double deep = 0.5 * (sc->depth_acceptable_mm[1] + l.depth_acceptable_mm[1]);
    dot d[4] = { make_dot(&l, 50.0, 35.0, depth, 12, 100000),              /* on the scar's middle line */
                 make_dot(&l, 50.0, 35.0 + 0.5 * sc->width_mm + 1.0, depth, 12, 100000),   /* 1 mm beside it */
                 make_dot(&l, 30.0, 35.0, 0.5 * (sc->depth_band_mm[0] + sc->depth_band_mm[1]), 12, 100000),
                 make_dot(&l, 70.0, 35.0, deep, 12, 100000) };
    score_result r;
    CHECK(score_session(&l, s, d, 4, &r) == 0, "scored");
    CHECK(r.dot_scar[0] == 0 && r.dot_scar[1] == -1 && r.dot_scar[2] == 0, "scar of each dot: %d %d %d", r.dot_scar[0],
          r.dot_scar[1], r.dot_scar[2]);
    CHECK(r.dot_flags[0] & SF_OUT_OF_BAND, "on the scar, %.3f mm is past its band", depth);
    CHECK(!(r.dot_flags[1] & SF_OUT_OF_BAND), "beside the scar, %.3f mm is in the session's band", depth);
    CHECK(!(r.dot_flags[2] & SF_OUT_OF_BAND), "the scar's own band is ideal on the scar");
    char reason[256], want[64];
    score_dot_reason(&r, &l, d, 0, reason, sizeof reason);
    snprintf(want, sizeof want, "band %.2f\u2013%.2f mm", sc->depth_band_mm[0], sc->depth_band_mm[1]);
    CHECK(strstr(reason, want) != NULL, "reason \"%s\" quotes the scar's band \"%s\"", reason, want);
    CHECK_NEAR(r.depth.in_band_fraction, 2.0 / 4.0, 1e-12, "in-band fraction counts each dot against its own band");
    CHECK(fabs(r.depth.in_acceptable_fraction - 3.0 / 4.0) < 1e-12,
          "%.3f mm on the scar is past its acceptable depth (%.2f), not the session's (%.2f): acceptable fraction %.3f",
          deep, sc->depth_acceptable_mm[1], l.depth_acceptable_mm[1], r.depth.in_acceptable_fraction);
    score_result_free(&r);
    lesson_free(&l);
}

int main(void)
{
    lesson l;
    if (load(LESSON_PRACTICE, &l) != 0) {
        CHECK(0, "practice lesson loads");
        return check_summary("test_score");
    }
    surface *s = surface_create(SURFACE_PRACTICE_SKIN, l.skin_width_mm, l.skin_height_mm);
    CHECK(s != NULL, "surface");
    if (s) {
        test_natural(&l, s);
        test_lattice(&l, s);
        test_rows_and_grids(&l, s);
        test_clumped(&l, s);
        test_half_density(&l, s);
        test_pentagon_area(s);
        test_faults(&l, s);
        test_zero(&l, s);
        test_hairline(s);
        test_head();
        test_scar_band(s);
    }
    CHECK(!strcmp(score_flag_name(SF_TOO_CLOSE), "too_close") && !strcmp(spacing_pattern_name(PATTERN_GRID), "grid"),
          "names");
    surface_free(s);
    lesson_free(&l);
    return check_summary("test_score");
}
