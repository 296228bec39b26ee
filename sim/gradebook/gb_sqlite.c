/* gb_sqlite.c: the SQLite engine of the gradebook: one file, WAL mode, mode 0600.
 * Writers take the lock at BEGIN IMMEDIATE and wait up to GB_SQLITE_BUSY_MS for it, so two
 * importers on one station queue instead of failing. In WAL mode with synchronous=NORMAL a
 * commit that returned survives the process being killed (the WAL is written before
 * COMMIT returns); only a power cut can drop the last commits, never corrupt the file.
 * (FULL would fsync every session, which on slow disks costs more than grading it.) */
#include "gb_driver.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define GB_SQLITE_BUSY_MS 60000

static void set_err(char *err, size_t errlen, const char *what, sqlite3 *db)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

static int sq_exec(void *conn, const char *sql, size_t np, const gb_param *p, gb_rows *rows, char *err,
                   size_t errlen)
{
    sqlite3 *db = conn;
    sqlite3_stmt *st = NULL;
    if (rows)
        memset(rows, 0, sizeof *rows);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(err, errlen, "preparing a statement", db);
        return -1;
    }
    for (size_t i = 0; i < np; i++) {
        int rc, idx = (int)i + 1;
        switch (p[i].kind) {
        case GBP_TEXT: rc = sqlite3_bind_text(st, idx, p[i].text, -1, SQLITE_TRANSIENT); break;
        case GBP_INT:  rc = sqlite3_bind_int64(st, idx, p[i].i); break;
        case GBP_REAL: rc = sqlite3_bind_double(st, idx, p[i].d); break;
        default:       rc = sqlite3_bind_null(st, idx); break;
        }
        if (rc != SQLITE_OK) {
            set_err(err, errlen, "binding a value", db);
            sqlite3_finalize(st);
            return -1;
        }
    }
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!rows)
            continue;
        int nc = sqlite3_column_count(st);
        rows->ncols = (size_t)nc;
        for (int c = 0; c < nc; c++) {
            int type = sqlite3_column_type(st, c);
            char num[40];
            const char *t;
            size_t len;
            if (type == SQLITE_FLOAT) {
                /* SQLite's own text form keeps 15 digits; a double needs 17 to come back equal */
                len = (size_t)snprintf(num, sizeof num, "%.17g", sqlite3_column_double(st, c));
                t = num;
            } else {
                t = (const char *)sqlite3_column_text(st, c);
                len = (size_t)sqlite3_column_bytes(st, c);
            }
            if (gb_rows_push(rows, &cap, t, len, type == SQLITE_NULL) != 0) {
                set_err(err, errlen, "reading a result", NULL);
                sqlite3_finalize(st);
                gb_rows_free(rows);
                return -1;
            }
        }
        rows->nrows++;
    }
    if (rc != SQLITE_DONE) {
        set_err(err, errlen, "running a statement", db);
        sqlite3_finalize(st);
        if (rows)
            gb_rows_free(rows);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

static int sq_simple(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, errlen, sql, db);
        return -1;
    }
    return 0;
}

static int sq_begin(void *conn, gb_tx kind, char *err, size_t errlen)
{
    return sq_simple(conn, kind == GB_TX_READ ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE", err, errlen);
}

static int sq_commit(void *conn, char *err, size_t errlen)
{
    return sq_simple(conn, "COMMIT", err, errlen);
}

static void sq_rollback(void *conn)
{
    if (!sqlite3_get_autocommit(conn))
        sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
}

static void sq_close(void *conn)
{
    sqlite3_close_v2(conn);
}

/* The file is made 0600 before SQLite opens it; SQLite gives its -wal and -shm files the
 * database file's mode. An existing file readable by others is tightened. */
static int make_private_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077) && fchmod(fd, 0600) != 0) {
        snprintf(err, errlen, "cannot make it private (mode 0600): %s", strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Switching a new file to WAL takes an exclusive lock. Two processes opening the same new
 * gradebook at once can each hold a shared lock and want it: SQLite then answers one of
 * them "database is locked" at once, without the busy wait (waiting would deadlock). That
 * one lets go, waits a moment and asks again, within GB_SQLITE_BUSY_MS. */
static int wal_mode(sqlite3 *db, char *err, size_t errlen)
{
    for (int waited_ms = 0;; waited_ms += 10) {
        int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return 0;
        if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= GB_SQLITE_BUSY_MS) {
            set_err(err, errlen, "PRAGMA journal_mode=WAL", db);
            return -1;
        }
        struct timespec ten_ms = { 0, 10000000 };
        nanosleep(&ten_ms, NULL);
    }
}

int gb_sqlite_open(const char *path, gb_driver *out, char *err, size_t errlen)
{
    if (make_private_file(path, err, errlen) != 0)
        return -1;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK) {
        set_err(err, errlen, "opening", db);
        sqlite3_close_v2(db);
        return -1;
    }
    sqlite3_busy_timeout(db, GB_SQLITE_BUSY_MS);
    if (wal_mode(db, err, errlen) != 0
        || sq_simple(db, "PRAGMA synchronous=NORMAL", err, errlen) != 0
        || sq_simple(db, "PRAGMA foreign_keys=ON", err, errlen) != 0) {
        sqlite3_close_v2(db);
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->name = "sqlite";
    out->conn = db;
    out->exec = sq_exec;
    out->begin = sq_begin;
    out->commit = sq_commit;
    out->rollback = sq_rollback;
    out->close = sq_close;
    return 0;
}
