/* screen_score.c: the score screen: the total and each metric in words, the flagged dots
 * (click one, on the list or on the skin, to fly to it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "report_text.h"

static void goto_score_view(app *a)
{
    a->view_score = *engine_view(a->eng);
    a->view_score.aspect = (float)a->gl.width / (float)a->gl.height;
    /* step back to see the work: the zone at a glance */
    view_state d;
    engine_default_view(&a->lesson, a->surface, &d);
    if (a->lesson.surface == SURFACE_HEAD) {
        d.pitch_deg = 35.0f;
        d.target_mm[1] += 30.0f;
        d.distance_mm *= 0.85f;
        cam_turn_to_zone(a, &d);   /* facing the work: the scars behind, the hairline in front */
    }
    d.aspect = a->view_score.aspect;
    /* shift left: the panel covers the right of the window */
    double eye[3], right[3], up[3], fwd[3];
    view_basis(&d, eye, right, up, fwd);
    double shift = 0.18 * view_field_height_mm(&d) * d.aspect;
    for (int i = 0; i < 3; i++)
        d.target_mm[i] += (float)(right[i] * shift);
    a->view_score = d;
}

static void fly_to_dot(app *a, size_t i)
{
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    if (i >= n)
        return;
    view_state to;
    cam_face_point(a, dots[i].pos_mm, dots[i].normal, 25.0, &to);
    /* keep the dot left of the panel */
    double eye[3], right[3], up[3], fwd[3];
    view_basis(&to, eye, right, up, fwd);
    double shift = 0.18 * view_field_height_mm(&to) * to.aspect;
    for (int k = 0; k < 3; k++)
        to.target_mm[k] += (float)(right[k] * shift);
    cam_fly_start(a, &a->view_score, &to);
    a->fly_dot = (long)i;
}

static void draw_score_hud(app *a, const view_state *v)
{
    (void)v;
    hud *h = a->hud;
    const score_result *s = &a->score;
    float W = (float)a->gl.width, H = (float)a->gl.height;
    float pw = 470.0f, px = W - pw, x = px + 18.0f, y = 14.0f, tw = pw - 36.0f;
    hud_rect(h, px, 0, pw, H, (hud_rgba){ 14, 16, 20, 228 });
    hud_text(h, HUD_NORMAL, x, y, C_DIM, a->lesson.title);
    y += 24.0f;
    hud_textf(h, HUD_LARGE, x, y, s->passed ? C_GOOD : C_BAD, "%.1f / 100  %s", s->total, s->passed ? "PASS" : "FAIL");
    y += 34.0f;
    hud_textf(h, HUD_SMALL, x, y, C_DIM, "pass mark %.0f; %zu dots; %s", a->lesson.pass_total, s->dot_count,
              a->opt->exam ? "exam" : "practice");
    y += 22.0f;
    char words[2 * REPORT_TEXT_MAX + 16];
    if (!s->passed) {   /* the gate that failed, in grade's words */
        report_text_verdict(&a->lesson, s, words, sizeof words);
        y += hud_wrapped(h, HUD_SMALL, x, y, tw, C_BAD, words) + 6.0f;
    }
    /* Every metric's sentence when they leave room for a few flagged dots; otherwise the
     * failed metrics' sentences and the others' advice (grade prints them all). */
    float full = 0.0f, room_for_flags = 17.0f * (float)(a->flag_count < 6 ? a->flag_count + 2 : 8);
    for (int m = 0; m < METRIC_COUNT; m++)
        if (s->metric_applies[m]) {
            hud_metric_words(a, m, 0, words, sizeof words);
            full += hud_line_height(h, HUD_NORMAL) + hud_wrapped_height(h, HUD_SMALL, tw - 10.0f, words) + 6.0f;
        }
    int brief = y + full + room_for_flags > H - 70.0f;
    for (int m = 0; m < METRIC_COUNT; m++) {
        if (!s->metric_applies[m])
            continue;
        hud_textf(h, HUD_NORMAL, x, y, C_TEXT, "%s", metric_name(m));
        hud_textf(h, HUD_NORMAL, x + 110.0f, y, s->metric_passed[m] ? C_GOOD : C_BAD, "%5.1f  %s", s->metric_score[m],
                  s->metric_passed[m] ? "pass" : "FAIL");
        hud_textf(h, HUD_SMALL, x + 250.0f, y + 2.0f, C_DIM, "(pass %.0f)", a->lesson.pass[m]);
        y += hud_line_height(h, HUD_NORMAL);
        hud_metric_words(a, m, brief && s->metric_passed[m], words, sizeof words);
        y += hud_wrapped(h, HUD_SMALL, x + 10.0f, y, tw - 10.0f, C_DIM, words) + 6.0f;
    }
    y += 4.0f;
    hud_textf(h, HUD_NORMAL, x, y, C_TEXT, "Flagged dots: %zu%s", a->flag_count, a->flag_count ? " (click one to look)" : "");
    y += hud_line_height(h, HUD_NORMAL) + 2.0f;
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    a->flag_rows_y0 = (int)y;
    a->flag_row_h = 17;
    int rows = (int)((H - 70.0f - y) / (float)a->flag_row_h);
    if (rows < 0)
        rows = 0;
    if ((size_t)rows > a->flag_count)
        rows = (int)a->flag_count;
    a->flag_rows = rows;
    for (int r = 0; r < rows; r++) {
        size_t i = a->flag_list[r];
        char reason[REPORT_TEXT_MAX];
        report_text_dot_reason(s, &a->lesson, dots, i, reason, sizeof reason);
        char line[REPORT_TEXT_MAX + 32];
        snprintf(line, sizeof line, "#%zu %s", report_dot_number(i), reason);   /* grade's and the PDF's number */
        size_t len = strlen(line);
        while (len > 4 && hud_text_width(h, HUD_SMALL, line) > tw) {
            line[len - 4] = 0;
            strcat(line, "...");
            len = strlen(line) - 1;
        }
        int sel = a->fly_dot == (long)i;
        if (sel)
            hud_rect(h, x - 4.0f, y - 1.0f, tw + 8.0f, (float)a->flag_row_h, (hud_rgba){ 60, 70, 90, 230 });
        hud_text(h, HUD_SMALL, x, y, sel ? C_TEXT : C_WARN, line);
        y += (float)a->flag_row_h;
    }
    hud_textf(h, HUD_SMALL, x, H - 62.0f, C_ACCENT, "Session saved: %s", a->session_path);
    hud_text(h, HUD_SMALL, x, H - 44.0f, C_DIM, "Same numbers as: stipple grade SESSION --json");
    hud_text(h, HUD_SMALL, x, H - 26.0f, C_DIM, "Enter lessons   H healed view   Esc quit");
    if (a->healed)
        hud_text(h, HUD_LARGE, 20.0f, 16.0f, C_WARN, "Healed view: day 30 (H)");
}

