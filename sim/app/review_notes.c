/* review_notes.c: see review_notes.h. */
#include "review_notes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_escape.h"

void review_notes_load(review_notes *n, const char *session_path)
{
    memset(n, 0, sizeof *n);
    n->metric = METRIC_DEPTH;
    n->rc = annotations_load(session_path, &n->notes, n->msg, sizeof n->msg);
    if (n->rc == ANNOT_CORRUPT || n->rc == ANNOT_MISMATCH)
        fprintf(stderr, "stipple review: warning: %s\n", n->msg);
}

void review_notes_free(review_notes *n)
{
    annotations_free(&n->notes);
}

int review_notes_busy(const review_notes *n)
{
    return n->mode != NOTE_IDLE;
}

size_t review_notes_count(const review_notes *n)
{
    return n->notes.count;
}

static void start_typing(review_notes *n, int mode)
{
    n->mode = mode;
    n->typed[0] = 0;
    if (!SDL_IsTextInputActive())
        SDL_StartTextInput();
}

int review_notes_begin(review_notes *n, SDL_Keycode k)
{
    if (k != SDLK_a && k != SDLK_o && k != SDLK_r)
        return 0;
    if (n->rc != ANNOT_OK && n->rc != ANNOT_NONE)
        return 1;   /* another session's notes, or a corrupt file: never added to (the panel says why) */
    /* with text input on, the key that begins a note comes as text too, right after it */
    n->skip_text = SDL_IsTextInputActive() == SDL_TRUE;
    if (k == SDLK_a) {
        start_typing(n, NOTE_COMMENT);
    } else if (k == SDLK_o) {
        start_typing(n, NOTE_OVERRIDE_VALUE);
        n->value[0] = 0;
    } else {
        n->mode = NOTE_REGION_PICK;
        n->dragging = 0;
    }
    return 1;
}

static void finish(review_notes *n)
{
    /* text input stays on (SDL's default on a desktop): the next note's key then always
     * comes as text too, and is skipped as such */
    n->mode = NOTE_IDLE;
    n->dragging = 0;
}

/* Adds the note and writes the sidecar; the message says when it could not. */
static void save(review_notes *n, annotation *note, const char *session_path, const char *what)
{
    const char *user = getenv("USER");
    snprintf(note->author, sizeof note->author, "%s", user ? user : "");
    char err[sizeof n->msg - sizeof "not saved: "] = "too many notes";   /* fits the message */
    if (annotations_add(&n->notes, note) != 0 || annotations_save(session_path, &n->notes, err, sizeof err) != 0) {
        snprintf(n->msg, sizeof n->msg, "not saved: %s", err);
        fprintf(stderr, "stipple review: %s\n", n->msg);
    } else {
        n->rc = ANNOT_OK;
        printf("review: %s saved beside %s\n", what, text_escaped(session_path));
        fflush(stdout);
    }
}

/* "72.5" (0-100), "pass" or "fail": 0, else -1. */
static int parse_value(const char *s, annotation *note)
{
    if (!strcmp(s, "pass") || !strcmp(s, "fail")) {
        note->has_verdict = 1;
        note->passed = s[0] == 'p';
        return 0;
    }
    char *end = NULL;
    double v = strtod(s, &end);
    if (!s[0] || !end || *end || !(v >= 0.0 && v <= 100.0))
        return -1;
    note->has_score = 1;
    note->score = v;
    return 0;
}

/* The next metric that applies to this lesson (all of them before the score is in). */
static int next_metric(int m, int dir, const score_result *sc)
{
    for (int i = 0; i < METRIC_COUNT; i++) {
        m = (m + dir + METRIC_COUNT) % METRIC_COUNT;
        if (!sc || sc->metric_applies[m])
            return m;
    }
    return m;
}

static void backspace(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && ((unsigned char)s[len - 1] & 0xC0) == 0x80)   /* a whole UTF-8 character */
        len--;
    if (len > 0)
        len--;
    s[len] = 0;
}

