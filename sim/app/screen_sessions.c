/* screen_sessions.c: the Sessions screen (S in the lesson picker): the sessions saved in the
 * sessions folder with their lesson, date, duration, dots and score, as `stipple sessions`
 * lists them; Enter opens one in the review player. */
#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_internal.h"
#include "session_list.h"
#include "session_store.h"

#define ROW_H 44.0f
#define TOP_Y 130.0f

typedef struct sessions_state {
    session_summary *list;
    size_t n;
    int    sel, first;
    char   dir[1024];
    char   msg[2600];
} sessions_state;

static sessions_state *SS(app *a)
{
    return a->sessions;
}

void sessions_enter(app *a)
{
    if (!a->sessions) {
        a->sessions = calloc(1, sizeof *a->sessions);
        if (!a->sessions)
            return;
    }
    sessions_state *s = SS(a);
    free(s->list);
    s->list = NULL;
    s->n = 0;
    s->msg[0] = 0;
    if (session_store_dir(s->dir, sizeof s->dir, 0, s->msg, sizeof s->msg) == 0 &&
        session_list(s->dir, a->opt->lessons_dir, &s->list, &s->n) != 0)
        snprintf(s->msg, sizeof s->msg, "No sessions yet: the practice app saves them in %s", s->dir);
    /* newest first */
    for (size_t i = 0; i < s->n / 2; i++) {
        session_summary t = s->list[i];
        s->list[i] = s->list[s->n - 1 - i];
        s->list[s->n - 1 - i] = t;
    }
    s->sel = 0;
    s->first = 0;
    app_set_screen(a, &app_screen_sessions);
}

void sessions_free(app *a)
{
    if (!a->sessions)
        return;
    free(a->sessions->list);
    free(a->sessions);
    a->sessions = NULL;
}

/* Opens session i in the review player: loaded once, its lesson found by id and hash. */
static void open_review(app *a, size_t i)
{
    sessions_state *s = SS(a);
    const session_summary *e = &s->list[i];
    char err[512];
    if (!e->scored) {
        snprintf(s->msg, sizeof s->msg, "%s: %s", e->path, e->problem[0] ? e->problem : "cannot be reviewed");
        return;
    }
    if (session_load_file(e->path, &a->own_session, err, sizeof err) != 0) {
        snprintf(s->msg, sizeof s->msg, "%s", err);
        return;
    }
    a->have_own_session = 1;
    const lesson_dir_entry *le = lesson_dir_find(a->lessons, a->nlessons, a->own_session.header.lesson_id,
                                                 a->own_session.header.lesson_hash, NULL);
    if (!le) {
        snprintf(s->msg, sizeof s->msg, "%s: its lesson is not in %s", e->path, a->opt->lessons_dir);
        session_data_free(&a->own_session);
        a->have_own_session = 0;
        return;
    }
    /* the app now reviews: its options say so */
    a->review_opt = *a->opt;
    a->review_opt.review = 1;
    snprintf(a->review_path, sizeof a->review_path, "%s", e->path);
    snprintf(a->review_lesson, sizeof a->review_lesson, "%s", le->path);
    a->review_opt.input_file = a->review_path;
    a->review_opt.lesson_path = a->review_lesson;
    a->review_opt.input_session = &a->own_session;
    a->review_opt.review_at_us = -1;
    a->review_opt.shot_count = 0;
    a->review_opt.exit_after = 0;
    a->opt = &a->review_opt;
    if (review_start(a) != 0) {
        a->exit_code = 1;
        a->running = 0;
    }
}

static void sessions_draw(app *a)
{
    sessions_state *s = SS(a);
    hud *h = a->hud;
    float W = (float)a->gl.width, H = (float)a->gl.height;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, a->gl.width, a->gl.height);
    glClearColor(0.09f, 0.10f, 0.12f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    hud_begin(h, a->gl.width, a->gl.height);
    hud_text(h, HUD_LARGE, 60.0f, 40.0f, C_TEXT, "Sessions: open one to review");
    hud_textf(h, HUD_SMALL, 60.0f, 80.0f, C_DIM, "%s   Up/Down and Enter, or click.  Esc: back to the lessons.", s->dir);
    if (s->msg[0])
        hud_text(h, HUD_SMALL, 60.0f, 100.0f, C_WARN, s->msg);
    int rows = (int)((H - TOP_Y - 20.0f) / ROW_H);
    if (s->sel < s->first)
        s->first = s->sel;
    if (s->sel >= s->first + rows)
        s->first = s->sel - rows + 1;
    float y = TOP_Y;
    for (int i = s->first; i < (int)s->n && i < s->first + rows; i++) {
        const session_summary *e = &s->list[i];
        if (i == s->sel)
            hud_rect(h, 50.0f, y - 6.0f, W - 100.0f, ROW_H - 4.0f, (hud_rgba){ 45, 60, 85, 255 });
        char date[32], dur[32], score[48] = "not scored";
        time_t t = (time_t)e->mtime_s;
        struct tm tmv;
        localtime_r(&t, &tmv);
        strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tmv);
        hud_fmt_clock(e->duration_us, dur, sizeof dur);
        if (e->scored)
            snprintf(score, sizeof score, "%.1f %s, %zu dots", e->total, e->passed ? "PASS" : "FAIL", e->dots);
        hud_textf(h, HUD_NORMAL, 64.0f, y, C_TEXT, "%s   %s", date, e->lesson_title[0] ? e->lesson_title : e->lesson_id);
        hud_textf(h, HUD_SMALL, 64.0f, y + 20.0f, e->scored ? (e->passed ? C_GOOD : C_BAD) : C_DIM, "%s   %s   %s", dur, score,
                  e->problem[0] ? e->problem : e->source);
        y += ROW_H;
    }
    if (!s->n && !s->msg[0])
        hud_text(h, HUD_NORMAL, 60.0f, TOP_Y, C_DIM, "No sessions yet.");
    hud_end(h);
}

static void sessions_event(app *a, const SDL_Event *e)
{
    sessions_state *s = SS(a);
    a->dirty = 1;
    if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        if (k == SDLK_ESCAPE)
            app_set_screen(a, &app_screen_picker);
        else if (k == SDLK_UP && s->sel > 0)
            s->sel--;
        else if (k == SDLK_DOWN && s->sel + 1 < (int)s->n)
            s->sel++;
        else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && s->n)
            open_review(a, (size_t)s->sel);
    } else if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        int row = s->first + (int)(((float)e->button.y - (TOP_Y - 6.0f)) / ROW_H);
        if ((float)e->button.y >= TOP_Y - 6.0f && row >= 0 && row < (int)s->n)
            open_review(a, (size_t)row);
    }
}

static void sessions_update(app *a)
{
    (void)a;
}

const app_screen app_screen_sessions = {
    .name = "sessions",
    .event = sessions_event,
    .update = sessions_update,
    .draw = sessions_draw,
};
