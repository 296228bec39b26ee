/* input_thread.c: see input_thread.h. */
#include "input_thread.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evdev_source.h"
#include "evemu_source.h"
#include "fd_source.h"

#define READ_BATCH 256

struct input_thread {
    input_source   *src;
    pthread_t       th;
    pthread_mutex_t src_lock;    /* the source: the reader, replug, force feedback */
    pthread_mutex_t ring_lock;
    input_item     *ring;
    size_t          cap, head, count;
    input_thread_stats st;
    volatile int    stop;        /* written under ring_lock, read by the thread */
};

int64_t input_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int source_fd(const input_source *s)
{
    int fd = evdev_source_fd(s);
    return fd >= 0 ? fd : fd_source_fd(s);
}

static const evdev_pen *source_pen(const input_source *s)
{
    const evdev_pen *p = evdev_source_pen(s);
    if (!p)
        p = fd_source_pen(s);
    if (!p)
        p = input_source_pen(s);
    return p;
}

static int should_stop(input_thread *t)
{
    pthread_mutex_lock(&t->ring_lock);
    int s = t->stop;
    pthread_mutex_unlock(&t->ring_lock);
    return s;
}

static void *reader(void *arg)
{
    input_thread *t = arg;
    session_event buf[READ_BATCH];
    int wait = 1;
    while (!should_stop(t)) {
        if (wait) {
            pthread_mutex_lock(&t->src_lock);
            int fd = source_fd(t->src);
            pthread_mutex_unlock(&t->src_lock);
            if (fd >= 0) {
                /* a replug may close this fd meanwhile: poll then reports POLLNVAL, harmless */
                struct pollfd pfd = { fd, POLLIN, 0 };
                poll(&pfd, 1, 5);
            } else {
                struct timespec ts = { 0, 2000000 };   /* no fd (unplugged, a fake): 2 ms */
                nanosleep(&ts, NULL);
            }
        }
        input_status status = INPUT_OK;
        pthread_mutex_lock(&t->src_lock);
        size_t n = t->src->poll(t->src, INT64_MAX, buf, READ_BATCH, &status);
        const evdev_pen *pen = source_pen(t->src);
        int64_t offset = pen && pen->have_origin ? pen->origin_us - pen->start_us : INT64_MIN;
        pthread_mutex_unlock(&t->src_lock);
        int64_t now = input_mono_us();
        pthread_mutex_lock(&t->ring_lock);
        for (size_t i = 0; i < n; i++) {
            t->st.read++;
            if (t->count == t->cap) {
                t->st.overflowed++;
                continue;
            }
            input_item *it = &t->ring[(t->head + t->count) % t->cap];
            it->ev = buf[i];
            it->kernel_us = offset != INT64_MIN ? buf[i].t_us + offset : now;
            it->read_us = now;
            t->count++;
        }
        if (t->count > t->st.max_fill)
            t->st.max_fill = t->count;
        t->st.status = status;
        pthread_mutex_unlock(&t->ring_lock);
        wait = n < READ_BATCH;
    }
    return NULL;
}

input_thread *input_thread_start(input_source *src, size_t cap, char *err, size_t errlen)
{
    input_thread *t = calloc(1, sizeof *t);
    if (!cap)
        cap = 65536;
    if (t)
        t->ring = malloc(cap * sizeof *t->ring);
    if (!t || !t->ring) {
        if (t)
            free(t->ring);
        free(t);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->src = src;
    t->cap = cap;
    pthread_mutex_init(&t->src_lock, NULL);
    pthread_mutex_init(&t->ring_lock, NULL);
    int rc = pthread_create(&t->th, NULL, reader, t);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the input thread: %s", strerror(rc));
        pthread_mutex_destroy(&t->src_lock);
        pthread_mutex_destroy(&t->ring_lock);
        free(t->ring);
        free(t);
        return NULL;
    }
    return t;
}

size_t input_thread_drain(input_thread *t, input_item *out, size_t max)
{
    pthread_mutex_lock(&t->ring_lock);
    size_t n = 0;
    while (n < max && t->count) {
        out[n++] = t->ring[t->head];
        t->head = (t->head + 1) % t->cap;
        t->count--;
    }
    pthread_mutex_unlock(&t->ring_lock);
    return n;
}

void input_thread_stats_get(input_thread *t, input_thread_stats *out)
{
    pthread_mutex_lock(&t->ring_lock);
    *out = t->st;
    pthread_mutex_unlock(&t->ring_lock);
}

void input_thread_lock(input_thread *t)
{
    pthread_mutex_lock(&t->src_lock);
}

void input_thread_unlock(input_thread *t)
{
    pthread_mutex_unlock(&t->src_lock);
}

void input_thread_stop(input_thread *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->ring_lock);
    t->stop = 1;
    pthread_mutex_unlock(&t->ring_lock);
    pthread_join(t->th, NULL);
    pthread_mutex_destroy(&t->src_lock);
    pthread_mutex_destroy(&t->ring_lock);
    free(t->ring);
    free(t);
}
