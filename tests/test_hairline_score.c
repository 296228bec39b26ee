/* test_hairline_score.c: the hairline judged by its style (scoring rules 3, issue 8 §5),
 * calibrated on generated dot sets over lesson 04's design line, as a soft lesson and as
 * the same line asked as an edge-up (defined) one:
 *   - a feathered hairline passes soft and fails defined (its edge wanders: "ragged");
 *   - a hard edge (dots set one after another along the line, full density behind) passes
 *     defined and fails soft (no feather: "flat", or a ruler-straight edge);
 *   - dots in front of the line, an edge 3 mm behind it and an untreated temple each fail
 *     with their own fault and a "Next:" that says what to do.
 * Every expectation about a set (how many dots lie in front, how far the edge was moved,
 * which temple was left) is computed from the set itself. Rules 2 still grade the old way. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report_text.h"
#include "rng.h"
#include "score.h"

typedef struct set { dot *d; size_t n, cap; } set;

static void push(set *s, const surface *sf, double u, double v)
{
    surface_hit hit;
    if (!surface_chart_point(sf, u, v, &hit))
        return;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->d = realloc(s->d, s->cap * sizeof *s->d);
    }
    dot *d = &s->d[s->n++];
    memset(d, 0, sizeof *d);
    memcpy(d->pos_mm, hit.pos_mm, sizeof d->pos_mm);
    d->chart_mm[0] = u;
    d->chart_mm[1] = v;
    d->region = (int)hit.region;
    d->depth_mm = 0.3;
    d->diameter_fresh_mm = 0.3;
}

/* Buckets of 1 mm over the test's box (u -50..50, v 55..100): each holds dot indices. */
#define GU 100
#define GV 45
typedef struct buckets { size_t *head, *next; size_t cap; } buckets;

static int near_any(const set *s, const buckets *b, double u, double v, double r)
{
    int cu = (int)floor(u + 50.0), cv = (int)floor(v - 55.0), k = (int)ceil(r);
    for (int y = cv - k; y <= cv + k; y++)
        for (int x = cu - k; x <= cu + k; x++) {
            if (x < 0 || y < 0 || x >= GU || y >= GV)
                continue;
            for (size_t i = b->head[y * GU + x]; i; i = b->next[i - 1])
                if (hypot(s->d[i - 1].chart_mm[0] - u, s->d[i - 1].chart_mm[1] - v) < r)
                    return 1;
        }
    return 0;
}

static void bucket_add(const set *s, buckets *b)
{
    size_t i = s->n - 1;
    if (s->n > b->cap) {
        b->cap = 2 * s->n;
        b->next = realloc(b->next, b->cap * sizeof *b->next);
    }
    int cu = (int)floor(s->d[i].chart_mm[0] + 50.0), cv = (int)floor(s->d[i].chart_mm[1] - 55.0);
    cu = cu < 0 ? 0 : cu >= GU ? GU - 1 : cu;
    cv = cv < 0 ? 0 : cv >= GV ? GV - 1 : cv;
    b->next[i] = b->head[cv * GU + cu];
    b->head[cv * GU + cu] = i + 1;
}

/* Dart throwing over the zone behind the line (shifted back by shift_mm), the density
 * following the lesson's feather when feathered, else full everywhere behind. */
static void throw_darts(const lesson *l, const surface *sf, set *s, int feathered, double shift_mm, uint64_t seed)
{
    rng_state r;
    rng_seed(seed, &r);
    buckets b = { calloc(GU * GV, sizeof(size_t)), NULL, 0 };
    for (size_t i = 0; i < s->n; i++) {   /* dots already there (a hard edge's row) */
        size_t n = s->n;
        s->n = i + 1;
        bucket_add(s, &b);
        s->n = n;
    }
    double rho = l->target_density_per_cm2 / 100.0, f = l->hairline.front_density_fraction, F = l->hairline.feather_mm;
    /* as many dots as the design asks (a hand stops there; throwing on would pack the
     * front into a row): the box's area times the share of throws the design keeps */
    const int throws = 400000;
    size_t want = 0, kept = 0, start = s->n;
    for (int pass = 0; pass < 2; pass++) {
    if (pass == 1)
        want = (size_t)(rho * 90.0 * 36.0 * (double)kept / throws);
    for (int tries = 0; tries < throws && (pass == 0 || s->n - start < want); tries++) {
        double u = rng_range(&r, -45.0, 45.0), v = rng_range(&r, 60.0, 96.0);
        double behind = -lesson_hairline_offset_mm(l, u, v) - shift_mm;
        region_id reg = surface_region_at_chart(sf, u, v);
        if (behind < 0.0 || reg == REGION_NONE || !lesson_zone_contains(l, u, v, reg))
            continue;
        double p = feathered && behind < F ? f + (1.0 - f) * behind / F : 1.0;
        if (rng_uniform(&r) >= p)
            continue;
        if (pass == 0) {
            kept++;
            continue;
        }
        size_t had = s->n;
        if (!near_any(s, &b, u, v, 0.7 / sqrt(rho * p)))
            push(s, sf, u, v);
        if (s->n > had)
            bucket_add(s, &b);
    }
    }
    free(b.head);
    free(b.next);
}

