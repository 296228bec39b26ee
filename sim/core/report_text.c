/* report_text.c: every sentence of a graded report (report_text.h). Each metric gets one
 * sentence of what was measured, with the jargon glossed where it first appears, and one of
 * what to do next, chosen from the figure that cost the most. Numbers that are compared
 * with a band are rounded away from it, so a reader never sees an out-of-band depth
 * printed inside the band. */
#include "report_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern_order.h"
#include "shade_rule.h"

#define EN_DASH "\xE2\x80\x93"
#define DELTA_E "\xCE\x94" "E00"
#define PER_CM2 "/cm\xC2\xB2"

/* --- a growing sentence ---------------------------------------------------------------- */

typedef struct sbuf {
    char  *p;
    size_t len, cap;
} sbuf;

#if defined(__GNUC__)
static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_clause(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
static void sb_vadd(sbuf *b, const char *fmt, va_list ap)
{
    if (b->cap == 0 || b->len >= b->cap - 1)
        return;
    int w = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    if (w < 0)
        return;
    b->len = b->len + (size_t)w >= b->cap ? b->cap - 1 : b->len + (size_t)w;
}

static void sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(b, fmt, ap);
    va_end(ap);
}

/* A clause of a list: "; " before all but the first. */
static void sb_clause(sbuf *b, const char *fmt, ...)
{
    if (b->len > 0)
        sb_add(b, "; ");
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(b, fmt, ap);
    va_end(ap);
}

static sbuf sb_on(char *buf, size_t n)
{
    sbuf b = { buf, 0, n };
    if (buf && n)
        buf[0] = '\0';
    return b;
}

/* --- numbers ----------------------------------------------------------------------------- */

size_t report_dot_number(size_t index) { return index + 1; }

void report_natural_nn_band_mm(const lesson *l, double density_per_cm2, double out_mm[2])
{
    out_mm[0] = out_mm[1] = 0.0;
    if (!(density_per_cm2 > 0.0) || !isfinite(density_per_cm2))
        return;
    double random_nn = 0.5 / sqrt(density_per_cm2 / 100.0);   /* mm, Poisson at that density */
    out_mm[0] = l->clark_evans_natural[0] * random_nn;
    out_mm[1] = l->clark_evans_natural[1] * random_nn;
}

const char *report_format_depth(char *buf, size_t n, double depth_mm, double lo, double hi)
{
    /* two decimals unless they would put an outside depth inside the band; then round away
     * from the band, with as many decimals as it takes (up to six) */
    for (int digits = 2; digits <= 6; digits++) {
        double scale = pow(10.0, digits);
        double v = round(depth_mm * scale) / scale;
        int outside = depth_mm < lo || depth_mm > hi;
        int shown_inside = v >= lo && v <= hi;
        if (!outside || !shown_inside || digits == 6) {
            if (outside && shown_inside)
                v = depth_mm > hi ? ceil(depth_mm * scale) / scale : floor(depth_mm * scale) / scale;
            snprintf(buf, n, "%.*f", digits, v);
            return buf;
        }
    }
    snprintf(buf, n, "%.2f", depth_mm);
    return buf;
}

static void band_text(char *buf, size_t n, const double band[2])
{
    snprintf(buf, n, "%.2f" EN_DASH "%.2f mm", band[0], band[1]);
}

const char *report_text_glossary(void)
{
    return "R (Clark" EN_DASH "Evans): the mean distance from each dot to its nearest neighbour divided by what "
           "randomly scattered dots at the same density would have; 1.20" EN_DASH "1.75 reads as natural, above "
           "1.85 as rows or a grid, below 1.0 as clumps. Order: how often the directions from each dot to its "
           "nearest neighbour repeat over a patch (0 for a hand's pattern, 1 for exact rows or a grid); from 0.30 "
           "a pattern reads as rows or a grid whatever its R. " DELTA_E ": how different two colours look (CIEDE2000); "
           "up to 3 is hard to see, up to 6 acceptable, over 10 clearly wrong. CV: the spread of a size as a share "
           "of its mean (standard deviation over mean).";
}

