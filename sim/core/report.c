/* report.c: the graded report, as text for people and as versioned JSON (jansson).
 *
 * Reads a score_result; never changes it. Keys are written in a fixed order and every
 * number is finite (score.c guarantees it; jreal() guards it again, mapping a non-finite
 * value to 0), so the same result gives the same bytes. */
#include "report.h"
#include "session.h"
#include "text_escape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "pattern_order.h"
#include "report_text.h"

/* How many flagged dots the text report lists before counting the rest. */
#define REPORT_TEXT_FLAGGED_MAX 20

static const char *yes_no(int b) { return b ? "PASS" : "FAIL"; }

static const char *str_or(const char *s, const char *dflt) { return s ? s : dflt; }

void report_utc_text(int64_t start_utc_us, char *out, size_t n)
{
    if (n == 0)
        return;
    out[0] = '\0';
    if (start_utc_us == 0)
        return;
    time_t t = (time_t)(start_utc_us / 1000000);
    struct tm tmv;
    if (!gmtime_r(&t, &tmv) || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tmv) == 0)
        out[0] = '\0';
}

static void hash_hex(const uint8_t h[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[64] = '\0';
}

/* --- text -------------------------------------------------------------------------- */

/* Writes s wrapped at about 96 columns, each line indented by indent spaces. */
static void wrapped(FILE *f, int indent, const char *s)
{
    const int width = 96;
    while (*s) {
        int len = (int)strlen(s);
        int cut = len;
        if (len > width - indent) {
            cut = width - indent;
            while (cut > 0 && s[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = width - indent;
        }
        fprintf(f, "%*s%.*s\n", indent, "", cut, s);
        s += cut;
        while (*s == ' ')
            s++;
    }
}

int report_write_text(FILE *f, const lesson *l, const dot *dots, const score_result *r, const report_meta *m)
{
    if (!f || !l || !r)
        return -1;
    char said[REPORT_TEXT_MAX], todo[REPORT_TEXT_MAX], line[REPORT_TEXT_MAX + 16];

    fprintf(f, "Stipple report\n");
    fprintf(f, "Lesson:   ");
    text_escape_fputs(f, l->title);
    fprintf(f, " (");
    text_escape_fputs(f, l->id);
    fprintf(f, ", version %d)\n", l->version);
    if (m) {
        fprintf(f, "Session:  ");
        text_escape_fputs(f, str_or(m->session_path, "(live)"));
        fprintf(f, ", source ");
        text_escape_fputs(f, str_or(m->source, "?"));
        fprintf(f, ", %.1f s, %zu pen samples, %zu dots%s\n", (double)m->duration_us / 1e6,
                m->pen_samples, r->dot_count, m->complete ? "" : ", incomplete");
        const session_header *h = m->header;
        if (h && h->format_version >= 2) {
            char when[32];
            report_utc_text(h->start_utc_us, when, sizeof when);
            fprintf(f, "Trainee:  ");
            text_escape_fputs(f, h->trainee_id[0] ? h->trainee_id : "(not recorded)");
            fprintf(f, "; %s; input %s%s; %s%s; station ", h->exam_mode ? "exam" : "practice",
                    session_origin_name(h->origin), h->synthetic ? " (synthetic)" : "",
                    when[0] ? "started " : "no start time", when);
            text_escape_fputs(f, h->station_id[0] ? h->station_id : "none (unsigned)");
            fputc('\n', f);
        }
        if (m->warning) {
            fprintf(f, "WARNING:  ");
            text_escape_fputs(f, m->warning);
            fprintf(f, "\n");
        }
    } else {
        fprintf(f, "Session:  %zu dots\n", r->dot_count);
    }
    fprintf(f, "Rules:    scoring rules %d", r->rules);
    const session_header *rh = m ? m->header : NULL;
    if (rh && rh->format_version >= 2 && rh->rules_version > 0 && (int)rh->rules_version != r->rules)
        fprintf(f, " (recorded under rules %lu)", (unsigned long)rh->rules_version);
    fprintf(f, "\n");
    for (size_t k = 0; m && k < m->other_rules_count; k++) {
        const score_result *o = &m->other_rules[k];
        if (o->rules == r->rules || !report_results_differ(o, r))
            continue;
        char under[REPORT_TEXT_MAX + 48];
        report_text_verdict(l, o, said, sizeof said);
        snprintf(under, sizeof under, "Under scoring rules %d: %s", o->rules, said);
        wrapped(f, 10, under);
    }
    if (r->dot_count == 0)
        fprintf(f, "No dots were placed: every metric scores 0 (figures shown as 0 are undefined).\n");
    report_text_verdict(l, r, said, sizeof said);
    fprintf(f, "\nTotal: %.1f / 100 (pass %.0f): %s\n", r->total, l->pass_total, yes_no(r->passed));
    wrapped(f, 0, said);
    fprintf(f, "\n");

    for (int k = 0; k < METRIC_COUNT; k++) {
        report_text_metric(l, r, k, said, sizeof said, todo, sizeof todo);
        if (!r->metric_applies[k]) {
            fprintf(f, "  %-9s  does not apply. %s\n", metric_name(k), said);
            continue;
        }
        fprintf(f, "  %-9s %5.1f  (pass %3.0f)  %s\n", metric_name(k), r->metric_score[k], l->pass[k],
                yes_no(r->metric_passed[k]));
        wrapped(f, 4, said);
        snprintf(line, sizeof line, "Next: %s", todo);
        wrapped(f, 4, line);
    }

    if (r->region_count > 0) {
        fprintf(f, "\n  %-12s %7s %9s %10s %8s %8s %7s\n", "region", "dots", "area cm2", "dens /cm2",
                "NN mm", "in band", "dE00");
        for (size_t k = 0; k < r->region_count; k++) {
            const score_region *sr = &r->regions[k];
            fprintf(f, "  %-12s %7zu %9.2f %10.1f %8.2f %7.1f%% %7.2f\n", region_name((region_id)sr->region),
                    sr->dots, sr->area_cm2, sr->density_per_cm2, sr->nn_mean_mm, 100.0 * sr->in_band_fraction,
                    sr->delta_e00_mean);
        }
    }

    size_t flagged = 0;
    for (size_t i = 0; i < r->dot_count; i++)
        flagged += r->dot_flags[i] != 0;
    fprintf(f, "\nFlagged dots: %zu of %zu (numbered from 1 in the order placed, as in the app)\n", flagged,
            r->dot_count);
    size_t shown = 0;
    char reason[1024];
    for (size_t i = 0; i < r->dot_count && shown < REPORT_TEXT_FLAGGED_MAX; i++) {
        if (!r->dot_flags[i])
            continue;
        if (dots)
            report_text_dot_reason(r, l, dots, i, reason, sizeof reason);
        else
            reason[0] = '\0';
        fprintf(f, "  dot #%zu: %s\n", report_dot_number(i), reason);
        shown++;
    }
    if (flagged > shown)
        fprintf(f, "  ... and %zu more\n", flagged - shown);
    fprintf(f, "\n");
    wrapped(f, 0, report_text_glossary());
    return ferror(f) ? -1 : 0;
}

/* --- JSON --------------------------------------------------------------------------- */

static json_t *jreal(double x) { return json_real(isfinite(x) ? x : 0.0); }
static json_t *jsize(size_t x) { return json_integer((json_int_t)x); }

/* json_object_set_new that records a failure (a NULL value or an allocation failure). */
static void put(json_t *o, const char *k, json_t *v, int *bad)
{
    if (!o || !v) {
        json_decref(v);
        *bad = 1;
        return;
    }
    if (json_object_set_new(o, k, v) != 0)   /* steals v even on failure */
        *bad = 1;
}

/* A JSON string; bytes that are not valid UTF-8 (a file name, say) become '?'. */
static json_t *jstr(const char *s)
{
    json_t *v = json_string(s);
    if (v)
        return v;
    size_t n = strlen(s);
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        c[i] = (unsigned char)s[i] >= 0x80 ? '?' : s[i];
    v = json_string(c);
    free(c);
    return v;
}

/* A metric that does not apply has "applies": false and no score, pass mark or passed, so
 * no reader can count a 0 or a false as a failure. */
static void put_score(json_t *o, const lesson *l, const score_result *r, int m, int *bad)
{
    char said[REPORT_TEXT_MAX], todo[REPORT_TEXT_MAX];
    put(o, "applies", json_boolean(r->metric_applies[m]), bad);
    report_text_metric(l, r, m, said, sizeof said, todo, sizeof todo);
    put(o, "said", jstr(said), bad);
    if (!r->metric_applies[m])
        return;
    put(o, "score", jreal(r->metric_score[m]), bad);
    put(o, "pass_mark", jreal(l->pass[m]), bad);
    put(o, "passed", json_boolean(r->metric_passed[m]), bad);
    put(o, "next", jstr(todo), bad);
}

/* The headline figures of a result under other rules: total, passed, each metric's score. */
static json_t *rules_summary(const lesson *l, const score_result *r, int *bad)
{
    json_t *o = json_object();
    char verdict[REPORT_TEXT_MAX];
    put(o, "scoring_rules", json_integer(r->rules), bad);
    put(o, "total", jreal(r->total), bad);
    put(o, "passed", json_boolean(r->passed), bad);
    report_text_verdict(l, r, verdict, sizeof verdict);
    put(o, "verdict", jstr(verdict), bad);
    json_t *jm = json_object();
    for (int m = 0; m < METRIC_COUNT; m++) {
        json_t *x = json_object();
        put(x, "applies", json_boolean(r->metric_applies[m]), bad);
        if (r->metric_applies[m]) {
            put(x, "score", jreal(r->metric_score[m]), bad);
            put(x, "passed", json_boolean(r->metric_passed[m]), bad);
        }
        put(jm, metric_name(m), x, bad);
    }
    put(o, "metrics", jm, bad);
    return o;
}

int report_results_differ(const score_result *a, const score_result *b)
{
    if (a->total != b->total || a->passed != b->passed)
        return 1;
    for (int m = 0; m < METRIC_COUNT; m++)
        if (a->metric_applies[m] != b->metric_applies[m] || a->metric_score[m] != b->metric_score[m]
            || a->metric_passed[m] != b->metric_passed[m])
            return 1;
    return 0;
}

char *report_json(const lesson *l, const dot *dots, const score_result *r, const report_meta *m)
{
    const score_result *others = m ? m->other_rules : NULL;
    size_t other_count = m && others ? m->other_rules_count : 0;
    if (!l || !r)
        return NULL;
    int bad = 0;
    char hex[65];
    json_t *root = json_object();

    put(root, "report_version", json_integer(SCORE_REPORT_VERSION), &bad);
    put(root, "scoring_rules", json_integer(r->rules), &bad);

    json_t *jl = json_object();
    put(jl, "id", jstr(l->id), &bad);
    put(jl, "version", json_integer(l->version), &bad);
    put(jl, "title", jstr(l->title), &bad);
    hash_hex(l->content_hash, hex);
    put(jl, "content_hash", json_string(hex), &bad);
    put(root, "lesson", jl, &bad);

    json_t *js = json_object();
    put(js, "path", m && m->session_path ? jstr(m->session_path) : json_null(), &bad);
    put(js, "source", m && m->source ? jstr(m->source) : json_null(), &bad);
    put(js, "duration_s", jreal(m ? (double)m->duration_us / 1e6 : 0.0), &bad);
    put(js, "pen_samples", jsize(m ? m->pen_samples : 0), &bad);
    put(js, "dots", jsize(r->dot_count), &bad);
    put(js, "complete", json_boolean(m ? m->complete : 0), &bad);
    put(js, "warning", m && m->warning ? jstr(m->warning) : json_null(), &bad);
    /* who, where, when and how: format 2 headers only (null where a file does not say) */
    const session_header *h = m ? m->header : NULL;
    int v2 = h && h->format_version >= 2;
    char when[32] = "";
    if (v2)
        report_utc_text(h->start_utc_us, when, sizeof when);
    put(js, "format_version", h ? json_integer(h->format_version) : json_null(), &bad);
    put(js, "trainee", v2 && h->trainee_id[0] ? jstr(h->trainee_id) : json_null(), &bad);
    put(js, "station", v2 && h->station_id[0] ? jstr(h->station_id) : json_null(), &bad);
    put(js, "started_utc", when[0] ? json_string(when) : json_null(), &bad);
    put(js, "exam", v2 ? json_boolean(h->exam_mode) : json_null(), &bad);
    put(js, "origin", v2 ? json_string(session_origin_name(h->origin)) : json_null(), &bad);
    put(js, "synthetic", v2 ? json_boolean(h->synthetic) : json_null(), &bad);
    put(js, "recorded_rules", v2 && h->rules_version ? json_integer((json_int_t)h->rules_version) : json_null(), &bad);
    put(root, "session", js, &bad);

    put(root, "total", jreal(r->total), &bad);
    put(root, "passed", json_boolean(r->passed), &bad);
    char verdict[REPORT_TEXT_MAX];
    report_text_verdict(l, r, verdict, sizeof verdict);
    put(root, "verdict", jstr(verdict), &bad);
    /* the same session under other rule sets, where they give other figures */
    json_t *jo = json_array();
    for (size_t k = 0; jo && k < other_count; k++)
        if (others[k].rules != r->rules && report_results_differ(&others[k], r))
            if (json_array_append_new(jo, rules_summary(l, &others[k], &bad)))
                bad = 1;
    put(root, "other_rules", jo, &bad);

    json_t *jm = json_object();
    const score_spacing *sp = &r->spacing;
    json_t *o = json_object();
    put(o, "nn_mean_mm", jreal(sp->nn_mean_mm), &bad);
    put(o, "nn_sd_mm", jreal(sp->nn_sd_mm), &bad);
    put(o, "nn_cv", jreal(sp->nn_cv), &bad);
    put(o, "too_close_fraction", jreal(sp->too_close_fraction), &bad);
    put(o, "clark_evans_r", jreal(sp->clark_evans_r), &bad);
    put(o, "pattern", json_string(spacing_pattern_name(sp->pattern)), &bad);
    put(o, "order", jreal(sp->order), &bad);
    put(o, "order_kind", json_string(pattern_order_kind_name(sp->order_kind)), &bad);
    put(o, "order_advice", json_string(pattern_order_advice(sp->order_kind)), &bad);
    put(o, "pattern_marks", jreal(sp->pattern_marks), &bad);
    put(o, "other_marks", jreal(sp->other_marks), &bad);
    put(o, "largest_gap_mm", jreal(sp->largest_gap_mm), &bad);
    put(o, "largest_gap_spacings", jreal(sp->largest_gap_spacings), &bad);
    put(o, "density_per_cm2", jreal(sp->density_per_cm2), &bad);
    put(o, "target_density_per_cm2", jreal(sp->target_density_per_cm2), &bad);
    put(o, "expected_density_per_cm2", jreal(sp->expected_density_per_cm2), &bad);
    put(o, "target_spacing_mm", jreal(sp->target_spacing_mm), &bad);
    double nn_band[2];
    report_natural_nn_band_mm(l, sp->expected_density_per_cm2, nn_band);
    json_t *jb = json_array();
    if (!jb || json_array_append_new(jb, jreal(nn_band[0])) || json_array_append_new(jb, jreal(nn_band[1])))
        bad = 1;
    put(o, "natural_nn_band_mm", jb, &bad);
    put(o, "density_behind_feather", json_boolean(sp->density_behind_feather), &bad);
    put(o, "density_area_cm2", jreal(sp->density_area_cm2), &bad);
    put(o, "zone_area_cm2", jreal(sp->zone_area_cm2), &bad);
    put(o, "dots_in_zone", jsize(sp->dots_in_zone), &bad);
    put(o, "dots_outside_zone", jsize(sp->dots_outside_zone), &bad);
    put_score(o, l, r, METRIC_SPACING, &bad);
    put(jm, "spacing", o, &bad);

    const score_depth *dp = &r->depth;
    o = json_object();
    put(o, "in_band_fraction", jreal(dp->in_band_fraction), &bad);
    put(o, "in_acceptable_fraction", jreal(dp->in_acceptable_fraction), &bad);
    put(o, "mean_mm", jreal(dp->mean_mm), &bad);
    put(o, "sd_mm", jreal(dp->sd_mm), &bad);
    put(o, "mae_mm", jreal(dp->mae_mm), &bad);
    put(o, "shed_count", jsize(dp->shed_count), &bad);
    put(o, "blowout_count", jsize(dp->blowout_count), &bad);
    put_score(o, l, r, METRIC_DEPTH, &bad);
    put(jm, "depth", o, &bad);

    const score_pigment *pg = &r->pigment;
    o = json_object();
    put(o, "delta_e00_mean", jreal(pg->delta_e00_mean), &bad);
    put(o, "delta_e00_max", jreal(pg->delta_e00_max), &bad);
    put(o, "excellent_fraction", jreal(pg->excellent_fraction), &bad);
    put(o, "acceptable_fraction", jreal(pg->acceptable_fraction), &bad);
    put(o, "shade_used", pg->shade_used >= 0 ? json_integer(pg->shade_used) : json_null(), &bad);
    put(o, "shade_suitable", json_boolean(pg->shade_suitable), &bad);
    put(o, "shade_rule", pg->shade_rule >= 0 ? json_integer(pg->shade_rule) : json_null(), &bad);
    put(o, "target_is_stubble", json_boolean(pg->target_is_stubble), &bad);
    put(o, "judged_dots", jsize(pg->judged_count), &bad);
    put(o, "shade_only", json_boolean(pg->shade_only), &bad);
    json_t *tl = json_array();
    if (!tl || json_array_append_new(tl, jreal(pg->target_lab.L)) || json_array_append_new(tl, jreal(pg->target_lab.a))
        || json_array_append_new(tl, jreal(pg->target_lab.b)))
        bad = 1;
    put(o, "target_lab", tl, &bad);
    put_score(o, l, r, METRIC_PIGMENT, &bad);
    put(jm, "pigment", o, &bad);

    const score_hairline *hl = &r->hairline;
    o = json_object();
    put(o, "in_front_count", jsize(hl->in_front_count), &bad);
    put(o, "in_front_fraction", jreal(hl->in_front_fraction), &bad);
    put(o, "front_band_density_ratio", jreal(hl->front_band_density_ratio), &bad);
    put(o, "target_density_ratio", jreal(hl->target_density_ratio), &bad);
    put(o, "softness", jreal(hl->softness), &bad);
    if (hl->by_style) {
        /* rules 3: judged by the lesson's style (hairline_score.h) */
        const hairline_judged *hs = &hl->style;
        put(o, "style", json_string(hairline_style_name(l->hairline.style)), &bad);
        put(o, "judged_as", json_string(hs->defined ? "defined" : "feathered"), &bad);
        put(o, "spacing_at_line_mm", jreal(hs->spacing_at_line_mm), &bad);
        put(o, "edge_offset_mm", jreal(hs->edge_offset_mm), &bad);
        put(o, "edge_wander_mm", jreal(hs->edge_wander_mm), &bad);
        put(o, "edge_wander_spacings", jreal(hs->edge_wander_spacings), &bad);
        put(o, "gradient", jreal(hs->gradient), &bad);
        json_t *tv = json_array();
        if (!tv || json_array_append_new(tv, jreal(hs->temple_share[0])) || json_array_append_new(tv, jreal(hs->temple_share[1])))
            bad = 1;
        put(o, "temple_share", tv, &bad);   /* [right, left]: 1 worked like the centre, 0 untreated */
        json_t *marks = json_object();
        put(marks, "in_front", jreal(hs->s_front), &bad);
        put(marks, "edge", jreal(hs->s_edge), &bad);
        put(marks, "temples", jreal(hs->s_temples), &bad);
        put(marks, "style", jreal(hs->s_style), &bad);
        put(o, "marks", marks, &bad);
        put(o, "fault", json_string(hairline_fault_name(hs->fault)), &bad);
    }
    put_score(o, l, r, METRIC_HAIRLINE, &bad);
    put(jm, "hairline", o, &bad);

    const score_quality *q = &r->quality;
    o = json_object();
    put(o, "diameter_mean_mm", jreal(q->diameter_mean_mm), &bad);
    put(o, "diameter_median_mm", jreal(q->diameter_median_mm), &bad);
    put(o, "diameter_cv", jreal(q->diameter_cv), &bad);
    put(o, "dragged_count", jsize(q->dragged_count), &bad);
    put(o, "dragged_fraction", jreal(q->dragged_fraction), &bad);
    put(o, "diameter_expected_mm", jreal(q->diameter_expected_mm), &bad);
    put(o, "size_outlier_count", jsize(q->size_outlier_count), &bad);
    put(o, "wrong_needle_count", jsize(q->wrong_needle_count), &bad);
    put(o, "wrong_needle_fraction", jreal(q->wrong_needle_fraction), &bad);
    put_score(o, l, r, METRIC_QUALITY, &bad);
    put(jm, "quality", o, &bad);
    put(root, "metrics", jm, &bad);

    json_t *jr = json_array();
    for (size_t k = 0; jr && k < r->region_count; k++) {
        const score_region *sr = &r->regions[k];
        o = json_object();
        put(o, "region", json_string(region_name((region_id)sr->region)), &bad);
        put(o, "dots", jsize(sr->dots), &bad);
        put(o, "area_cm2", jreal(sr->area_cm2), &bad);
        put(o, "density_per_cm2", jreal(sr->density_per_cm2), &bad);
        put(o, "nn_mean_mm", jreal(sr->nn_mean_mm), &bad);
        put(o, "in_band_fraction", jreal(sr->in_band_fraction), &bad);
        put(o, "delta_e00_mean", jreal(sr->delta_e00_mean), &bad);
        if (!o || json_array_append_new(jr, o))
            bad = 1;
    }
    put(root, "regions", jr, &bad);

    json_t *jf = json_array();
    char reason[1024];
    for (size_t i = 0; jf && i < r->dot_count; i++) {
        uint32_t fl = r->dot_flags[i];
        if (!fl)
            continue;
        o = json_object();
        put(o, "index", jsize(i), &bad);
        put(o, "number", jsize(report_dot_number(i)), &bad);
        json_t *names = json_array();
        for (int b = 0; names && b < SCORE_FLAG_COUNT; b++)
            if (fl & (1u << b))
                if (json_array_append_new(names, json_string(score_flag_name(1u << b))))
                    bad = 1;
        put(o, "flags", names, &bad);
        if (dots)
            report_text_dot_reason(r, l, dots, i, reason, sizeof reason);
        else
            reason[0] = '\0';
        put(o, "reason", jstr(reason), &bad);
        if (!o || json_array_append_new(jf, o))
            bad = 1;
    }
    put(root, "flagged_dots", jf, &bad);

    char *text = NULL;
    if (!bad && root)
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    return text;
}
