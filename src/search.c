/* search.c - PCRE2 search over the data (see search.h). */
#include "search.h"

#include <stdlib.h>
#include <string.h>

/* Enough for any sane pattern on a long response; a runaway one stops here. */
#define SEARCH_MATCH_LIMIT 10000000
#define SEARCH_DEPTH_LIMIT 100000

int search_compile(struct search_pattern *p, const char *pattern, int caseless,
		   struct fb_err *err)
{
	int code;
	PCRE2_SIZE off;

	memset(p, 0, sizeof(*p));
	p->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				PCRE2_UTF | PCRE2_UCP | (caseless ? PCRE2_CASELESS : 0), &code,
				&off, NULL);
	if (!p->code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		return fb_error(err, "bad pattern at offset %zu: %s", (size_t)off, (char *)msg);
	}
	/* JIT makes searching 64k prompts fast; without it the interpreter still
	 * works.  FEEDBENCH_PCRE2_JIT=0 turns it off (memory checkers such as
	 * valgrind misread the JIT's wide loads). */
	{
		const char *jit = getenv("FEEDBENCH_PCRE2_JIT");

		if (!jit || strcmp(jit, "0"))
			pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
	}
	p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
	p->mctx = pcre2_match_context_create(NULL);
	if (!p->md || !p->mctx)
		fatal("out of memory compiling a pattern");
	pcre2_set_match_limit(p->mctx, SEARCH_MATCH_LIMIT);
	pcre2_set_depth_limit(p->mctx, SEARCH_DEPTH_LIMIT);
	return 0;
}

void search_free(struct search_pattern *p)
{
	pcre2_match_context_free(p->mctx);
	pcre2_match_data_free(p->md);
	pcre2_code_free(p->code);
	memset(p, 0, sizeof(*p));
}

int search_match(struct search_pattern *p, const char *subject, size_t len, size_t start,
		 size_t *so, size_t *eo, struct fb_err *err)
{
	/* the data was checked at import, but a bad byte must not stop a search */
	int rc = pcre2_match(p->code, (PCRE2_SPTR)subject, len, start, PCRE2_NO_UTF_CHECK, p->md,
			     p->mctx);

	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		return fb_error(err, "the pattern is too costly to run (%s): simplify it",
				(char *)msg);
	}
	{
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);

		*so = ov[0];
		*eo = ov[1];
	}
	return 1;
}

/* One hit per field at most: that is what a reader scanning results wants. */
static long search_text(struct search_pattern *p, int64_t pid, const char *where,
			const char *text, int (*fn)(const struct search_hit *, void *), void *arg,
			int *stop, struct fb_err *err)
{
	size_t so, eo;
	int rc = search_match(p, text, strlen(text), 0, &so, &eo, err);

	if (rc <= 0)
		return rc;
	{
		struct search_hit h = {pid, where, text, so, eo};

		if (fn(&h, arg))
			*stop = 1;
	}
	return 1;
}

long search_run(struct db *db, struct search_pattern *p, const struct sel *s, int fields,
		int (*fn)(const struct search_hit *hit, void *arg), void *arg, struct fb_err *err)
{
	int64_t *ids;
	size_t n, i;
	long hits = 0, h;
	int stop = 0;

	if (sel_prompts(db, s, &ids, &n, err) < 0)
		return -1;
	for (i = 0; i < n && !stop; i++) {
		sqlite3_stmt *st;
		int rc;

		if (fields & SEARCH_PROMPT) {
			char *text;

			st = db_stmt(db, "SELECT instruction FROM prompt WHERE id = ?1");
			sqlite3_bind_int64(st, 1, ids[i]);
			if (sqlite3_step(st) != SQLITE_ROW)
				continue;
			text = db_col_dup(st, 0);
			sqlite3_reset(st);
			h = search_text(p, ids[i], "prompt", text, fn, arg, &stop, err);
			free(text);
			if (h < 0)
				goto fail;
			hits += h;
		}
		if (fields & SEARCH_RESPONSE) {
			st = db_stmt(db, "SELECT idx, response FROM completion WHERE prompt_id = ?1 "
					 "ORDER BY idx");
			sqlite3_bind_int64(st, 1, ids[i]);
			while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
				char where[32];

				snprintf(where, sizeof(where), "response %d", sqlite3_column_int(st, 0) + 1);
				h = search_text(p, ids[i], where, db_col_text(st, 1), fn, arg, &stop,
						err);
				if (h < 0) {
					sqlite3_reset(st);
					goto fail;
				}
				hits += h;
			}
			sqlite3_reset(st);
		}
		if (fields & SEARCH_RATIONALE) {
			st = db_stmt(db, "SELECT c.idx, r.name, a.name, x.rationale, x.rationale2 "
					 "FROM rating x JOIN completion c ON c.id = x.completion_id "
					 "JOIN rater r ON r.id = x.rater_id JOIN aspect a ON "
					 "a.id = x.aspect_id WHERE c.prompt_id = ?1 "
					 "ORDER BY c.idx, r.name, a.name");
			sqlite3_bind_int64(st, 1, ids[i]);
			while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
				char *where = xasprintf("rationale %d (%s, %s)",
							sqlite3_column_int(st, 0) + 1,
							db_col_text(st, 1), db_col_text(st, 2));
				int col;

				for (col = 3; col <= 4 && !stop; col++) {
					const char *t = db_col_text(st, col);

					if (!t)
						continue;
					h = search_text(p, ids[i], where, t, fn, arg, &stop, err);
					if (h < 0) {
						free(where);
						sqlite3_reset(st);
						goto fail;
					}
					hits += h;
				}
				free(where);
			}
			sqlite3_reset(st);
		}
	}
	free(ids);
	return hits;
fail:
	free(ids);
	return -1;
}
