/*
 * audit.h - the ratings of a selection, loaded once, handed to the
 * agreement and conflict cores (agree.h, conflict.h); what the
 * `agreement`, `conflict` and `report` commands and the TUI's statistics
 * screen and `conflict` queue are built on.
 *
 * Loading (audit_load) runs three queries, each a single pass: the
 * selected prompts, their completions (in prompt order, then completion
 * order), and every rating row of the database in storage order.  A rating
 * lands in a dense cube v[aspect][completion][rater] through id maps, so
 * no query is ever run per prompt; 2M ratings load in about half a second.
 * "N/A" ratings and rows without a value are counted but never enter v:
 * they take no part in any figure.  A value outside its aspect's scale
 * (the rubric changed after the import) is left out and counted in
 * off_scale.
 *
 * Ownership: an audit_data owns all its arrays and names (audit_release)
 * and outlives the db it was loaded from.  Results of
 * the compute functions are the caller's (agree_result_free,
 * conflict_result_free, audit_summary_free, free() for the queue).
 *
 * Failure: -1 with err ("no rater named 'x'", a database error); allocation
 * failure is fatal.  Nothing here prints.
 */
#ifndef FB_AUDIT_H
#define FB_AUDIT_H

#include <stdint.h>

#include "agree.h"
#include "conflict.h"
#include "db.h"
#include "sel.h"

/* The marker of "no rating" in audit_data.v. */
#define AUDIT_NONE INT16_MIN

struct audit_aspect {
	int64_t id;
	char *name, *title; /* owned copies of the rubric's */
	int min, max;       /* the scale */
};

struct audit_rater {
	int64_t id;
	char *name; /* owned */
	char *kind; /* owned: "human" or "llm" */
};

struct audit_data {
	size_t nprompts;
	int64_t *prompt_id;    /* nprompts, ascending */
	char **source;         /* nprompts; NULL when the prompt has none */
	size_t *start;         /* nprompts + 1: prompt p owns completions start[p] .. start[p+1]-1 */
	size_t ncompl;
	int64_t *compl_id;     /* ncompl */
	size_t *compl_prompt;  /* ncompl: the prompt index */
	size_t naspects;       /* every aspect of the rubric set, in rubric order */
	struct audit_aspect *aspects;
	size_t nraters;        /* every rater in the database, by name */
	struct audit_rater *raters;
	/* ratings with a value: v[(a * ncompl + c) * nraters + r], AUDIT_NONE when none */
	int16_t *v;
	size_t *rated;         /* naspects * nraters: values in v */
	size_t *na;            /* naspects * nraters: N/A ratings */
	size_t *empty;         /* naspects * nraters: rows with neither (a rationale alone) */
	size_t off_scale;      /* values outside their aspect's scale, left out */
};

/* Load the selection (see above).  On failure d is left empty. */
int audit_load(struct db *db, const struct sel *sel, struct audit_data *d, struct fb_err *err);
void audit_release(struct audit_data *d);

/* Index of a rater / aspect by name, or -1. */
long audit_rater_index(const struct audit_data *d, const char *name);
long audit_aspect_index(const struct audit_data *d, const char *name);
/* Does rater r have any rating row (value or N/A) on aspect a?  On any aspect (a < 0)? */
int audit_has_ratings(const struct audit_data *d, long a, size_t r);

/*
 * Agreement on aspect a between the raters ridx[0..nr) (their order is the
 * output order).  Units are the completions of the prompts prompts[0..np)
 * (NULL: every prompt of d); groups (for the bootstrap) are the prompts.
 * Returns 0, or -1 with err from agree_compute.
 */
int audit_agree(const struct audit_data *d, size_t a, const size_t *ridx, size_t nr,
		const size_t *prompts, size_t np, const struct agree_opts *opts,
		struct agree_result **out, struct fb_err *err);

/*
 * Conflict between the aspects aidx[0..na) from the ratings of rater
 * ridx[0] (nr == 1) or the consensus of ridx[0..nr) (nr > 1: per unit, the
 * mean of the ratings those raters gave; a unit none of them rated is
 * missing).  prompts[0..np) selects prompt indexes (NULL: every prompt of
 * d).  label names the result ("consensus", a rater name).  The aspects
 * must share one scale (else -1 with err naming them); opts as in
 * conflict_compute (NULL: margin 1, no bootstrap).
 */
