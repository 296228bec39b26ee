/* test_rules_version.c: a session recorded before the scoring rules were versioned grades
 * under rules 1 exactly as it did then. The reference figures in tests/data/rules-v1/ were
 * written by `stipple grade --json` at the last commit before versioning (see the README
 * there), not typed: every number of every metric must come back (to the 10 significant
 * digits the JSON holds). Also: the latest rules are the default, and differ from rules 1
 * on the sessions whose fault rules 2 judges differently (the deep trainee's pigment). The
 * lesson is lesson 02 as it was then (its shade has since followed the shade rule).
 *
 * Likewise for rules 2 (tests/data/rules-v2/): sessions on a soft hairline, recorded and
 * graded at the last commit before rules 3 judged the hairline by its style, grade under
 * rules 2 exactly as they did then; the latest rules judge the hairline by its style. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine.h"
#include "score.h"

#define DIR STIPPLE_SOURCE_DIR "/tests/data/rules-v1/"

static int near10(double got, double want)
{
    return fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want));
}

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* Every number and boolean of a metric's JSON object against the result. */
static void check_metric(const char *who, json_t *jm, const char *name, const score_result *r, int m)
{
    json_t *o = json_object_get(jm, name);
    CHECK(o != NULL, "%s: reference has %s", who, name);
    if (!o)
        return;
    CHECK(near10(r->metric_score[m], num(o, "score")), "%s: %s score %.10g, then %.10g", who, name,
          r->metric_score[m], num(o, "score"));
    CHECK(r->metric_passed[m] == json_is_true(json_object_get(o, "passed")), "%s: %s passed", who, name);
    CHECK(r->metric_applies[m] == json_is_true(json_object_get(o, "applies")), "%s: %s applies", who, name);
}

static void check_figure(const char *who, json_t *jm, const char *metric, const char *key, double got)
{
    json_t *o = json_object_get(jm, metric);
    double want = num(o, key);
    CHECK(near10(got, want), "%s: %s.%s %.10g, then %.10g", who, metric, key, got, want);
}

/* A reference report and its session, replayed on the lesson, with the zone to score. */
typedef struct reference {
    json_t      *ref;
    session_data d;
    engine      *e;
    const dot   *dots;
    size_t       n;
    score_zone  *z;
} reference;

/* Loads folder/<who><suffix> (the report) and folder/<who>.stp; 0 when both load. */
static int reference_open(const lesson *l, const surface *s, const char *folder, const char *who, const char *suffix,
                          reference *out)
{
    char path[1024], err[512] = "";
    memset(out, 0, sizeof *out);
    snprintf(path, sizeof path, "%s%s%s", folder, who, suffix);
    json_error_t je;
    out->ref = json_load_file(path, 0, &je);
    CHECK(out->ref != NULL, "%s: %s", path, je.text);
    snprintf(path, sizeof path, "%s%s.stp", folder, who);
    if (!out->ref || session_load_file(path, &out->d, err, sizeof err) != 0) {
        CHECK(0, "%s: %s", path, err);
        json_decref(out->ref);
        return -1;
    }
    out->e = engine_replay(l, s, &out->d);
    CHECK(out->e != NULL, "%s: replays", who);
    out->dots = out->e ? engine_dots(out->e, &out->n) : NULL;
    out->z = score_zone_prepare(l, s);
    return 0;
}

static void reference_close(reference *r)
{
    score_zone_free(r->z);
    engine_free(r->e);
    session_data_free(&r->d);
    json_decref(r->ref);
}

static size_t flagged_dots(const score_result *r, size_t n)
{
    size_t flagged = 0;
    for (size_t i = 0; i < n; i++)
        flagged += r->dot_flags[i] != 0;
    return flagged;
}

