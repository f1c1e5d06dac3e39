/* store.c - the writes of rated data (see store.h). */
#include "store.h"

#include <string.h>

static const char *when(const char *t, char buf[32])
{
	if (t)
		return t;
	now_iso8601(buf);
	return buf;
}

int store_prompt(struct db *db, const struct store_prompt *p, int64_t dataset_id, int64_t *id,
		 int *created, struct fb_err *err)
{
	char hash[65], now[32];
	sqlite3_stmt *st;
	int made = 0;

	sha256_hex(p->instruction, strlen(p->instruction), hash);
	/* new prompts are the common case of an import: try the insert first */
	st = db_stmt(db, "INSERT INTO prompt (hash, instruction, source, external_id, "
			 "correct_answers, incorrect_answers, created_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (hash) DO NOTHING");
	db_bind_static(st, 1, hash);
	db_bind_static(st, 2, p->instruction);
	db_bind_static(st, 3, p->source);
	db_bind_static(st, 4, p->external_id);
	db_bind_static(st, 5, p->correct_answers);
	db_bind_static(st, 6, p->incorrect_answers);
	db_bind_static(st, 7, when(p->created_at, now));
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "adding a prompt");
	if (sqlite3_changes(db->h) > 0) {
		*id = sqlite3_last_insert_rowid(db->h);
		made = 1;
	} else {
		st = db_stmt(db, "SELECT id FROM prompt WHERE hash = ?1");
		db_bind_static(st, 1, hash);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return db_fail(db, err, "finding a prompt");
		}
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		/* what the stored prompt lacks, this record may know */
		if (p->source || p->external_id || p->correct_answers || p->incorrect_answers) {
			st = db_stmt(db,
				"UPDATE prompt SET source = coalesce(source, ?2), "
				"external_id = coalesce(external_id, ?3), "
				"correct_answers = coalesce(correct_answers, ?4), "
				"incorrect_answers = coalesce(incorrect_answers, ?5) WHERE id = ?1 AND "
				"((source IS NULL AND ?2 IS NOT NULL) OR (external_id IS NULL AND ?3 IS NOT NULL) "
				"OR (correct_answers IS NULL AND ?4 IS NOT NULL) "
				"OR (incorrect_answers IS NULL AND ?5 IS NOT NULL))");
			sqlite3_bind_int64(st, 1, *id);
			db_bind_static(st, 2, p->source);
			db_bind_static(st, 3, p->external_id);
			db_bind_static(st, 4, p->correct_answers);
			db_bind_static(st, 5, p->incorrect_answers);
			if (sqlite3_step(st) != SQLITE_DONE)
				return db_fail(db, err, "updating a prompt");
		}
	}
	if (dataset_id) {
		st = db_stmt(db, "INSERT OR IGNORE INTO dataset_prompt (dataset_id, prompt_id) "
				 "VALUES (?1, ?2)");
		sqlite3_bind_int64(st, 1, dataset_id);
		sqlite3_bind_int64(st, 2, *id);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_fail(db, err, "linking a prompt to its data set");
	}
	if (created)
		*created = made;
	return 0;
}

int store_completion(struct db *db, int64_t prompt_id, const struct store_completion *c,
		     int64_t *id, int *created, struct fb_err *err)
{
	char hash[65];
	sqlite3_stmt *st;
	int idx = c->idx;

	sha256_hex(c->response, strlen(c->response), hash);
	if (c->fresh && idx >= 0) {
		/* a new prompt: insert straight away; only a response repeated
		 * within the record falls through to the lookup */
		st = db_stmt(db, "INSERT OR IGNORE INTO completion (prompt_id, idx, hash, model, "
				 "principle, system_prompt, response) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
		sqlite3_bind_int64(st, 1, prompt_id);
		sqlite3_bind_int(st, 2, idx);
		db_bind_static(st, 3, hash);
		db_bind_static(st, 4, c->model);
		db_bind_static(st, 5, c->principle);
		db_bind_static(st, 6, c->system_prompt);
		db_bind_static(st, 7, c->response);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_fail(db, err, "adding a completion");
		if (sqlite3_changes(db->h) > 0) {
			*id = sqlite3_last_insert_rowid(db->h);
			if (created)
				*created = 1;
			return 0;
		}
	}
	st = db_stmt(db, "SELECT id FROM completion WHERE prompt_id = ?1 AND hash = ?2");
	sqlite3_bind_int64(st, 1, prompt_id);
	db_bind_static(st, 2, hash);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (created)
			*created = 0;
		return 0;
	}
	sqlite3_reset(st);
	/* the wanted position may be taken (another rater's file, other text): append */
	st = db_stmt(db, "SELECT coalesce(max(idx) + 1, 0), "
			 "EXISTS (SELECT 1 FROM completion WHERE prompt_id = ?1 AND idx = ?2) "
			 "FROM completion WHERE prompt_id = ?1");
	sqlite3_bind_int64(st, 1, prompt_id);
	sqlite3_bind_int(st, 2, idx);
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_fail(db, err, "numbering a completion");
	if (idx < 0 || sqlite3_column_int(st, 1))
		idx = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	st = db_stmt(db, "INSERT INTO completion (prompt_id, idx, hash, model, principle, "
			 "system_prompt, response) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	sqlite3_bind_int64(st, 1, prompt_id);
	sqlite3_bind_int(st, 2, idx);
	db_bind_static(st, 3, hash);
	db_bind_static(st, 4, c->model);
	db_bind_static(st, 5, c->principle);
	db_bind_static(st, 6, c->system_prompt);
	db_bind_static(st, 7, c->response);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "adding a completion");
	*id = sqlite3_last_insert_rowid(db->h);
	if (created)
		*created = 1;
	return 0;
}

