/* gb_import.h: turning session files into gradebook records. Each file is read (within
 * stated limits), hashed, checked by the verification hook, re-simulated and graded
 * against its lesson; files are graded on worker threads (re-simulation is the cost) and
 * stored one transaction per session in the order given, so a killed import keeps every
 * session it reported and a re-run picks up the rest. */
#ifndef STIPPLE_GB_IMPORT_H
#define STIPPLE_GB_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "gradebook.h"
#include "sign.h"

/* What a hostile or mistaken import may cost. */
typedef struct gb_limits {
    uint64_t max_file_bytes;   /* a session file larger than this is refused unread */
    size_t   max_files;        /* files in one import (after expanding folders) */
    size_t   max_dots;         /* a session with more dots is refused before scoring */
    size_t   max_depth;        /* folder nesting followed */
} gb_limits;

#define GB_MAX_FILE_BYTES (256ull << 20)   /* ~4 h at 1 kHz is ~115 MB */
#define GB_MAX_FILES      20000
#define GB_MAX_DOTS       100000           /* a full scalp at session 3 is ~40,000 */
#define GB_MAX_DEPTH      16
void gb_limits_default(gb_limits *dest);

/* The lessons sessions are graded against, by id and content hash: the folder is read once,
 * each lesson loaded the first time a session needs it; shared by the worker threads. */
typedef struct gb_lessons gb_lessons;
gb_lessons *gb_lessons_load(const char *dir, char *err, size_t errlen);
void        gb_lessons_free(gb_lessons *ls);   /* NULL-safe */

/* What the session file itself says about where it comes from: its signature checked by
 * session_verify against the stations registered in the gradebook, and the format-2
 * header's trainee, station, start time, exam mode, origin and rules version. Format-1
 * files are unsigned and name no station or trainee. */
typedef struct gb_facts {
    char verification[32];     /* "verified", "unsigned", or what failed */
    char origin[32];
    char station_id[GB_ID_MAX];
    char station_key_hex[65];  /* the key it was signed with, when signed */
    char trainee_id[GB_ID_MAX];
    char started_at[GB_TIME_MAX];
    int  started_known;
    int  synthetic;
    int  exam;
    int  rules_version;
} gb_facts;

/* Reads, hashes, verifies and grades one file into *out (imported_at left empty; evidence
 * decided from the file alone: it must verify and not be synthetic). 0 on success; -1
 * when the file cannot be recorded at all, with the reason. trainee_id, when given, names
 * the trainee of sessions that carry none and of synthetic ones (a live session's own
 * trainee always stands). known: the stations the verifier trusts (NULL: none). */
int gb_grade_file(const char *path, gb_lessons *ls, const gb_limits *lim, const station_set *known,
                  const char *trainee_id, gb_session *out, char *reason, size_t reasonlen);
/* The gradebook's registered stations as the verifier wants them. 0 or -1 (err). Free with
 * station_set_free. */
int gb_known_stations(gradebook *g, station_set *out, char *err, size_t errlen);

typedef struct gb_import_stats {
    size_t files;              /* found */
    size_t imported;           /* new, counting as evidence */
    size_t practice;           /* new, kept as practice only (with the reason) */
    size_t already;            /* stored before: nothing changed */
    size_t reverified;         /* stored before as practice awaiting a registration, verified
                                  again and its verdict changed (evidence now, or another reason) */
    size_t rejected;           /* not recorded (unreadable, over a limit, no lesson) */
} gb_import_stats;

typedef enum gb_outcome { GB_IMPORTED = 0, GB_PRACTICE, GB_ALREADY, GB_REJECTED, GB_REVERIFIED } gb_outcome;

typedef struct gb_import_opts {
    const char      *trainee_id;   /* for sessions that carry none; NULL: none */
    int              threads;      /* graders; 0: one per core */
    gb_limits        limits;
    gb_lessons      *lessons;
    /* called on the calling thread, in the order of the files, after the session's
     * transaction committed (s is NULL when rejected) */
    void (*report)(void *ctx, const char *path, gb_outcome what, const gb_session *s, const char *reason);
    void (*progress)(void *ctx, size_t done, size_t total);
    void *ctx;
} gb_import_opts;

/* Expands folders (sessions are *.stp files; a named file is taken as it is), sorted.
 * 0, or -1 with err (a path that cannot be read, or over the count limit). */
int gb_expand_paths(const char *const *paths, size_t n, const gb_limits *lim, char ***out, size_t *out_n,
                    char *err, size_t errlen);
void gb_paths_free(char **v, size_t n);

int gb_import(gradebook *g, char *const *files, size_t n, const gb_import_opts *o, gb_import_stats *stats,
              char *err, size_t errlen);

/* Lower-case hex of BLAKE2b-256 of a file's bytes, with the size limit. 0 or -1 (reason). */
int gb_hash_file(const char *path, uint64_t max_bytes, char hex[65], char *reason, size_t reasonlen);

#endif
