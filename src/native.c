/* native.c - feedbench's lossless JSONL format, both directions (see native.h). */
#include "native.h"

#include "import.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>

/* ---- export ---- */

static void add_text(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	if (s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static void add_num(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, sqlite3_column_double(st, col));
}

/* A column holding JSON text, parsed back (null when NULL or unreadable). */
static void add_json(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	const char *s = db_col_text(st, col);
	cJSON *v = s ? cJSON_Parse(s) : NULL;

	cJSON_AddItemToObject(o, key, v ? v : cJSON_CreateNull());
}

static void add_value(cJSON *o, sqlite3_stmt *st, int vcol, int nacol)
{
	if (sqlite3_column_int(st, nacol))
		cJSON_AddStringToObject(o, "value", "N/A");
	else if (sqlite3_column_type(st, vcol) == SQLITE_NULL)
		cJSON_AddNullToObject(o, "value");
	else
		cJSON_AddNumberToObject(o, "value", sqlite3_column_int(st, vcol));
}

static void note_rater(cJSON *raters, sqlite3_stmt *st, int name, int kind, int model,
		       int endpoint)
{
	const char *n = db_col_text(st, name);
	cJSON *r;

	if (cJSON_GetObjectItemCaseSensitive(raters, n))
		return;
	r = cJSON_AddObjectToObject(raters, n);
	add_text(r, "kind", st, kind);
	add_text(r, "model", st, model);
	add_text(r, "endpoint", st, endpoint);
}

#define RATER_COLS "r.name, r.kind, r.model, r.endpoint"

/*
 * Ratings and critiques, current and past, share a shape: the same columns
 * (after the rater's four), with "replaced_at" last for the history.
 */
static void add_rating(cJSON *o, sqlite3_stmt *st, int history)
{
	add_text(o, "rater", st, 0);
	add_text(o, "aspect", st, 4);
	add_value(o, st, 5, 6);
	add_text(o, "rationale", st, 7);
	add_json(o, "types", st, 8);
	add_text(o, "rationale2", st, 9);
	add_text(o, "updated_at", st, 10);
	if (history)
		add_text(o, "replaced_at", st, 11);
}

static void add_critique(cJSON *o, sqlite3_stmt *st, int history)
{
	add_text(o, "rater", st, 0);
	add_text(o, "text", st, 4);
	add_num(o, "overall_score", st, 5);
	add_num(o, "fine_grained_score", st, 6);
	add_text(o, "updated_at", st, 7);
	if (history)
		add_text(o, "replaced_at", st, 8);
}

/* Run st (bound to a completion) and add one object per row under key. */
static int add_rows(struct db *db, cJSON *c, const char *key, sqlite3_stmt *st, cJSON *raters,
		    void (*add)(cJSON *, sqlite3_stmt *, int), int history, struct fb_err *err)
{
	cJSON *arr = cJSON_AddArrayToObject(c, key);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		note_rater(raters, st, 0, 1, 2, 3);
		add(o, st, history);
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading a completion's ratings");
	return 0;
}

static int export_completion(struct db *db, cJSON *c, int64_t cid, cJSON *raters,
			     struct fb_err *err)
{
	sqlite3_stmt *st;

	st = db_stmt(db, "SELECT " RATER_COLS ", a.name, x.value, x.na, x.rationale, x.types, "
			 "x.rationale2, x.updated_at FROM rating x JOIN rater r ON r.id = x.rater_id "
			 "JOIN aspect a ON a.id = x.aspect_id WHERE x.completion_id = ?1 "
			 "ORDER BY r.name, a.name");
	sqlite3_bind_int64(st, 1, cid);
	if (add_rows(db, c, "ratings", st, raters, add_rating, 0, err) < 0)
		return -1;
	st = db_stmt(db, "SELECT " RATER_COLS ", a.name, x.value, x.na, x.rationale, x.types, "
			 "x.rationale2, x.updated_at, x.replaced_at FROM rating_history x "
			 "JOIN rater r ON r.id = x.rater_id JOIN aspect a ON a.id = x.aspect_id "
			 "WHERE x.completion_id = ?1 ORDER BY r.name, a.name, x.replaced_at, x.id");
	sqlite3_bind_int64(st, 1, cid);
	if (add_rows(db, c, "rating_history", st, raters, add_rating, 1, err) < 0)
		return -1;
	st = db_stmt(db, "SELECT " RATER_COLS ", x.text, x.overall_score, x.fine_grained_score, "
			 "x.updated_at FROM critique x JOIN rater r ON r.id = x.rater_id "
			 "WHERE x.completion_id = ?1 ORDER BY r.name");
	sqlite3_bind_int64(st, 1, cid);
	if (add_rows(db, c, "critiques", st, raters, add_critique, 0, err) < 0)
		return -1;
	st = db_stmt(db, "SELECT " RATER_COLS ", x.text, x.overall_score, x.fine_grained_score, "
			 "x.updated_at, x.replaced_at FROM critique_history x "
			 "JOIN rater r ON r.id = x.rater_id WHERE x.completion_id = ?1 "
			 "ORDER BY r.name, x.replaced_at, x.id");
	sqlite3_bind_int64(st, 1, cid);
	return add_rows(db, c, "critique_history", st, raters, add_critique, 1, err);
}

cJSON *native_prompt_json(struct db *db, int64_t pid, struct fb_err *err)
{
	cJSON *root = cJSON_CreateObject(), *p, *arr, *raters, *comps;
	sqlite3_stmt *st;
	int rc;

	cJSON_AddNumberToObject(root, "feedbench", 1);
	p = cJSON_AddObjectToObject(root, "prompt");
	st = db_stmt(db, "SELECT instruction, source, external_id, correct_answers, "
			 "incorrect_answers, created_at FROM prompt WHERE id = ?1");
	sqlite3_bind_int64(st, 1, pid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		fb_error(err, "%s: no prompt %lld", db->path, (long long)pid);
		goto fail;
	}
	add_text(p, "instruction", st, 0);
	add_text(p, "source", st, 1);
	add_text(p, "external_id", st, 2);
	add_json(p, "correct_answers", st, 3);
	add_json(p, "incorrect_answers", st, 4);
	add_text(p, "created_at", st, 5);
	sqlite3_reset(st);
	arr = cJSON_AddArrayToObject(p, "datasets");
	st = db_stmt(db, "SELECT d.name, d.created_at FROM dataset_prompt dp JOIN dataset d "
			 "ON d.id = dp.dataset_id WHERE dp.prompt_id = ?1 ORDER BY d.name");
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		add_text(o, "name", st, 0);
		add_text(o, "created_at", st, 1);
		cJSON_AddItemToArray(arr, o);
	}
	raters = cJSON_AddObjectToObject(root, "raters");
	comps = cJSON_AddArrayToObject(root, "completions");
	{
		/* collect the ids first: the per-completion queries reuse statements */
		int64_t *ids = NULL;
		size_t n = 0, cap = 0, i;
		cJSON *c;

		st = db_stmt(db, "SELECT id, idx, model, principle, system_prompt, response "
				 "FROM completion WHERE prompt_id = ?1 ORDER BY idx");
		sqlite3_bind_int64(st, 1, pid);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			c = cJSON_CreateObject();
			xgrow((void **)&ids, &cap, n + 1, sizeof(*ids));
			ids[n++] = sqlite3_column_int64(st, 0);
			cJSON_AddNumberToObject(c, "idx", sqlite3_column_int(st, 1));
			add_text(c, "model", st, 2);
			add_text(c, "principle", st, 3);
			add_text(c, "system_prompt", st, 4);
			add_text(c, "response", st, 5);
			cJSON_AddItemToArray(comps, c);
		}
		sqlite3_reset(st);
		for (i = 0, c = comps->child; i < n; i++, c = c->next) {
			if (export_completion(db, c, ids[i], raters, err) < 0) {
				free(ids);
				goto fail;
			}
		}
		free(ids);
	}
	arr = cJSON_AddArrayToObject(root, "preferences");
	st = db_stmt(db, "SELECT " RATER_COLS ", c1.idx, c2.idx, x.created_at FROM preference x "
			 "JOIN rater r ON r.id = x.rater_id JOIN completion c1 ON c1.id = x.chosen_id "
			 "JOIN completion c2 ON c2.id = x.rejected_id WHERE x.prompt_id = ?1 "
			 "ORDER BY r.name, c1.idx, c2.idx");
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		note_rater(raters, st, 0, 1, 2, 3);
		add_text(o, "rater", st, 0);
		cJSON_AddNumberToObject(o, "chosen", sqlite3_column_int(st, 4));
		cJSON_AddNumberToObject(o, "rejected", sqlite3_column_int(st, 5));
		add_text(o, "created_at", st, 6);
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(root, "flags");
	st = db_stmt(db, "SELECT " RATER_COLS ", x.kind, x.reason, x.created_at FROM flag x "
			 "JOIN rater r ON r.id = x.rater_id WHERE x.prompt_id = ?1 "
			 "ORDER BY r.name, x.kind");
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		note_rater(raters, st, 0, 1, 2, 3);
		add_text(o, "rater", st, 0);
		add_text(o, "kind", st, 4);
		add_text(o, "reason", st, 5);
		add_text(o, "created_at", st, 6);
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(root, "progress");
	st = db_stmt(db, "SELECT " RATER_COLS ", x.shown_order, x.active_ms, x.finished_at, "
			 "x.updated_at FROM progress x JOIN rater r ON r.id = x.rater_id "
			 "WHERE x.prompt_id = ?1 ORDER BY r.name");
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		note_rater(raters, st, 0, 1, 2, 3);
		add_text(o, "rater", st, 0);
		add_json(o, "shown_order", st, 4);
		cJSON_AddNumberToObject(o, "active_ms", (double)sqlite3_column_int64(st, 5));
		add_text(o, "finished_at", st, 6);
		add_text(o, "updated_at", st, 7);
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(root, "drafts");
	st = db_stmt(db, "SELECT " RATER_COLS ", c.idx, x.field, x.text, x.updated_at FROM draft x "
			 "JOIN rater r ON r.id = x.rater_id JOIN completion c ON c.id = x.completion_id "
			 "WHERE c.prompt_id = ?1 ORDER BY r.name, c.idx, x.field");
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		note_rater(raters, st, 0, 1, 2, 3);
		add_text(o, "rater", st, 0);
		cJSON_AddNumberToObject(o, "completion", sqlite3_column_int(st, 4));
		add_text(o, "field", st, 5);
		add_text(o, "text", st, 6);
		add_text(o, "updated_at", st, 7);
		cJSON_AddItemToArray(arr, o);
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "reading a prompt");
		goto fail;
	}
	/* raters were noted in query order; sort by name so lines are stable */
	{
		cJSON *sorted = cJSON_CreateObject(), *r;
		const char **names = NULL;
		size_t n = 0, cap = 0, i, j;

		cJSON_ArrayForEach(r, raters) {
			xgrow((void **)&names, &cap, n + 1, sizeof(*names));
			names[n++] = r->string;
		}
		for (i = 1; i < n; i++)
			for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
				const char *t = names[j];
				names[j] = names[j - 1];
				names[j - 1] = t;
			}
		for (i = 0; i < n; i++)
			cJSON_AddItemToObject(
				sorted, names[i],
				cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(raters, names[i]), 1));
		free(names);
		cJSON_ReplaceItemInObjectCaseSensitive(root, "raters", sorted);
	}
	return root;
