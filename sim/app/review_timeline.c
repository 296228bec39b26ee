/* review_timeline.c: the review screen's timeline of the whole session, one column per
 * pixel: dots per minute, flags of the chosen kind, machine on, pauses and unplugs, dropped
 * input and view changes, the instructor's time notes and the play head. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "annotations.h"
#include "review_internal.h"

void review_timeline_build(app *a)
{
    review *r = RV(a);
    int w = a->gl.width - 40;
    if (w < 10)
        w = 10;
    r->tl_w = w;
    r->tl_dots = calloc((size_t)w, sizeof *r->tl_dots);
    r->tl_flags = calloc((size_t)w, sizeof *r->tl_flags);
    r->tl_machine = calloc((size_t)w, 1);
    r->tl_pause = calloc((size_t)w, 1);
    r->tl_dropped = calloc((size_t)w, 1);
    r->tl_view = calloc((size_t)w, 1);
    if (!r->tl_dots || !r->tl_flags || !r->tl_machine || !r->tl_pause || !r->tl_dropped || !r->tl_view)
        return;
    double span = r->end_us > 0 ? (double)r->end_us : 1.0;
#define COL(t) (int)fmin((double)(w - 1), fmax(0.0, (double)(t) / span * (double)w))
    /* machine, pauses: states over time; dropped input, view changes: moments */
    const session_data *d = r->data;
    int machine = 0, paused = 0, last_c = 0;
    for (size_t i = 0; i <= d->event_count; i++) {
        int c = i < d->event_count ? COL(d->events[i].t_us) : w - 1;
        for (int k = last_c; k <= c && k < w; k++) {
            r->tl_machine[k] |= (uint8_t)machine;
            r->tl_pause[k] |= (uint8_t)paused;
        }
        last_c = c;
        if (i == d->event_count)
            break;
        const session_event *e = &d->events[i];
        switch (e->kind) {
        case SEV_MACHINE: machine = e->u.value != 0; r->tl_machine[c] |= (uint8_t)machine; break;
        case SEV_PAUSE: paused = 1 + (e->u.value == 1); break;
        case SEV_RESUME: paused = 0; break;
        case SEV_SYN_DROPPED: r->tl_dropped[c] = 1; break;
        case SEV_VIEW: r->tl_view[c] = 1; break;
        default: break;
        }
    }
}

/* The dots built since the last call into their columns (dots per minute: a column's count
 * over its span, so the bars' heights are counts); their flags once the score is in. */
void review_timeline_add_dots(app *a)
{
    review *r = RV(a);
    if (!r->tl_dots)
        return;
    int w = r->tl_w;
    double span = r->end_us > 0 ? (double)r->end_us : 1.0;
    size_t n;
    replay_all_dots(r->rp, &n);
    for (size_t i = r->tl_dots_done; i < n; i++) {
        int c = COL(replay_dot_made_us(r->rp, i));
        r->tl_dots[c] += 1.0f;
        if (r->tl_dots[c] > r->tl_dots_max)
            r->tl_dots_max = r->tl_dots[c];
    }
    r->tl_dots_done = n;
    for (size_t i = 0; r->have_score && !r->built && i < n; i++)
        r->tl_flags[COL(replay_dot_made_us(r->rp, i))] |= r->score.dot_flags[i];
}
#undef COL

void review_timeline_rect(const app *a, float *x, float *y, float *w, float *h)
{
    *x = 20.0f;
    *w = (float)RV((app *)a)->tl_w;
    *h = TL_H;
    *y = (float)a->gl.height - TL_H - 30.0f;
}

/* A run of equal timeline columns, drawn as one rect when it ends. */
typedef struct tl_run {
    int      on, c0;
    float    y, h;
    hud_rgba col;
} tl_run;

/* Column c of a row: on (drawn) or not, at y with height h in colour col. */
static void run_step(hud *hd, tl_run *run, float x, int c, int on, float y, float h, hud_rgba col)
{
    int same = run->on && on && y == run->y && h == run->h && memcmp(&col, &run->col, sizeof col) == 0;
    if (run->on && !same) {
        hud_rect(hd, x + (float)run->c0, run->y, (float)(c - run->c0), run->h, run->col);
        run->on = 0;
    }
    if (on && !run->on) {
        run->on = 1;
        run->c0 = c;
        run->y = y;
        run->h = h;
        run->col = col;
    }
}

