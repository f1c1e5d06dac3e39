/* stats.c - counts and histograms (see stats.h). */
#include "stats.h"

#include <stdlib.h>

/* The selection as SQL: ?1 data set id (0 = all), ?2 source (NULL = all). */
#define IN_SEL(p)                                                                        \
	"(?1 = 0 OR EXISTS (SELECT 1 FROM dataset_prompt dp WHERE dp.prompt_id = " p     \
	" AND dp.dataset_id = ?1)) AND (?2 IS NULL OR (SELECT source FROM prompt WHERE " \
	"id = " p ") = ?2)"

static int bind_sel(sqlite3_stmt *st, int64_t dsid, const struct sel *s)
{
	sqlite3_bind_int64(st, 1, dsid);
	db_bind_text(st, 2, s->source);
	return 0;
}

/* Fill t from st: each column is text, or a number when SQLite says so. */
static int fill(struct db *db, struct tab *t, sqlite3_stmt *st, struct fb_err *err)
{
	int rc, c, nc = sqlite3_column_count(st);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (c = 0; c < nc; c++) {
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_INTEGER:
				tab_int(t, sqlite3_column_int64(st, c));
				break;
			case SQLITE_FLOAT:
				tab_num(t, sqlite3_column_double(st, c), 3);
				break;
			case SQLITE_NULL:
				tab_null(t);
				break;
			default:
				tab_str(t, db_col_text(st, c));
			}
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "computing statistics");
	return 0;
}

int stats_tables(struct db *db, const struct sel *s, struct tab ***out, size_t *n,
		 struct fb_err *err)
{
	static const char *const c_ds[] = {"dataset", "prompts", "completions", "created_at"};
	static const char *const c_src[] = {"source", "prompts", "completions"};
	static const char *const c_rater[] = {"rater", "kind", "model", "ratings", "critiques",
					      "prompts_rated"};
	static const char *const c_asp[] = {"aspect", "scale", "na_allowed", "ratings", "na",
					    "missing", "mean"};
	static const char *const c_hist[] = {"rater", "aspect", "value", "count", "share"};
	static const char *const c_prog[] = {"rater", "finished", "prompts", "share",
					     "active_minutes"};
	struct tab **t = xcalloc(6, sizeof(*t));
	sqlite3_stmt *st;
	int64_t dsid = 0;
	size_t i;

	*out = NULL;
	*n = 0;
	if (s->dataset && !(dsid = db_dataset_find(db, s->dataset))) {
		free(t);
		return fb_error(err, "no data set named '%s'", s->dataset);
	}
	t[0] = tab_new("datasets", c_ds, ARRAY_LEN(c_ds));
	st = db_stmt(db, "SELECT d.name, count(*), (SELECT count(*) FROM completion c JOIN "
			 "dataset_prompt x ON x.prompt_id = c.prompt_id WHERE x.dataset_id = d.id), "
			 "d.created_at FROM dataset d JOIN dataset_prompt dp ON dp.dataset_id = d.id "
			 "WHERE " IN_SEL("dp.prompt_id") " GROUP BY d.id ORDER BY d.name");
	bind_sel(st, dsid, s);
	if (fill(db, t[0], st, err) < 0)
		goto fail;

	t[1] = tab_new("sources", c_src, ARRAY_LEN(c_src));
	st = db_stmt(db, "SELECT coalesce(p.source, '(none)'), count(*), (SELECT count(*) FROM "
			 "completion c JOIN prompt q ON q.id = c.prompt_id WHERE "
			 "q.source IS p.source AND " IN_SEL("q.id") ") FROM prompt p WHERE "
			 IN_SEL("p.id") " GROUP BY p.source ORDER BY count(*) DESC, p.source");
	bind_sel(st, dsid, s);
	if (fill(db, t[1], st, err) < 0)
		goto fail;

