/* session_list.h: what a folder of sessions holds, for `stipple sessions` and the app's
 * Sessions screen: each session's lesson, date, duration, dots and score (re-simulated and
 * scored against its lesson, found once in the lessons folder by id and content hash). */
#ifndef STIPPLE_SESSION_LIST_H
#define STIPPLE_SESSION_LIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct session_summary {
    char    path[1024];
    char    lesson_id[64];
    char    lesson_title[128];   /* "" when the lesson was not found */
    char    source[32];          /* "live", "trainee:expert", ... */
    int64_t mtime_s;             /* when the file was last written (seconds since 1970) */
    int64_t duration_us;
    int     complete;            /* the end marker was read */
    int     loaded;              /* 0: not a readable session (problem says why) */
    int     scored;              /* 0: no score (problem says why) */
    size_t  dots;
    double  total;
    int     passed;
    char    problem[300];
} session_summary;

/* Every *.stp in sessions_dir, sorted by file name. 0 with *out (free()) and *count, or -1
 * when the folder cannot be read. A session that cannot be read or scored is listed with
 * its problem. */
int session_list(const char *sessions_dir, const char *lessons_dir, session_summary **out, size_t *count);

#endif
