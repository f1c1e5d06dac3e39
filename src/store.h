/*
 * store.h - every write of rated data goes through here: prompts,
 * completions, ratings, critiques, preferences, flags, progress, drafts.
 *
 * Each function is one statement (or a few) on the caller's connection; the
 * caller chooses the transaction (db_begin/db_commit).  History is kept by
 * triggers (schema/001_init.sql): an update never destroys the old value.
 *
 * Strings passed in are borrowed and copied by sqlite.  Times are ISO 8601;
 * a NULL time means "now".  Failure: -1 with err naming the database.
 */
#ifndef FB_STORE_H
#define FB_STORE_H

#include "db.h"

struct store_prompt {
	const char *instruction; /* required */
	const char *source, *external_id;
	const char *correct_answers, *incorrect_answers; /* JSON array text or NULL */
	const char *created_at;
};

/*
 * Find the prompt with this text (by SHA-256) or add it; link it to the
 * data set when dataset_id != 0.  *created tells which happened (may be NULL).
 * source/external_id/answers fill in only what the stored prompt lacks.
 */
int store_prompt(struct db *db, const struct store_prompt *p, int64_t dataset_id, int64_t *id,
		 int *created, struct fb_err *err);

struct store_completion {
	const char *response; /* required */
	const char *model, *principle, *system_prompt;
	int idx; /* wanted position; -1 = after the last one */
	int fresh; /* the prompt was just created: nothing to look up, idx is free */
};

/* Find the completion with this response under the prompt, or add it. */
int store_completion(struct db *db, int64_t prompt_id, const struct store_completion *c,
		     int64_t *id, int *created, struct fb_err *err);

struct store_rating {
	int64_t completion_id, rater_id, aspect_id;
	int has_value; /* 0: no value (missing or cleared) */
	int value;
	int na; /* N/A; has_value must then be 0 */
	const char *rationale, *types, *rationale2; /* types: JSON array text */
	const char *updated_at;
};

/*
 * Insert or update the (completion, rater, aspect) rating.  Writing the
 * same content again changes nothing (not even the time), so imports are
 * idempotent.  *changed (may be NULL) says whether a row was written.
 */
int store_rating(struct db *db, const struct store_rating *r, int *changed, struct fb_err *err);

/*
 * The same for n ratings at once (one statement per few rows: the import's
 * hot path).  *changed (may be NULL) gets the number of rows written.
 */
int store_ratings(struct db *db, const struct store_rating *r, size_t n, long *changed,
		  struct fb_err *err);

/* Remove a rating (its last value stays in rating_history). */
int store_rating_delete(struct db *db, int64_t completion_id, int64_t rater_id,
			int64_t aspect_id, struct fb_err *err);

struct store_critique {
	int64_t completion_id, rater_id;
	const char *text;
	int has_overall;
	double overall;
	int has_fine;
	double fine;
	const char *updated_at;
};

int store_critique(struct db *db, const struct store_critique *c, int *changed,
		   struct fb_err *err);
/* n critiques with a statement per few; *changed (may be NULL) = rows written. */
int store_critiques(struct db *db, const struct store_critique *c, size_t n, long *changed,
		    struct fb_err *err);

int store_preference(struct db *db, int64_t prompt_id, int64_t rater_id, int64_t chosen_id,
		     int64_t rejected_id, const char *created_at, int *changed, struct fb_err *err);

/* kind: "flag" or "skip".  Setting again replaces the reason. */
int store_flag(struct db *db, int64_t prompt_id, int64_t rater_id, const char *kind,
	       const char *reason, const char *created_at, struct fb_err *err);
int store_unflag(struct db *db, int64_t prompt_id, int64_t rater_id, const char *kind,
		 struct fb_err *err);

#endif