/* --- the metrics ------------------------------------------------------------------------- */

static void spacing_text(const lesson *l, const score_result *r, sbuf *said, sbuf *todo)
{
    const score_spacing *sp = &r->spacing;
    double band[2];
    report_natural_nn_band_mm(l, sp->expected_density_per_cm2, band);
    sb_add(said, "%.1f dots" PER_CM2 " %swhere the lesson asks for %.1f", sp->density_per_cm2,
           sp->density_behind_feather ? "behind the feather " : "", sp->expected_density_per_cm2);
    sb_clause(said, "each dot is %.2f mm (\xC2\xB1 %.2f) from its nearest neighbour; a natural pattern at %.0f dots" PER_CM2
              " has %.2f" EN_DASH "%.2f mm",
              sp->nn_mean_mm, sp->nn_sd_mm, sp->expected_density_per_cm2, band[0], band[1]);
    sb_clause(said, "R %.2f, %s (R compares that distance with randomly scattered dots: %.2f" EN_DASH "%.2f natural)",
              sp->clark_evans_r,
              sp->pattern == PATTERN_ROWS      ? "reads as rows"
              : sp->pattern == PATTERN_GRID    ? "reads as a grid"
              : sp->pattern == PATTERN_CLUMPED ? "reads as clumps"
              : sp->pattern == PATTERN_NATURAL ? "reads as natural"
                                               : "too few dots to tell",
              l->clark_evans_natural[0], l->clark_evans_natural[1]);
    if (r->dot_count > 0)
        sb_clause(said, "order %.2f%s (how often the directions from each dot to its nearest neighbour repeat, as "
                        "rows and grids do: under %.2f reads as a hand's pattern)",
                  sp->order,
                  sp->order_kind == PATTERN_ORDER_ROWS     ? ", the dots line up in rows"
                  : sp->order_kind == PATTERN_ORDER_SQUARE ? ", the dots sit on a square grid"
                  : sp->order_kind == PATTERN_ORDER_HEX    ? ", the dots sit on a honeycomb grid"
                                                           : "",
                  PATTERN_ORDER_THRESHOLD);
    sb_clause(said, "largest empty patch %.1f mm across (%.1f spacings)", sp->largest_gap_mm, sp->largest_gap_spacings);
    sb_clause(said, "%.1f%% of dots closer than %.2f mm, where they risk merging", 100.0 * sp->too_close_fraction,
              0.5 * l->target_spacing_mm);
    size_t outside = sp->dots_outside_zone - (r->rules >= 2 ? sp->dots_in_front_outside_zone : 0);
    if (outside)
        sb_clause(said, "%zu outside the marked zone", outside);
    sb_add(said, ".");

    double ratio = sp->expected_density_per_cm2 > 0.0 ? sp->density_per_cm2 / sp->expected_density_per_cm2 : 0.0;
    if (r->dot_count == 0)
        sb_add(todo, "Place dots over the marked zone.");
    else if (ratio < 0.8)
        sb_add(todo, "Add dots: about %.0f%% more, each about %.2f" EN_DASH "%.2f mm from its neighbours.",
               100.0 * (1.0 / fmax(ratio, 0.01) - 1.0), band[0], band[1]);
    else if (ratio > 1.2)
        sb_add(todo, "Place fewer dots: space them %.2f" EN_DASH "%.2f mm apart.", band[0], band[1]);
    else if (r->rules >= 2 && sp->order_kind != PATTERN_ORDER_NONE) {
        const char *a = pattern_order_advice(sp->order_kind);   /* "your dots line up ...": a sentence */
        sb_add(todo, "%c%s.", a[0] >= 'a' && a[0] <= 'z' ? a[0] - 'a' + 'A' : a[0], a + 1);
    } else if (sp->pattern == PATTERN_GRID || sp->clark_evans_r > l->clark_evans_natural[1])
        sb_add(todo, "Break up the rows: put each dot where the skin looks emptiest, at varied distances, never on "
                     "a line with its neighbours.");
    else if (sp->pattern == PATTERN_CLUMPED || sp->clark_evans_r < l->clark_evans_natural[0])
        sb_add(todo, "Spread the clusters out: keep every dot about %.2f mm from its nearest neighbour.",
               0.5 * (band[0] + band[1]));
    else if (sp->too_close_fraction > 0.05)
        sb_add(todo, "Keep dots at least %.2f mm apart so they do not merge when they heal.", 0.5 * l->target_spacing_mm);
    else if (sp->largest_gap_spacings > 2.75)   /* past 2.5 the marks fall; by 2.75 a tenth of them */
        sb_add(todo, "Fill the empty patches: no gap wider than 2.5 spacings (%.1f mm).", 2.5 * l->target_spacing_mm);
    else if (outside)
        sb_add(todo, "Stay inside the marked zone.");
    else
        sb_add(todo, "Keep this spacing.");
}