/* The override's value: digits and a point, P for passed, F for failed. */
static void value_text(review_notes *n, const char *t)
{
    for (; *t; t++) {
        size_t len = strlen(n->value);
        if (*t == 'p' || *t == 'P')
            snprintf(n->value, sizeof n->value, "pass");
        else if (*t == 'f' || *t == 'F')
            snprintf(n->value, sizeof n->value, "fail");
        else if (((*t >= '0' && *t <= '9') || *t == '.') && len + 1 < 6) {
            if (!strcmp(n->value, "pass") || !strcmp(n->value, "fail"))
                len = 0;
            n->value[len] = *t;
            n->value[len + 1] = 0;
        }
    }
}

static void region_event(app *a, review_notes *n, const SDL_Event *e, const review_note_ctx *c)
{
    surface_hit hit;
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        if (!cam_pick(a, &c->view, e->button.x, e->button.y, &hit))
            return;   /* off the skin */
        n->dragging = 1;
        n->drag_px[0] = n->drag_px[2] = (float)e->button.x;
        n->drag_px[1] = n->drag_px[3] = (float)e->button.y;
        n->drag_mm[0] = n->drag_mm[2] = hit.chart_mm[0];
        n->drag_mm[1] = n->drag_mm[3] = hit.chart_mm[1];
    } else if (e->type == SDL_MOUSEMOTION && n->dragging) {
        n->drag_px[2] = (float)e->motion.x;
        n->drag_px[3] = (float)e->motion.y;
        if (cam_pick(a, &c->view, e->motion.x, e->motion.y, &hit)) {
            n->drag_mm[2] = hit.chart_mm[0];
            n->drag_mm[3] = hit.chart_mm[1];
        }
    } else if (e->type == SDL_MOUSEBUTTONUP && e->button.button == SDL_BUTTON_LEFT && n->dragging) {
        n->dragging = 0;
        if (cam_pick(a, &c->view, e->button.x, e->button.y, &hit)) {
            n->drag_mm[2] = hit.chart_mm[0];
            n->drag_mm[3] = hit.chart_mm[1];
        }
        n->region_mm[0] = fmin(n->drag_mm[0], n->drag_mm[2]);
        n->region_mm[1] = fmin(n->drag_mm[1], n->drag_mm[3]);
        n->region_mm[2] = fmax(n->drag_mm[0], n->drag_mm[2]);
        n->region_mm[3] = fmax(n->drag_mm[1], n->drag_mm[3]);
        if (n->region_mm[2] - n->region_mm[0] < 0.1 && n->region_mm[3] - n->region_mm[1] < 0.1)
            return;   /* a click, not a region: drag again */
        n->skip_text = 0;
        start_typing(n, NOTE_REGION_TEXT);
    }
}