/* Rows per statement in store_ratings: a 4 x 4 record fits in one. */
#define STORE_ROWS 16

/*
 * "HEAD (?1, ..., ?n), (...), ... TAIL" for k rows of ncols columns, built
 * once per k into cache[k]: the text holds placeholders only, never data,
 * and lives as long as the process (the statement cache keys on it).
 */
static const char *rows_sql(char **cache, const char *head, size_t ncols, size_t k,
			    const char *tail)
{
	if (!cache[k]) {
		struct sbuf sb = SBUF_INIT;
		size_t i, c;

		sbuf_adds(&sb, head);
		for (i = 0; i < k; i++) {
			sbuf_adds(&sb, i ? ", (" : " (");
			for (c = 0; c < ncols; c++)
				sbuf_addf(&sb, "%s?%zu", c ? ", " : "", ncols * i + c + 1);
			sbuf_addc(&sb, ')');
		}
		sbuf_adds(&sb, tail);
		cache[k] = sbuf_detach(&sb, NULL);
	}
	return cache[k];
}

static const char *ratings_sql(size_t k)
{
	static char *cache[STORE_ROWS + 1];

	return rows_sql(cache,
			"INSERT INTO rating (completion_id, rater_id, aspect_id, value, na, "
			"rationale, types, rationale2, updated_at) VALUES",
			9, k,
			" ON CONFLICT (completion_id, rater_id, aspect_id) DO UPDATE SET "
			"value = excluded.value, na = excluded.na, "
			"rationale = excluded.rationale, types = excluded.types, "
			"rationale2 = excluded.rationale2, updated_at = excluded.updated_at "
			"WHERE value IS NOT excluded.value OR na IS NOT excluded.na "
			"OR rationale IS NOT excluded.rationale OR types IS NOT excluded.types "
			"OR rationale2 IS NOT excluded.rationale2");
}

int store_ratings(struct db *db, const struct store_rating *r, size_t n, long *changed,
		  struct fb_err *err)
{
	char now[32];
	size_t done = 0;

	if (changed)
		*changed = 0;
	now[0] = '\0';
	while (done < n) {
		size_t k = n - done < STORE_ROWS ? n - done : STORE_ROWS, i;
		sqlite3_stmt *st = db_stmt(db, ratings_sql(k));

		for (i = 0; i < k; i++) {
			const struct store_rating *x = &r[done + i];
			int b = (int)(9 * i);

			sqlite3_bind_int64(st, b + 1, x->completion_id);
			sqlite3_bind_int64(st, b + 2, x->rater_id);
			sqlite3_bind_int64(st, b + 3, x->aspect_id);
			if (x->has_value && !x->na)
				sqlite3_bind_int(st, b + 4, x->value);
			sqlite3_bind_int(st, b + 5, x->na ? 1 : 0);
			db_bind_static(st, b + 6, x->rationale);
			db_bind_static(st, b + 7, x->types);
			db_bind_static(st, b + 8, x->rationale2);
			if (!x->updated_at && !now[0])
				now_iso8601(now);
			db_bind_text(st, b + 9, x->updated_at ? x->updated_at : now);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_fail(db, err, "storing ratings");
		if (changed)
			*changed += sqlite3_changes(db->h);
		done += k;
	}
	return 0;
}

int store_rating_delete(struct db *db, int64_t completion_id, int64_t rater_id,
			int64_t aspect_id, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM rating WHERE completion_id = ?1 AND "
				       "rater_id = ?2 AND aspect_id = ?3");