void review_timeline_draw(app *a)
{
    review *r = RV(a);
    hud *h = a->hud;
    float x, y, w, hh;
    review_timeline_rect(a, &x, &y, &w, &hh);
    hud_rect(h, 0, (float)a->gl.height - BOTTOM_BAR_H, (float)a->gl.width, BOTTOM_BAR_H, C_BAR);
    if (!r->tl_dots)
        return;
    /* rows: flags (top), dots per minute, machine, pauses, dropped + views */
    float fy = y, dy = y + 12.0f, dh = 30.0f, my = dy + dh + 3.0f;
    uint32_t mask = review_kind_mask(r->kind);
    /* what is not built yet: shaded */
    int64_t built = replay_built_us(r->rp);
    if (!r->built && built < r->end_us) {
        float bx = x + (float)((double)(built > 0 ? built : 0) / (double)(r->end_us > 0 ? r->end_us : 1) * (double)w);
        hud_rect(h, bx, y, x + w - bx, hh, (hud_rgba){ 60, 64, 72, 255 });
    }
    /* row by row (as each column drew them, bottom row last: dropped input and views
     * overlap), each run of equal columns one rect: a 4 h session's ~1,240 one-pixel quads a
     * row cost llvmpipe 2-3 ms a frame */
    tl_run run;
    memset(&run, 0, sizeof run);
    for (int c = 0; c <= r->tl_w; c++) {
        float bh = c < r->tl_w && r->tl_dots[c] > 0.0f && r->tl_dots_max > 0.0f ? dh * r->tl_dots[c] / r->tl_dots_max : 0.0f;
        run_step(h, &run, x, c, bh > 0.0f, dy + dh - bh, bh, (hud_rgba){ 150, 160, 175, 255 });
    }
    for (int c = 0; c <= r->tl_w; c++) {
        uint8_t col[3] = { 0, 0, 0 };
        int on = c < r->tl_w && (r->tl_flags[c] & mask);
        if (on)
            review_kind_colour(r->tl_flags[c] & mask, col);
        run_step(h, &run, x, c, on, fy, 9.0f, (hud_rgba){ col[0], col[1], col[2], 255 });
    }
    for (int c = 0; c <= r->tl_w; c++)
        run_step(h, &run, x, c, c < r->tl_w && r->tl_machine[c], my, 5.0f, C_GOOD);
    for (int c = 0; c <= r->tl_w; c++)
        run_step(h, &run, x, c, c < r->tl_w && r->tl_pause[c], my + 7.0f, 5.0f,
                 c < r->tl_w && r->tl_pause[c] == 2 ? C_BAD : C_WARN);
    for (int c = 0; c <= r->tl_w; c++)
        run_step(h, &run, x, c, c < r->tl_w && r->tl_dropped[c], my + 14.0f, 6.0f, C_BAD);
    for (int c = 0; c <= r->tl_w; c++)
        run_step(h, &run, x, c, c < r->tl_w && r->tl_view[c], my + 16.0f, 3.0f, C_ACCENT);
    for (size_t i = 0; i < r->nui.notes.count; i++) {
        const annotation *n = &r->nui.notes.notes[i];
        if (n->kind == ANNOT_COMMENT && n->pin == ANNOT_AT_TIME) {
            float nx = x + (float)((double)n->at_us / (double)(r->end_us > 0 ? r->end_us : 1) * (double)w);
            hud_rect(h, nx - 1.0f, y - 10.0f, 3.0f, 8.0f, C_ACCENT);
        }
    }
    float px = x + (float)((double)r->t_us / (double)(r->end_us > 0 ? r->end_us : 1) * (double)w);
    hud_rect(h, px - 1.0f, y - 4.0f, 2.0f, hh + 2.0f, (hud_rgba){ 255, 255, 255, 255 });
    if (r->built)
        hud_text(h, HUD_SMALL, x, y - 20.0f, C_DIM,
                 "flags (K: kind)   dots/min   machine on   pauses (red: unplugged)   dropped input / views");
    else
        hud_textf(h, HUD_SMALL, x, y - 20.0f, C_WARN, "reading the session: %.0f%% (flags and the score follow)",
                  100.0 * replay_build_fraction(r->rp));
    char a1[32], a2[32];
    hud_fmt_clock(r->t_us, a1, sizeof a1);
    hud_fmt_clock(r->end_us, a2, sizeof a2);
    hud_textf(h, HUD_SMALL, x + w - 120.0f, y - 20.0f, C_TEXT, "%s / %s", a1, a2);
}

