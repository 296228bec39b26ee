/* gb_pg.c: the PostgreSQL engine of the gradebook, through libpq, for a clinic network
 * (several stations and instructors, one server). Statements are sent with
 * PQexecParams: `?` placeholders become $1, $2... and every value travels as a separate
 * text parameter, never inside the SQL. Default isolation (read committed) with
 * INSERT ... ON CONFLICT DO NOTHING keeps two importers from duplicating a session;
 * migrations serialise on an advisory lock. */
#include "gb_driver.h"

#include <libpq-fe.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any constant will do; it only has to be the same in every process. */
#define GB_PG_SCHEMA_LOCK 0x5354504cL

static void set_err(char *err, size_t errlen, const char *what, PGconn *c, const PGresult *r)
{
    if (!err || !errlen)
        return;
    const char *msg = r ? PQresultErrorMessage(r) : c ? PQerrorMessage(c) : "out of memory";
    snprintf(err, errlen, "%s: %s", what, msg);
    size_t n = strlen(err);
    while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
        err[--n] = '\0';
}

/* `?` -> `$n`. The gradebook's SQL has no `?` inside string literals. */
static char *numbered_sql(const char *sql)
{
    size_t n = strlen(sql), q = 0;
    for (size_t i = 0; i < n; i++)
        q += sql[i] == '?';
    char *out = malloc(n + q * 6 + 1);
    if (!out)
        return NULL;
    size_t o = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        if (sql[i] == '?')
            o += (size_t)sprintf(out + o, "$%zu", ++k);
        else
            out[o++] = sql[i];
    }
    out[o] = '\0';
    return out;
}

static int pg_exec(void *conn, const char *sql, size_t np, const gb_param *p, gb_rows *rows, char *err,
                   size_t errlen)
{
    PGconn *c = conn;
    if (rows)
        memset(rows, 0, sizeof *rows);
    char *q = numbered_sql(sql);
    const char **vals = calloc(np ? np : 1, sizeof *vals);
    char (*buf)[40] = calloc(np ? np : 1, sizeof *buf);
    if (!q || !vals || !buf) {
        free(q), free(vals), free(buf);
        set_err(err, errlen, "preparing a statement", NULL, NULL);
        return -1;
    }
    for (size_t i = 0; i < np; i++) {
        switch (p[i].kind) {
        case GBP_TEXT: vals[i] = p[i].text; break;
        case GBP_INT:  snprintf(buf[i], sizeof buf[i], "%" PRId64, p[i].i); vals[i] = buf[i]; break;
        case GBP_REAL: snprintf(buf[i], sizeof buf[i], "%.17g", p[i].d); vals[i] = buf[i]; break;
        default:       vals[i] = NULL; break;
        }
    }
    PGresult *r = PQexecParams(c, q, (int)np, NULL, vals, NULL, NULL, 0);
    free(q), free(vals), free(buf);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        set_err(err, errlen, "running a statement", c, r);
        PQclear(r);
        return -1;
    }
    if (rows && s == PGRES_TUPLES_OK) {
        size_t cap = 0;
        int nr = PQntuples(r), nc = PQnfields(r);
        rows->ncols = (size_t)nc;
        for (int i = 0; i < nr; i++) {
            for (int k = 0; k < nc; k++) {
                if (gb_rows_push(rows, &cap, PQgetvalue(r, i, k), (size_t)PQgetlength(r, i, k),
                                 PQgetisnull(r, i, k)) != 0) {
                    set_err(err, errlen, "reading a result", NULL, NULL);
                    gb_rows_free(rows);
                    PQclear(r);
                    return -1;
                }
            }
            rows->nrows++;
        }
    }
    PQclear(r);
    return 0;
}

static int pg_simple(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        set_err(err, errlen, sql, c, r);
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}

static int pg_begin(void *conn, gb_tx kind, char *err, size_t errlen)
{
    if (pg_simple(conn, "BEGIN", err, errlen) != 0)
        return -1;
    if (kind == GB_TX_SCHEMA) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%ld)", GB_PG_SCHEMA_LOCK);
        if (pg_simple(conn, sql, err, errlen) != 0) {
            pg_simple(conn, "ROLLBACK", NULL, 0);
            return -1;
        }
    }
    return 0;
}

static int pg_commit(void *conn, char *err, size_t errlen)
{
    return pg_simple(conn, "COMMIT", err, errlen);
}

static void pg_rollback(void *conn)
{
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        pg_simple(conn, "ROLLBACK", NULL, 0);
}

static void pg_close(void *conn)
{
    PQfinish(conn);
}

int gb_pg_open(const char *conninfo, gb_driver *out, char *err, size_t errlen)
{
    PGconn *c = PQconnectdb(conninfo);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        set_err(err, errlen, "connecting", c, NULL);
        PQfinish(c);
        return -1;
    }
    /* notices (e.g. "relation already exists, skipping") are not for the user's screen */
    if (pg_simple(c, "SET client_min_messages = warning", err, errlen) != 0) {
        PQfinish(c);
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->name = "postgresql";
    out->conn = c;
    out->exec = pg_exec;
    out->begin = pg_begin;
    out->commit = pg_commit;
    out->rollback = pg_rollback;
    out->close = pg_close;
    return 0;
}
