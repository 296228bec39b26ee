/* cli_app_args.c: options shared by `practice` and `review` (see cli_app_args.h). */
#include "cli_app_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_session_time_us(const char *s, int64_t *us)
{
    char *end;
    double t = strtod(s, &end);
    if (end == s || *end || !(t >= 0.0) || t > 1e7)
        return -1;
    *us = (int64_t)(t * 1e6 + 0.5);
    return 0;
}

int cli_app_size(const cli_command *cmd, const char *v, app_options *o)
{
    if (sscanf(v, "%dx%d", &o->width, &o->height) != 2 || o->width < 320 || o->height < 240 || o->width > 8192 ||
        o->height > 8192)
        return cli_usage_error(cmd, "--size wants WxH from 320x240 to 8192x8192, e.g. 1280x800");
    return 0;
}

int cli_app_exit_after(const cli_command *cmd, const char *v, const char *word, app_options *o)
{
    if (!strcmp(v, word))
        o->exit_after = 2;
    else if (cli_session_time_us(v, &o->exit_after_us) == 0)
        o->exit_after = 1;
    else
        return cli_usage_error(cmd, "--exit-after wants seconds or `%s`, not '%s'", word, v);
    return 0;
}

int cli_app_screenshot_at(const cli_command *cmd, const char *v, const cli_shot_word *words, size_t nwords,
                          app_options *o)
{
    const char *colon = strchr(v, ':');
    if (!colon || !colon[1] || o->shot_count == APP_MAX_SHOTS)
        return cli_usage_error(cmd, "--screenshot-at wants T:FILE (at most %d)", APP_MAX_SHOTS);
    app_shot *s = &o->shots[o->shot_count];
    char ts[64];
    size_t tl = (size_t)(colon - v);
    if (tl >= sizeof ts)
        tl = sizeof ts - 1;
    memcpy(ts, v, tl);
    ts[tl] = 0;
    size_t i = 0;
    while (i < nwords && strcmp(ts, words[i].word) != 0)
        i++;
    if (i < nwords) {
        s->kind = words[i].kind;
    } else if (cli_session_time_us(ts, &s->t_us) == 0) {
        s->kind = APP_SHOT_AT;
    } else {
        char list[160] = "";
        for (size_t k = 0; k < nwords; k++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s`%s`", k + 1 == nwords ? " or " : ", ", words[k].word);
        }
        return cli_usage_error(cmd, "--screenshot-at: '%s' is not seconds%s", ts, list);
    }
    snprintf(s->path, sizeof s->path, "%s", colon + 1);
    o->shot_count++;
    return 0;
}