static void depth_text(const lesson *l, const score_result *r, sbuf *said, sbuf *todo)
{
    const score_depth *dp = &r->depth;
    char ideal[48], acc[48];
    band_text(ideal, sizeof ideal, l->depth_band_mm);
    band_text(acc, sizeof acc, l->depth_acceptable_mm);
    sb_add(said, "%.1f%% of dots in the ideal depth band %s", 100.0 * dp->in_band_fraction, ideal);
    for (size_t k = 0; k < l->scar_count; k++)
        if (l->scars[k].has_depth_band) {
            char sb[48];
            band_text(sb, sizeof sb, l->scars[k].depth_band_mm);
            sb_add(said, " (%s in scar tissue)", sb);
            break;
        }
    sb_add(said, " and %.1f%% within the acceptable %s", 100.0 * dp->in_acceptable_fraction, acc);
    sb_clause(said, "mean depth %.2f mm (\xC2\xB1 %.2f)", dp->mean_mm, dp->sd_mm);
    sb_clause(said, "%zu too shallow to stay (they shed with the scab and leave gaps), %zu too deep (they blow out: "
                    "spread and heal blue-grey)",
              dp->shed_count, dp->blowout_count);
    sb_add(said, ".");
    if (r->dot_count == 0)
        sb_add(todo, "Place dots first.");
    else if (dp->shed_count >= dp->blowout_count && dp->shed_count > 0)
        sb_add(todo, "Press a little harder and keep the needle upright: aim for %.2f mm, below the epidermis.",
               0.5 * (l->depth_band_mm[0] + l->depth_band_mm[1]));
    else if (dp->blowout_count > 0)
        sb_add(todo, "Press lighter: aim for %.2f mm; past %.2f mm the pigment spreads and turns blue.",
               0.5 * (l->depth_band_mm[0] + l->depth_band_mm[1]), l->depth_acceptable_mm[1]);
    else if (dp->in_band_fraction < 0.9)
        sb_add(todo, "Steady your pressure: %s the band, the mean is %.2f mm.",
               dp->mean_mm > l->depth_band_mm[1] ? "lighter, towards" : dp->mean_mm < l->depth_band_mm[0] ? "firmer, into" : "keep each dot in",
               dp->mean_mm);
    else
        sb_add(todo, "Keep this pressure.");
}

/* "dark_brown" as a reader writes it: "dark brown". */
static void plain_words(char *out, size_t n, const char *s)
{
    snprintf(out, n, "%s", s);
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = ' ';
}

static const char *roman(int fitzpatrick)
{
    static const char *const r[] = { "?", "I", "II", "III", "IV", "V", "VI" };
    return fitzpatrick >= 1 && fitzpatrick <= 6 ? r[fitzpatrick] : r[0];
}

