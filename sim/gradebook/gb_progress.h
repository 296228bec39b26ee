/* gb_progress.h: a trainee's progress per lesson, from the stored sessions: attempts,
 * best, the running average of the last three (PeriopSim's running assessment; below three
 * attempts it is incomplete) and the trend. Pure: sessions in, figures out. */
#ifndef STIPPLE_GB_PROGRESS_H
#define STIPPLE_GB_PROGRESS_H

#include <stddef.h>

#include "gradebook.h"

#define GB_RUNNING_WINDOW 3

typedef struct gb_lesson_progress {
    char   lesson_id[GB_ID_MAX];
    size_t attempts;          /* every stored session of the lesson */
    size_t evidence;          /* of which count as evidence */
    size_t passed;
    double best;
    double last;
    int    running_complete;  /* at least GB_RUNNING_WINDOW attempts */
    double running_avg;       /* mean total of the last GB_RUNNING_WINDOW (or fewer) */
    int    has_trend;         /* at least 2 * GB_RUNNING_WINDOW attempts... or 2 */
    double trend;             /* running average now minus the one before it (points) */
    char   last_at[GB_TIME_MAX];
} gb_lesson_progress;

/* sessions: one trainee's, grouped by lesson and in attempt order (as gradebook_sessions
 * returns them). *out is malloc'd, one entry per lesson in the order met. */
int gb_progress(const gb_session *s, size_t n, gb_lesson_progress **out, size_t *out_n);

/* "improving", "steady", "declining" or "" (too few attempts). */
const char *gb_trend_word(const gb_lesson_progress *p);

#endif
