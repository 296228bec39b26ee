/* review_internal.h: the review screen's state, shared by its files: screen_review.c (the
 * screen: opening, transport, the scene, the inspector, events), review_timeline.c (the
 * timeline of the whole session) and review_play_bench.c (`review --bench`'s playback and seek
 * figures). Not for use outside the review screen. */
#ifndef STIPPLE_REVIEW_INTERNAL_H
#define STIPPLE_REVIEW_INTERNAL_H

#include "app_internal.h"
#include "replay.h"
#include "review.h"
#include "review_notes.h"

#define TL_H 70.0f                /* timeline height */
#define TOP_BAR_H 52.0f           /* the title bar */
#define BOTTOM_BAR_H (TL_H + 54.0f)   /* the timeline's panel, with the key hints under it */
/* The bars are opaque, so the scene is not drawn under them (a fifth of a 1280x800
 * window's pixels: at 64x, frames are drawn as fast as llvmpipe can) */
#define C_BAR ((hud_rgba){ 30, 32, 37, 255 })
#define BENCH_PHASES 3            /* playing at 1x, 8x, 64x; then seeking back and forth */
#define BENCH_SEEKS 20

typedef struct review {
    const session_data *data;
    replay *rp;
    score_result score;
    int     have_score;
    int64_t t_us, end_us;
    int     playing;
    int     speed_i;              /* review_speeds[speed_i] */
    double  last_wall;
    int     follow;               /* camera follows the recorded view */
    view_state free_view;
    int     kind;                 /* flag kind for stepping and the filter (REVIEW_KIND_*) */
    long    selected;             /* inspected dot, -1 none */
    float   button_x, button_y, button_w, button_h;   /* "jump to its moment" */
    /* timeline, one column per pixel of its width */
    int     tl_w;
    float  *tl_dots;              /* dots made in the column */
    float   tl_dots_max;          /* dots in the fullest column */
    size_t  tl_dots_done;         /* dots counted into the columns so far */
    int     built;                /* the replay is built: score and flags are in */
    uint32_t *tl_flags;           /* kinds flagged in the column */
    uint8_t *tl_machine, *tl_pause, *tl_dropped, *tl_view;
    /* the ghost: a reference session's dots */
    dot    *ghost;
    size_t  ghost_n;
    char    ghost_name[96];
    int     drag_tl;
    int     key_shot;             /* F12: a screenshot of the next frame */
    int     key_shots;            /* ... how many taken */
    int     steps_done;
    /* the instructor's notes (review_notes.h): shown; applied only when bound to this session */
    review_notes nui;
    double  bench_t0;
    int     bench_frames, bench_phase;
    int64_t bench_hi_us;          /* seeking back and forth: between here and half of it */
    double *bench_dt;             /* frame intervals of the phase */
    double  bench_last;
    double  open_t0, built_s, start_s, progress_drawn;
    double  t_surface, t_replay, t_renderer, t_ready;   /* after open_t0: where opening's time goes */
    int     head_cached;   /* the head surface read from the cache (surface_cache.h), not built */
} review;

#define REVIEW_SPEED_COUNT 9
extern const double review_speeds[REVIEW_SPEED_COUNT];   /* 0.25x .. 64x */

static inline review *RV(app *a)
{
    return a->review;
}

/* the flags of a kind (REVIEW_KIND_*), and the colour a dot's flags are drawn in */
uint32_t review_kind_mask(int kind);
void     review_kind_colour(uint32_t flags, uint8_t rgb[3]);

/* review_timeline.c: one column per pixel of the timeline's width */
void review_timeline_build(app *a);      /* machine, pauses, dropped input, views */
void review_timeline_add_dots(app *a);   /* the dots built since the last call; flags once scored */
void review_timeline_rect(const app *a, float *x, float *y, float *w, float *h);
void review_timeline_draw(app *a);       /* the bottom panel with the timeline */

/* review_play_bench.c */
int64_t review_bench_back_us(const review *r);   /* where a seek back from the end goes */
void    review_bench_frame(app *a);              /* after each frame while benching */

#endif