static void pigment_text(const lesson *l, const score_result *r, sbuf *said, sbuf *todo)
{
    const score_pigment *pg = &r->pigment;
    const char *target = pg->target_is_stubble ? "the client's stubble" : "the lesson's target colour";
    if (pg->shade_only)
        sb_add(said, "Too few dots healed at an acceptable depth to judge their colour (%zu of %zu: the rest are a "
                     "depth fault), so the shade is judged as it heals when placed right: " DELTA_E " %.1f from %s "
                     "(" DELTA_E ": how different two colours look; up to 3 hard to see, 6 acceptable, over 10 "
                     "clearly wrong)",
               pg->judged_count, r->dot_count, pg->delta_e00_mean, target);
    else
        sb_add(said, "Healed colour " DELTA_E " %.1f on average (worst %.1f) from %s, over the %zu dots at an acceptable "
                     "depth (" DELTA_E ": how different two colours look; up to 3 hard to see, 6 acceptable, over 10 "
                     "clearly wrong)",
               pg->delta_e00_mean, pg->delta_e00_max, target, pg->judged_count);
    if (pg->shade_used >= 0) {
        char hair[sizeof l->hair_colour];
        plain_words(hair, sizeof hair, l->hair_colour);
        if (pg->shade_rule >= 0)
            sb_clause(said, "shade %d used; the rule gives shade %d for Fitzpatrick type %s skin (I burns easily, VI "
                            "never) and %s hair in session %d",
                      pg->shade_used, pg->shade_rule, roman(l->fitzpatrick), hair, l->session_number);
        else
            sb_clause(said, "shade %d used (%s; the lesson allows %d" EN_DASH "%d)", pg->shade_used,
                      pg->shade_suitable ? "suitable" : "not suitable", l->allowed_shades[0], l->allowed_shades[1]);
    }
    sb_add(said, ".");
    if (r->dot_count == 0)
        sb_add(todo, "Place dots first.");
    else if (!pg->shade_suitable && pg->shade_rule >= 0)
        sb_add(todo, "Dilute to shade %d (%d parts water to 1 of pigment)%s.", pg->shade_rule, pg->shade_rule,
               l->session_number <= 1 ? ": session 1 stays light, later sessions darken" : "");
    else if (!pg->shade_suitable)
        sb_add(todo, "Use a shade from %d to %d.", l->allowed_shades[0], l->allowed_shades[1]);
    else if (pg->delta_e00_mean > 6.0)
        sb_add(todo, "Match the shade to the client's stubble: compare a healed test patch with the hair.");
    else
        sb_add(todo, "Keep this shade.");
}

/* "the right temple" / "the left temple" / "both temples" from the shares. */
static const char *weak_temples(const hairline_judged *h)
{
    int right = h->temple_share[0] < HAIRLINE_TEMPLE_FULL, left = h->temple_share[1] < HAIRLINE_TEMPLE_FULL;
    return right && left ? "both temples" : right ? "the right temple (the client's right)" : "the left temple (the client's left)";
}

