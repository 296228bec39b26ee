/* xdg.h: where Stipple keeps its files, by the XDG Base Directory spec: data (sessions, the
 * gradebook), config (keys, stations, calibrations) and cache (the head surface), each in a
 * "stipple" folder of its base: $XDG_DATA_HOME, else ~/.local/share; $XDG_CONFIG_HOME, else
 * ~/.config; $XDG_CACHE_HOME, else ~/.cache. A relative XDG_* value is ignored, as the spec
 * says. */
#ifndef STIPPLE_XDG_H
#define STIPPLE_XDG_H

#include <stddef.h>

typedef enum xdg_base { XDG_DATA, XDG_CONFIG, XDG_CACHE } xdg_base;

#define XDG_NO_HOME  (-1)   /* neither the XDG variable nor HOME is set */
#define XDG_TOO_LONG (-2)   /* the path does not fit in out */

/* "<base>/stipple/<rel>" into out (n bytes); "<base>/stipple" when rel is NULL or "".
 * 0, XDG_NO_HOME or XDG_TOO_LONG. */
int xdg_stipple_path(xdg_base base, const char *rel, char *out, size_t n);

#endif