fail:
	cJSON_Delete(root);
	return NULL;
}

/* ---- import ---- */

int native_detect(const cJSON *rec)
{
	return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(rec, "feedbench")) &&
	       cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(rec, "prompt"));
}

static const char *str_or_null(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* JSON text of a member (caller frees), or NULL when absent/null. */
static char *json_member(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return v && !cJSON_IsNull(v) ? cJSON_PrintUnformatted(v) : NULL;
}

static int native_rater(struct import_ctx *ctx, const cJSON *rec, const char *name, int64_t *id,
			struct fb_err *err)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(rec, "raters"), name);
	const char *kind = r ? str_or_null(r, "kind") : NULL;

	if (!name)
		return fb_error(err, "an entry has no 'rater'");
	if (kind && strcmp(kind, "human") && strcmp(kind, "llm"))
		return fb_error(err, "rater '%s': kind must be human or llm", name);
	return db_rater(ctx->db, name, kind, r ? str_or_null(r, "model") : NULL,
			r ? str_or_null(r, "endpoint") : NULL, id, err);
}

/* Value of a rating entry: 1 number, 2 N/A, 0 none; -1 when malformed. */
static int native_value(const cJSON *o, int *value, struct fb_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");

	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "N/A"))
		return 2;
	if (cJSON_IsNumber(v) && v->valuedouble == (double)(int)v->valuedouble) {
		*value = (int)v->valuedouble;
		return 1;
	}
	return fb_error(err, "a rating 'value' must be an integer, \"N/A\" or null");
}

