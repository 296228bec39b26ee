/* test_app_haptics.c: which cue fires when (haptics_logic), and the audio fallback through
 * SDL's dummy audio driver (no sound card needed): a buzz while the machine runs, one pulse
 * per puncture that passes the depth band, nothing at all in exam mode. */
#include <SDL.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "haptics.h"

static void test_logic(void)
{
    haptics_logic l;
    haptics_cue c;
    haptics_logic_init(&l, 0, 0.45);
    haptics_logic_step(&l, 0, 0, 0.0, 0, 0.0, &c);
    CHECK(!c.buzz && !c.buzz_changed && !c.pulse, "machine off: nothing");
    haptics_logic_step(&l, 1, 0, 0.0, 0, 0.0, &c);
    CHECK(c.buzz && c.buzz_changed && !c.pulse, "machine on: the buzz starts");
    haptics_logic_step(&l, 1, 0, 0.0, 0, 0.0, &c);
    CHECK(c.buzz && !c.buzz_changed, "the buzz goes on, no change");
    /* a puncture inside the band: no pulse */
    haptics_logic_step(&l, 1, 1, 0.20, 0, 0.0, &c);
    CHECK(!c.pulse, "0.20 mm in a 0.45 band: no pulse");
    haptics_logic_step(&l, 1, 1, 0.44, 0, 0.0, &c);
    CHECK(!c.pulse, "0.44 mm: no pulse");
    haptics_logic_step(&l, 1, 0, 0.0, 1, 0.44, &c);
    CHECK(!c.pulse, "the dot ended at 0.44 mm: no pulse");
    /* a puncture that goes past the band: one pulse, not one a frame */
    haptics_logic_step(&l, 1, 1, 0.30, 1, 0.44, &c);
    CHECK(!c.pulse, "new puncture at 0.30");
    haptics_logic_step(&l, 1, 1, 0.50, 1, 0.44, &c);
    CHECK(c.pulse, "0.50 mm passes 0.45: pulse");
    haptics_logic_step(&l, 1, 1, 0.60, 1, 0.44, &c);
    CHECK(!c.pulse, "deeper still, same puncture: no second pulse");
    haptics_logic_step(&l, 1, 0, 0.0, 2, 0.60, &c);
    CHECK(!c.pulse, "its dot ends: it already pulsed");
    /* a deep puncture that began and ended between two frames: pulse from the dot */
    haptics_logic_step(&l, 1, 0, 0.0, 3, 0.70, &c);
    CHECK(c.pulse, "a deep dot seen only as a dot: pulse");
    /* a puncture seen shallow that went deep between frames before ending */
    haptics_logic_step(&l, 1, 1, 0.20, 3, 0.70, &c);
    CHECK(!c.pulse, "shallow so far");
    haptics_logic_step(&l, 1, 0, 0.0, 4, 0.55, &c);
    CHECK(c.pulse, "ended deeper than the band: late pulse");
    /* one dot ended and the next began within a frame: the new puncture pulses on its own */
    haptics_logic_step(&l, 1, 1, 0.50, 4, 0.55, &c);
    CHECK(c.pulse, "deep puncture pulses");
    haptics_logic_step(&l, 1, 1, 0.50, 5, 0.50, &c);
    CHECK(c.pulse, "the previous one ended and a new deep one is in: pulse for the new one");
    haptics_logic_step(&l, 0, 0, 0.0, 6, 0.2, &c);
    CHECK(!c.buzz && c.buzz_changed, "machine off: the buzz stops");

    haptics_logic_init(&l, 1, 0.45);
    haptics_logic_step(&l, 1, 1, 0.9, 0, 0.0, &c);
    CHECK(!c.buzz && !c.buzz_changed && !c.pulse, "exam: no buzz, no pulse");
    haptics_logic_step(&l, 1, 0, 0.0, 1, 0.9, &c);
    CHECK(!c.pulse, "exam: a blown-out dot does not pulse either");
}

static void test_audio(void)
{
    if (SDL_Init(0) != 0) {
        CHECK(0, "SDL_Init: %s", SDL_GetError());
        return;
    }
    haptics *h = haptics_open(NULL, 0, 0.45, 1);
    haptics_stats st;
    haptics_stats_get(h, &st);
    CHECK(st.backend == HAPTICS_AUDIO, "backend %s (want the audio tone with SDL_AUDIODRIVER=dummy)",
          haptics_backend_name(st.backend));
    haptics_frame(h, 0, 0, 0.0, 0, 0.0);
    haptics_stats_get(h, &st);
    CHECK(st.audio_bytes == 0, "machine off: silence (%zu bytes)", st.audio_bytes);
    haptics_frame(h, 1, 0, 0.0, 0, 0.0);
    haptics_stats_get(h, &st);
    size_t buzz_bytes = st.audio_bytes;
    CHECK(buzz_bytes > 0 && st.buzz_starts == 1, "machine on: the buzz is queued (%zu bytes)", buzz_bytes);
    haptics_frame(h, 1, 1, 0.6, 0, 0.0);
    haptics_stats_get(h, &st);
    CHECK(st.pulses == 1 && st.audio_bytes >= buzz_bytes + 48000 * 60 / 1000 * sizeof(float),
          "the pulse's 60 ms tone is queued (%zu pulses, %zu bytes)", st.pulses, st.audio_bytes);
    haptics_silence(h);
    haptics_stats_get(h, &st);
    CHECK(st.buzz_stops == 1, "silence stops the buzz");
    haptics_close(h);

    h = haptics_open(NULL, 1, 0.45, 1);
    haptics_frame(h, 1, 1, 0.9, 0, 0.0);
    haptics_frame(h, 1, 0, 0.0, 1, 0.9);
    haptics_stats_get(h, &st);
    CHECK(st.backend == HAPTICS_OFF && st.audio_bytes == 0 && st.pulses == 0 && st.buzz_starts == 0,
          "exam: everything off");
    haptics_close(h);
    SDL_Quit();
}

int main(void)
{
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    test_logic();
    test_audio();
    return check_summary("test_app_haptics");
}
