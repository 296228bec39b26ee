/* test_report_text.c: the words of a graded report (report_text.c), each rule with the case
 * that broke it before:
 * - spacing names the nearest-neighbour band of a natural pattern at the lesson's density
 *   (computed from the lesson's R range), never the lattice "target spacing" (1.95 mm at
 *   30/cm2 is a perfect grid), and no lesson's instructions quote a neighbour distance
 *   outside that band;
 * - a FAIL names every gate that failed, also when the total is over the pass mark;
 * - R, dE00 and CV are glossed where they appear;
 * - a metric that does not apply has "applies": false and no score, pass mark or passed;
 * - a depth outside its band never prints inside it (0.4504 against 0.15-0.45 read "0.45");
 * - a dot has one number, from 1, in the text and the JSON (the app and the PDF print
 *   report_dot_number too).
 * Sessions come from the virtual trainees through the engine, as a real pen's would. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "engine.h"
#include "report.h"
#include "report_text.h"
#include "rng.h"
#include "score.h"
#include "trainee.h"

#define LESSONS STIPPLE_SOURCE_DIR "/lessons/"
#define EN_DASH "\xE2\x80\x93"

static int has(const char *s, const char *sub) { return s && sub && strstr(s, sub) != NULL; }

static int feed(void *ctx, const session_event *ev) { return engine_feed(ctx, ev) < 0 ? -1 : 0; }

/* The dots a trainee makes on a lesson, through the engine; *n dots, malloc'd. */
static dot *trainee_dots(const lesson *l, const surface *s, int profile, uint64_t seed, size_t *n)
{
    session_header h;
    trainee_session_header(l, profile, seed, &h);
    engine *e = engine_create(l, s, &h.device, &h.calibration);
    int64_t end_us = 0;
    *n = 0;
    if (!e || trainee_run(l, s, profile, seed, &h.device, &h.calibration, feed, e, &end_us) != 0) {
        engine_free(e);
        return NULL;
    }
    engine_finish(e, end_us);
    size_t k;
    const dot *d = engine_dots(e, &k);
    dot *out = malloc((k ? k : 1) * sizeof *out);
    if (out && k)
        memcpy(out, d, k * sizeof *out);
    *n = out ? k : 0;
    engine_free(e);
    return out;
}

/* --- the natural band, and the lessons' instructions -------------------------------------- */

/* Every "X mm" or "X-Y mm" followed by "apart" or "from its nearest neighbour" in the
 * description: each must lie in the natural band (to the 0.05 mm the text rounds to). */
