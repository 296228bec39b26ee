/* haptics.c: see haptics.h. Audio: mono float at 48 kHz through SDL_QueueAudio; the buzz is
 * a quiet 120 Hz hum with a 2nd harmonic, queued in 50 ms slices so that at most ~100 ms is
 * ever waiting (it stops promptly); the pulse is a 1.2 kHz, 60 ms tone with a short fade,
 * queued ahead of the buzz's next slice. */
#include "haptics.h"

#include <SDL.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "live_input.h"

#define RATE 48000
#define PI 3.14159265358979323846

void haptics_logic_init(haptics_logic *l, int exam, double band_max_mm)
{
    memset(l, 0, sizeof *l);
    l->exam = exam;
    l->band_max_mm = band_max_mm;
}

void haptics_logic_step(haptics_logic *l, int machine_on, int in_contact, double depth_mm, size_t dots,
                        double last_dot_depth_mm, haptics_cue *out)
{
    memset(out, 0, sizeof *out);
    if (l->exam) {
        l->dots_seen = dots;
        return;
    }
    int buzz = machine_on != 0;
    out->buzz = buzz;
    out->buzz_changed = buzz != l->buzzing;
    l->buzzing = buzz;
    /* punctures finished since the last step: the newest dot's depth is its deepest point;
     * it pulses unless this very puncture already did while it was in */
    if (dots > l->dots_seen) {
        int already = l->in_contact && l->pulsed && dots == l->dots_seen + 1;
        if (last_dot_depth_mm > l->band_max_mm && !already)
            out->pulse = 1;
        l->in_contact = 0;   /* whatever is in now is a new puncture */
    }
    if (in_contact && !l->in_contact)
        l->pulsed = 0;
    if (in_contact && !l->pulsed && depth_mm > l->band_max_mm) {
        out->pulse = 1;
        l->pulsed = 1;
    }
    l->dots_seen = dots;
    l->in_contact = in_contact;
}

struct haptics {
    haptics_logic logic;
    haptics_stats st;
    live_input   *li;
    SDL_Haptic   *sdl_haptic;
    SDL_AudioDeviceID audio;
    double        phase;
    int           sdl_haptic_inited, sdl_audio_inited;
    float         slice[RATE / 10];   /* up to 100 ms a tone */
};

static int open_audio(haptics *h)
{
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0)
        return 0;
    h->sdl_audio_inited = 1;
    SDL_AudioSpec want, have;
    memset(&want, 0, sizeof want);
    want.freq = RATE;
    want.format = AUDIO_F32SYS;
    want.channels = 1;
    want.samples = 512;
    h->audio = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!h->audio)
        return 0;
    SDL_PauseAudioDevice(h->audio, 0);
    return 1;
}

haptics *haptics_open(live_input *li, int exam, double band_max_mm, int audio)
{
    haptics *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    haptics_logic_init(&h->logic, exam, band_max_mm);
    h->li = li;
    if (exam)
        return h;   /* HAPTICS_OFF */
    if (li && live_input_has_ff(li)) {
        h->st.backend = HAPTICS_EVDEV_FF;
        return h;
    }
    if (SDL_InitSubSystem(SDL_INIT_HAPTIC) == 0) {
        h->sdl_haptic_inited = 1;
        for (int i = 0; i < SDL_NumHaptics() && !h->sdl_haptic; i++) {
            SDL_Haptic *sh = SDL_HapticOpen(i);
            if (sh && SDL_HapticRumbleSupported(sh) == SDL_TRUE && SDL_HapticRumbleInit(sh) == 0)
                h->sdl_haptic = sh;
            else if (sh)
                SDL_HapticClose(sh);
        }
        if (h->sdl_haptic) {
            h->st.backend = HAPTICS_SDL_HAPTIC;
            return h;
        }
    }
    if (audio && open_audio(h))
        h->st.backend = HAPTICS_AUDIO;
    return h;
}