static int native_rating(struct import_ctx *ctx, const cJSON *rec, int64_t cid, const cJSON *o,
			 int history, struct fb_err *err)
{
	const char *aspect = str_or_null(o, "aspect"), *updated = str_or_null(o, "updated_at");
	int64_t rater_id, aspect_id;
	int kind, value = 0, rc = -1, changed;
	char *types = json_member(o, "types");

	if (!aspect || !updated) {
		fb_error(err, "a rating needs 'aspect' and 'updated_at'");
		goto out;
	}
	aspect_id = db_aspect_id(ctx->db, aspect);
	if (!aspect_id) {
		fb_error(err, "aspect '%s' has no rubric here (add %s.rubric)", aspect, aspect);
		goto out;
	}
	if ((kind = native_value(o, &value, err)) < 0 ||
	    native_rater(ctx, rec, str_or_null(o, "rater"), &rater_id, err) < 0)
		goto out;
	if (!history) {
		struct store_rating r;

		memset(&r, 0, sizeof(r));
		r.completion_id = cid;
		r.rater_id = rater_id;
		r.aspect_id = aspect_id;
		r.has_value = kind == 1;
		r.value = value;
		r.na = kind == 2;
		r.rationale = str_or_null(o, "rationale");
		r.types = types;
		r.rationale2 = str_or_null(o, "rationale2");
		r.updated_at = updated;
		if (store_rating(ctx->db, &r, &changed, err) < 0)
			goto out;
		ctx->n.ratings += changed;
	} else {
		const char *replaced = str_or_null(o, "replaced_at");
		sqlite3_stmt *st;

		if (!replaced) {
			fb_error(err, "a history entry needs 'replaced_at'");
			goto out;
		}
		/* an identical history row is the same history: idempotent */
		st = db_stmt(ctx->db,
			"INSERT INTO rating_history (rating_id, completion_id, rater_id, aspect_id, "
			"value, na, rationale, types, rationale2, updated_at, replaced_at) "
			"SELECT coalesce((SELECT id FROM rating WHERE completion_id = ?1 AND "
			"rater_id = ?2 AND aspect_id = ?3), 0), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 "
			"WHERE NOT EXISTS (SELECT 1 FROM rating_history WHERE completion_id = ?1 AND "
			"rater_id = ?2 AND aspect_id = ?3 AND value IS ?4 AND na = ?5 AND "
			"rationale IS ?6 AND types IS ?7 AND rationale2 IS ?8 AND updated_at = ?9 AND "
			"replaced_at = ?10)");
		sqlite3_bind_int64(st, 1, cid);
		sqlite3_bind_int64(st, 2, rater_id);
		sqlite3_bind_int64(st, 3, aspect_id);
		if (kind == 1)
			sqlite3_bind_int(st, 4, value);
		sqlite3_bind_int(st, 5, kind == 2);
		db_bind_text(st, 6, str_or_null(o, "rationale"));
		db_bind_text(st, 7, types);
		db_bind_text(st, 8, str_or_null(o, "rationale2"));
		db_bind_text(st, 9, updated);
		db_bind_text(st, 10, replaced);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(ctx->db, err, "storing rating history");
			goto out;
		}
	}
	rc = 0;