void review_notes_event(app *a, review_notes *n, const SDL_Event *e, const review_note_ctx *c)
{
    if (n->mode == NOTE_REGION_PICK) {
        if (e->type == SDL_KEYDOWN && e->key.keysym.sym == SDLK_ESCAPE)
            finish(n);
        else
            region_event(a, n, e, c);
        return;
    }
    if (e->type == SDL_TEXTINPUT) {
        const char *t = e->text.text;
        if (n->skip_text) {   /* the A or O that began it */
            n->skip_text = 0;
            if ((t[0] == 'a' || t[0] == 'A' || t[0] == 'o' || t[0] == 'O') && !t[1])
                return;
        }
        if (n->mode == NOTE_OVERRIDE_VALUE) {
            value_text(n, t);
            return;
        }
        size_t len = strlen(n->typed), add = strlen(t);
        if (len + add <= ANNOT_MAX_TEXT)
            memcpy(n->typed + len, t, add + 1);
        return;
    }
    if (e->type != SDL_KEYDOWN)
        return;
    n->skip_text = 0;
    SDL_Keycode k = e->key.keysym.sym;
    if (k == SDLK_ESCAPE) {
        finish(n);
        return;
    }
    if (n->mode == NOTE_OVERRIDE_VALUE) {
        if (k == SDLK_TAB || k == SDLK_DOWN || k == SDLK_UP)
            n->metric = next_metric(n->metric, k == SDLK_UP ? -1 : 1, c->score);
        else if (k == SDLK_BACKSPACE)
            n->value[0] && (!strcmp(n->value, "pass") || !strcmp(n->value, "fail")) ? (void)(n->value[0] = 0) : backspace(n->value);
        else if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
            annotation probe;
            memset(&probe, 0, sizeof probe);
            if (parse_value(n->value, &probe) == 0) {
                n->mode = NOTE_OVERRIDE_REASON;
                n->typed[0] = 0;
            }
        }
        return;
    }
    if (k == SDLK_BACKSPACE) {
        backspace(n->typed);
        return;
    }
    if (k != SDLK_RETURN && k != SDLK_KP_ENTER)
        return;
    if (!n->typed[0]) {
        if (n->mode != NOTE_OVERRIDE_REASON)   /* an override needs its reason: keep asking */
            finish(n);
        return;
    }
    annotation note;
    memset(&note, 0, sizeof note);
    snprintf(note.text, sizeof note.text, "%s", n->typed);
    const char *what = "comment";
    if (n->mode == NOTE_OVERRIDE_REASON) {
        note.kind = ANNOT_OVERRIDE;
        note.metric = n->metric;
        parse_value(n->value, &note);
        what = "override";
    } else if (n->mode == NOTE_REGION_TEXT) {
        note.kind = ANNOT_COMMENT;
        note.pin = ANNOT_AT_REGION;
        memcpy(note.region_mm, n->region_mm, sizeof note.region_mm);
        what = "region comment";
    } else if (c->selected >= 0) {
        note.pin = ANNOT_AT_DOT;
        note.dot = c->selected + 1;
    } else {
        note.pin = ANNOT_AT_TIME;
        note.at_us = c->t_us;
    }
    finish(n);
    save(n, &note, c->session_path, what);
}

/* The prompt while a note is being made. */
static void draw_making(app *a, const review_notes *n, float x, float y, float w, const review_note_ctx *c)
{
    hud *h = a->hud;
    float lh = hud_line_height(h, HUD_SMALL) + 1.0f;
    hud_rect(h, x - 10.0f, y - 6.0f, w + 30.0f, 96.0f, (hud_rgba){ 30, 40, 60, 240 });
    switch (n->mode) {
    case NOTE_COMMENT:
        hud_textf(h, HUD_SMALL, x, y, C_ACCENT, "Comment on %s (Enter saves, Esc cancels):",
                  c->selected >= 0 ? "the inspected dot" : "this moment");
        hud_wrapped(h, HUD_SMALL, x, y + lh, w, C_TEXT, n->typed[0] ? n->typed : "_");
        break;
    case NOTE_REGION_PICK:
        hud_text(h, HUD_SMALL, x, y, C_ACCENT, "Region comment: drag over the skin (Esc cancels)");
        break;
    case NOTE_REGION_TEXT:
        hud_textf(h, HUD_SMALL, x, y, C_ACCENT, "Comment on the region %.1f,%.1f to %.1f,%.1f mm (Enter saves):",
                  n->region_mm[0], n->region_mm[1], n->region_mm[2], n->region_mm[3]);
        hud_wrapped(h, HUD_SMALL, x, y + lh, w, C_TEXT, n->typed[0] ? n->typed : "_");
        break;
    case NOTE_OVERRIDE_VALUE: {
        int m = n->metric;
        hud_textf(h, HUD_SMALL, x, y, C_ACCENT, "Override %s (Tab: next metric)", metric_name(m));
        if (c->score)
            hud_textf(h, HUD_SMALL, x, y + lh, C_DIM, "computed %.1f, %s", c->score->metric_score[m],
                      c->score->metric_passed[m] ? "passed" : "failed");
        hud_textf(h, HUD_SMALL, x, y + 2.0f * lh, C_TEXT, "score 0-100, or P passed / F failed: %s_", n->value);
        hud_text(h, HUD_SMALL, x, y + 3.0f * lh, C_DIM, "Enter: then the reason   Esc cancels");
        break;
    }
    case NOTE_OVERRIDE_REASON:
        hud_textf(h, HUD_SMALL, x, y, C_ACCENT, "Override %s = %s: the reason (Enter saves, Esc cancels):",
                  metric_name(n->metric), n->value);
        hud_wrapped(h, HUD_SMALL, x, y + lh, w, C_TEXT, n->typed[0] ? n->typed : "_");
        break;
    default: break;
    }
    if (n->dragging) {
        float x0 = fminf(n->drag_px[0], n->drag_px[2]), y0 = fminf(n->drag_px[1], n->drag_px[3]);
        float x1 = fmaxf(n->drag_px[0], n->drag_px[2]), y1 = fmaxf(n->drag_px[1], n->drag_px[3]);
        hud_rgba c2 = C_ACCENT;
        hud_rect(h, x0, y0, x1 - x0, 2.0f, c2);
        hud_rect(h, x0, y1 - 2.0f, x1 - x0, 2.0f, c2);
        hud_rect(h, x0, y0, 2.0f, y1 - y0, c2);
        hud_rect(h, x1 - 2.0f, y0, 2.0f, y1 - y0, c2);
    }
}

