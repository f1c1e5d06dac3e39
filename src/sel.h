/*
 * sel.h - which prompts a command works on: --dataset and --source filters,
 * shared by every command that takes them.
 *
 * Ownership: struct sel borrows its strings.  sel_prompts hands the caller
 * an array (caller frees).  Failure: -1 with err (e.g. an unknown data set).
 */
#ifndef FB_SEL_H
#define FB_SEL_H

#include "db.h"

struct sel {
	const char *dataset; /* NULL: all */
	const char *source;  /* NULL: all */
};

/*
 * The selection as an SQL condition on a prompt aliased p, for queries of
 * their own: bind ?1 to the data set id (0 = all) and ?2 to the source
 * (NULL = all).  Placeholders only, never data.
 */
#define SEL_SQL_WHERE                                                                    \
	"(?1 = 0 OR EXISTS (SELECT 1 FROM dataset_prompt dp WHERE dp.prompt_id = p.id AND " \
	"dp.dataset_id = ?1)) AND (?2 IS NULL OR p.source = ?2)"

/* Prompt ids in import order. */
int sel_prompts(struct db *db, const struct sel *s, int64_t **ids, size_t *n, struct fb_err *err);

#endif