out:
	free(types);
	return rc;
}

static int num_member(const cJSON *o, const char *key, int *has, double *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	*has = cJSON_IsNumber(x);
	if (*has)
		*v = x->valuedouble;
	return 0;
}

static int native_critique(struct import_ctx *ctx, const cJSON *rec, int64_t cid, const cJSON *o,
			   int history, struct fb_err *err)
{
	struct store_critique c;
	int64_t rater_id;
	int changed;

	memset(&c, 0, sizeof(c));
	if (native_rater(ctx, rec, str_or_null(o, "rater"), &rater_id, err) < 0)
		return -1;
	c.completion_id = cid;
	c.rater_id = rater_id;
	c.text = str_or_null(o, "text");
	num_member(o, "overall_score", &c.has_overall, &c.overall);
	num_member(o, "fine_grained_score", &c.has_fine, &c.fine);
	c.updated_at = str_or_null(o, "updated_at");
	if (!c.updated_at)
		return fb_error(err, "a critique needs 'updated_at'");
	if (!history) {
		if (store_critique(ctx->db, &c, &changed, err) < 0)
			return -1;
		ctx->n.critiques += changed;
	} else {
		const char *replaced = str_or_null(o, "replaced_at");
		sqlite3_stmt *st;

		if (!replaced)
			return fb_error(err, "a history entry needs 'replaced_at'");
		st = db_stmt(ctx->db,
			"INSERT INTO critique_history (critique_id, completion_id, rater_id, text, "
			"overall_score, fine_grained_score, updated_at, replaced_at) "
			"SELECT coalesce((SELECT id FROM critique WHERE completion_id = ?1 AND "
			"rater_id = ?2), 0), ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE NOT EXISTS (SELECT 1 "
			"FROM critique_history WHERE completion_id = ?1 AND rater_id = ?2 AND "
			"text IS ?3 AND overall_score IS ?4 AND fine_grained_score IS ?5 AND "
			"updated_at = ?6 AND replaced_at = ?7)");
		sqlite3_bind_int64(st, 1, cid);
		sqlite3_bind_int64(st, 2, rater_id);
		db_bind_text(st, 3, c.text);
		if (c.has_overall)
			sqlite3_bind_double(st, 4, c.overall);
		if (c.has_fine)
			sqlite3_bind_double(st, 5, c.fine);
		db_bind_text(st, 6, c.updated_at);
		db_bind_text(st, 7, replaced);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_fail(ctx->db, err, "storing critique history");
	}
	return 0;
}

