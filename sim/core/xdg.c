/* xdg.c: see xdg.h. */
#include "xdg.h"

#include <stdio.h>
#include <stdlib.h>

int xdg_stipple_path(xdg_base base, const char *rel, char *out, size_t n)
{
    static const char *const vars[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME" };
    static const char *const under_home[] = { ".local/share", ".config", ".cache" };
    const char *xdg = getenv(vars[base]), *home = getenv("HOME");
    const char *sep = rel && *rel ? "/" : "", *tail = rel && *rel ? rel : "";
    int len;
    if (xdg && xdg[0] == '/')
        len = snprintf(out, n, "%s/stipple%s%s", xdg, sep, tail);
    else if (home && *home)
        len = snprintf(out, n, "%s/%s/stipple%s%s", home, under_home[base], sep, tail);
    else
        return XDG_NO_HOME;
    return len > 0 && (size_t)len < n ? 0 : XDG_TOO_LONG;
}
