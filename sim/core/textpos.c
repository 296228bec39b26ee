/* textpos.c: see textpos.h. */
#include "textpos.h"

void text_line_col(const char *t, size_t n, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    if (off > n)
        off = n;
    for (size_t i = 0; i < off; i++) {
        if (t[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}
