/* screen_picker.c: the lesson picker. */
#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"

static void picker_draw(app *a)
{
    hud *h = a->hud;
    float W = (float)a->gl.width, H = (float)a->gl.height;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, a->gl.width, a->gl.height);
    glClearColor(0.09f, 0.10f, 0.12f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    hud_begin(h, a->gl.width, a->gl.height);
    hud_text(h, HUD_LARGE, 60.0f, 50.0f, C_TEXT, "Stipple: choose a lesson");
    hud_text(h, HUD_NORMAL, 60.0f, 90.0f, C_DIM, "Up/Down and Enter, or click.  S: saved sessions, to review.  Esc quits.");
    float y = 140.0f;
    if (!a->nlessons)
        hud_textf(h, HUD_NORMAL, 60.0f, y, C_BAD, "No lessons found in %s", a->opt->lessons_dir ? a->opt->lessons_dir : "(none)");
    for (size_t i = 0; i < a->nlessons; i++) {
        const lesson_dir_entry *e = &a->lessons[i];
        if ((int)i == a->sel)
            hud_rect(h, 50.0f, y - 6.0f, W - 100.0f, 48.0f, (hud_rgba){ 45, 60, 85, 255 });
        hud_text(h, HUD_NORMAL, 64.0f, y, C_TEXT, e->title);
        hud_textf(h, HUD_SMALL, 64.0f, y + 21.0f, C_DIM, "%s  (%s)", e->id, e->surface == SURFACE_HEAD ? "head" : "practice skin");
        y += 56.0f;
        if (y > H - 40.0f)
            break;
    }
    hud_end(h);
}

static void picker_event(app *a, const SDL_Event *e)
{
    a->dirty = 1;
    int choose = -1;
    if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        if (k == SDLK_ESCAPE || k == SDLK_q)
            a->running = 0;
        else if (k == SDLK_UP && a->sel > 0)
            a->sel--;
        else if (k == SDLK_DOWN && a->sel + 1 < (int)a->nlessons)
            a->sel++;
        else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && a->nlessons)
            choose = a->sel;
        else if (k == SDLK_s)
            sessions_enter(a);
    } else if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        int row = (e->button.y - 134) / 56;
        if (row >= 0 && row < (int)a->nlessons)
            choose = row;
    }
    if (choose >= 0) {
        if (app_practice_begin(a, a->lessons[choose].path, 1) != 0) {
            practice_stop(a);
            app_set_screen(a, &app_screen_picker);
        }
    }
}

static void picker_update(app *a)
{
    (void)a;
}

const app_screen app_screen_picker = {
    .name = "picker",
    .event = picker_event,
    .update = picker_update,
    .draw = picker_draw,
};
