/* haptics.h: feedback the trainee feels or hears while working, never anything the score
 * depends on:
 *   - the machine's buzz while it runs;
 *   - a distinct pulse when a puncture goes past the depth band of the skin it is in (the
 *     lesson's depth_band_mm[1], or a scar's own band in scar tissue), once per puncture;
 * through, in order of preference: the pen's own force feedback (EV_FF with FF_RUMBLE or
 * FF_PERIODIC, via live_input), an SDL haptic device (a game controller's rumble), or a tone
 * generated into SDL audio (no files). Exam mode (--exam): all off.
 *
 * The decision (which cue fires when) is haptics_logic, plain code tested headless in
 * tests/test_app_haptics.c; haptics_* drives the outputs and is called once a frame. */
#ifndef STIPPLE_HAPTICS_H
#define STIPPLE_HAPTICS_H

#include <stddef.h>

/* ---- the decision ------------------------------------------------------------------- */
typedef struct haptics_logic {
    int    exam;
    double band_max_mm;      /* deeper than this: the pulse */
    int    buzzing;
    int    in_contact;       /* a puncture was in progress at the last step */
    int    pulsed;           /* this puncture already pulsed */
    size_t dots_seen;
} haptics_logic;

typedef struct haptics_cue {
    int buzz;                /* 1: the buzz should run now */
    int buzz_changed;        /* buzz differs from the previous step */
    int pulse;               /* 1: fire the pulse now */
} haptics_cue;

void haptics_logic_init(haptics_logic *l, int exam, double band_max_mm);
/* One step (a frame). machine_on: engine_machine_on; in_contact/depth_mm:
 * engine_contact_depth; dots/last_dot_depth_mm: the engine's dot count and the newest dot's
 * depth, so a puncture that began and ended between two frames still pulses when it went too
 * deep. */
void haptics_logic_step(haptics_logic *l, int machine_on, int in_contact, double depth_mm, size_t dots,
                        double last_dot_depth_mm, haptics_cue *out);

/* ---- the outputs (SDL) -------------------------------------------------------------- */
typedef struct live_input live_input;
typedef struct haptics haptics;

enum haptics_backend { HAPTICS_OFF = 0, HAPTICS_EVDEV_FF, HAPTICS_SDL_HAPTIC, HAPTICS_AUDIO };

typedef struct haptics_stats {
    int    backend;          /* enum haptics_backend */
    size_t pulses, buzz_starts, buzz_stops;
    size_t audio_bytes;      /* queued into SDL audio */
    int    errors;           /* failed device calls (the backend then falls back) */
} haptics_stats;

/* li: the live pen (NULL for the mouse or a recording). exam: everything off. audio: allow
 * the audio fallback. Never fails: without any output the backend is HAPTICS_OFF. */
haptics *haptics_open(live_input *li, int exam, double band_max_mm, int audio);
void     haptics_frame(haptics *h, int machine_on, int in_contact, double depth_mm, size_t dots,
                       double last_dot_depth_mm);
/* The band's deep edge where the needle is now (a scar's own in scar tissue, as the score
 * has it); called before haptics_frame when it changes. */
void     haptics_set_band_max(haptics *h, double band_max_mm);
/* Stops the buzz (a pause, the end of the lesson). */
void     haptics_silence(haptics *h);
void     haptics_stats_get(const haptics *h, haptics_stats *out);
const char *haptics_backend_name(int backend);
void     haptics_close(haptics *h);   /* NULL-safe */

#endif
