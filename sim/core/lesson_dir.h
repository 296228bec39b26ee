/* lesson_dir.h: the lessons folder, read once: every *.json in it that loads as a lesson,
 * sorted by file name (so no choice depends on directory order). Used by the lesson picker
 * and to find the lesson a session names. */
#ifndef STIPPLE_LESSON_DIR_H
#define STIPPLE_LESSON_DIR_H

#include <stddef.h>
#include <stdint.h>

#include "lesson.h"

typedef struct lesson_dir_entry {
    char    path[1024];
    char    id[64];
    char    title[128];
    int     surface;              /* enum surface_kind */
    uint8_t content_hash[32];
} lesson_dir_entry;

/* 0 with *out (free() it) and *count set, or -1 when the folder cannot be opened. Files that
 * do not load are left out. */
int lesson_dir_scan(const char *dir, lesson_dir_entry **out, size_t *count);

/* The first entry with this id; *id_seen says whether any entry had the id. With `hash`,
 * only an entry whose content hash matches; NULL when none. */
const lesson_dir_entry *lesson_dir_find(const lesson_dir_entry *e, size_t n, const char *id, const uint8_t *hash,
                                        int *id_seen);

#endif
