/*
 * db.h - the feedbench database: open, migrate, cached statements,
 * transactions, and the get-or-create helpers every writer needs.
 *
 * Ownership: struct db owns its sqlite handle and every cached statement;
 * db_close releases them.  The rubric set passed to db_open is borrowed and
 * must outlive the db.  Statements returned by db_stmt are borrowed, come
 * back reset with their bindings cleared, and must not be finalized.
 *
 * Failure: functions returning int give 0 on success and -1 with err set
 * ("PATH: what went wrong").  A malformed SQL string in the program itself
 * is a bug and calls fatal().
 */
#ifndef FB_DB_H
#define FB_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "rubric.h"
#include "util.h"

enum db_mode {
	DB_INTERACTIVE, /* synchronous=FULL: a shown change survives a power cut */
	DB_BULK,        /* synchronous=NORMAL, big page cache: imports */
};

struct db_stmt_slot {
	const char *sql; /* identity: the literal's address */
	sqlite3_stmt *st;
};

struct db {
	sqlite3 *h;
	char *path;
	const struct rubric_set *rubrics; /* borrowed */
	int64_t *aspect_ids;              /* parallel to rubrics->items */
	struct db_stmt_slot slots[256];
	int tx_depth;
};

/* Schema version this build writes (the highest schema/NNN_*.sql). */
int db_schema_version(void);

/*
 * Open (creating if needed) and migrate the database at path.
 * Refuses a database written by a newer feedbench.  Syncs the aspect table
 * with the rubric set.  On failure *out is NULL.
 */
int db_open(struct db **out, const char *path, const struct rubric_set *rs, enum db_mode mode,
	    struct fb_err *err);
void db_close(struct db *db);

/*
 * A first load into an empty database may use a rollback journal instead
 * of the WAL: pages appended to the file are then written once, not twice
 * (WAL, then checkpoint).  Only when the database holds no prompt yet and
 * no other connection has it open; synchronous=FULL keeps every committed
 * batch durable.  Returns 1 when switched, 0 when staying in WAL mode.
 * db_bulk_end switches back to WAL (a failure is reported in err, -1).
 */
int db_bulk_begin(struct db *db);
int db_bulk_end(struct db *db, struct fb_err *err);

/* A cached prepared statement for a string literal (see ownership above). */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* Run SQL without results. */
int db_exec(struct db *db, const char *sql, struct fb_err *err);

/* Nested transactions: the outermost is BEGIN IMMEDIATE, inner ones savepoints. */
int db_begin(struct db *db, struct fb_err *err);
int db_commit(struct db *db, struct fb_err *err);
void db_rollback(struct db *db); /* rolls back the innermost level */

/* err = "PATH: sqlite's message" for the last failure; returns -1. */
int db_fail(struct db *db, struct fb_err *err, const char *what);

/* Bind helpers: NULL strings bind SQL NULL. */
void db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Bind without copying: s must stay valid until the statement is stepped
 * and reset by the same caller (the hot paths of import use it). */
void db_bind_static(sqlite3_stmt *st, int i, const char *s);
void db_bind_textn(sqlite3_stmt *st, int i, const char *s, size_t n);
/* Column text or NULL, borrowed until the next step/reset. */
const char *db_col_text(sqlite3_stmt *st, int i);
/* Caller frees; NULL when the column is NULL. */
char *db_col_dup(sqlite3_stmt *st, int i);

/*
 * Get or create.  kind may be NULL for "human" on creation; when the rater
 * exists with another kind, that is an error.  model/endpoint may be NULL
 * and are only set when given.
 */
int db_rater(struct db *db, const char *name, const char *kind, const char *model,
	     const char *endpoint, int64_t *id, struct fb_err *err);
/* Look up a rater id; 0 when there is none. */
int64_t db_rater_find(struct db *db, const char *name);
int db_dataset(struct db *db, const char *name, int64_t *id, struct fb_err *err);
int64_t db_dataset_find(struct db *db, const char *name);

/* Aspect id for a rubric name, 0 when the rubric set has no such aspect. */
int64_t db_aspect_id(struct db *db, const char *name);
/* The rubric for an aspect id, or NULL. */
const struct rubric *db_aspect_rubric(struct db *db, int64_t aspect_id);

#endif