static void score_event(app *a, const SDL_Event *e)
{
    a->dirty = 1;
    if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        if (k == SDLK_ESCAPE || k == SDLK_q) {
            a->running = 0;
        } else if (k == SDLK_h) {
            a->healed = !a->healed;
        } else if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
            if (a->nlessons && !a->opt->input_file) {
                practice_stop(a);
                app_set_screen(a, &app_screen_picker);
            } else {
                a->running = 0;
            }
        } else if (k == SDLK_F3) {
            a->debug = !a->debug;
        }
    } else if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        int x = e->button.x, y = e->button.y;
        if (x > a->gl.width - 470) {
            int row = (y - a->flag_rows_y0) / (a->flag_row_h ? a->flag_row_h : 1);
            if (y >= a->flag_rows_y0 && row >= 0 && row < a->flag_rows)
                fly_to_dot(a, a->flag_list[row]);
            return;
        }
        /* a click on the head: the nearest flagged dot within 4 mm */
        surface_hit hit;
        if (!cam_pick(a, &a->view_score, x, y, &hit))
            return;
        size_t n;
        const dot *dots = engine_dots(a->eng, &n);
        double best = 16.0;
        long bi = -1;
        for (size_t k = 0; k < a->flag_count; k++) {
            const dot *d = &dots[a->flag_list[k]];
            double dx = d->pos_mm[0] - hit.pos_mm[0], dy = d->pos_mm[1] - hit.pos_mm[1], dz = d->pos_mm[2] - hit.pos_mm[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 < best) {
                best = d2;
                bi = (long)a->flag_list[k];
            }
        }
        if (bi >= 0)
            fly_to_dot(a, (size_t)bi);
    } else if (e->type == SDL_MOUSEWHEEL) {
        cam_zoom(&a->view_score, pow(0.85, e->wheel.y));
    } else if (e->type == SDL_MOUSEMOTION && (e->motion.state & SDL_BUTTON_RMASK)) {
        cam_orbit(&a->view_score, -0.3 * e->motion.xrel, 0.3 * e->motion.yrel);
    }
}

void score_enter(app *a)
{
    app_set_screen(a, &app_screen_score);
    a->fly = 0;
    a->fly_dot = -1;
    goto_score_view(a);
}

static void score_update(app *a)
{
    if (a->fly || a->exit_after_score)
        a->dirty = 1;
}

static void score_draw(app *a)
{
    scene_begin(a);
    cam_fly_step(a, &a->view_score);
    view_state v = a->view_score;
    size_t n;
    const dot *dots = engine_dots(a->eng, &n);
    /* flagged dots */
    for (size_t k = 0; k < a->flag_count && a->nmarkers < APP_MAX_MARKERS; k++) {
        size_t i = a->flag_list[k];
        uint32_t f = a->score.dot_flags[i];
        uint8_t r = 255, g = 255, b = 255;
        if (f & (SF_BLOWOUT | SF_SHED | SF_OUT_OF_BAND)) {
            r = 90; g = 150; b = 255;
        } else if (f & SF_TOO_CLOSE) {
            r = 255; g = 150; b = 40;
        } else if (f & (SF_OUTSIDE_ZONE | SF_IN_FRONT | SF_OFF_SCALP)) {
            r = 255; g = 60; b = 200;
        } else if (f & SF_WRONG_COLOUR) {
            r = 250; g = 230; b = 60;
        }
        hud_add_marker(a, dots[i].pos_mm, dots[i].normal, r, g, b, 255, (long)i == a->fly_dot ? 14.0f : 6.0f);
    }
    (void)n;
    scene_end(a, &v, draw_score_hud);
}

const app_screen app_screen_score = {
    .name = "score",
    .event = score_event,
    .update = score_update,
    .draw = score_draw,
};
