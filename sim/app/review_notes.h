/* review_notes.h: the instructor's notes in the review screen (review_notes.c): the panel
 * that shows them (overrides beside the computed scores, comments here and now), and making
 * them: a comment on the inspected dot or this moment (A), on a region of the skin dragged
 * out with the mouse (R), a grade override of one metric with a score or a verdict and its
 * reason (O). Each is saved in the sidecar at once (annotations.h); the session is never
 * written. */
#ifndef STIPPLE_REVIEW_NOTES_H
#define STIPPLE_REVIEW_NOTES_H

#include <SDL2/SDL.h>

#include "annotations.h"
#include "app_internal.h"

enum review_note_mode {
    NOTE_IDLE = 0,
    NOTE_COMMENT,        /* typing a comment on the dot or the moment */
    NOTE_REGION_PICK,    /* waiting for a drag over the skin */
    NOTE_REGION_TEXT,    /* typing the region's comment */
    NOTE_OVERRIDE_VALUE, /* choosing the metric, typing a score or P / F */
    NOTE_OVERRIDE_REASON /* typing the override's reason */
};

typedef struct review_notes {
    annotations notes;
    int     rc;                   /* annotations_load's: ANNOT_OK, _NONE, _CORRUPT, _MISMATCH */
    char    msg[600];
    int     mode;                 /* enum review_note_mode */
    char    typed[ANNOT_MAX_TEXT + 1];
    int     skip_text;            /* the key that began typing arrives as text too: not part of it */
    int     metric;               /* the override's METRIC_* */
    char    value[16];            /* "72.5", "pass", "fail" */
    int     dragging;             /* a region being dragged */
    float   drag_px[4];           /* its screen corners */
    double  drag_mm[4];           /* its chart corners: u, v at the press, u, v now */
    double  region_mm[4];         /* the region picked (u0, v0, u1, v1) */
} review_notes;

/* What the notes see of the review. */
typedef struct review_note_ctx {
    const char *session_path;
    long    selected;             /* the inspected dot (from 0), -1 none */
    int64_t t_us;
    const score_result *score;    /* NULL until the session is scored */
    view_state view;
} review_note_ctx;

void review_notes_load(review_notes *n, const char *session_path);
void review_notes_free(review_notes *n);
/* Making a note: the notes take the events (keys, mouse) until it is saved or cancelled. */
int  review_notes_busy(const review_notes *n);
/* A, O or R in the review: begins a comment, an override or a region comment. 1 when taken. */
int  review_notes_begin(review_notes *n, SDL_Keycode k);
void review_notes_event(app *a, review_notes *n, const SDL_Event *e, const review_note_ctx *c);
void review_notes_draw(app *a, const review_notes *n, float x, float y, float w, const review_note_ctx *c);
/* How many notes, for the state line. */
size_t review_notes_count(const review_notes *n);

#endif