	sqlite3_bind_int64(st, 1, completion_id);
	sqlite3_bind_int64(st, 2, rater_id);
	sqlite3_bind_int64(st, 3, aspect_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "removing a rating");
	return 0;
}

static const char *critiques_sql(size_t k)
{
	static char *cache[STORE_ROWS + 1];

	return rows_sql(cache,
			"INSERT INTO critique (completion_id, rater_id, text, overall_score, "
			"fine_grained_score, updated_at) VALUES",
			6, k,
			" ON CONFLICT (completion_id, rater_id) DO UPDATE SET "
			"text = excluded.text, overall_score = excluded.overall_score, "
			"fine_grained_score = excluded.fine_grained_score, "
			"updated_at = excluded.updated_at "
			"WHERE text IS NOT excluded.text "
			"OR overall_score IS NOT excluded.overall_score "
			"OR fine_grained_score IS NOT excluded.fine_grained_score");
}

int store_critiques(struct db *db, const struct store_critique *c, size_t n, long *changed,
		    struct fb_err *err)
{
	char now[32];
	size_t done = 0;

	if (changed)
		*changed = 0;
	now[0] = '\0';
	while (done < n) {
		size_t k = n - done < STORE_ROWS ? n - done : STORE_ROWS, i;
		sqlite3_stmt *st = db_stmt(db, critiques_sql(k));

		for (i = 0; i < k; i++) {
			const struct store_critique *x = &c[done + i];
			int b = (int)(6 * i);

			sqlite3_bind_int64(st, b + 1, x->completion_id);
			sqlite3_bind_int64(st, b + 2, x->rater_id);
			db_bind_static(st, b + 3, x->text);
			if (x->has_overall)
				sqlite3_bind_double(st, b + 4, x->overall);
			if (x->has_fine)
				sqlite3_bind_double(st, b + 5, x->fine);
			if (!x->updated_at && !now[0])
				now_iso8601(now);
			db_bind_text(st, b + 6, x->updated_at ? x->updated_at : now);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_fail(db, err, "storing critiques");
		if (changed)
			*changed += sqlite3_changes(db->h);
		done += k;
	}
	return 0;
}

int store_rating(struct db *db, const struct store_rating *r, int *changed, struct fb_err *err)
{
	long n;

	if (store_ratings(db, r, 1, &n, err) < 0)
		return -1;
	if (changed)
		*changed = n > 0;
	return 0;
}

int store_critique(struct db *db, const struct store_critique *c, int *changed,
		   struct fb_err *err)
{
	long n;

	if (store_critiques(db, c, 1, &n, err) < 0)
		return -1;
	if (changed)
		*changed = n > 0;
	return 0;
}

int store_preference(struct db *db, int64_t prompt_id, int64_t rater_id, int64_t chosen_id,
		     int64_t rejected_id, const char *created_at, int *changed, struct fb_err *err)
{
	char now[32];
	sqlite3_stmt *st = db_stmt(db,
		"INSERT OR IGNORE INTO preference (prompt_id, rater_id, chosen_id, rejected_id, "
		"created_at) VALUES (?1, ?2, ?3, ?4, ?5)");

	sqlite3_bind_int64(st, 1, prompt_id);
	sqlite3_bind_int64(st, 2, rater_id);
	sqlite3_bind_int64(st, 3, chosen_id);
	sqlite3_bind_int64(st, 4, rejected_id);
	db_bind_static(st, 5, when(created_at, now));
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "storing a preference");
	if (changed)
		*changed = sqlite3_changes(db->h) > 0;
	return 0;
}

int store_flag(struct db *db, int64_t prompt_id, int64_t rater_id, const char *kind,
	       const char *reason, const char *created_at, struct fb_err *err)
{
	char now[32];
	sqlite3_stmt *st = db_stmt(db,
		"INSERT INTO flag (prompt_id, rater_id, kind, reason, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (prompt_id, rater_id, kind) "
		"DO UPDATE SET reason = excluded.reason WHERE reason IS NOT excluded.reason");

	sqlite3_bind_int64(st, 1, prompt_id);
	sqlite3_bind_int64(st, 2, rater_id);
	db_bind_static(st, 3, kind);
	db_bind_static(st, 4, reason ? reason : "");
	db_bind_static(st, 5, when(created_at, now));
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "storing a flag");
	return 0;
}

int store_unflag(struct db *db, int64_t prompt_id, int64_t rater_id, const char *kind,
		 struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM flag WHERE prompt_id = ?1 AND rater_id = ?2 "
				       "AND kind = ?3");

	sqlite3_bind_int64(st, 1, prompt_id);
	sqlite3_bind_int64(st, 2, rater_id);
	db_bind_static(st, 3, kind);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "removing a flag");
	return 0;
}