static void queue_tone(haptics *h, double freq, double amp, size_t n, int fade)
{
    if (n > sizeof h->slice / sizeof h->slice[0])
        n = sizeof h->slice / sizeof h->slice[0];
    for (size_t i = 0; i < n; i++) {
        double env = 1.0;
        if (fade) {
            size_t edge = n / 6;
            env = i < edge ? (double)i / (double)edge : i > n - edge ? (double)(n - i) / (double)edge : 1.0;
        }
        double s = sin(h->phase) + (fade ? 0.0 : 0.35 * sin(2.0 * h->phase));
        h->slice[i] = (float)(amp * env * s);
        h->phase += 2.0 * PI * freq / RATE;
        if (h->phase > 2.0 * PI)
            h->phase -= 2.0 * PI;
    }
    if (SDL_QueueAudio(h->audio, h->slice, (Uint32)(n * sizeof(float))) == 0)
        h->st.audio_bytes += n * sizeof(float);
}

void haptics_frame(haptics *h, int machine_on, int in_contact, double depth_mm, size_t dots, double last_dot_depth_mm)
{
    if (!h)
        return;
    haptics_cue c;
    haptics_logic_step(&h->logic, machine_on, in_contact, depth_mm, dots, last_dot_depth_mm, &c);
    if (c.buzz_changed)
        c.buzz ? h->st.buzz_starts++ : h->st.buzz_stops++;
    if (c.pulse)
        h->st.pulses++;
    switch (h->st.backend) {
    case HAPTICS_EVDEV_FF:
        if (c.buzz_changed && live_input_ff_play(h->li, 0, 0.25, 0, c.buzz) < 0)
            h->st.errors++;
        if (c.pulse && live_input_ff_play(h->li, 1, 1.0, 60, 1) < 0)
            h->st.errors++;
        break;
    case HAPTICS_SDL_HAPTIC:
        if (c.pulse) {
            if (SDL_HapticRumblePlay(h->sdl_haptic, 1.0f, 60) != 0)
                h->st.errors++;
        } else if (c.buzz_changed) {
            if ((c.buzz ? SDL_HapticRumblePlay(h->sdl_haptic, 0.2f, SDL_HAPTIC_INFINITY) : SDL_HapticRumbleStop(h->sdl_haptic)) != 0)
                h->st.errors++;
        }
        break;
    case HAPTICS_AUDIO:
        if (c.buzz_changed && !c.buzz)
            SDL_ClearQueuedAudio(h->audio);
        if (c.pulse)
            queue_tone(h, 1200.0, 0.5, RATE * 60 / 1000, 1);
        if (c.buzz && SDL_GetQueuedAudioSize(h->audio) < (Uint32)(RATE / 20 * sizeof(float)))
            queue_tone(h, 120.0, 0.08, RATE / 20, 0);
        break;
    default:
        break;
    }
}

void haptics_set_band_max(haptics *h, double band_max_mm)
{
    if (h)
        h->logic.band_max_mm = band_max_mm;
}

void haptics_silence(haptics *h)
{
    if (!h || !h->logic.buzzing)
        return;
    haptics_frame(h, 0, 0, 0.0, h->logic.dots_seen, 0.0);
}

void haptics_stats_get(const haptics *h, haptics_stats *out)
{
    if (h)
        *out = h->st;
    else
        memset(out, 0, sizeof *out);
}

const char *haptics_backend_name(int backend)
{
    switch (backend) {
    case HAPTICS_EVDEV_FF:   return "pen force feedback";
    case HAPTICS_SDL_HAPTIC: return "SDL haptic";
    case HAPTICS_AUDIO:      return "audio tone";
    default:                 return "off";
    }
}

void haptics_close(haptics *h)
{
    if (!h)
        return;
    if (h->st.backend == HAPTICS_EVDEV_FF && h->logic.buzzing)
        live_input_ff_play(h->li, 0, 0.25, 0, 0);
    if (h->sdl_haptic)
        SDL_HapticClose(h->sdl_haptic);
    if (h->audio)
        SDL_CloseAudioDevice(h->audio);
    if (h->sdl_haptic_inited)
        SDL_QuitSubSystem(SDL_INIT_HAPTIC);
    if (h->sdl_audio_inited)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    free(h);
}
