/* curriculum.h: a curriculum: the lessons in order, their prerequisites, which are exams
 * (feedback hidden), and the rule a trainee is certified by. A small line-based text file
 * (format "stipple-curriculum/1", described in lessons/README.md), so that every error
 * reads "file:line:column: what is wrong" and a person can edit it without a JSON editor.
 *
 *   curriculum stipple-curriculum/1
 *   id smp-technician-1
 *   title SMP technician, level 1
 *   lesson spacing-drill
 *   exam soft-hairline after spacing-drill
 *   rule attempts 3
 *   rule average 75
 *   rule each-passed yes
 *   rule never-events outside-zone wrong-pigment
 *
 * Pure C; bounded: at most CURRICULUM_MAX_BYTES, CURRICULUM_MAX_LESSONS lessons. */
#ifndef STIPPLE_CURRICULUM_H
#define STIPPLE_CURRICULUM_H

#include <stddef.h>
#include <stdint.h>

#define CURRICULUM_FORMAT        "stipple-curriculum/1"
#define CURRICULUM_MAX_BYTES     (64u * 1024u)
#define CURRICULUM_MAX_LESSONS   64
#define CURRICULUM_MAX_PREREQS   16
#define CURRICULUM_MAX_LINE      1024
#define CURRICULUM_MAX_ATTEMPTS  20

/* Events that disqualify an attempt whatever its score. */
enum curriculum_never_event {
    NEVER_OUTSIDE_ZONE  = 1u << 0,   /* a dot outside the planned zone */
    NEVER_WRONG_PIGMENT = 1u << 1,   /* a dot of a shade outside the lesson's pigment family */
};

typedef struct curriculum_lesson {
    char   id[64];
    int    exam;                               /* feedback hidden; counts for certification */
    size_t prereq[CURRICULUM_MAX_PREREQS];     /* indices of earlier lessons */
    size_t prereq_count;
    size_t line, column;                       /* where the id is written (for messages) */
} curriculum_lesson;

typedef struct curriculum {
    char   id[64];
    char   title[128];
    curriculum_lesson *lessons;
    size_t lesson_count;
    /* the certification rule */
    int      attempts;        /* the last N attempts of each exam are judged (default 3) */
    double   average_min;     /* their mean total at least this (0..100, default 75) */
    int      each_passed;     /* each of them passed (default yes) */
    uint32_t never_events;    /* enum curriculum_never_event (default both) */
    uint8_t  content_hash[32];/* BLAKE2b-256 of the file's bytes */
    char    *path;
} curriculum;

/* 0 on success; -1 with err = "path:line:column: what is wrong" (out untouched). */
int  curriculum_load_file(const char *path, curriculum *out, char *err, size_t errlen);
int  curriculum_load_mem(const char *text, size_t len, const char *name, curriculum *out, char *err, size_t errlen);
void curriculum_free(curriculum *c);   /* NULL-safe */

/* Index of a lesson by id, or -1. */
int  curriculum_find(const curriculum *c, const char *lesson_id);
/* "outside-zone", "wrong-pigment" for one flag; "?" otherwise. */
const char *curriculum_never_event_name(uint32_t flag);
/* Whether a file is meant as a curriculum: its name ends in ".curriculum". */
int  curriculum_is_path(const char *path);

#endif
