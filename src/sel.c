/* sel.c - prompt selection by data set and source (see sel.h). */
#include "sel.h"

#include <stdlib.h>

int sel_prompts(struct db *db, const struct sel *s, int64_t **ids, size_t *n, struct fb_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t dsid = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (s->dataset && !(dsid = db_dataset_find(db, s->dataset)))
		return fb_error(err, "no data set named '%s' (see 'feedbench stats')", s->dataset);
	st = db_stmt(db, "SELECT p.id FROM prompt p WHERE " SEL_SQL_WHERE " ORDER BY p.id");
	sqlite3_bind_int64(st, 1, dsid);
	db_bind_text(st, 2, s->source);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)ids, &cap, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return db_fail(db, err, "selecting prompts");
	}
	return 0;
}
