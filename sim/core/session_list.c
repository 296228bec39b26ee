/* session_list.c: see session_list.h. */
#include "session_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "lesson_dir.h"
#include "score.h"
#include "session.h"
#include "session_store.h"
#include "surface.h"

/* The skins already made for this listing: sessions of one lesson share one (making the head
 * costs more than re-simulating most sessions). */
#define LIST_SURFACES_MAX 8
typedef struct surface_cache {
    surface_kind kind[LIST_SURFACES_MAX];
    double       w_mm[LIST_SURFACES_MAX], h_mm[LIST_SURFACES_MAX];
    surface     *s[LIST_SURFACES_MAX];
    size_t       n;
} surface_cache;

/* A shared skin, or (all places taken) one made for this session alone: *own is set then. */
static const surface *cached_surface(surface_cache *c, const lesson *l, surface **own)
{
    *own = NULL;
    for (size_t i = 0; i < c->n; i++)
        if (c->kind[i] == l->surface && c->w_mm[i] == l->skin_width_mm && c->h_mm[i] == l->skin_height_mm)
            return c->s[i];
    surface *sf = surface_create(l->surface, l->skin_width_mm, l->skin_height_mm);
    if (!sf || c->n == LIST_SURFACES_MAX)
        return *own = sf;
    c->kind[c->n] = l->surface;
    c->w_mm[c->n] = l->skin_width_mm;
    c->h_mm[c->n] = l->skin_height_mm;
    c->s[c->n++] = sf;
    return sf;
}

static void summarise(const char *path, const lesson_dir_entry *lessons, size_t nlessons, surface_cache *cache,
                      session_summary *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    struct stat st;
    if (stat(path, &st) == 0)
        s->mtime_s = (int64_t)st.st_mtime;
    session_data d;
    char err[256];
    if (session_load_file(path, &d, err, sizeof err) != 0) {
        snprintf(s->problem, sizeof s->problem, "%s", err);
        return;
    }
    s->loaded = 1;
    snprintf(s->lesson_id, sizeof s->lesson_id, "%s", d.header.lesson_id);
    snprintf(s->source, sizeof s->source, "%s", d.header.source);
    s->duration_us = d.end_t_us;
    s->complete = d.complete;
    int id_seen = 0;
    const lesson_dir_entry *e = lesson_dir_find(lessons, nlessons, d.header.lesson_id, d.header.lesson_hash, &id_seen);
    lesson l;
    if (!e) {
        snprintf(s->problem, sizeof s->problem, "%s", id_seen ? "its lesson has changed since it was recorded"
                                                               : "its lesson is not in the lessons folder");
    } else if (lesson_load_file(e->path, &l, err, sizeof err) != 0) {
        snprintf(s->problem, sizeof s->problem, "%s", err);
    } else {
        snprintf(s->lesson_title, sizeof s->lesson_title, "%s", l.title);
        surface *own;
        const surface *sf = cached_surface(cache, &l, &own);
        engine *en = sf ? engine_replay(&l, sf, &d) : NULL;
        score_result sc;
        size_t n = 0;
        const dot *dots = en ? engine_dots(en, &n) : NULL;
        if (en && score_session(&l, sf, dots, n, &sc) == 0) {
            s->scored = 1;
            s->dots = n;
            s->total = sc.total;
            s->passed = sc.passed;
            score_result_free(&sc);
        } else {
            snprintf(s->problem, sizeof s->problem, "out of memory");
        }
        engine_free(en);
        surface_free(own);
        lesson_free(&l);
    }
    session_data_free(&d);
}

int session_list(const char *sessions_dir, const char *lessons_dir, session_summary **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    char **paths;
    size_t n;
    if (session_store_list(sessions_dir, &paths, &n) != 0)
        return -1;
    lesson_dir_entry *lessons = NULL;
    size_t nlessons = 0;
    lesson_dir_scan(lessons_dir, &lessons, &nlessons);   /* none: each session says so */
    session_summary *v = n ? calloc(n, sizeof *v) : NULL;
    surface_cache cache;
    memset(&cache, 0, sizeof cache);
    for (size_t i = 0; i < n; i++) {
        if (v)
            summarise(paths[i], lessons, nlessons, &cache, &v[i]);
        free(paths[i]);
    }
    free(paths);
    free(lessons);
    for (size_t i = 0; i < cache.n; i++)
        surface_free(cache.s[i]);
    if (n && !v)
        return -1;
    *out = v;
    *count = n;
    return 0;
}
