/* screen_trainee.c: "Who is practising?", asked before a live session when no --trainee was
 * given. With a gradebook the trainees it knows are listed (Up/Down and Enter, or click; the
 * last row types a name instead); without one, the trainee types a name. The choice (a
 * gradebook id, or the name as typed) goes into the session header as its trainee, so the
 * gradebook can later count the session for that trainee. The app never opens the gradebook
 * itself: the command line hands it the list (app_options.trainees). */
#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "text_escape.h"

#define PROMPT_ROW_H 44.0f
#define PROMPT_TOP_Y 150.0f

struct trainee_prompt {
    char lesson_path[4096];   /* started once the trainee is known */
    int  from_picker;         /* Esc goes back to the picker (else it quits) */
    int  typing;              /* 1: the name field; 0: the gradebook's list */
    int  sel;                 /* list row; trainee_count is "someone else" */
    char name[sizeof(((session_header *)0)->trainee_id)];
};

/* A typed name is kept as the trainee typed it, without control characters. */
static void name_append(struct trainee_prompt *p, const char *utf8)
{
    size_t n = strlen(p->name);
    for (const unsigned char *c = (const unsigned char *)utf8; *c; c++) {
        if (*c < 0x20 || *c == 0x7f)
            continue;
        if (n + 1 >= sizeof p->name)
            break;
        p->name[n++] = (char)*c;
    }
    p->name[n] = '\0';
}

/* Backspace removes one character (a whole UTF-8 sequence). */
static void name_backspace(struct trainee_prompt *p)
{
    size_t n = strlen(p->name);
    while (n > 0) {
        unsigned char c = (unsigned char)p->name[--n];
        p->name[n] = '\0';
        if ((c & 0xC0) != 0x80)
            break;
    }
}

static int name_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ')
            return 0;
    return 1;
}

static void start_typing(app *a, struct trainee_prompt *p)
{
    p->typing = 1;
    SDL_StartTextInput();
    a->dirty = 1;
}

/* The trainee is known: record it and start the session. */
static void confirm(app *a, const char *who)
{
    struct trainee_prompt *p = a->prompt;
    SDL_StopTextInput();
    if (who != p->name)
        snprintf(p->name, sizeof p->name, "%s", who);
    a->opt_local.trainee_id = p->name;
    printf("trainee: %s\n", text_escaped(p->name));
    fflush(stdout);
    if (practice_start(a, p->lesson_path) != 0) {
        practice_stop(a);
        if (p->from_picker) {
            app_set_screen(a, &app_screen_picker);
        } else {
            a->exit_code = 1;
            a->running = 0;
        }
    }
}

static void back_out(app *a)
{
    struct trainee_prompt *p = a->prompt;
    SDL_StopTextInput();
    if (p->typing && a->opt->trainee_count) {
        p->typing = 0;   /* back to the list */
    } else if (p->from_picker) {
        app_set_screen(a, &app_screen_picker);
    } else {
        a->running = 0;
    }
    a->dirty = 1;
}

static void trainee_event(app *a, const SDL_Event *e)
{
    struct trainee_prompt *p = a->prompt;
    size_t n = a->opt->trainee_count;
    a->dirty = 1;
    if (e->type == SDL_TEXTINPUT && p->typing) {
        name_append(p, e->text.text);
        return;
    }
    if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        if (k == SDLK_ESCAPE) {
            back_out(a);
        } else if (p->typing) {
            if (k == SDLK_BACKSPACE)
                name_backspace(p);
            else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && !name_blank(p->name))
                confirm(a, p->name);
        } else if (k == SDLK_UP && p->sel > 0) {
            p->sel--;
        } else if (k == SDLK_DOWN && p->sel < (int)n) {
            p->sel++;
        } else if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
            if (p->sel < (int)n)
                confirm(a, a->opt->trainees[p->sel].id);
            else
                start_typing(a, p);
        }
    } else if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT && !p->typing) {
        float y = (float)e->button.y - (PROMPT_TOP_Y - 8.0f);
        int row = y >= 0.0f ? (int)(y / PROMPT_ROW_H) : -1;
        if (row >= 0 && row < (int)n)
            confirm(a, a->opt->trainees[row].id);
        else if (row == (int)n)
            start_typing(a, p);
    }
}