/* Completion id by its idx within the prompt (0 when absent). */
static int64_t completion_at(struct db *db, int64_t pid, int idx)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM completion WHERE prompt_id = ?1 AND idx = ?2");
	int64_t id = 0;

	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int(st, 2, idx);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

static int each_object(const cJSON *parent, const char *key, const cJSON **arr,
		       struct fb_err *err)
{
	const cJSON *e;

	*arr = cJSON_GetObjectItemCaseSensitive(parent, key);
	if (!*arr || cJSON_IsNull(*arr))
		return 0;
	if (!cJSON_IsArray(*arr))
		return fb_error(err, "'%s' must be a list", key);
	cJSON_ArrayForEach(e, *arr)
		if (!cJSON_IsObject(e))
			return fb_error(err, "'%s' must hold objects", key);
	return 0;
}

static int native_prompt_part(struct import_ctx *ctx, const cJSON *rec, int64_t *pid,
			      struct fb_err *err)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(rec, "prompt"), *ds, *d;
	struct store_prompt sp;
	char *ca = json_member(p, "correct_answers"), *ia = json_member(p, "incorrect_answers");
	int created, rc = -1;
	int64_t dsid = 0;

	memset(&sp, 0, sizeof(sp));
	sp.instruction = str_or_null(p, "instruction");
	sp.source = str_or_null(p, "source");
	sp.external_id = str_or_null(p, "external_id");
	sp.correct_answers = ca;
	sp.incorrect_answers = ia;
	sp.created_at = str_or_null(p, "created_at");
	if (!sp.instruction || !*sp.instruction) {
		fb_error(err, "'prompt' needs a non-empty 'instruction'");
		goto out;
	}
	if (ctx->opts->dataset && import_dataset(ctx, &dsid, err) < 0)
		goto out;
	if (store_prompt(ctx->db, &sp, dsid, pid, &created, err) < 0)
		goto out;
	ctx->n.prompts += created;
	if (each_object(p, "datasets", &ds, err) < 0)
		goto out;
	if (ds) {
		cJSON_ArrayForEach(d, ds) {
			const char *name = str_or_null(d, "name"), *at = str_or_null(d, "created_at");
			sqlite3_stmt *st;

			if (!name) {
				fb_error(err, "a data set needs a 'name'");
				goto out;
			}
			if (!(dsid = db_dataset_find(ctx->db, name))) {
				st = db_stmt(ctx->db, "INSERT INTO dataset (name, created_at) VALUES "
						      "(?1, coalesce(?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))");
				db_bind_text(st, 1, name);
				db_bind_text(st, 2, at);
				if (sqlite3_step(st) != SQLITE_DONE) {
					db_fail(ctx->db, err, "adding a data set");
					goto out;
				}
				dsid = sqlite3_last_insert_rowid(ctx->db->h);
			}
			st = db_stmt(ctx->db, "INSERT OR IGNORE INTO dataset_prompt (dataset_id, "
					      "prompt_id) VALUES (?1, ?2)");
			sqlite3_bind_int64(st, 1, dsid);
			sqlite3_bind_int64(st, 2, *pid);
			if (sqlite3_step(st) != SQLITE_DONE) {
				db_fail(ctx->db, err, "linking a data set");
				goto out;
			}
		}
	}
	rc = 0;