	t[2] = tab_new("raters", c_rater, ARRAY_LEN(c_rater));
	st = db_stmt(db, "SELECT r.name, r.kind, r.model, "
			 "(SELECT count(*) FROM rating x JOIN completion c ON c.id = x.completion_id "
			 " WHERE x.rater_id = r.id AND " IN_SEL("c.prompt_id") "), "
			 "(SELECT count(*) FROM critique x JOIN completion c ON c.id = x.completion_id "
			 " WHERE x.rater_id = r.id AND " IN_SEL("c.prompt_id") "), "
			 "(SELECT count(DISTINCT c.prompt_id) FROM rating x JOIN completion c ON "
			 " c.id = x.completion_id WHERE x.rater_id = r.id AND " IN_SEL("c.prompt_id") ") "
			 "FROM rater r ORDER BY r.name");
	bind_sel(st, dsid, s);
	if (fill(db, t[2], st, err) < 0)
		goto fail;

	t[3] = tab_new("aspects", c_asp, ARRAY_LEN(c_asp));
	st = db_stmt(db, "SELECT a.name, a.scale_min || '-' || a.scale_max, a.allow_na, "
			 "count(x.value), coalesce(sum(x.na), 0), "
			 "coalesce(sum(x.value IS NULL AND x.na = 0), 0), avg(x.value) "
			 "FROM aspect a LEFT JOIN (SELECT y.* FROM rating y JOIN completion c ON "
			 "c.id = y.completion_id WHERE " IN_SEL("c.prompt_id") ") x ON "
			 "x.aspect_id = a.id GROUP BY a.id ORDER BY a.id");
	bind_sel(st, dsid, s);
	if (fill(db, t[3], st, err) < 0)
		goto fail;

	t[4] = tab_new("histogram", c_hist, ARRAY_LEN(c_hist));
	st = db_stmt(db, "WITH h AS (SELECT x.rater_id, x.aspect_id, CASE WHEN x.na THEN 'N/A' "
			 "WHEN x.value IS NULL THEN 'missing' ELSE CAST(x.value AS TEXT) END AS v, "
			 "count(*) AS n FROM rating x JOIN completion c ON c.id = x.completion_id "
			 "WHERE " IN_SEL("c.prompt_id") " GROUP BY 1, 2, 3) "
			 "SELECT r.name, a.name, h.v, h.n, round(1.0 * h.n / sum(h.n) OVER "
			 "(PARTITION BY h.rater_id, h.aspect_id), 3) FROM h JOIN rater r ON "
			 "r.id = h.rater_id JOIN aspect a ON a.id = h.aspect_id "
			 "ORDER BY r.name, a.id, h.v");
	bind_sel(st, dsid, s);
	if (fill(db, t[4], st, err) < 0)
		goto fail;

	t[5] = tab_new("progress", c_prog, ARRAY_LEN(c_prog));
	st = db_stmt(db, "SELECT r.name, (SELECT count(*) FROM progress g WHERE g.rater_id = r.id "
			 "AND g.finished_at IS NOT NULL AND " IN_SEL("g.prompt_id") "), "
			 "(SELECT count(*) FROM prompt p WHERE " IN_SEL("p.id") "), "
			 "round(1.0 * (SELECT count(*) FROM progress g WHERE g.rater_id = r.id AND "
			 "g.finished_at IS NOT NULL AND " IN_SEL("g.prompt_id") ") / max(1, (SELECT "
			 "count(*) FROM prompt p WHERE " IN_SEL("p.id") ")), 3), "
			 "round((SELECT coalesce(sum(active_ms), 0) FROM progress g WHERE "
			 "g.rater_id = r.id AND " IN_SEL("g.prompt_id") ") / 60000.0, 1) "
			 "FROM rater r WHERE r.kind = 'human' ORDER BY r.name");
	bind_sel(st, dsid, s);
	if (fill(db, t[5], st, err) < 0)
		goto fail;
	*out = t;
	*n = 6;
	return 0;
fail:
	for (i = 0; i < 6; i++)
		tab_free(t[i]);
	free(t);
	return -1;
}