/* --screenshot-at prompt:FILE: taken with the question's first frame. */
static void trainee_update(app *a)
{
    for (int i = 0; i < a->opt->shot_count; i++)
        if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_PROMPT)
            a->shots_now = a->dirty = 1;
}

static void trainee_take_shots(app *a)
{
    for (int i = 0; i < a->opt->shot_count; i++)
        if (!a->shots[i].done && a->shots[i].kind == APP_SHOT_PROMPT)
            app_take_shot(a, &a->shots[i]);
}

static void trainee_draw(app *a)
{
    struct trainee_prompt *p = a->prompt;
    hud *h = a->hud;
    float W = (float)a->gl.width, H = (float)a->gl.height;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, a->gl.width, a->gl.height);
    glClearColor(0.09f, 0.10f, 0.12f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    hud_begin(h, a->gl.width, a->gl.height);
    hud_text(h, HUD_LARGE, 60.0f, 50.0f, C_TEXT, "Who is practising?");
    size_t n = a->opt->trainee_count;
    if (p->typing) {
        hud_text(h, HUD_NORMAL, 60.0f, 90.0f, C_DIM,
                 "Type your name (or your gradebook id), then Enter.  Esc goes back.");
        hud_rect(h, 50.0f, PROMPT_TOP_Y - 8.0f, W - 100.0f, 48.0f, (hud_rgba){ 45, 60, 85, 255 });
        float w = hud_text(h, HUD_LARGE, 64.0f, PROMPT_TOP_Y, C_TEXT, p->name);
        hud_rect(h, 64.0f + w + 2.0f, PROMPT_TOP_Y + 2.0f, 2.0f, 26.0f, C_ACCENT);   /* the caret */
        hud_text(h, HUD_SMALL, 64.0f, PROMPT_TOP_Y + 56.0f, C_DIM,
                 "The name is written into the session, so that your instructor's gradebook can count it.");
    } else {
        hud_text(h, HUD_NORMAL, 60.0f, 90.0f, C_DIM,
                 "Trainees in the gradebook: Up/Down and Enter, or click.  Esc goes back.");
        float y = PROMPT_TOP_Y;
        for (size_t i = 0; i <= n; i++) {
            if ((int)i == p->sel)
                hud_rect(h, 50.0f, y - 8.0f, W - 100.0f, PROMPT_ROW_H - 4.0f, (hud_rgba){ 45, 60, 85, 255 });
            if (i < n) {
                float w = hud_text(h, HUD_NORMAL, 64.0f, y, C_TEXT, text_escaped(a->opt->trainees[i].name));
                hud_textf(h, HUD_SMALL, 64.0f + w + 16.0f, y + 4.0f, C_DIM, "id %s", text_escaped(a->opt->trainees[i].id));
            } else {
                hud_text(h, HUD_NORMAL, 64.0f, y, C_ACCENT, "Someone else: type a name");
            }
            y += PROMPT_ROW_H;
            if (y > H - 40.0f)
                break;
        }
    }
    hud_end(h);
}

const app_screen app_screen_trainee = {
    .name = "trainee",
    .event = trainee_event,
    .update = trainee_update,
    .draw = trainee_draw,
    .take_shots = trainee_take_shots,
};

/* A live session needs its trainee: asked unless --trainee named one or the run is scripted
 * (a played-in input names its own; --exit-after runs unattended). */
int app_practice_begin(app *a, const char *lesson_path, int from_picker)
{
    const app_options *o = a->opt;
    int known = o->trainee_id && o->trainee_id[0];
    if (known || o->input_file || o->exit_after)
        return practice_start(a, lesson_path);
    if (!a->prompt && !(a->prompt = calloc(1, sizeof *a->prompt)))
        return practice_start(a, lesson_path);
    struct trainee_prompt *p = a->prompt;
    snprintf(p->lesson_path, sizeof p->lesson_path, "%s", lesson_path);
    p->from_picker = from_picker;
    p->sel = 0;
    p->name[0] = '\0';
    p->typing = 0;
    if (!o->trainee_count)
        start_typing(a, p);
    app_set_screen(a, &app_screen_trainee);
    return 0;
}

void app_trainee_prompt_free(app *a)
{
    free(a->prompt);
    a->prompt = NULL;
}
