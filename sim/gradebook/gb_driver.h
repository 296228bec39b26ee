/* gb_driver.h: what the gradebook asks of a database engine (private to sim/gradebook).
 * The gradebook's logic (gradebook.c) is written once against this small interface and
 * runs unchanged on SQLite and PostgreSQL: statements use `?` placeholders and every value
 * goes in as a bound parameter (never spliced into SQL); results come back as text cells.
 * The SQL itself is the common subset both engines accept (TEXT, BIGINT, DOUBLE
 * PRECISION, INSERT ... ON CONFLICT DO NOTHING). */
#ifndef STIPPLE_GB_DRIVER_H
#define STIPPLE_GB_DRIVER_H

#include <stddef.h>
#include <stdint.h>

typedef enum gb_param_kind { GBP_NULL = 0, GBP_TEXT, GBP_INT, GBP_REAL } gb_param_kind;

typedef struct gb_param {
    int         kind;   /* enum gb_param_kind */
    const char *text;
    int64_t     i;
    double      d;
} gb_param;

#define GB_TEXT(s) ((gb_param){ .kind = GBP_TEXT, .text = (s) })
#define GB_INT(v)  ((gb_param){ .kind = GBP_INT, .i = (int64_t)(v) })
#define GB_REAL(v) ((gb_param){ .kind = GBP_REAL, .d = (double)(v) })

/* A result: nrows x ncols cells, row-major; a cell is NULL for SQL NULL. */
typedef struct gb_rows {
    size_t nrows, ncols;
    char **cells;
    size_t ncells;      /* cells pushed so far (the engines fill it) */
} gb_rows;

static inline const char *gb_cell(const gb_rows *r, size_t row, size_t col)
{
    return r->cells[row * r->ncols + col];
}
void gb_rows_free(gb_rows *r);   /* NULL-safe; leaves it empty */

typedef enum gb_tx { GB_TX_READ = 0, GB_TX_WRITE, GB_TX_SCHEMA } gb_tx;

typedef struct gb_driver {
    const char *name;   /* "sqlite", "postgresql" */
    void *conn;
    /* Runs one statement. rows may be NULL when no result is wanted. 0 or -1 (err set). */
    int  (*exec)(void *conn, const char *sql, size_t nparams, const gb_param *params, gb_rows *rows,
                 char *err, size_t errlen);
    /* Starts a transaction. GB_TX_WRITE takes the write lock up front where the engine
     * has one (SQLite's BEGIN IMMEDIATE), GB_TX_SCHEMA also serialises migrations between
     * processes (PostgreSQL's advisory lock). */
    int  (*begin)(void *conn, gb_tx kind, char *err, size_t errlen);
    int  (*commit)(void *conn, char *err, size_t errlen);
    void (*rollback)(void *conn);
    void (*close)(void *conn);
} gb_driver;

/* Each engine's opener: 0 and *out filled, or -1 with err. */
int gb_sqlite_open(const char *path, gb_driver *out, char *err, size_t errlen);
int gb_pg_open(const char *conninfo, gb_driver *out, char *err, size_t errlen);

/* Cell storage helper for the engines. */
int gb_rows_push(gb_rows *r, size_t *cap, const char *cell, size_t len, int is_null);

#endif