void review_notes_draw(app *a, const review_notes *n, float x, float y, float w, const review_note_ctx *c)
{
    hud *h = a->hud;
    float lh = hud_line_height(h, HUD_SMALL) + 1.0f;
    if (n->mode != NOTE_IDLE) {
        draw_making(a, n, x, y, w, c);
        return;
    }
    if (n->rc == ANNOT_NONE && !n->notes.count)
        return;   /* nothing to show: the keys are on the bottom line */
    float y0 = y;
    hud_rect(h, x - 10.0f, y - 6.0f, w + 30.0f, 130.0f, C_PANEL);
    if (n->rc == ANNOT_CORRUPT || n->rc == ANNOT_MISMATCH || !strncmp(n->msg, "not saved", 9)) {
        y += hud_wrapped(h, HUD_SMALL, x, y, w, C_BAD, n->msg);
        if (n->rc == ANNOT_CORRUPT)
            return;
    }
    int applied = n->rc == ANNOT_OK;
    hud_textf(h, HUD_SMALL, x, y, C_DIM, "Notes: %zu%s   A comment  R region  O override", n->notes.count,
              applied ? "" : n->rc == ANNOT_NONE ? "" : " (not applied)");
    y += lh;
    for (int m = 0; m < METRIC_COUNT && y < y0 + 115.0f; m++) {
        const annotation *o = annotations_override(&n->notes, m);
        if (!o)
            continue;
        char line[ANNOT_MAX_TEXT + 128], value[64];
        annotations_override_value(o, value, sizeof value);
        snprintf(line, sizeof line, "%s override %s (computed %.1f, %s): %s", metric_name(m), value,
                 c->score ? c->score->metric_score[m] : 0.0, c->score && c->score->metric_passed[m] ? "passed" : "failed",
                 o->text);
        y += hud_wrapped(h, HUD_SMALL, x, y, w, applied ? C_ACCENT : C_DIM, line);
    }
    for (size_t i = 0; i < n->notes.count && y < y0 + 115.0f; i++) {
        const annotation *q = &n->notes.notes[i];
        if (q->kind != ANNOT_COMMENT)
            continue;
        int here = (q->pin == ANNOT_AT_DOT && q->dot == c->selected + 1) ||
                   (q->pin == ANNOT_AT_TIME && llabs(q->at_us - c->t_us) <= 3000000) || q->pin == ANNOT_AT_REGION;
        if (!here)
            continue;
        char line[ANNOT_MAX_TEXT + 160];
        if (q->pin == ANNOT_AT_REGION)
            snprintf(line, sizeof line, "region %.1f,%.1f to %.1f,%.1f mm: %s%s%s%s", q->region_mm[0], q->region_mm[1],
                     q->region_mm[2], q->region_mm[3], q->text, q->author[0] ? " (" : "", q->author, q->author[0] ? ")" : "");
        else
            snprintf(line, sizeof line, "%s%s%s%s", q->text, q->author[0] ? " (" : "", q->author, q->author[0] ? ")" : "");
        y += hud_wrapped(h, HUD_SMALL, x, y, w, C_WARN, line);
    }
}
