/* gradebook.h: the record of every trainee's sessions, one interface over two engines.
 * SQLite keeps a station's gradebook in a file (by default
 * $XDG_DATA_HOME/stipple/gradebook.db, mode 0600, WAL); PostgreSQL keeps a clinic
 * network's on one server (`postgresql://...`). The same code runs on both: the schema is
 * versioned and migrated on open, every change is one transaction, and every value goes to
 * the database as a bound parameter.
 *
 * Sessions are stored by the content hash of their file (BLAKE2b-256), so importing a file
 * twice changes nothing. A session counts as evidence for certification only when it
 * verifies, comes from a registered station, belongs to a registered trainee and is not
 * synthetic; otherwise it is kept as practice with the reason (`refusal`). */
#ifndef STIPPLE_GRADEBOOK_H
#define STIPPLE_GRADEBOOK_H

#include <stddef.h>
#include <stdint.h>

typedef struct gradebook gradebook;

#define GB_SCHEMA_VERSION 1
#define GB_ID_MAX 64          /* trainee, station, instructor, lesson ids (with the NUL) */
#define GB_NAME_MAX 256
#define GB_TIME_MAX 32        /* "2026-12-05T05:40:01.123456Z" */

/* Opens (creating and migrating when needed) the gradebook at `where`: a file path, or a
 * PostgreSQL URI (postgresql://... or postgres://...). NULL: the default file, whose
 * folder is made 0700. 0, or -1 with err ("FILE: reason"). */
int  gradebook_open(const char *where, gradebook **out, char *err, size_t errlen);
void gradebook_close(gradebook *g);                 /* NULL-safe */
const char *gradebook_engine(const gradebook *g);   /* "sqlite" or "postgresql" */
/* $XDG_DATA_HOME/stipple/gradebook.db (or ~/.local/share/...). 0, or -1 if no home. */
int  gradebook_default_path(char *buf, size_t len);
/* The schema version the database is at (GB_SCHEMA_VERSION after a successful open). */
int  gradebook_schema_version(gradebook *g, char *err, size_t errlen);

/* --- people and stations ---------------------------------------------------------- */
typedef enum gb_role { GB_TRAINEE = 0, GB_STATION, GB_INSTRUCTOR } gb_role;

typedef struct gb_person {
    char id[GB_ID_MAX];
    char name[GB_NAME_MAX];
    char public_key_hex[65];   /* stations and instructors: Ed25519 public key; "" for trainees */
    char added_at[GB_TIME_MAX];
} gb_person;

/* An id is 1..63 bytes of letters, digits, '.', '_', '-' (it appears in file names and
 * on certificates); a name is any text up to 255 bytes without NUL. A key is 64 hex
 * digits. Adding an id that exists is an error that says so. */
int gradebook_person_add(gradebook *g, gb_role role, const gb_person *p, char *err, size_t errlen);
/* All of one role, by id. *out is malloc'd (free it). */
int gradebook_people(gradebook *g, gb_role role, gb_person **out, size_t *n, char *err, size_t errlen);
/* 1 found (*out filled), 0 not found, -1 error. */
int gradebook_person_find(gradebook *g, gb_role role, const char *id, gb_person *out, char *err, size_t errlen);
int gradebook_id_valid(const char *id);

/* --- sessions --------------------------------------------------------------------- */
typedef struct gb_session {
    char    hash[65];                 /* BLAKE2b-256 of the file's bytes, hex */
    char    trainee_id[GB_ID_MAX];
    char    lesson_id[GB_ID_MAX];
    char    lesson_hash[65];
    char    origin[32];               /* "live", "mouse", "recording", "simulated" */
    char    station_id[GB_ID_MAX];    /* "" when the session names none */
    char    attempt_at[GB_TIME_MAX];  /* the session's start (UTC) when it carries one, else the import time */
    int     started_known;            /* 1 when attempt_at is the session's own start */
    char    imported_at[GB_TIME_MAX];
    char    file_name[GB_NAME_MAX];   /* base name it was imported from */
    char    verification[32];         /* "verified", "unsigned", or what failed */
    int     synthetic;
    int     exam;
    int     rules_version;
    double  total;                    /* 0..100 */
    int     passed;
    char    metrics[256];             /* "spacing=78.22,depth=100.00,..." (applying metrics) */
    char    failed_metrics[128];      /* "depth,pigment" or "" */
    int64_t dots;
    int64_t dots_outside_zone;        /* never-event: dots outside the planned zone */
    int     wrong_pigment;            /* never-event: a shade outside the lesson's family */
    int     evidence;                 /* counts towards certification */
    char    refusal[192];             /* why it does not ("" when evidence) */
} gb_session;