out:
	free(ca);
	free(ia);
	return rc;
}

static int native_completions(struct import_ctx *ctx, const cJSON *rec, int64_t pid,
			      struct fb_err *err)
{
	const cJSON *comps, *c, *arr, *o;

	if (each_object(rec, "completions", &comps, err) < 0)
		return -1;
	if (!comps)
		return 0;
	cJSON_ArrayForEach(c, comps) {
		struct store_completion sc;
		const cJSON *idx = cJSON_GetObjectItemCaseSensitive(c, "idx");
		int64_t cid;
		int created;

		memset(&sc, 0, sizeof(sc));
		sc.response = str_or_null(c, "response");
		sc.model = str_or_null(c, "model");
		sc.principle = str_or_null(c, "principle");
		sc.system_prompt = str_or_null(c, "system_prompt");
		sc.idx = cJSON_IsNumber(idx) ? idx->valueint : -1;
		if (!sc.response)
			return fb_error(err, "a completion needs a 'response'");
		if (store_completion(ctx->db, pid, &sc, &cid, &created, err) < 0)
			return -1;
		ctx->n.completions += created;
		if (each_object(c, "ratings", &arr, err) < 0)
			return -1;
		if (arr)
			cJSON_ArrayForEach(o, arr) if (native_rating(ctx, rec, cid, o, 0, err) < 0)
				return -1;
		if (each_object(c, "rating_history", &arr, err) < 0)
			return -1;
		if (arr)
			cJSON_ArrayForEach(o, arr) if (native_rating(ctx, rec, cid, o, 1, err) < 0)
				return -1;
		if (each_object(c, "critiques", &arr, err) < 0)
			return -1;
		if (arr)
			cJSON_ArrayForEach(o, arr) if (native_critique(ctx, rec, cid, o, 0, err) < 0)
				return -1;
		if (each_object(c, "critique_history", &arr, err) < 0)
			return -1;
		if (arr)
			cJSON_ArrayForEach(o, arr) if (native_critique(ctx, rec, cid, o, 1, err) < 0)
				return -1;
	}
	return 0;
}

static int native_extras(struct import_ctx *ctx, const cJSON *rec, int64_t pid,
			 struct fb_err *err)
{
	const cJSON *arr, *o;
	int64_t rater_id;

	if (each_object(rec, "preferences", &arr, err) < 0)
		return -1;
	if (arr)
		cJSON_ArrayForEach(o, arr) {
			const cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, "chosen");
			const cJSON *rj = cJSON_GetObjectItemCaseSensitive(o, "rejected");
			int64_t a, b;
			int changed;

