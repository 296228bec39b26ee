/* gb_progress.c: per-lesson figures of one trainee's sessions. */
#include "gb_progress.h"

#include <stdlib.h>
#include <string.h>

/* A change of the running average under this many points reads as steady. */
#define TREND_STEADY_POINTS 2.0

static double mean_total(const gb_session *s, size_t from, size_t to)
{
    double sum = 0;
    for (size_t i = from; i < to; i++)
        sum += s[i].total;
    return to > from ? sum / (double)(to - from) : 0;
}

int gb_progress(const gb_session *s, size_t n, gb_lesson_progress **out, size_t *out_n)
{
    gb_lesson_progress *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return -1;
    size_t k = 0;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b < n && strcmp(s[b].lesson_id, s[a].lesson_id) == 0)
            b++;
        gb_lesson_progress *p = &v[k++];
        memcpy(p->lesson_id, s[a].lesson_id, sizeof p->lesson_id);
        p->attempts = b - a;
        p->best = s[a].total;
        for (size_t i = a; i < b; i++) {
            p->evidence += s[i].evidence != 0;
            p->passed += s[i].passed != 0;
            if (s[i].total > p->best)
                p->best = s[i].total;
        }
        p->last = s[b - 1].total;
        memcpy(p->last_at, s[b - 1].attempt_at, sizeof p->last_at);
        size_t w = p->attempts < GB_RUNNING_WINDOW ? p->attempts : GB_RUNNING_WINDOW;
        p->running_complete = p->attempts >= GB_RUNNING_WINDOW;
        p->running_avg = mean_total(s, b - w, b);
        /* trend: the running average now against the one an attempt earlier */
        if (p->attempts > GB_RUNNING_WINDOW) {
            p->has_trend = 1;
            p->trend = p->running_avg - mean_total(s, b - 1 - GB_RUNNING_WINDOW, b - 1);
        } else if (p->attempts >= 2) {
            p->has_trend = 1;
            p->trend = s[b - 1].total - s[b - 2].total;
        }
        a = b;
    }
    *out = v;
    *out_n = k;
    return 0;
}

const char *gb_trend_word(const gb_lesson_progress *p)
{
    if (!p->has_trend)
        return "";
    if (p->trend >= TREND_STEADY_POINTS)
        return "improving";
    if (p->trend <= -TREND_STEADY_POINTS)
        return "declining";
    return "steady";
}
