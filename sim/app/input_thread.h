/* input_thread.h: reads an input source on its own thread, so a 1 kHz pen loses nothing
 * while a frame renders. The thread waits on the device's fd (poll(2)), moves every event
 * the source yields into a ring (mutex-guarded, fixed capacity) and stamps each with the
 * kernel time it happened (CLOCK_MONOTONIC us, from the evdev handler's clock origin) and
 * the time the thread read it. The app drains the ring between frames without blocking.
 * A full ring drops the newest event and counts it (never overwrites, never blocks the
 * reader: the kernel's own buffer would overflow otherwise, which is worse).
 * Anything that touches the source from another thread (replug, force feedback) does so
 * between input_thread_lock and input_thread_unlock. */
#ifndef STIPPLE_INPUT_THREAD_H
#define STIPPLE_INPUT_THREAD_H

#include <stddef.h>
#include <stdint.h>

#include "input_source.h"

typedef struct input_item {
    session_event ev;
    int64_t kernel_us;   /* CLOCK_MONOTONIC us the event happened (the read time if unknown) */
    int64_t read_us;     /* CLOCK_MONOTONIC us the thread read it */
} input_item;

typedef struct input_thread_stats {
    size_t read;         /* events read from the source */
    size_t overflowed;   /* events lost because the ring was full */
    size_t max_fill;     /* most events ever waiting in the ring */
    int    status;       /* the source's last input_status */
} input_thread_stats;

typedef struct input_thread input_thread;

/* Starts reading src (not owned: close it after input_thread_stop). cap: ring size in
 * events (0: 65536, a minute at 1 kHz). NULL with err on failure. */
input_thread *input_thread_start(input_source *src, size_t cap, char *err, size_t errlen);
/* Moves up to max waiting events into out, oldest first. Never blocks for long. */
size_t input_thread_drain(input_thread *t, input_item *out, size_t max);
void   input_thread_stats_get(input_thread *t, input_thread_stats *out);
void   input_thread_lock(input_thread *t);
void   input_thread_unlock(input_thread *t);
/* Stops and joins the thread; NULL-safe. The source stays open. */
void   input_thread_stop(input_thread *t);

/* CLOCK_MONOTONIC in microseconds. */
int64_t input_mono_us(void);

#endif