/* Dots set one after another along the line (jitter 0.05 mm) at the full spacing, just
 * behind it, then full density behind. */
static void hard_edge(const lesson *l, const surface *sf, set *s, uint64_t seed)
{
    rng_state r;
    rng_seed(seed, &r);
    double sp = 1.0 / sqrt(l->target_density_per_cm2 / 100.0);
    for (double u = -45.0 + 0.5 * sp; u < 45.0; u += sp) {
        double v = 0.0;   /* the line's v at u: offset is v - v_line */
        v = -lesson_hairline_offset_mm(l, u, 0.0);
        push(s, sf, u + 0.05 * rng_normal(&r), v - 0.2 + 0.05 * rng_normal(&r));
    }
    throw_darts(l, sf, s, 0, 0.0, seed + 1);
}

static void grade(const lesson *l, const surface *sf, const set *s, score_result *r)
{
    score_zone *z = score_zone_prepare(l, sf);
    CHECK(z && score_session_rules(z, s->d, s->n, 3, r) == 0, "scored under rules 3");
    score_zone_free(z);
}

static void next_line(const lesson *l, const score_result *r, char *todo, size_t n)
{
    char said[REPORT_TEXT_MAX];
    report_text_metric(l, r, METRIC_HAIRLINE, said, sizeof said, todo, n);
}

/* What a set scores on one lesson, with its fault; and that the reason names it. */
static void expect(const char *what, const lesson *l, const surface *sf, const set *s, int pass, int fault,
                   const char *next_has, score_result *keep)
{
    score_result r;
    grade(l, sf, s, &r);
    const hairline_judged *h = &r.hairline.style;
    char todo[REPORT_TEXT_MAX];
    next_line(l, &r, todo, sizeof todo);
    printf("%-34s %-8s hairline %5.1f  edge %+.2f mm  wander %.2f sp  gradient %.2f  temples %.2f %.2f  "
           "fault %s\n       Next: %s\n",
           what, hairline_style_name(l->hairline.style), r.metric_score[METRIC_HAIRLINE], h->edge_offset_mm,
           h->edge_wander_spacings, h->gradient, h->temple_share[0], h->temple_share[1], hairline_fault_name(h->fault),
           todo);
    CHECK(r.hairline.by_style, "%s: judged by style under rules 3", what);
    CHECK(r.metric_passed[METRIC_HAIRLINE] == pass, "%s on %s: hairline %s (%.1f)", what,
          hairline_style_name(l->hairline.style), pass ? "passes" : "fails", r.metric_score[METRIC_HAIRLINE]);
    CHECK(h->fault == fault, "%s on %s: fault %s, expected %s", what, hairline_style_name(l->hairline.style),
          hairline_fault_name(h->fault), hairline_fault_name(fault));
    CHECK(strstr(todo, next_has) != NULL, "%s: the advice says \"%s\" (%s)", what, next_has, todo);
    if (keep)
        *keep = r;
    else
        score_result_free(&r);
}