static void check_session(const lesson *l, const surface *s, const char *who)
{
    reference rf;
    if (reference_open(l, s, DIR, who, ".report-v1.json", &rf) != 0)
        return;
    json_t *ref = rf.ref;
    const dot *dots = rf.dots;
    size_t n = rf.n;
    score_zone *z = rf.z;
    score_result r1, r2, latest;
    CHECK(z && score_session_rules(z, dots, n, 1, &r1) == 0, "%s: scores under rules 1", who);
    CHECK(score_session_rules(z, dots, n, 99, &r2) == -1, "%s: unknown rules refused", who);
    CHECK(score_session_zone(z, dots, n, &latest) == 0 && latest.rules == SCORE_RULES_LATEST,
          "%s: the latest rules by default", who);

    CHECK(r1.rules == 1, "%s: graded under rules 1", who);
    CHECK(near10(r1.total, num(ref, "total")), "%s: total %.10g, then %.10g", who, r1.total, num(ref, "total"));
    CHECK(r1.passed == json_is_true(json_object_get(ref, "passed")), "%s: passed as then", who);
    json_t *jm = json_object_get(ref, "metrics");
    for (int m = 0; m < METRIC_COUNT; m++)
        check_metric(who, jm, metric_name(m), &r1, m);
    check_figure(who, jm, "spacing", "density_per_cm2", r1.spacing.density_per_cm2);
    check_figure(who, jm, "spacing", "expected_density_per_cm2", r1.spacing.expected_density_per_cm2);
    check_figure(who, jm, "spacing", "clark_evans_r", r1.spacing.clark_evans_r);
    check_figure(who, jm, "spacing", "nn_mean_mm", r1.spacing.nn_mean_mm);
    check_figure(who, jm, "spacing", "largest_gap_mm", r1.spacing.largest_gap_mm);
    check_figure(who, jm, "depth", "in_band_fraction", r1.depth.in_band_fraction);
    check_figure(who, jm, "depth", "mean_mm", r1.depth.mean_mm);
    check_figure(who, jm, "pigment", "delta_e00_mean", r1.pigment.delta_e00_mean);
    check_figure(who, jm, "pigment", "delta_e00_max", r1.pigment.delta_e00_max);
    check_figure(who, jm, "pigment", "excellent_fraction", r1.pigment.excellent_fraction);
    check_figure(who, jm, "pigment", "acceptable_fraction", r1.pigment.acceptable_fraction);
    json_t *tl = json_object_get(json_object_get(jm, "pigment"), "target_lab");
    CHECK(near10(r1.pigment.target_lab.L, json_number_value(json_array_get(tl, 0)))
              && near10(r1.pigment.target_lab.a, json_number_value(json_array_get(tl, 1)))
              && near10(r1.pigment.target_lab.b, json_number_value(json_array_get(tl, 2))),
          "%s: rules 1 target colour as then", who);
    check_figure(who, jm, "quality", "diameter_mean_mm", r1.quality.diameter_mean_mm);
    size_t flagged = flagged_dots(&r1, n);
    CHECK(flagged == (size_t)json_integer_value(json_object_get(ref, "flagged_dot_count")), "%s: %zu dots flagged",
          who, flagged);

    /* The deep trainee failed pigment under rules 1 (its blown-out dots judged as colour);
     * rules 2 leaves them to depth and judges the shade alone. */
    if (strcmp(who, "deep") == 0) {
        size_t wrong_colour = 0;
        for (size_t i = 0; i < n; i++)
            wrong_colour += (latest.dot_flags[i] & SF_WRONG_COLOUR) != 0;
        CHECK(!r1.metric_passed[METRIC_PIGMENT] && latest.pigment.shade_only && wrong_colour == 0
                  && latest.metric_score[METRIC_PIGMENT] > r1.metric_score[METRIC_PIGMENT]
                  && !latest.metric_passed[METRIC_DEPTH],
              "deep: pigment %.1f under rules 1, %.1f on the shade alone under rules 2 (%zu dots flagged for colour)",
              r1.metric_score[METRIC_PIGMENT], latest.metric_score[METRIC_PIGMENT], wrong_colour);
    }
    printf("%-12s rules 1 total %.3f (then %.3f)  rules %d total %.3f\n", who, r1.total, num(ref, "total"),
           latest.rules, latest.total);

    score_result_free(&r1);
    score_result_free(&latest);
    reference_close(&rf);
}

