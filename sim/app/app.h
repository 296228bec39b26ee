/* app.h: `stipple practice`, the trainee's real-time 3D screen: lesson picker -> practice
 * -> score. Everything the score depends on goes through engine_feed (mouse, tablet
 * recordings and recorded sessions alike) and into the session file as it goes; the
 * renderer only reads core state. */
#ifndef STIPPLE_APP_H
#define STIPPLE_APP_H

#include <stddef.h>
#include <stdint.h>

#define APP_MAX_SHOTS 32
#define APP_NO_DISPLAY 3    /* exit status when there is no display: fall back to headless */

enum app_shot_kind { APP_SHOT_AT = 0, APP_SHOT_END = 1, APP_SHOT_SCORE = 2, APP_SHOT_PROMPT = 3 };

typedef struct app_shot {
    int     kind;          /* enum app_shot_kind */
    int64_t t_us;          /* session time, APP_SHOT_AT */
    char    path[1024];
    int     done;
} app_shot;

/* A trainee the gradebook knows, offered by "Who is practising?". */
typedef struct app_trainee {
    char id[64];
    char name[256];
} app_trainee;

typedef struct app_options {
    const char *lesson_path;   /* NULL: the lesson picker (or the input session's lesson) */
    const char *lessons_dir;   /* for the picker */
    const char *input_file;    /* .stp session or .events device recording */
    const char *desc_path;     /* .desc for an .events file without a description */
    const struct session_data *input_session;  /* input_file already loaded (NULL: the app loads it) */
    int   fast;                /* play the input as fast as possible */
    app_shot shots[APP_MAX_SHOTS];
    int   shot_count;
    int   exit_after;          /* 0 none, 1 at exit_after_us, 2 at the end of the input */
    int64_t exit_after_us;
    int   exam;                /* hide all feedback (an exam lesson of a curriculum forces it) */
    const char *trainee_id;    /* who practises, recorded in the session ("" or NULL: asked) */
    const app_trainee *trainees;   /* the gradebook's trainees, offered when asking (may be none) */
    size_t trainee_count;
    const char *session_out;   /* where the session is written (default: a new file in the sessions folder, session_store.h) */
    const char *report_json;   /* also write the graded report as JSON here */
    int   width, height;
    double start_s;            /* CLOCK_MONOTONIC at process start, for start-to-first-frame */
    /* live pen (issue 4): without input_file, `device` (a /dev/input/eventN), else the first
     * pen found, else the mouse; mouse = 1 forces the mouse. tablet_area: "x0,y0,x1,y1" mm. */
    const char *device;
    const char *tablet_area;
    int   mouse;
    const char *input_dir;     /* where to look for devices (NULL: /dev/input) */
    /* review (stipple review): input_file/input_session is the session, lesson_path its
     * lesson; shots at times are taken paused; exit_after: quit once they are taken */
    int   review;
    int64_t review_at_us;      /* the first frame's time; -1: the start */
    const char *review_steps[APP_MAX_SHOTS];   /* "dot+", "dot-", "flag+", "flag-", after --at */
    int   review_step_count;
    int   review_kind;         /* enum review_kind: the flags shown and stepped through */
    const char *review_ghost;  /* "expert" or a session file */
    int   review_play_frames;  /* bench: once built, play this many frames at each of 1x, 8x, 64x, print fps, quit */
    int   review_log;          /* print the review's state on stdout after each key and click (for scripts) */
    const char *view;          /* NULL, or open looking from "front", "back", "left", "right", "top" */
    double view_field_mm;      /* with view: skin mm in the view's height (0: the whole head) */
} app_options;

int app_run(const app_options *o);

/* --bench: frame rates for 50,000 dots on the head (zoomed out, working magnification)
 * and on the practice skin; pen-to-photon latency; start-to-first-frame. */
int app_bench(const app_options *o);
/* --selftest zoom-mean: a region's mean colour seen zoomed out against zoomed in. */
int app_selftest_zoom(const app_options *o);

/* Shared by the app, the bench and the self-tests. */
typedef struct app_gl {
    void *window;              /* SDL_Window */
    void *context;             /* SDL_GLContext */
    int   width, height;
} app_gl;
/* 0, or APP_NO_DISPLAY with a message printed, or 1 on another failure. */
int  app_gl_open(app_gl *g, int width, int height, const char *title);
void app_gl_close(app_gl *g);
double app_now_s(void);

/* The head surface (~0.4 s to build, ~0.05 s to read from the cache: surface_cache.h)
 * made on a worker thread started at program start, so that a head lesson's first frame
 * does not wait for it after the window and shaders.
 * app_head_prefetch_start: starts the thread (once; harmless when it cannot);
 * app_head_prefetch_take: joins it and hands over its surface (the caller frees it), or
 * NULL when none was started or it failed (the caller builds one itself); *from_cache
 * (may be NULL) says whether it was read from the cache. */
struct surface;
void app_head_prefetch_start(void);
struct surface *app_head_prefetch_take(int *from_cache);
/* The renderer's skin mesh of that surface (render_mesh.h), made on the same thread after
 * it (~0.1-0.15 s): handed over when made from s (for render_create_from), else freed and
 * NULL (s NULL: frees whatever was made). */
struct render_mesh_prepared;
struct render_mesh_prepared *app_head_mesh_take(const struct surface *s);

/* The same for the HUD's fonts (~70 ms of glyph rasterising), on a thread started before
 * the window opens: app_hud_take joins it and makes the HUD (GL needed); without a start
 * it makes the HUD itself. app_hud_prefetch_drop: joins and frees (no window). */
struct hud;
void app_hud_prefetch_start(const char *font_path);
struct hud *app_hud_take(const char *font_path, char *err, size_t errlen);
void app_hud_prefetch_drop(void);

#endif