/* Rules 3: the hairline judged by its style (hairline_score.h). */
static void hairline_style_text(const lesson *l, const score_result *r, sbuf *said, sbuf *todo)
{
    const score_hairline *hl = &r->hairline;
    const hairline_judged *h = &hl->style;
    char style[32];
    plain_words(style, sizeof style, hairline_style_name(l->hairline.style));
    sb_add(said, "A %s hairline, judged as %s", style,
           h->defined ? "a defined edge (crisp, on the design line)"
                      : "a feathered one (sparse at the line, denser behind, an irregular edge)");
    sb_clause(said, "%zu dots (%.1f%%) over %.1f mm in front of the line", hl->in_front_count,
              100.0 * hl->in_front_fraction, l->hairline.tolerance_mm);
    sb_clause(said, "the front edge sits %.1f mm %s the line (full marks within %.1f mm)", fabs(h->edge_offset_mm),
              h->edge_offset_mm >= 0.0 ? "behind" : "in front of", HAIRLINE_EDGE_FULL_SPACINGS * h->spacing_at_line_mm);
    if (h->defined)
        sb_clause(said, "it wanders %.2f mm along its course (a crisp edge stays within %.2f mm: a fifth of the %.1f mm "
                        "spacing at the line)",
                  h->edge_wander_mm, HAIRLINE_CRISP_FULL * h->spacing_at_line_mm, h->spacing_at_line_mm);
    else
        sb_clause(said, "it wanders %.2f mm along its course (a ruler-straight edge under %.2f mm; %.2f or more reads "
                        "as natural, broken)",
                  h->edge_wander_mm, HAIRLINE_IRREGULAR_ZERO * h->spacing_at_line_mm, HAIRLINE_IRREGULAR_FULL * h->spacing_at_line_mm);
    if (!h->defined && h->design_slope > 0.1)
        sb_clause(said, "through the %.0f mm feather the density rises %.0f%% as steeply as the design asks (full marks "
                        "from %.0f%%)",
                  l->hairline.feather_mm, 100.0 * h->gradient, 100.0 * HAIRLINE_GRADIENT_FULL);
    sb_clause(said, "the temples have %.0f%% (right) and %.0f%% (left) of the centre's dots for the same design",
              100.0 * h->temple_share[0], 100.0 * h->temple_share[1]);
    sb_add(said, ".");
    switch (r->dot_count == 0 ? -1 : h->fault) {
    case -1:
        sb_add(todo, "Place dots along the design line first.");
        break;
    case HAIRLINE_IN_FRONT:
        sb_add(todo, "Stay behind the design line: nothing in front of it (it makes the hairline too low).");
        break;
    case HAIRLINE_EDGE_BEHIND:
        sb_add(todo, "Bring the front edge forward to the design line: the first dots within %.1f mm of it.",
               HAIRLINE_EDGE_FULL_SPACINGS * h->spacing_at_line_mm);
        break;
    case HAIRLINE_EDGE_FORWARD:
        sb_add(todo, "Move the front edge back to the design line: it sits %.1f mm in front, which lowers the hairline.",
               -h->edge_offset_mm);
        break;
    case HAIRLINE_TEMPLE:
        sb_add(todo, "Work %s like the rest of the line: carry the dots out to the line's end, %s.", weak_temples(h),
               h->defined ? "squared like the centre" : "faded like the centre's feather");
        break;
    case HAIRLINE_FLAT:
        sb_add(todo, "Feather the front: fewer, finer dots near the line, rising to full density over %.0f mm.",
               l->hairline.feather_mm);
        break;
    case HAIRLINE_STRAIGHT:
        sb_add(todo, "Break up the front edge: stagger the first dots a little in front of and behind each other, never "
                     "along a ruler line.");
        break;
    case HAIRLINE_RAGGED:
        sb_add(todo, "Set the edge first: dots one after another right on the design line, about %.1f mm apart, then fill "
                     "behind.",
               h->spacing_at_line_mm);
        break;
    default:
        sb_add(todo, h->defined ? "Keep this edge." : "Keep this feather.");
        break;
    }
    if (r->dot_count > 0 && h->fault != HAIRLINE_IN_FRONT && h->s_front < 1.0)
        sb_add(todo, " Also stay behind the design line: %zu dots are in front of it.", hl->in_front_count);
}

