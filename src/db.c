/* db.c - open, migrate and talk to the feedbench sqlite database. */
#include "db.h"

#include "embedded.h"

#include <stdlib.h>
#include <string.h>

#define DB_BUSY_TIMEOUT_MS 10000
#define DB_PAGE_SIZE 4096
#define DB_PAGE_SIZE_STR "4096"

static int migration_number(const char *name)
{
	/* "schema/001_init.sql" -> 1; anything else -> 0 */
	const char *base = name + strlen("schema/");
	int n = 0, digits = 0;

	if (!starts_with(name, "schema/"))
		return 0;
	while (base[digits] >= '0' && base[digits] <= '9') {
		n = n * 10 + (base[digits] - '0');
		digits++;
	}
	return digits ? n : 0;
}

int db_schema_version(void)
{
	const struct embedded_file *f;
	int v = 0;

	for (f = embedded_files; f->name; f++)
		if (migration_number(f->name) > v)
			v = migration_number(f->name);
	return v;
}

int db_fail(struct db *db, struct fb_err *err, const char *what)
{
	return fb_error(err, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
}

int db_exec(struct db *db, const char *sql, struct fb_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fb_error(err, "%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql)
{
	size_t n = ARRAY_LEN(db->slots);
	size_t i = ((uintptr_t)sql >> 3) % n, probe;

	for (probe = 0; probe < n; probe++, i = (i + 1) % n) {
		struct db_stmt_slot *s = &db->slots[i];

		if (s->sql == sql) {
			sqlite3_reset(s->st);
			sqlite3_clear_bindings(s->st);
			return s->st;
		}
		if (!s->sql) {
			if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st,
					       NULL) != SQLITE_OK)
				fatal("bad SQL (%s): %s", sqlite3_errmsg(db->h), sql);
			s->sql = sql;
			return s->st;
		}
	}
	fatal("statement cache full");
}

static int migrate(struct db *db, struct fb_err *err)
{
	sqlite3_stmt *st;
	int have, want = db_schema_version(), v;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, err, "reading the schema version");
	sqlite3_step(st);
	have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have > want)
		return fb_error(err,
				"%s: made by a newer feedbench (schema version %d; this one knows up "
				"to %d): upgrade feedbench to use it",
				db->path, have, want);
	/* apply, in order, every migration newer than the file (numbers may skip) */
	for (v = have + 1; v <= want; v++) {
		const struct embedded_file *f;
		char pragma[64];

		for (f = embedded_files; f->name; f++)
			if (migration_number(f->name) == v)
				break;
		if (!f->name)
			continue;
		if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
			return -1;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v);
		if (db_exec(db, f->text, err) < 0 || db_exec(db, pragma, err) < 0 ||
		    db_exec(db, "COMMIT", err) < 0) {
			db_exec(db, "ROLLBACK", NULL);
			return -1;
		}
	}
	return 0;
}

static int sync_aspects(struct db *db, struct fb_err *err)
{
	const struct rubric_set *rs = db->rubrics;
	size_t i;

	db->aspect_ids = xcalloc(rs->n ? rs->n : 1, sizeof(int64_t));
	if (db_begin(db, err) < 0)
		return -1;
	for (i = 0; i < rs->n; i++) {
		const struct rubric *r = rs->items[i];
		sqlite3_stmt *st = db_stmt(db,
			"INSERT INTO aspect (name, title, scale_min, scale_max, allow_na) "
			"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO UPDATE SET "
			"title = excluded.title, scale_min = excluded.scale_min, "
			"scale_max = excluded.scale_max, allow_na = excluded.allow_na "
			"WHERE title IS NOT excluded.title OR scale_min IS NOT excluded.scale_min "
			"OR scale_max IS NOT excluded.scale_max OR allow_na IS NOT excluded.allow_na");

		db_bind_text(st, 1, r->name);
		db_bind_text(st, 2, r->title);
		sqlite3_bind_int(st, 3, r->min);
		sqlite3_bind_int(st, 4, r->max);
		sqlite3_bind_int(st, 5, r->allow_na);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		st = db_stmt(db, "SELECT id FROM aspect WHERE name = ?1");
		db_bind_text(st, 1, r->name);
		if (sqlite3_step(st) != SQLITE_ROW)
			goto fail;
		db->aspect_ids[i] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return db_commit(db, err);
fail:
	db_fail(db, err, "recording the aspects");
	db_rollback(db);
	return -1;
}

/* Pages the bulk page cache holds; sized so an import's working set fits. */
#define DB_BULK_PAGES 16000
#define DB_BULK_PAGES_STR "16000"

/*
 * A bulk load allocates and frees pages at a high rate; from malloc that
 * churn costs more than the inserts.  One block for the page cache, handed
 * to sqlite before it initialises (later calls change nothing), held for
 * the life of the process.
 */
static void bulk_page_memory(void)
{
	static void *block;
	int hdr = 0;

	if (block || sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &hdr) != SQLITE_OK)
		return;
	block = xmalloc((size_t)DB_BULK_PAGES * (size_t)(DB_PAGE_SIZE + hdr));
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, block, DB_PAGE_SIZE + hdr, DB_BULK_PAGES) !=
	    SQLITE_OK) {
		free(block);
		block = NULL;
	}
}