static void check_description(const lesson *l, const char *file)
{
    double band[2];
    report_natural_nn_band_mm(l, l->target_density_per_cm2, band);
    const char *d = l->description ? l->description : "";
    size_t quoted = 0;
    for (const char *p = d; *p; p++) {
        if (!(*p >= '0' && *p <= '9') || (p > d && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.')))
            continue;
        char *end;
        double a = strtod(p, &end), b = a;
        if (*end == '-' || !strncmp(end, EN_DASH, 3))
            b = strtod(end + (*end == '-' ? 1 : 3), &end);
        if (strncmp(end, " mm ", 4) != 0)
            continue;
        const char *after = end + 4;
        if (strncmp(after, "apart", 5) != 0 && strncmp(after, "from its nearest neighbour", 26) != 0
            && strncmp(after, "from the nearest", 16) != 0)
            continue;
        quoted++;
        CHECK(a >= band[0] - 0.05 && b <= band[1] + 0.05,
              "%s: the instructions ask for %.2f-%.2f mm between neighbours; a natural pattern at %.0f/cm2 has "
              "%.2f-%.2f mm (\"%.60s\")",
              file, a, b, l->target_density_per_cm2, band[0], band[1], p);
    }
    if (!strcmp(l->id, "spacing-drill"))
        CHECK(quoted > 0, "%s: the spacing drill's instructions say how far apart the dots go", file);
}

static void test_lessons(void)
{
    DIR *dir = opendir(LESSONS);
    CHECK(dir != NULL, "lessons folder %s", LESSONS);
    if (!dir)
        return;
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[1024], err[512];
        snprintf(path, sizeof path, "%s%s", LESSONS, e->d_name);
        lesson l;
        if (lesson_load_file(path, &l, err, sizeof err) != 0) {
            CHECK(0, "%s: %s", path, err);
            continue;
        }
        /* the band is R times the mean distance of random dots, 0.5 / sqrt(density) */
        double band[2], random_nn = 0.5 / sqrt(l.target_density_per_cm2 / 100.0);
        report_natural_nn_band_mm(&l, l.target_density_per_cm2, band);
        CHECK_NEAR(band[0], l.clark_evans_natural[0] * random_nn, 1e-12, "natural band low");
        CHECK_NEAR(band[1], l.clark_evans_natural[1] * random_nn, 1e-12, "natural band high");
        CHECK(band[1] < l.target_spacing_mm,
              "%s: a natural pattern's neighbours (%.2f-%.2f mm) are closer than the lattice's %.2f mm", path, band[0],
              band[1], l.target_spacing_mm);
        check_description(&l, e->d_name);
        lesson_free(&l);
        n++;
    }
    closedir(dir);
    CHECK(n >= 7, "%zu lessons read", n);
}

/* --- depths round away from their band ---------------------------------------------------- */

static void check_depth(double depth, double lo, double hi)
{
    char buf[32];
    report_format_depth(buf, sizeof buf, depth, lo, hi);
    double shown = strtod(buf, NULL);
    int outside = depth < lo || depth > hi;
    int shown_outside = shown < lo || shown > hi;
    CHECK(outside == shown_outside, "depth %.6f against %.2f-%.2f prints as %s", depth, lo, hi, buf);
    CHECK(fabs(shown - depth) < 0.006, "depth %.6f prints as %s", depth, buf);
}

static void test_depth_rounding(const lesson *l)
{
    const double bands[][2] = { { l->depth_band_mm[0], l->depth_band_mm[1] },
                                { l->depth_acceptable_mm[0], l->depth_acceptable_mm[1] },
                                { 0.12, 0.35 } };
    size_t n = 0;
    for (size_t b = 0; b < sizeof bands / sizeof bands[0]; b++)
        for (int edge = 0; edge < 2; edge++)
            for (int k = -1000; k <= 1000; k++, n++)
                check_depth(bands[b][edge] + (double)k * 1e-5, bands[b][0], bands[b][1]);
    rng_state rng;
    rng_seed(7, &rng);
    for (int k = 0; k < 20000; k++, n++)
        check_depth(rng_range(&rng, 0.0, 1.5), l->depth_band_mm[0], l->depth_band_mm[1]);
    /* the case that printed inside the band: 0.4504 mm, flagged deeper than 0.15-0.45 */
    char buf[32];
    report_format_depth(buf, sizeof buf, 0.4504, 0.15, 0.45);
    CHECK(strcmp(buf, "0.45") != 0, "0.4504 mm prints as %s", buf);

    /* the same through a flagged dot's reason */
    dot d;
    memset(&d, 0, sizeof d);
    d.depth_mm = l->depth_band_mm[1] + 0.0004;
    uint32_t flags = SF_OUT_OF_BAND;
    double nn = 1.5, de = 0.0;
    score_result r;
    memset(&r, 0, sizeof r);
    r.dot_count = 1;
    r.dot_flags = &flags;
    r.dot_nn_mm = &nn;
    r.dot_delta_e00 = &de;
    char reason[REPORT_TEXT_MAX];
    report_text_dot_reason(&r, l, &d, 0, reason, sizeof reason);
    const char *at = strstr(reason, "band: ");
    CHECK(at && strtod(at + 6, NULL) > l->depth_band_mm[1], "reason for a dot at %.4f mm: %s", d.depth_mm, reason);
    printf("depth rounding: %zu depths, none shown on the wrong side of its band\n", n);
}

/* --- a graded session's words ------------------------------------------------------------- */

static void check_metric_words(const lesson *l, const score_result *r, const char *who)
{
    char said[REPORT_TEXT_MAX], todo[REPORT_TEXT_MAX];
    for (int m = 0; m < METRIC_COUNT; m++) {
        report_text_metric(l, r, m, said, sizeof said, todo, sizeof todo);
        CHECK(said[0] != '\0', "%s: %s has a sentence", who, metric_name(m));
        if (!r->metric_applies[m]) {
            CHECK(has(said, "Not judged") && todo[0] == '\0', "%s: %s does not apply: '%s' / '%s'", who,
                  metric_name(m), said, todo);
            continue;
        }
        CHECK(todo[0] != '\0', "%s: %s says what to do next", who, metric_name(m));
        CHECK(strlen(said) < sizeof said - 1, "%s: %s sentence fits (%zu bytes)", who, metric_name(m), strlen(said));
    }

    /* spacing: the natural band, never the lattice's spacing as a target */
    double band[2];
    report_natural_nn_band_mm(l, r->spacing.expected_density_per_cm2, band);
    char want[64], lattice[32];
    snprintf(want, sizeof want, "%.2f" EN_DASH "%.2f mm", band[0], band[1]);
    snprintf(lattice, sizeof lattice, "%.2f mm", l->target_spacing_mm);
    report_text_metric(l, r, METRIC_SPACING, said, sizeof said, todo, sizeof todo);
    CHECK(has(said, want), "%s: spacing names the natural band %s: %s", who, want, said);
    CHECK(!has(said, "target spacing") && !has(said, lattice) && !has(todo, lattice),
          "%s: spacing quotes no lattice spacing (%s): %s / %s", who, lattice, said, todo);
    CHECK(has(said, "R ") && has(said, "randomly scattered"), "%s: R is glossed: %s", who, said);

    report_text_metric(l, r, METRIC_PIGMENT, said, sizeof said, todo, sizeof todo);
    CHECK(has(said, "\xCE\x94" "E00") && has(said, "how different two colours look"), "%s: dE00 is glossed: %s", who,
          said);
    report_text_metric(l, r, METRIC_QUALITY, said, sizeof said, todo, sizeof todo);
    CHECK(has(said, "CV") && has(said, "spread"), "%s: CV is glossed: %s", who, said);
    CHECK(has(report_text_glossary(), "Clark") && has(report_text_glossary(), "CIEDE2000")
              && has(report_text_glossary(), "CV:"),
          "the glossary explains R, dE00 and CV");
}

/* The verdict names exactly the gates that failed. */
static void check_verdict(const lesson *l, const score_result *r, const char *who)
{
    char v[REPORT_TEXT_MAX];
    report_text_verdict(l, r, v, sizeof v);
    CHECK(has(v, r->passed ? "PASS" : "FAIL"), "%s: verdict %s", who, v);
    for (int m = 0; m < METRIC_COUNT; m++) {
        char gate[64];
        snprintf(gate, sizeof gate, "%s failed", metric_name(m));
        int failed = r->metric_applies[m] && !r->metric_passed[m];
        CHECK(has(v, gate) == failed, "%s: verdict '%s' %s '%s'", who, v, failed ? "lacks" : "wrongly says", gate);
    }
    if (!r->passed && r->total >= l->pass_total)
        CHECK(has(v, "but"), "%s: over the pass mark yet failed says why: %s", who, v);
}

static void test_verdicts(const lesson *l, const score_result *base)
{
    check_verdict(l, base, "as scored");
    /* the old fault: "total 91.2: FAIL" without the gate. Every pattern of failed gates. */
    for (unsigned mask = 0; mask < (1u << METRIC_COUNT); mask++) {
        score_result r = *base;
        r.total = (mask & 1) ? 91.2 : 42.0;
        int all = 1;
        for (int m = 0; m < METRIC_COUNT; m++) {
            r.metric_passed[m] = !(mask & (1u << m));
            all &= !r.metric_applies[m] || r.metric_passed[m];
        }
        r.passed = all && r.total >= l->pass_total;
        char who[32];
        snprintf(who, sizeof who, "failed-gates mask %#x", mask);
        check_verdict(l, &r, who);
    }
}

/* JSON and text of one graded session: applies, verdict, rules, dot numbers. */
static void check_reports(const lesson *l, const dot *dots, const score_result *r, const char *who)
{
    char *js = report_json(l, dots, r, NULL);
    json_t *root = js ? json_loads(js, 0, NULL) : NULL;
    CHECK(root != NULL, "%s: JSON parses", who);
    if (root) {
        char v[REPORT_TEXT_MAX];
        report_text_verdict(l, r, v, sizeof v);
        const char *jv = json_string_value(json_object_get(root, "verdict"));
        CHECK(jv && !strcmp(jv, v), "%s: JSON verdict", who);
        CHECK(json_integer_value(json_object_get(root, "scoring_rules")) == r->rules, "%s: JSON scoring_rules", who);
        json_t *ms = json_object_get(root, "metrics");
        for (int m = 0; m < METRIC_COUNT; m++) {
            json_t *o = json_object_get(ms, metric_name(m));
            CHECK(json_is_boolean(json_object_get(o, "applies")), "%s: %s.applies", who, metric_name(m));
            int applies = json_is_true(json_object_get(o, "applies"));
            CHECK(applies == (r->metric_applies[m] != 0), "%s: %s.applies matches", who, metric_name(m));
            const char *keys[] = { "score", "passed", "pass_mark", "next" };
            for (size_t k = 0; k < 4; k++)
                CHECK((json_object_get(o, keys[k]) != NULL) == applies, "%s: %s %s %s", who, metric_name(m),
                      applies ? "lacks" : "does not apply but has", keys[k]);
            CHECK(json_is_string(json_object_get(o, "said")), "%s: %s.said", who, metric_name(m));
        }
        json_t *band = json_object_get(json_object_get(ms, "spacing"), "natural_nn_band_mm");
        double b[2];
        report_natural_nn_band_mm(l, r->spacing.expected_density_per_cm2, b);
        CHECK(json_array_size(band) == 2 && fabs(json_real_value(json_array_get(band, 0)) - b[0]) < 1e-8
                  && fabs(json_real_value(json_array_get(band, 1)) - b[1]) < 1e-8,
              "%s: spacing.natural_nn_band_mm", who);
        json_t *fl = json_object_get(root, "flagged_dots");
        size_t i;
        json_t *d;
        size_t numbered = 0;
        json_array_foreach(fl, i, d) {
            size_t idx = (size_t)json_integer_value(json_object_get(d, "index"));
            CHECK((size_t)json_integer_value(json_object_get(d, "number")) == idx + 1, "%s: dot index %zu is number %zu",
                  who, idx, idx + 1);
            numbered++;
        }
        CHECK(numbered == json_array_size(fl), "%s: flagged dots numbered", who);
        json_decref(root);
    }
    free(js);

    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    CHECK(f && report_write_text(f, l, dots, r, NULL) == 0, "%s: text report", who);
    if (f)
        fclose(f);
    char v[REPORT_TEXT_MAX], first[64];
    report_text_verdict(l, r, v, sizeof v);
    /* the text wraps: compare the verdict's first words */
    snprintf(first, sizeof first, "%.40s", v);
    CHECK(has(txt, first), "%s: the text prints the verdict '%s'", who, first);
    CHECK(has(txt, "scoring rules"), "%s: the text names its scoring rules", who);
    CHECK(has(txt, "CIEDE2000"), "%s: the text carries the glossary", who);
    size_t firstflag = 0;
    while (firstflag < r->dot_count && !r->dot_flags[firstflag])
        firstflag++;
    if (firstflag < r->dot_count) {
        char want[32];
        snprintf(want, sizeof want, "dot #%zu: ", firstflag + 1);
        CHECK(has(txt, want), "%s: the first flagged dot (index %zu) is listed as %s", who, firstflag, want);
    }
    CHECK(!has(txt, "dot #0:"), "%s: no dot numbered 0", who);
    free(txt);
}

int main(void)
{
    CHECK(report_dot_number(0) == 1 && report_dot_number(443) == 444, "dots numbered from 1");
    test_lessons();

    char err[512];
    lesson l;
    if (lesson_load_file(LESSONS "01-spacing-drill.json", &l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    surface *s = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    test_depth_rounding(&l);

    const int profiles[] = { TRAINEE_EXPERT, TRAINEE_DEEP, TRAINEE_GRID, TRAINEE_WRONG_SHADE };
    for (size_t k = 0; k < sizeof profiles / sizeof profiles[0]; k++) {
        size_t n = 0;
        dot *dots = trainee_dots(&l, s, profiles[k], 2, &n);
        CHECK(dots && n > 100, "%s made %zu dots", trainee_profile_name(profiles[k]), n);
        score_result r;
        if (!dots || score_session(&l, s, dots, n, &r) != 0) {
            CHECK(0, "scored %s", trainee_profile_name(profiles[k]));
            free(dots);
            continue;
        }
        const char *who = trainee_profile_name(profiles[k]);
        check_metric_words(&l, &r, who);
        check_verdict(&l, &r, who);
        check_reports(&l, dots, &r, who);
        if (profiles[k] == TRAINEE_DEEP)
            test_verdicts(&l, &r);
        score_result_free(&r);
        free(dots);
    }
    surface_free(s);
    lesson_free(&l);
    return check_summary("test_report_text");
}
