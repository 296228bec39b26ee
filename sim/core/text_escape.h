/* text_escape: text that came from a file (a lesson title, a session's source, a device
 * name, a trainee's name) printed so that it cannot drive the terminal. Control
 * characters (C0, DEL, and the C1 range as UTF-8 U+0080..U+009F) and bytes that are not
 * valid UTF-8 are written as visible escapes (\n, \t, \e, \xNN, \u{9b}); a backslash is
 * doubled so an escape can never be forged. Valid printable UTF-8 passes through. */
#ifndef STIPPLE_TEXT_ESCAPE_H
#define STIPPLE_TEXT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Writes the escaped form of src into dst (always NUL-terminated when cap > 0; cut at a
 * whole escape). Returns the length the full escaped text needs, without the NUL, so a
 * caller can tell it was cut (return >= cap). src NULL is treated as "". */
size_t text_escape(char *dst, size_t cap, const char *src);

/* The same, written straight to a stream. */
void text_escape_fputs(FILE *f, const char *src);

/* A small rotating set of static buffers for printf arguments: text_escaped(s) returns
 * the escaped form of s, valid until four more calls (cut to 1023 bytes, ending "..."). */
const char *text_escaped(const char *src);

#endif
