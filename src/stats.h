/*
 * stats.h - what is in the database: counts per data set, source, rater
 * and aspect, rating histograms per aspect and rater, and how far each
 * human rater has got.
 *
 * Ownership: stats_tables hands back tables the caller frees (tab_free each,
 * then free the array).  Failure: -1 with err.
 */
#ifndef FB_STATS_H
#define FB_STATS_H

#include "db.h"
#include "sel.h"
#include "tab.h"

int stats_tables(struct db *db, const struct sel *s, struct tab ***out, size_t *n,
		 struct fb_err *err);

#endif
