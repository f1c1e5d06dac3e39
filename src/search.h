/*
 * search.h - PCRE2 search over prompts, responses and rationales.
 *
 * Patterns are compiled in UTF mode with a match limit and a depth limit, so
 * a pattern that would backtrack for ever fails with a message instead of
 * hanging.  Ownership: a search_pattern owns its compiled code and match
 * data; search_free releases them.  Failure: -1 with err (a bad pattern's
 * message names the offset of the error).
 */
#ifndef FB_SEARCH_H
#define FB_SEARCH_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "db.h"
#include "sel.h"

enum search_field {
	SEARCH_PROMPT = 1,
	SEARCH_RESPONSE = 2,
	SEARCH_RATIONALE = 4,
	SEARCH_ALL = 7,
};

struct search_pattern {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
};

int search_compile(struct search_pattern *p, const char *pattern, int caseless,
		   struct fb_err *err);
void search_free(struct search_pattern *p);

/*
 * Find the first match in subject[0..len) at or after *start.  Returns 1 and
 * sets [*so, *eo) on a match, 0 on none, -1 with err when the match limit was
 * hit (the pattern is too costly for this text).
 */
int search_match(struct search_pattern *p, const char *subject, size_t len, size_t start,
		 size_t *so, size_t *eo, struct fb_err *err);

/* One hit, handed to the callback; strings are borrowed for the call. */
struct search_hit {
	int64_t prompt_id;
	const char *where; /* "prompt", "response 2", "rationale (rater, aspect) 2" */
	const char *text;
	size_t so, eo;
};

/*
 * Search the selected prompts' fields; calls fn for each hit (fn returns
 * nonzero to stop).  Returns the number of hits, or -1 with err.
 */
long search_run(struct db *db, struct search_pattern *p, const struct sel *s, int fields,
		int (*fn)(const struct search_hit *hit, void *arg), void *arg, struct fb_err *err);

#endif