int db_open(struct db **out, const char *path, const struct rubric_set *rs, enum db_mode mode,
	    struct fb_err *err)
{
	struct db *db = xcalloc(1, sizeof(*db));
	int rc;

	*out = NULL;
	/* sqlite's memory statistics take a global mutex on every allocation;
	 * feedbench never reads them (fails harmlessly once initialised) */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (mode == DB_BULK)
		bulk_page_memory();
	db->path = xstrdup(path);
	db->rubrics = rs;
	rc = sqlite3_open_v2(path, &db->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		fb_error(err, "%s: cannot open database: %s", path,
			 db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->h, 1);
	if (db_exec(db, "PRAGMA foreign_keys = ON", err) < 0)
		goto fail;
	/* Only takes effect on a new, empty file.  Small pages measured best: a
	 * change journals whole pages, and the import's savepoints journal many. */
	if (db_exec(db, "PRAGMA page_size = " DB_PAGE_SIZE_STR, err) < 0)
		goto fail;
	/* Reading the header first catches "not a database" with a clear message. */
	if (db_exec(db, "PRAGMA journal_mode = WAL", err) < 0) {
		fb_error(err, "%s: not a feedbench database (%s)", path, sqlite3_errmsg(db->h));
		goto fail;
	}
	if (db_exec(db, mode == DB_BULK ? "PRAGMA synchronous = NORMAL"
					: "PRAGMA synchronous = FULL",
		    err) < 0)
		goto fail;
	/* per-record savepoints journal in memory, not through a temp file */
	if (db_exec(db, "PRAGMA temp_store = MEMORY", err) < 0)
		goto fail;
	if (mode == DB_BULK && db_exec(db, "PRAGMA cache_size = " DB_BULK_PAGES_STR, err) < 0)
		goto fail;
	if (migrate(db, err) < 0 || sync_aspects(db, err) < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	db_close(db);
	return -1;
}

void db_close(struct db *db)
{
	size_t i;

	if (!db)
		return;
	for (i = 0; i < ARRAY_LEN(db->slots); i++)
		if (db->slots[i].st)
			sqlite3_finalize(db->slots[i].st);
	if (db->h) {
		/* fold the WAL back so a closed database is one self-contained file */
		sqlite3_exec(db->h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
		sqlite3_close(db->h);
	}
	free(db->aspect_ids);
	free(db->path);
	free(db);
}

int db_bulk_begin(struct db *db)
{
	sqlite3_stmt *st;
	int empty = 0;
	char *mode = NULL;

	if (sqlite3_prepare_v2(db->h, "SELECT NOT EXISTS (SELECT 1 FROM prompt)", -1, &st, NULL) ==
	    SQLITE_OK) {
		empty = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (!empty || db->tx_depth)
		return 0;
	/* fails (and changes nothing) while another connection has the file open */
	if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = DELETE", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && db_col_text(st, 0))
			mode = xstrdup(db_col_text(st, 0));
		sqlite3_finalize(st);
	}
	if (!mode || strcmp(mode, "delete")) {
		free(mode);
		return 0;
	}
	free(mode);
	db_exec(db, "PRAGMA synchronous = FULL", NULL);
	return 1;
}

int db_bulk_end(struct db *db, struct fb_err *err)
{
	if (db_exec(db, "PRAGMA journal_mode = WAL", err) < 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL", err) < 0)
		return -1;
	return 0;
}

/* Step a cached statement that returns no rows. */
static int db_run(struct db *db, const char *sql, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fb_error(err, "%s: %s", db->path, sqlite3_errmsg(db->h));
	return 0;
}

/*
 * Inner levels are savepoints, all named "fb": RELEASE and ROLLBACK TO
 * find the most recent one of that name, which is the innermost level.
 * One name means the statements are prepared once (imports open one per
 * record).
 */
int db_begin(struct db *db, struct fb_err *err)
{
	if (db_run(db, db->tx_depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT fb", err) < 0)
		return -1;
	db->tx_depth++;
	return 0;
}

int db_commit(struct db *db, struct fb_err *err)
{
	if (db->tx_depth <= 0)
		fatal("db_commit without db_begin");
	if (db->tx_depth == 1) {
		if (db_run(db, "COMMIT", err) < 0) {
			db_rollback(db);
			return -1;
		}
	} else if (db_run(db, "RELEASE fb", err) < 0) {
		return -1;
	}
	db->tx_depth--;
	return 0;
}

void db_rollback(struct db *db)
{
	if (db->tx_depth <= 0)
		return;
	if (db->tx_depth == 1) {
		db_run(db, "ROLLBACK", NULL);
	} else {
		db_run(db, "ROLLBACK TO fb", NULL);
		db_run(db, "RELEASE fb", NULL);
	}
	db->tx_depth--;
}

void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void db_bind_static(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

void db_bind_textn(sqlite3_stmt *st, int i, const char *s, size_t n)
{
	if (s)
		sqlite3_bind_text64(st, i, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
	else
		sqlite3_bind_null(st, i);
}

const char *db_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

char *db_col_dup(sqlite3_stmt *st, int i)
{
	const char *s = db_col_text(st, i);

	return s ? xstrdup(s) : NULL;
}

int64_t db_rater_find(struct db *db, const char *name)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM rater WHERE name = ?1");
	int64_t id = 0;

	db_bind_text(st, 1, name);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

int db_rater(struct db *db, const char *name, const char *kind, const char *model,
	     const char *endpoint, int64_t *id, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, kind FROM rater WHERE name = ?1");
	int rc;

	db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *have = db_col_text(st, 1);

		*id = sqlite3_column_int64(st, 0);
		if (kind && strcmp(have, kind)) {
			fb_error(err, "rater '%s' exists as %s, not %s", name, have, kind);
			sqlite3_reset(st);
			return -1;
		}
		sqlite3_reset(st);
		if (model || endpoint) {
			st = db_stmt(db, "UPDATE rater SET model = coalesce(?2, model), "
					 "endpoint = coalesce(?3, endpoint) WHERE id = ?1 AND "
					 "(model IS NOT coalesce(?2, model) OR "
					 "endpoint IS NOT coalesce(?3, endpoint))");
			sqlite3_bind_int64(st, 1, *id);
			db_bind_text(st, 2, model);
			db_bind_text(st, 3, endpoint);
			if (sqlite3_step(st) != SQLITE_DONE)
				return db_fail(db, err, "updating a rater");
		}
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "looking up a rater");
	st = db_stmt(db, "INSERT INTO rater (name, kind, model, endpoint) VALUES (?1, ?2, ?3, ?4)");
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, kind ? kind : "human");
	db_bind_text(st, 3, model);
	db_bind_text(st, 4, endpoint);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "adding a rater");
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int64_t db_dataset_find(struct db *db, const char *name)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM dataset WHERE name = ?1");
	int64_t id = 0;

	db_bind_text(st, 1, name);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

int db_dataset(struct db *db, const char *name, int64_t *id, struct fb_err *err)
{
	sqlite3_stmt *st;
	char now[32];

	*id = db_dataset_find(db, name);
	if (*id)
		return 0;
	now_iso8601(now);
	st = db_stmt(db, "INSERT INTO dataset (name, created_at) VALUES (?1, ?2)");
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "adding a data set");
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int64_t db_aspect_id(struct db *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->rubrics->n; i++)
		if (!strcmp(db->rubrics->items[i]->name, name))
			return db->aspect_ids[i];
	return 0;
}

const struct rubric *db_aspect_rubric(struct db *db, int64_t aspect_id)
{
	size_t i;

	for (i = 0; i < db->rubrics->n; i++)
		if (db->aspect_ids[i] == aspect_id)
			return db->rubrics->items[i];
	return NULL;
}
