/* cli_batch.c: many sessions graded on every core, with a progress bar on a terminal.
 * Each worker takes the next session by index; results land in the caller's arrays at
 * that index, so the output order is the command line's whatever finishes first. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct batch {
    const char *const *paths;
    size_t n;
    const cli_grade_options *opts;
    cli_graded *out;
    int *rc;
    pthread_mutex_t lock;
    size_t next, done;
    int progress;   /* stderr is a terminal */
} batch;

/* "grading  37/100 [#######.............]" on one line, redrawn in place. */
static void draw_progress(size_t done, size_t n)
{
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    size_t filled = n ? done * WIDTH / n : WIDTH;
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\rgrading %4zu/%zu [%s]", done, n, bar);
    fflush(stderr);
}

static void *worker(void *arg)
{
    batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        size_t i = b->next < b->n ? b->next++ : b->n;
        pthread_mutex_unlock(&b->lock);
        if (i >= b->n)
            return NULL;
        b->rc[i] = cli_grade_one(b->paths[i], b->opts, &b->out[i]);
        pthread_mutex_lock(&b->lock);
        b->done++;
        if (b->progress)
            draw_progress(b->done, b->n);
        pthread_mutex_unlock(&b->lock);
    }
}

int cli_default_jobs(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
}

void cli_grade_batch(const char *const *paths, size_t n, const cli_grade_options *o, int jobs, cli_graded *out,
                     int *rc)
{
    batch b = { paths, n, o, out, rc, PTHREAD_MUTEX_INITIALIZER, 0, 0, 0 };
    b.progress = n > 1 && isatty(STDERR_FILENO);
    if (jobs <= 0)
        jobs = cli_default_jobs();
    if ((size_t)jobs > n)
        jobs = (int)n;
    pthread_t th[64];
    int started = 0;
    if (b.progress)
        draw_progress(0, n);
    for (int t = 1; t < jobs; t++) {   /* this thread is the first worker */
        if (pthread_create(&th[started], NULL, worker, &b) != 0)
            break;   /* fewer threads: the work still gets done */
        started++;
    }
    worker(&b);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    if (b.progress)
        fprintf(stderr, "\r%*s\r", 50, "");
    pthread_mutex_destroy(&b.lock);
}
