/* textpos.h: where a byte offset lies in a text, for "file:line:column: what is wrong"
 * messages (lessons, device profiles). */
#ifndef STIPPLE_TEXTPOS_H
#define STIPPLE_TEXTPOS_H

#include <stddef.h>

/* 1-based line and column of byte off in t (n bytes; an offset past the end counts as the
 * end). Columns count bytes. */
void text_line_col(const char *t, size_t n, size_t off, size_t *line, size_t *col);

#endif
