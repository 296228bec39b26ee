/* test_xdg.c: xdg_stipple_path, where every Stipple file lives (xdg.h): each base from its
 * XDG variable when that is absolute, else from HOME; a relative XDG value ignored, as the
 * spec says; no HOME and no variable, or a path that does not fit, refused with its code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xdg.h"

static const char *const vars[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME" };
static const char *const under_home[] = { ".local/share", ".config", ".cache" };

int main(void)
{
    char got[256], want[256];
    for (int b = XDG_DATA; b <= XDG_CACHE; b++) {
        setenv("HOME", "/home/trainee", 1);
        setenv(vars[b], "/srv/xdg", 1);
        CHECK(xdg_stipple_path((xdg_base)b, "sessions", got, sizeof got) == 0 && !strcmp(got, "/srv/xdg/stipple/sessions"),
              "%s set: %s", vars[b], got);
        CHECK(xdg_stipple_path((xdg_base)b, NULL, got, sizeof got) == 0 && !strcmp(got, "/srv/xdg/stipple"),
              "%s set, no subfolder: %s", vars[b], got);
        setenv(vars[b], "relative/xdg", 1);
        snprintf(want, sizeof want, "/home/trainee/%s/stipple/keys/a.key", under_home[b]);
        CHECK(xdg_stipple_path((xdg_base)b, "keys/a.key", got, sizeof got) == 0 && !strcmp(got, want),
              "%s relative (ignored): %s, want %s", vars[b], got, want);
        unsetenv(vars[b]);
        snprintf(want, sizeof want, "/home/trainee/%s/stipple", under_home[b]);
        CHECK(xdg_stipple_path((xdg_base)b, "", got, sizeof got) == 0 && !strcmp(got, want), "%s unset: %s, want %s",
              vars[b], got, want);
        /* exactly the room it needs, and one byte less */
        size_t need = strlen(want) + 1;
        CHECK(xdg_stipple_path((xdg_base)b, NULL, got, need) == 0, "%s: fits in %zu bytes", vars[b], need);
        CHECK(xdg_stipple_path((xdg_base)b, NULL, got, need - 1) == XDG_TOO_LONG, "%s: does not fit in %zu bytes",
              vars[b], need - 1);
        unsetenv("HOME");
        CHECK(xdg_stipple_path((xdg_base)b, "sessions", got, sizeof got) == XDG_NO_HOME, "%s: no HOME, no variable",
              vars[b]);
    }
    return check_summary("test_xdg");
}