/* 1 for the origins drawn by a hand at a station ("live" device, "mouse"): the only
 * ones that may count towards certification. A played-in recording or a virtual
 * trainee's session shows what some input did, not that this trainee did it. */
int gb_origin_is_live(const char *origin);

/* 1 when a session with this hash is stored, 0 when not, -1 on error. */
int gradebook_session_has(gradebook *g, const char *hash, char *err, size_t errlen);
/* The stored session with this hash: 1 found (*out filled), 0 not, -1 error. */
int gradebook_session_get(gradebook *g, const char *hash, gb_session *out, char *err, size_t errlen);
/* 1 when a stored session was kept as practice only for want of a registration (its
 * station's key, its station id or its trainee was not in the gradebook when it was
 * imported): registering them since may make it count, so importing it again re-verifies
 * it. Every other stored session is final: importing it again changes nothing. */
int gradebook_session_awaits_registration(const gb_session *stored);
/* Re-verification: stores s's verdict (verification, evidence, refusal) over the stored
 * session with s->hash, in one transaction, when the stored one still awaits a
 * registration and the verdict differs; *changed says whether this call changed it
 * (with two importers at once exactly one does). Scores and everything else stay. */
int gradebook_session_reverify(gradebook *g, const gb_session *s, int *changed, char *err, size_t errlen);
/* Stores s in one transaction; a session already stored is left as it is (*inserted 0). */
int gradebook_session_put(gradebook *g, const gb_session *s, int *inserted, char *err, size_t errlen);
/* Sessions of one trainee (NULL: everyone), by trainee, lesson, attempt time, hash.
 * *out is malloc'd. */
int gradebook_sessions(gradebook *g, const char *trainee_id, gb_session **out, size_t *n, char *err,
                       size_t errlen);

/* --- instructor overrides ---------------------------------------------------------- */
typedef struct gb_override {
    char session_hash[65];
    char instructor_id[GB_ID_MAX];
    char made_at[GB_TIME_MAX];
    char verdict[16];                 /* "pass", "fail" or "void" (does not count) */
    char reason[512];
    char signature_hex[129];          /* Ed25519 over gradebook_override_message() */
} gb_override;

/* The exact bytes an instructor signs. Returns the length (cut when it does not fit). */
size_t gradebook_override_message(const gb_override *o, char *buf, size_t len);
/* Checks the signature against the instructor's registered key, then stores it. An
 * unknown instructor, a bad signature or an unknown session is refused with the reason. */
int gradebook_override_add(gradebook *g, const gb_override *o, char *err, size_t errlen);
/* Overrides of one trainee's sessions (NULL: all), oldest first. */
int gradebook_overrides(gradebook *g, const char *trainee_id, gb_override **out, size_t *n, char *err,
                        size_t errlen);

/* --- certifications ----------------------------------------------------------------- */
typedef struct gb_certification {
    char  code[24];                   /* short verification code */
    char  trainee_id[GB_ID_MAX];
    char  curriculum_id[GB_ID_MAX];
    char  issued_at[GB_TIME_MAX];
    char *payload;                    /* the signed text (malloc'd) */
    char  signature_hex[129];
    char  clinic_key_hex[65];
} gb_certification;

int  gradebook_certification_put(gradebook *g, const gb_certification *c, char *err, size_t errlen);
/* 1 found, 0 not, -1 error. Free c->payload. */
int  gradebook_certification_get(gradebook *g, const char *code, gb_certification *out, char *err, size_t errlen);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". */
void gradebook_now(char out[GB_TIME_MAX]);

#endif
