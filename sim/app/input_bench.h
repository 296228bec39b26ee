/* input_bench.h: does a 1 kHz pen lose anything while the app renders? A writer thread plays
 * the kernel: every 1/rate s it writes one pen frame (ABS_X, ABS_Y, ABS_PRESSURE, BTN_TOUCH on
 * change, SYN_REPORT; CLOCK_MONOTONIC timestamps) into a pipe shrunk to one page (170
 * events, the order of an evdev client buffer), non-blocking: a frame that does not fit is
 * lost, as the kernel would drop it (SYN_DROPPED). A writer that wakes more than a few
 * periods late (the host stalled it) sends no burst of the frames it missed: they are
 * counted apart (writer_skipped), as no tablet would send them all at once. The app side reads the pipe through
 * fd_source -> evdev_pen (the live path) on the input thread, and drains the ring once a
 * frame while frames render. Without the thread (threaded = 0) the same reads happen between
 * frames only, which is what the bench shows to be insufficient with slow frames. */
#ifndef STIPPLE_INPUT_BENCH_H
#define STIPPLE_INPUT_BENCH_H

#include <stddef.h>
#include <stdio.h>

#include "app.h"
#include "session.h"

typedef struct input_bench_result {
    int    rate_hz, threaded;
    double seconds;
    size_t sent;             /* pen frames the writer produced */
    size_t writer_skipped;   /* frames not sent because the writer itself stalled (a busy host) */
    double writer_stall_ms;  /* the longest such stall */
    size_t lost_in_pipe;     /* frames that did not fit (the kernel's buffer overflowed) */
    size_t received;         /* pen samples that reached the app */
    size_t dropped;          /* sent - received */
    size_t ring_overflow;    /* lost in the app's ring (should never happen) */
    size_t frames;           /* frames rendered meanwhile */
    double max_delay_ms, mean_delay_ms;   /* kernel time -> in the app's hands */
    double max_read_ms;      /* kernel time -> read by the input thread */
    double frame_ms_mean, frame_ms_max;
} input_bench_result;

/* frame: renders one frame (given the events that arrived since the last); NULL: nothing.
 * 0, or -1 with err. */
typedef void (*input_bench_frame_fn)(void *ctx, const session_event *ev, size_t n);
int  input_bench_run(double seconds, int rate_hz, int threaded, input_bench_frame_fn frame, void *ctx,
                     input_bench_result *out, char *err, size_t errlen);
void input_bench_print(const input_bench_result *r, FILE *f);

/* --bench's input case: the practice skin rendered as the app does (engine fed with the
 * pen, dots baked and drawn, HUD) while a 1 kHz pen arrives. 0 = no drops, 1 drops or error,
 * APP_NO_DISPLAY. */
int app_input_bench(const app_options *o, double seconds);

#endif