static void hairline_text(const lesson *l, const score_result *r, sbuf *said, sbuf *todo)
{
    const score_hairline *hl = &r->hairline;
    if (hl->by_style) {
        hairline_style_text(l, r, said, todo);
        return;
    }
    sb_add(said, "%zu dots (%.1f%%) in front of the design line (more than %.1f mm)", hl->in_front_count,
           100.0 * hl->in_front_fraction, l->hairline.tolerance_mm);
    sb_clause(said, "density at the front of the feather is %.2f of that at its back, where the design asks %.2f "
                    "(softness %.2f of 1)",
              hl->front_band_density_ratio, hl->target_density_ratio, hl->softness);
    sb_add(said, ".");
    if (hl->in_front_fraction > 0.01)
        sb_add(todo, "Stay behind the design line: nothing in front of it.");
    else if (hl->front_band_density_ratio > hl->target_density_ratio + 0.15)
        sb_add(todo, "Feather the front: fewer, finer dots near the line, rising to full density over %.0f mm.",
               l->hairline.feather_mm);
    else if (hl->front_band_density_ratio < hl->target_density_ratio - 0.15)
        sb_add(todo, "Bring the front forward: some dots right up to the line, sparser than behind.");
    else
        sb_add(todo, "Keep this feather.");
}

static void quality_text(const lesson *l, const score_result *r, sbuf *said, sbuf *todo)
{
    const score_quality *q = &r->quality;
    sb_add(said, "Dots %.2f mm across where the lesson's %s %.2f mm needle makes %.2f; size varies by %.1f%% (CV: "
                 "the spread as a share of the mean)",
           q->diameter_mean_mm, needle_config_name(l->needle.config), (double)l->needle.diameter_mm,
           q->diameter_expected_mm, 100.0 * q->diameter_cv);
    sb_clause(said, "%zu dragged (a tail: the needle moved while in the skin)", q->dragged_count);
    sb_clause(said, "%zu made with another needle", q->wrong_needle_count);
    sb_add(said, ".");
    if (r->dot_count == 0)
        sb_add(todo, "Place dots first.");
    else if (q->dragged_fraction > 0.02)
        sb_add(todo, "Hold the pen still while the needle is in: lift straight up before moving on.");
    else if (q->wrong_needle_fraction > 0.02)
        sb_add(todo, "Use the %s %.2f mm needle the lesson asks for.", needle_config_name(l->needle.config),
               (double)l->needle.diameter_mm);
    else if (q->diameter_cv > 0.10)
        sb_add(todo, "Keep each puncture the same: the same dwell and pressure for every dot.");
    else
        sb_add(todo, "Keep this technique.");
}

void report_text_metric(const lesson *l, const score_result *r, int metric, char *said, size_t said_n, char *todo,
                        size_t todo_n)
{
    sbuf s = sb_on(said, said_n), t = sb_on(todo, todo_n);
    if (!l || !r || metric < 0 || metric >= METRIC_COUNT)
        return;
    if (!r->metric_applies[metric]) {
        sb_add(&s, metric == METRIC_HAIRLINE && !l->has_hairline ? "Not judged: this lesson has no hairline."
                                                                   : "Not judged in this lesson.");
        return;
    }
    switch (metric) {
    case METRIC_SPACING:  spacing_text(l, r, &s, &t); break;
    case METRIC_DEPTH:    depth_text(l, r, &s, &t); break;
    case METRIC_PIGMENT:  pigment_text(l, r, &s, &t); break;
    case METRIC_HAIRLINE: hairline_text(l, r, &s, &t); break;
    default:              quality_text(l, r, &s, &t); break;
    }
}

void report_text_verdict(const lesson *l, const score_result *r, char *buf, size_t n)
{
    sbuf b = sb_on(buf, n);
    if (!l || !r)
        return;
    if (r->passed) {
        sb_add(&b, "PASS: total %.1f of 100 (pass mark %.0f); every metric passed.", r->total, l->pass_total);
        return;
    }
    size_t failed = 0;
    for (int m = 0; m < METRIC_COUNT; m++)
        failed += r->metric_applies[m] && !r->metric_passed[m];
    if (r->total >= l->pass_total)
        sb_add(&b, "FAIL: total %.1f of 100 is over the pass mark %.0f, but ", r->total, l->pass_total);
    else
        sb_add(&b, "FAIL: total %.1f of 100, under the pass mark %.0f%s", r->total, l->pass_total, failed ? "; " : ".");
    size_t said = 0;
    for (int m = 0; m < METRIC_COUNT; m++) {
        if (!r->metric_applies[m] || r->metric_passed[m])
            continue;
        sb_add(&b, "%s%s failed: %.1f (pass mark %.0f)", said ? (said + 1 == failed ? " and " : ", ") : "", metric_name(m),
               r->metric_score[m], l->pass[m]);
        said++;
    }
    if (failed)
        sb_add(&b, ".");
}

