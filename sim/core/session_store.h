/* session_store.h: where the practice app keeps sessions, the way Linux keeps user data:
 * $XDG_DATA_HOME/stipple/sessions (default ~/.local/share/stipple/sessions; $STIPPLE_SESSIONS
 * overrides both). Each save is an exclusive create (O_EXCL): two sessions started in the same
 * second get two files (LESSON-YYYYmmdd-HHMMSS.stp, then -2, -3, ...), never one mixed file. */
#ifndef STIPPLE_SESSION_STORE_H
#define STIPPLE_SESSION_STORE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* mkdir -p, each folder made 0700 (a user's own data). 0, or -1 with errno set. */
int make_dirs_0700(const char *path);

/* The folder into out; with make, created with its parents when missing. 0, or -1 with err. */
int session_store_dir(char *out, size_t n, int make, char *err, size_t errlen);

/* Creates a new session file in dir for lesson_id started at `when` (local time in the name),
 * exclusively: an existing name is never opened. Returns the file open for writing (the
 * caller closes it) and its path, or NULL with err. */
FILE *session_store_create(const char *dir, const char *lesson_id, time_t when, char *path, size_t pathlen,
                           char *err, size_t errlen);

/* The *.stp files in dir, sorted by name (newest last within a lesson), as paths joined to
 * dir. 0 with *paths (free each, then the array) and *count, or -1 when dir cannot be read. */
int session_store_list(const char *dir, char ***paths, size_t *count);

#endif
