/* json_locate.h: the byte offset of the value at a JSON path, for "file:line:column" in
 * errors found after parsing (textpos.h turns the offset into a line and column). */
#ifndef STIPPLE_JSON_LOCATE_H
#define STIPPLE_JSON_LOCATE_H

#include <stddef.h>

/* One step of a path: an object key, or (key NULL) an array index. */
typedef struct json_path_step {
    const char *key;
    size_t      index;
} json_path_step;

/* Byte offset of the value at path (or of its key when at_key and the last step is a key).
 * Stops at the deepest step it can find, so it always returns an offset within the text. */
size_t json_locate(const char *text, size_t n, const json_path_step *path, int depth, int at_key);

#endif
