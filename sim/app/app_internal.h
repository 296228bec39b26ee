/* app_internal.h: what the app's parts share. The app is a loop (app.c) over screens; each
 * screen (picker, practice, score, sessions, review) is its own file behind app_screen, so a
 * new screen touches neither the loop nor the others. Around them: the camera
 * (app_camera.c), the pen feed that turns input into session events (app_pen.c) and the
 * HUD pieces the screens share (app_hud.c). */
#ifndef STIPPLE_APP_INTERNAL_H
#define STIPPLE_APP_INTERNAL_H

#include <SDL.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app.h"
#include "engine.h"
#include "haptics.h"
#include "hud.h"
#include "lesson_dir.h"
#include "live.h"
#include "live_input.h"
#include "renderer.h"
#include "score.h"

#define APP_FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define APP_MAX_MARKERS 4000

typedef struct app app;

/* A screen: events, a step before drawing (advance time, settle stops), drawing. */
typedef struct app_screen {
    const char *name;
    void (*event)(app *a, const SDL_Event *e);
    /* once a frame before drawing; sets a->dirty when the frame must be drawn and
     * a->shots_now when screenshots are due at this exact time */
    void (*update)(app *a);
    void (*draw)(app *a);
    /* after the frame was shown (optional): stops that follow a shown frame */
    void (*after_frame)(app *a);
    /* ms to sleep when nothing changed (optional; 100 without) */
    int (*idle_ms)(app *a);
    /* the window's close button (optional; quits without) */
    void (*quit)(app *a);
    /* takes the screenshots due with the frame just drawn (optional; the loop's own without) */
    void (*take_shots)(app *a);
} app_screen;

extern const app_screen app_screen_picker, app_screen_practice, app_screen_score, app_screen_review, app_screen_sessions,
    app_screen_trainee;

enum src_kind { SRC_MOUSE = 0, SRC_SESSION, SRC_EVEMU };

struct app {
    const app_options *opt;       /* points at opt_local */
    app_options opt_local;        /* the options, as the session runs them (an exam lesson sets exam) */
    app_gl gl;
    hud   *hud;
    const app_screen *scr;
    int    running, exit_code;
    app_shot shots[APP_MAX_SHOTS];
    int    shots_now;      /* screenshots due this frame (APP_SHOT_AT / APP_SHOT_END) */
    int    exit_after_score;

    /* picker */
    lesson_dir_entry *lessons;
    size_t nlessons;
    int    sel;

    /* practice */
    lesson  lesson;
    int     have_lesson;
    surface *surface;
    engine  *eng;
    renderer *ren;
    live    *live;
    session_writer *writer;
    FILE   *session_file;           /* the sessions folder's file (NULL with -o: the writer owns it) */
    session_header hdr;
    char    session_path[1024];
    input_source *src;
    session_data own_session;       /* the input session when the caller did not pass it */
    int     have_own_session;
    int     src_kind, src_done;
    int64_t src_end_us;
    int64_t now_us;
    double  wall0;
    size_t  dots_seen;

    /* the mouse as a pen */
    device_desc mouse_desc;
    pen_calibration cal;
    int     mx, my, mouse_in, pen_down, pen_dirty;
    double  pressure;               /* 0..1 of the device's range while the button is down */
    pen_sample last_pen;
    int     have_pen;
    const device_desc *pen_desc;

    /* camera */
    view_state cam;
    int     cam_dirty, rdrag, mdrag, drag_moved, last_x, last_y;

    /* toggles */
    int     healed, overlay_mode, flags_on, debug, confirm_quit;
    double  overlay_t;
    size_t  overlay_n;
    int     overlay_shown;

    /* score */
    score_result score;
    int     have_score;
    view_state view_score;
    int     fly;
    view_state fly_from, fly_to;
    double  fly_t0;
    long    fly_dot;
    size_t *flag_list;
    size_t  flag_count;
    int     flag_rows_y0, flag_row_h, flag_rows;

    /* timing */
    double  lat_avail_min;          /* wall time the oldest dot-making event of this frame was available */
    double  lat_last, lat_sum, lat_max;
    size_t  lat_n;
    double  frame_ms, fps, fps_t0;
    int     fps_frames, first_frame_done;
    int     settle_render;   /* this frame is a screenshot's: no cross-fade half-way */
    int     covered_top_px, covered_bottom_px;   /* this frame's opaque panels (render_frame) */
    int     dirty;
    int64_t last_clock_s;

    render_marker *markers;
    size_t  nmarkers;
    int     marker_cap;

    struct review *review;          /* the review screen's state (screen_review.c) */
    struct sessions_state *sessions;/* the Sessions screen's (screen_sessions.c) */
    struct trainee_prompt *prompt;  /* "Who is practising?" (screen_trainee.c) */
    app_options review_opt;         /* a session opened from the Sessions screen */
    char    review_path[1024], review_lesson[1024];