int audit_conflict(const struct audit_data *d, const size_t *aidx, size_t na,
		   const size_t *ridx, size_t nr, const size_t *prompts, size_t np,
		   const char *label, const struct conflict_opts *opts,
		   struct conflict_result **out, struct fb_err *err);

/* Aspects any of the raters ridx[0..nr) gave a value to, in rubric order (caller frees). */
size_t *audit_rated_aspects(const struct audit_data *d, const size_t *ridx, size_t nr, size_t *n);

/* A set of prompts of an audit_data: one source, one data set. */
struct audit_group {
	char *name;      /* owned: the source ("(none)" for prompts without), the data set */
	size_t *prompts; /* owned: prompt indexes into the audit_data, ascending */
	size_t np;
};

/* The selection's prompts by source, sources by name, "(none)" last (caller frees). */
void audit_by_source(const struct audit_data *d, struct audit_group **g, size_t *n);
/*
 * By data set, by name (a prompt can be in several; data sets without a
 * selected prompt are left out).  One query.  -1 with err on a database error.
 */
int audit_by_dataset(struct db *db, const struct audit_data *d, struct audit_group **g,
		     size_t *n, struct fb_err *err);
void audit_groups_free(struct audit_group *g, size_t n);

/* ---- for the TUI ------------------------------------------------------------ */

/* One prompt of the `conflict` queue. */
struct audit_prompt_score {
	int64_t prompt_id;
	double score;        /* share of its completion pairs that are Pareto-incomparable */
	size_t pairs;        /* pairs with an aspect rated on both completions */
	size_t incomparable; /* of which some aspect prefers one and another the other */
};

/*
 * The `conflict` queue: every prompt of the selection on which rater (a
 * name) rated some aspect of two completions, most conflicted first (ties:
 * more incomparable pairs first, then prompt id), over the aspects rater
 * gave values to that share the first such aspect's scale, margin
 * min_margin (the CLI default is 1).  *out (caller frees) holds *n
 * entries.  -1 with err for an unknown rater or a database error.
 */
int audit_conflict_queue(struct db *db, const struct sel *sel, const char *rater,
			 double min_margin, struct audit_prompt_score **out, size_t *n,
			 struct fb_err *err);

/* A rating histogram: one aspect, one rater. */
struct audit_hist {
	size_t aspect, rater; /* indexes into the summary's aspects / raters */
	int min, max;         /* the scale */
	size_t *count;        /* max - min + 1 counts, count[v - min] (owned) */
	size_t na;            /* N/A ratings */
	size_t total;         /* values (sum of count) */
};

/*
 * What the TUI statistics screen shows for a selection and the current
 * rater: the conflict matrix of the current rater's ratings, the rating
 * histograms of every aspect and rater, and, per aspect, the agreement
 * between the current rater and an LLM judge (confusion matrix included).
 */
struct audit_summary {
	char *rater;              /* the current rater (owned) */
	char *llm;                /* the judge compared with, NULL when there is none (owned) */
	size_t naspects;          /* aspects with any rating in the selection, rubric order */
	char **aspects;           /* owned names */
	size_t nraters;           /* raters with any rating in the selection */
	char **raters, **kinds;   /* owned names and kinds */
	struct audit_hist *hist;  /* nhist = naspects * nraters, [a * nraters + r] */
	size_t nhist;
	/*
	 * The current rater's conflict over the aspects they rated, margin 1
	 * (matrix, per_prompt, ...); NULL when they rated nothing here, or the
	 * aspects they rated do not share one scale.
	 */
	struct conflict_result *conflict;
	/*
	 * Per aspect (naspects entries), the current rater (raters[0] of the
	 * result) against llm (raters[1]); an entry is NULL when there is no
	 * llm.  pairs[0] holds kappa, confusion (k x k, rows = current rater)...
	 */
	struct agree_result **agree;
	size_t prompts, completions; /* the selection's size */
};

/*
 * Compute the summary.  rater: the current rater's name (must exist).
 * llm: the judge to compare with; NULL picks the rater of kind "llm" with
 * the most ratings in the selection (none: no agreement).  About 1 s on
 * 64k prompts x 4 completions x 2 raters: call it from a worker thread
 * with its own db handle (db_open) if the screen must stay live meanwhile.
 * Caller frees with audit_summary_free.
 */
int audit_summary_compute(struct db *db, const struct sel *sel, const char *rater,
			  const char *llm, struct audit_summary **out, struct fb_err *err);
void audit_summary_free(struct audit_summary *s);

#endif