/* --- dots -------------------------------------------------------------------------------- */

static const double *dot_band(const lesson *l, const score_result *r, size_t i, int acceptable)
{
    int k = r->dot_scar ? r->dot_scar[i] : -1;
    if (k >= 0 && (size_t)k < l->scar_count && l->scars[k].has_depth_band)
        return acceptable ? l->scars[k].depth_acceptable_mm : l->scars[k].depth_band_mm;
    return acceptable ? l->depth_acceptable_mm : l->depth_band_mm;
}

void report_text_dot_reason(const score_result *r, const lesson *l, const dot *dots, size_t i, char *buf, size_t n)
{
    sbuf b = sb_on(buf, n);
    if (!r || !l || !dots || i >= r->dot_count || !r->dot_flags || !buf || n == 0)
        return;
    uint32_t f = r->dot_flags[i];
    const dot *d = &dots[i];
    const double *band = dot_band(l, r, i, 0);
    char depth[32], bt[48];
    band_text(bt, sizeof bt, band);
    report_format_depth(depth, sizeof depth, d->depth_mm, band[0], band[1]);

    if (f & SF_OFF_SCALP)
        sb_clause(&b, "off the scalp (%s)",
                  d->region > REGION_NONE && d->region < REGION_COUNT ? region_name((region_id)d->region) : "?");
    if (f & SF_OUTSIDE_ZONE)
        sb_clause(&b, "outside the working zone");
    if (f & SF_TOO_CLOSE)
        sb_clause(&b, "too close: %.2f mm from its neighbour, under half the %.2f mm spacing (they may merge)",
                  r->dot_nn_mm[i], l->target_spacing_mm);
    if (f & SF_SHED)
        sb_clause(&b, "too shallow: %s mm (band %s), will shed with the scab and leave a gap", depth, bt);
    if (f & SF_BLOWOUT)
        sb_clause(&b, "too deep: %s mm (band %s), will blow out: spread to about %.2f mm and heal blue-grey", depth, bt,
                  d->diameter_healed_mm);
    if (f & SF_OUT_OF_BAND)
        sb_clause(&b, "%s the ideal band: %s mm (band %s)", d->depth_mm < band[0] ? "shallower than" : "deeper than", depth,
                  bt);
    if (f & SF_WRONG_COLOUR)
        sb_clause(&b, "wrong colour: heals " DELTA_E " %.1f from the target (acceptable up to 6)",
                  r->dot_delta_e00 ? r->dot_delta_e00[i] : 0.0);
    if (f & SF_IN_FRONT)
        sb_clause(&b, "in front of the hairline: %.2f mm (tolerance %.2f mm)",
                  lesson_hairline_offset_mm(l, d->chart_mm[0], d->chart_mm[1]), l->hairline.tolerance_mm);
    if (f & SF_DRAGGED)
        sb_clause(&b, "dragged: the needle moved %.2f mm while in the skin (a tail)", d->drag_mm);
    if (f & SF_SIZE_OUTLIER)
        sb_clause(&b, "size outlier: %.2f mm across where the lesson's needle makes %.2f mm", d->diameter_fresh_mm,
                  r->quality.diameter_expected_mm);
    if (f & SF_WRONG_NEEDLE)
        sb_clause(&b, "wrong needle: %s %.2f mm where the lesson asks for %s %.2f mm", needle_config_name(d->needle_config),
                  d->needle_diameter_mm, needle_config_name(l->needle.config), (double)l->needle.diameter_mm);
}