    /* a live pen (issue 4): the source lives inside li, read on its own thread */
    live_input *li;
    input_hotplug *hotplug;
    haptics *hap;
    int64_t last_written_us;        /* session files want non-decreasing times */
    char    pen_note[160];          /* "Tablet ... connected", shown for a few seconds */
    double  pen_note_t;
};

void app_set_screen(app *a, const app_screen *s);
void app_take_shot(app *a, app_shot *s);

/* ---- practice (screen_practice.c) ----------------------------------------------------- */
int  practice_start(app *a, const char *lesson_path);
void practice_stop(app *a);
void practice_finish(app *a, int64_t t_end);
int  practice_close_session(app *a, int64_t t_end);
/* the 3D scene of the practice and score screens, with the screen's HUD over it */
void scene_begin(app *a);   /* the dots synced, no markers yet */
void scene_end(app *a, const view_state *v, void (*hud_fn)(app *a, const view_state *v));

/* ---- who is practising (screen_trainee.c) ---------------------------------------------- */
/* Starts a live session on lesson_path, asking first who is practising when no trainee is
 * known (the trainee screen; Esc returns to the picker when from_picker, else quits). */
int  app_practice_begin(app *a, const char *lesson_path, int from_picker);
void app_trainee_prompt_free(app *a);

/* ---- review (screen_review.c) --------------------------------------------------------- */
int  review_start(app *a);
void review_stop(app *a);
void sessions_enter(app *a);   /* screen_sessions.c */
void sessions_free(app *a);

/* ---- score (screen_score.c) ----------------------------------------------------------- */
void score_enter(app *a);

/* ---- camera (app_camera.c) ------------------------------------------------------------ */
void cam_snap(app *a, int which);
int  cam_pick(const app *a, const view_state *v, int x, int y, surface_hit *h);
void cam_orbit(view_state *v, double dyaw, double dpitch);
void cam_pan(view_state *v, double dx_px, double dy_px, int height);
void cam_zoom(view_state *v, double factor);
/* the engine's view turned to face pos along nrm with field_mm of skin in view */
void cam_face_point(const app *a, const double pos[3], const double nrm[3], double field_mm, view_state *v);
/* turns a head view to the middle of the lesson's working zones, keeping its distance */
void cam_turn_to_zone(const app *a, view_state *v);
void cam_from_side(const app *a, const char *side, double field_mm, view_state *v);
/* a smooth flight between two views (0.7 s): cam_fly_start, then cam_fly_step each frame */
void cam_fly_start(app *a, const view_state *from, const view_state *to);
void cam_fly_step(app *a, view_state *v);

/* ---- the pen feed (app_pen.c) --------------------------------------------------------- */
void pen_mouse_device(device_desc *d, int w, int h);
/* a loaded session (borrowed: it outlives the source) played back as an input source */
input_source *pen_session_source(const session_data *d);
int  pen_open_live(app *a);
int  pen_display_area(const app *a, const device_desc *d, tablet_area *out);
int  pen_feed(app *a, const session_event *ev, double avail_wall);
void pen_emit_action(app *a, int kind, int32_t value, const needle *nd);
void pen_advance(app *a);
void pen_mouse_now(app *a);   /* a mouse button or drag, fed as it is handled */
void pen_poll_hotplug(app *a);
int64_t pen_next_stop(const app *a);

/* ---- HUD pieces (app_hud.c) ----------------------------------------------------------- */
extern const hud_rgba C_TEXT, C_DIM, C_PANEL, C_GOOD, C_BAD, C_WARN, C_ACCENT;
void  hud_fmt_clock(int64_t us, char *buf, size_t n);
float hud_wrapped(hud *h, hud_font f, float x, float y, float w, hud_rgba c, const char *s);
float hud_wrapped_height(hud *h, hud_font f, float w, const char *s);
void  hud_add_marker(app *a, const double pos[3], const double nrm[3], uint8_t r, uint8_t g, uint8_t b, uint8_t al,
                     float size);
void  hud_depth_gauge(app *a, float x, float y, float w);
void  hud_pen_cursor(app *a, const view_state *v);
void  hud_live_flags(app *a, const dot *dots, size_t n);
void  hud_metric_words(const app *a, int m, int brief, char *buf, size_t n);
/* the acceptable and ideal depth bands at a chart point (a scar's own in scar tissue):
 * the score's bands, so the live feedback and the score agree; the scar index or -1 */
int   app_depth_bands_at(const app *a, double u_mm, double v_mm, const double **band, const double **acceptable);

#endif
