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

/* Prompt ids in import order. */
int sel_prompts(struct db *db, const struct sel *s, int64_t **ids, size_t *n, struct fb_err *err);

#endif
