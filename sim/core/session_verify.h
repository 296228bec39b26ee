/* session_verify.h: is a session file exactly what a known station signed?
 *
 * Checks every chunk's CRC, the checkpoints' hash chain back to the header, the chunks each
 * checkpoint names (so a chunk changed, dropped, duplicated or moved is found and named),
 * the Ed25519 signatures, and whether the signing key belongs to a registered station.
 * A crashed session verifies up to its last checkpoint; what follows is reported as an
 * unsigned tail. Verifying costs one signature check when all is well (the chain carries
 * the rest); every checkpoint's signature is checked only to say what is wrong. */
#ifndef STIPPLE_SESSION_VERIFY_H
#define STIPPLE_SESSION_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "sign.h"

typedef enum verify_status {
    VERIFY_OK = 0,            /* wholly verified, by a registered station */
    VERIFY_UNKNOWN_KEY,       /* intact and signed, but by a key no registered station has */
    VERIFY_UNSIGNED_TAIL,     /* verified up to the last checkpoint; the rest is unsigned (crash) */
    VERIFY_UNSIGNED,          /* no signature at all (format 1, or written without a key) */
    VERIFY_FAILED,            /* changed, damaged, truncated, re-ordered or badly signed */
    VERIFY_NOT_SESSION,       /* not readable as a session (bad magic, damaged header) */
} verify_status;

typedef enum verify_problem {
    VP_DAMAGED = 1,           /* a chunk's CRC or frame is wrong (not a clean edit) */
    VP_CHANGED,               /* a chunk's bytes differ from what was signed */
    VP_DROPPED,               /* a signed chunk is missing */
    VP_DUPLICATED,            /* a chunk appears more often than signed */
    VP_REORDERED,             /* chunks in another order than signed */
    VP_INSERTED,              /* a chunk that no checkpoint signed, between signed ones */
    VP_HEADER_CHANGED,        /* the header differs from what was signed */
    VP_CHAIN,                 /* a checkpoint does not follow the one before (one dropped/moved) */
    VP_BAD_SIGNATURE,         /* a signature that the header's key did not make */
    VP_TRUNCATED,             /* the file ends inside a chunk */
    VP_NO_END,                /* no end marker: the session was not closed (crash or cut) */
    VP_END_UNSIGNED,          /* an end marker without its last checkpoint */
    VP_UNSIGNED_TAIL,         /* chunks after the last checkpoint */
    VP_UNKNOWN_KEY,
    VP_UNSIGNED,
} verify_problem;

typedef struct verify_finding {
    int      problem;         /* enum verify_problem */
    long     chunk;           /* chunk number in the file (header = 0), -1 when none */
    uint64_t byte_from, byte_to;
    char     text[240];       /* one plain sentence */
} verify_finding;

#define VERIFY_MAX_FINDINGS 64

typedef struct session_verification {
    int      status;              /* enum verify_status */
    session_header header;
    int      format_version;
    char     station_name[64];    /* from the registry, when known */
    size_t   chunks;              /* good chunks seen, header included */
    size_t   checkpoints;         /* checkpoint chunks seen */
    size_t   verified_chunks;     /* chunks covered by the last good checkpoint */
    uint64_t verified_bytes;      /* file bytes up to and including it */
    int64_t  verified_t_us;       /* session time it covers */
    uint64_t file_bytes;
    int      complete;            /* end marker present and signed */
    verify_finding findings[VERIFY_MAX_FINDINGS];
    size_t   finding_count;       /* kept */
    size_t   findings_total;      /* found (more than kept when many) */
    char     error[256];          /* VERIFY_NOT_SESSION: why */
} session_verification;

/* known: registered stations (NULL: none). Always fills *out. */
void session_verify_mem(const uint8_t *buf, size_t len, const station_set *known, session_verification *out);
/* -1 when the file cannot be read (out->error says why; status VERIFY_NOT_SESSION). */
int  session_verify_file(const char *path, const station_set *known, session_verification *out);

const char *verify_status_name(int status);    /* "verified", "unknown key", ... */
const char *verify_problem_name(int problem);  /* "changed", "dropped", ... */

#endif
