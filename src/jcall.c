/* jcall.c - the judge_call table and the request cache (see jcall.h). */
#include "jcall.h"

#include <stdlib.h>
#include <string.h>

int jcall_insert(struct db *db, const struct jcall *c, int64_t *id, struct fb_err *err)
{
	char now[32];
	sqlite3_stmt *st = db_stmt(db,
		"INSERT INTO judge_call (request_hash, rater_id, prompt_id, aspect, completion_id, "
		"shown_order, reply, status, reason, finish_reason, ntexts, nparsed, model, "
		"prompt_tokens, completion_tokens, attempts, http_status, via, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
		"?17, ?18, ?19)");

	now_iso8601(now);
	db_bind_text(st, 1, c->request_hash);
	sqlite3_bind_int64(st, 2, c->rater_id);
	sqlite3_bind_int64(st, 3, c->prompt_id);
	db_bind_text(st, 4, c->aspect);
	if (c->completion_id)
		sqlite3_bind_int64(st, 5, c->completion_id);
	db_bind_text(st, 6, c->shown_order);
	if (c->reply)
		db_bind_textn(st, 7, c->reply, c->reply_len);
	db_bind_text(st, 8, c->status);
	db_bind_text(st, 9, c->reason);
	db_bind_text(st, 10, c->finish_reason);
	sqlite3_bind_int(st, 11, c->ntexts);
	sqlite3_bind_int(st, 12, c->nparsed);
	db_bind_text(st, 13, c->model);
	if (c->prompt_tokens >= 0)
		sqlite3_bind_int64(st, 14, c->prompt_tokens);
	if (c->completion_tokens >= 0)
		sqlite3_bind_int64(st, 15, c->completion_tokens);
	sqlite3_bind_int(st, 16, c->attempts);
	if (c->http_status > 0)
		sqlite3_bind_int64(st, 17, c->http_status);
	db_bind_text(st, 18, c->via);
	db_bind_text(st, 19, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "recording a judge answer");
	if (id)
		*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int jcall_seen(struct db *db, const char *request_hash, int64_t rater_id,
	       struct jcall_seen *out, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
		"SELECT id, rater_id, status, nparsed >= ntexts FROM judge_call "
		"WHERE request_hash = ?1 ORDER BY id");
	int rc;

	memset(out, 0, sizeof(*out));
	db_bind_text(st, 1, request_hash);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int ours = sqlite3_column_int64(st, 1) == rater_id;
		const char *status = db_col_text(st, 2);
		int complete = sqlite3_column_int(st, 3);
		int answered = !strcmp(status, "ok") || (!strcmp(status, "cut_off") && complete);

		if (answered) {
			if (ours || !out->answer_is_ours) {
				out->answer_id = id;
				out->answer_is_ours = ours;
			}
		} else if (strcmp(status, "error")) {
			out->failures++;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "looking up a judge request");
	return 0;
}

int jcall_batch_seen(struct db *db, const char *request_hash, int64_t rater_id,
		     const char *reply, const char *reason, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
		"SELECT EXISTS (SELECT 1 FROM judge_call WHERE request_hash = ?1 AND rater_id = ?2 "
		"AND via = 'batch' AND reply IS ?3 AND (?3 IS NOT NULL OR reason IS ?4))");
	int rc, seen;

	db_bind_text(st, 1, request_hash);
	sqlite3_bind_int64(st, 2, rater_id);
	db_bind_text(st, 3, reply);
	db_bind_text(st, 4, reason);
	rc = sqlite3_step(st);
	seen = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "looking up a batch answer");
	return seen;
}

void jcall_row_release(struct jcall_row *r)
{
	free(r->request_hash);
	free(r->aspect);
	free(r->shown_order);
	free(r->reply);
	free(r->finish_reason);
	free(r->model);
	memset(r, 0, sizeof(*r));
}

int jcall_get(struct db *db, int64_t id, struct jcall_row *out, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
		"SELECT rater_id, prompt_id, coalesce(completion_id, 0), request_hash, aspect, "
		"shown_order, reply, finish_reason, model, ntexts FROM judge_call WHERE id = ?1");
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return fb_error(err, "%s: no judge call %lld", db->path, (long long)id);
		return db_fail(db, err, "reading a judge call");
	}
	out->id = id;
	out->rater_id = sqlite3_column_int64(st, 0);
	out->prompt_id = sqlite3_column_int64(st, 1);
	out->completion_id = sqlite3_column_int64(st, 2);
	out->request_hash = db_col_dup(st, 3);
	out->aspect = db_col_dup(st, 4);
	out->shown_order = db_col_dup(st, 5);
	out->reply = db_col_dup(st, 6);
	out->finish_reason = db_col_dup(st, 7);
	out->model = db_col_dup(st, 8);
	out->ntexts = sqlite3_column_int(st, 9);
	sqlite3_reset(st);
	return 0;
}

int jcall_with_reply(struct db *db, int64_t rater_id, int64_t **ids, size_t *n,
		     struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM judge_call WHERE rater_id = ?1 "
				       "AND reply IS NOT NULL ORDER BY id");
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	sqlite3_bind_int64(st, 1, rater_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)ids, &cap, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return db_fail(db, err, "listing judge calls");
	}
	return 0;
}

int jcall_update(struct db *db, int64_t id, const char *status, const char *reason,
		 int nparsed, struct fb_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE judge_call SET status = ?2, reason = ?3, "
				       "nparsed = ?4 WHERE id = ?1");

	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, status);
	db_bind_text(st, 3, reason);
	sqlite3_bind_int(st, 4, nparsed);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "updating a judge call");
	return 0;
}