int main(void)
{
    lesson soft, defined;
    char err[512];
    const char *path = STIPPLE_SOURCE_DIR "/lessons/04-soft-hairline.json";
    if (lesson_load_file(path, &soft, err, sizeof err) != 0 || lesson_load_file(path, &defined, err, sizeof err) != 0) {
        fprintf(stderr, "skip: %s\n", err);
        return 77;
    }
    /* the same line asked as a defined edge: full density right to the line */
    defined.hairline.style = HAIRLINE_EDGE_UP;
    defined.hairline.front_density_fraction = 1.0;
    defined.hairline.feather_mm = 3.0;
    surface *sf = surface_create(SURFACE_HEAD, 0, 0);
    CHECK(sf != NULL, "head surface");

    set feather = { 0 }, hard = { 0 }, front = { 0 }, back = { 0 }, temple = { 0 };
    throw_darts(&soft, sf, &feather, 1, 0.0, 11);
    hard_edge(&soft, sf, &hard, 12);

    /* feathered vs hard, on each style */
    score_result fr;
    expect("feathered", &soft, sf, &feather, 1, HAIRLINE_OK, "Keep this feather", &fr);
    expect("feathered", &defined, sf, &feather, 0, HAIRLINE_RAGGED, "right on the design line", NULL);
    expect("hard edge", &defined, sf, &hard, 1, HAIRLINE_OK, "Keep this edge", NULL);
    score_result hr;
    grade(&soft, sf, &hard, &hr);
    CHECK(!hr.metric_passed[METRIC_HAIRLINE]
              && (hr.hairline.style.fault == HAIRLINE_FLAT || hr.hairline.style.fault == HAIRLINE_STRAIGHT),
          "hard edge on soft: fails as flat or ruler-straight (%s, %.1f)", hairline_fault_name(hr.hairline.style.fault),
          hr.metric_score[METRIC_HAIRLINE]);
    CHECK(hr.hairline.style.edge_wander_spacings < HAIRLINE_IRREGULAR_ZERO
              && fr.hairline.style.edge_wander_spacings >= HAIRLINE_IRREGULAR_FULL,
          "the hard edge reads ruler-straight (%.3f spacings), the feathered one irregular (%.3f)",
          hr.hairline.style.edge_wander_spacings, fr.hairline.style.edge_wander_spacings);
    CHECK(fr.hairline.style.gradient >= HAIRLINE_GRADIENT_FULL && hr.hairline.style.gradient < 0.2,
          "the feather rises (%.2f of the design's slope), the hard edge's density is flat (%.2f)",
          fr.hairline.style.gradient, hr.hairline.style.gradient);
    score_result_free(&hr);

    /* dots in front: the feathered set with a tenth more placed 1-3 mm in front */
    rng_state r;
    rng_seed(13, &r);
    front = feather;
    front.d = malloc(feather.cap * 2 * sizeof *front.d);
    front.cap = feather.cap * 2;
    memcpy(front.d, feather.d, feather.n * sizeof *front.d);
    size_t extra = feather.n / 10;
    for (size_t k = 0; k < extra; k++) {
        double u = rng_range(&r, -44.0, 44.0);
        push(&front, sf, u, -lesson_hairline_offset_mm(&soft, u, 0.0) + rng_range(&r, 1.0, 3.0));
    }
    size_t in_front = 0;
    for (size_t i = 0; i < front.n; i++)
        in_front += lesson_hairline_offset_mm(&soft, front.d[i].chart_mm[0], front.d[i].chart_mm[1])
                    > soft.hairline.tolerance_mm;
    score_result ir;
    expect("dots in front", &soft, sf, &front, 0, HAIRLINE_IN_FRONT, "Stay behind the design line", &ir);
    CHECK(ir.hairline.in_front_count == in_front, "in front: %zu counted, %zu placed", ir.hairline.in_front_count,
          in_front);
    score_result_free(&ir);

    /* the edge 3 mm behind the line: the feathered design moved back */
    throw_darts(&soft, sf, &back, 1, 3.0, 11);
    double nearest = INFINITY;
    for (size_t i = 0; i < back.n; i++)
        nearest = fmin(nearest, -lesson_hairline_offset_mm(&soft, back.d[i].chart_mm[0], back.d[i].chart_mm[1]));
    score_result br;
    expect("edge 3 mm behind", &soft, sf, &back, 0, HAIRLINE_EDGE_BEHIND, "Bring the front edge forward", &br);
    CHECK(br.hairline.style.edge_offset_mm >= nearest
              && br.hairline.style.edge_offset_mm - fr.hairline.style.edge_offset_mm > 0.8 * nearest,
          "edge measured %.2f mm behind; no dot nearer than %.2f mm; the feathered set's %.2f", br.hairline.style.edge_offset_mm,
          nearest, fr.hairline.style.edge_offset_mm);
    score_result_free(&br);

    /* an untreated temple: the feathered set without the client's right end (-u) */
    double u0 = soft.hairline.line[0].u_mm, u1 = soft.hairline.line[soft.hairline.line_count - 1].u_mm;
    temple.d = malloc(feather.n * sizeof *temple.d);
    size_t dropped = 0;
    for (size_t i = 0; i < feather.n; i++) {
        if (feather.d[i].chart_mm[0] < u0 + 0.2 * (u1 - u0)) {
            dropped++;
            continue;
        }
        temple.d[temple.n++] = feather.d[i];
    }
    score_result tr;
    expect("right temple untreated", &soft, sf, &temple, 0, HAIRLINE_TEMPLE, "right temple", &tr);
    CHECK(dropped > 0 && tr.hairline.style.temple_dots[0] == 0 && tr.hairline.style.temple_share[1] >= HAIRLINE_TEMPLE_FULL,
          "the right temple holds none of its %zu dots, the left keeps its share (%.2f)", dropped,
          tr.hairline.style.temple_share[1]);
    score_result_free(&tr);

    /* rules 2 grade the old way: the front/back ratio, no style */
    score_zone *z = score_zone_prepare(&soft, sf);
    score_result r2;
    CHECK(z && score_session_rules(z, feather.d, feather.n, 2, &r2) == 0 && !r2.hairline.by_style
              && r2.metric_score[METRIC_HAIRLINE]
                     == 100.0 * fmax(0.0, fmin(1.0, 1.0 - r2.hairline.in_front_fraction / 0.05)) * r2.hairline.softness,
          "rules 2: the hairline is the front/back ratio's, not the style's");
    score_result_free(&r2);
    score_zone_free(z);

    score_result_free(&fr);
    free(feather.d);
    free(hard.d);
    free(front.d);
    free(back.d);
    free(temple.d);
    surface_free(sf);
    lesson_free(&soft);
    lesson_free(&defined);
    return check_summary("test_hairline_score");
}
