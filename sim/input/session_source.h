/* session_source.h: a recorded session played back as an input source. */
#ifndef STIPPLE_SESSION_SOURCE_H
#define STIPPLE_SESSION_SOURCE_H

#include "input_source.h"

/* Loads the session file (recovering a damaged one, with the warning in `warning`).
 * Events are shifted so that the session's time 0 is at start_us. NULL with err set on a
 * file that cannot be read at all. */
input_source *session_source_open(const char *path, int64_t start_us, char *warning, size_t warnlen,
                                  char *err, size_t errlen);

#endif