			if (!cJSON_IsNumber(ch) || !cJSON_IsNumber(rj))
				return fb_error(err, "a preference needs 'chosen' and 'rejected' "
						     "completion numbers");
			a = completion_at(ctx->db, pid, ch->valueint);
			b = completion_at(ctx->db, pid, rj->valueint);
			if (!a || !b)
				return fb_error(err, "a preference names a completion the line lacks");
			if (native_rater(ctx, rec, str_or_null(o, "rater"), &rater_id, err) < 0 ||
			    store_preference(ctx->db, pid, rater_id, a, b,
					     str_or_null(o, "created_at"), &changed, err) < 0)
				return -1;
			ctx->n.preferences += changed;
		}
	if (each_object(rec, "flags", &arr, err) < 0)
		return -1;
	if (arr)
		cJSON_ArrayForEach(o, arr) {
			const char *kind = str_or_null(o, "kind");

			if (!kind || (strcmp(kind, "flag") && strcmp(kind, "skip")))
				return fb_error(err, "a flag's 'kind' must be flag or skip");
			if (native_rater(ctx, rec, str_or_null(o, "rater"), &rater_id, err) < 0 ||
			    store_flag(ctx->db, pid, rater_id, kind, str_or_null(o, "reason"),
				       str_or_null(o, "created_at"), err) < 0)
				return -1;
			ctx->n.flags++;
		}
	if (each_object(rec, "progress", &arr, err) < 0)
		return -1;
	if (arr)
		cJSON_ArrayForEach(o, arr) {
			char *order = json_member(o, "shown_order");
			const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "active_ms");
			const char *upd = str_or_null(o, "updated_at");
			sqlite3_stmt *st;

			if (!upd || native_rater(ctx, rec, str_or_null(o, "rater"), &rater_id, err) < 0) {
				free(order);
				return upd ? -1 : fb_error(err, "progress needs 'updated_at'");
			}
			st = db_stmt(ctx->db,
				"INSERT INTO progress (rater_id, prompt_id, shown_order, active_ms, "
				"finished_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
				"ON CONFLICT (rater_id, prompt_id) DO UPDATE SET "
				"shown_order = excluded.shown_order, active_ms = excluded.active_ms, "
				"finished_at = excluded.finished_at, updated_at = excluded.updated_at");
			sqlite3_bind_int64(st, 1, rater_id);
			sqlite3_bind_int64(st, 2, pid);
			db_bind_text(st, 3, order);
			sqlite3_bind_int64(st, 4, cJSON_IsNumber(ms) ? (sqlite3_int64)ms->valuedouble : 0);
			db_bind_text(st, 5, str_or_null(o, "finished_at"));
			db_bind_text(st, 6, upd);
			free(order);
			if (sqlite3_step(st) != SQLITE_DONE)
				return db_fail(ctx->db, err, "storing progress");
		}
	if (each_object(rec, "drafts", &arr, err) < 0)
		return -1;
	if (arr)
		cJSON_ArrayForEach(o, arr) {
			const cJSON *ci = cJSON_GetObjectItemCaseSensitive(o, "completion");
			const char *field = str_or_null(o, "field"), *text = str_or_null(o, "text");
			const char *upd = str_or_null(o, "updated_at");
			int64_t cid = cJSON_IsNumber(ci) ? completion_at(ctx->db, pid, ci->valueint) : 0;
			sqlite3_stmt *st;

			if (!cid || !field || !text || !upd)
				return fb_error(err, "a draft needs 'completion', 'field', 'text' and "
						     "'updated_at'");
			if (native_rater(ctx, rec, str_or_null(o, "rater"), &rater_id, err) < 0)
				return -1;
			st = db_stmt(ctx->db,
				"INSERT INTO draft (rater_id, completion_id, field, text, updated_at) "
				"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (rater_id, completion_id, field) "
				"DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at");
			sqlite3_bind_int64(st, 1, rater_id);
			sqlite3_bind_int64(st, 2, cid);
			db_bind_text(st, 3, field);
			db_bind_text(st, 4, text);
			db_bind_text(st, 5, upd);
			if (sqlite3_step(st) != SQLITE_DONE)
				return db_fail(ctx->db, err, "storing a draft");
		}
	return 0;
}

int native_record(struct import_ctx *ctx, const cJSON *rec, struct fb_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, "feedbench");
	int64_t pid;

	if (!cJSON_IsObject(rec))
		return fb_error(err, "a record must be a JSON object");
	if (!cJSON_IsNumber(v) || v->valueint != 1)
		return fb_error(err, "unsupported feedbench format version (this build reads 1)");
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(rec, "prompt")))
		return fb_error(err, "'prompt' must be an object");
	if (native_prompt_part(ctx, rec, &pid, err) < 0 || native_completions(ctx, rec, pid, err) < 0 ||
	    native_extras(ctx, rec, pid, err) < 0)
		return -1;
	return 0;
}