/* A rules-2 reference session: every figure the cut report kept, under rules 2. */
static void check_rules2(const lesson *l, const surface *s, const char *who)
{
    reference rf;
    if (reference_open(l, s, STIPPLE_SOURCE_DIR "/tests/data/rules-v2/", who, ".report-v2.json", &rf) != 0)
        return;
    json_t *ref = rf.ref;
    const dot *dots = rf.dots;
    size_t n = rf.n;
    score_zone *z = rf.z;
    score_result r2, latest;
    CHECK(z && score_session_rules(z, dots, n, 2, &r2) == 0 && score_session_zone(z, dots, n, &latest) == 0,
          "%s: scores under rules 2 and the latest", who);
    CHECK(num(ref, "scoring_rules") == 2.0 && r2.rules == 2, "%s: the reference is rules 2's", who);
    CHECK(near10(r2.total, num(ref, "total")), "%s: rules 2 total %.10g, then %.10g", who, r2.total, num(ref, "total"));
    CHECK(r2.passed == json_is_true(json_object_get(ref, "passed")), "%s: passed as then", who);
    json_t *jm = json_object_get(ref, "metrics");
    for (int m = 0; m < METRIC_COUNT; m++)
        check_metric(who, jm, metric_name(m), &r2, m);
    check_figure(who, jm, "hairline", "softness", r2.hairline.softness);
    check_figure(who, jm, "hairline", "front_band_density_ratio", r2.hairline.front_band_density_ratio);
    check_figure(who, jm, "hairline", "target_density_ratio", r2.hairline.target_density_ratio);
    check_figure(who, jm, "hairline", "in_front_fraction", r2.hairline.in_front_fraction);
    check_figure(who, jm, "spacing", "density_per_cm2", r2.spacing.density_per_cm2);
    check_figure(who, jm, "spacing", "clark_evans_r", r2.spacing.clark_evans_r);
    check_figure(who, jm, "spacing", "order", r2.spacing.order);
    check_figure(who, jm, "pigment", "delta_e00_mean", r2.pigment.delta_e00_mean);
    size_t flagged = flagged_dots(&r2, n);
    CHECK(flagged == (size_t)json_integer_value(json_object_get(ref, "flagged_dot_count")), "%s: %zu dots flagged",
          who, flagged);
    CHECK(!r2.hairline.by_style && latest.hairline.by_style && latest.rules >= 3,
          "%s: rules 2 judge the hairline's front/back ratio, the latest its style", who);
    printf("%-14s rules 2 total %.3f (then %.3f), hairline %.1f; rules %d total %.3f, hairline %.1f\n", who, r2.total,
           num(ref, "total"), r2.metric_score[METRIC_HAIRLINE], latest.rules, latest.total,
           latest.metric_score[METRIC_HAIRLINE]);
    score_result_free(&r2);
    score_result_free(&latest);
    reference_close(&rf);
}

int main(void)
{
    lesson l;
    char err[512];
    if (lesson_load_file(DIR "depth-control-v1.json", &l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    surface *s = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    check_session(&l, s, "expert");
    check_session(&l, s, "deep");
    check_session(&l, s, "wrong-shade");
    surface_free(s);
    lesson_free(&l);

    lesson l2;
    if (lesson_load_file(STIPPLE_SOURCE_DIR "/tests/data/rules-v2/soft-hairline-v2.json", &l2, err, sizeof err) != 0) {
        CHECK(0, "%s", err);
        return check_summary("test_rules_version");
    }
    s = surface_create(l2.surface, l2.skin_width_mm, l2.skin_height_mm);
    check_rules2(&l2, s, "expert");
    check_rules2(&l2, s, "hard-hairline");
    surface_free(s);
    lesson_free(&l2);
    return check_summary("test_rules_version");
}
