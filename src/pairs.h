/*
 * pairs.h - choosing chosen/rejected pairs from ratings: score rules,
 * selection strategies and the published presets, all as tables.
 *
 * A run streams over the selected prompts in id order, one prompt at a
 * time: three ordered queries (completions, critiques, ratings) are merged
 * by prompt id, so memory holds one prompt's completions and scores, never
 * the data set.  For each prompt the run
 *   1. drops it when its source or text is excluded or it is flagged;
 *   2. scores every completion under the score rule, once per rater, and
 *      averages the raters (a consensus needs every named rater's score);
 *   3. lets the strategy pick pairs among the scored completions, each
 *      candidate passing the filters in order: tie (--ties drop), margin
 *      (--min-margin), disagreement (--only-agreed);
 *   4. hands the prompt and its pairs to the caller's callback.
 *
 * Score rules: overall / fine-grained (the critique's scores), mean (of
 * every aspect the rater gave a value; N/A and empty ratings left out), one
 * aspect, or a weighted mean of named aspects ("helpfulness=2,honesty=1";
 * weights renormalised over the aspects that have a value).  A completion
 * with nothing to score is left out; a consensus needs every rater.
 * Scores compare with a relative tolerance of 1e-9, so weighted means that
 * differ only by rounding count as ties.
 *
 * Strategies ("best" is always the FIRST completion, by idx, with the
 * highest score; "eligible" means passing the filters above):
 *   best-random  the best against one eligible rival drawn uniformly;
 *   best-worst   the best against the lowest eligible rival (first on ties);
 *   best-all     the best against every eligible rival, in completion order;
 *   all-pairs    every unordered pair once, the higher score chosen (a kept
 *                tie: the lower idx), each prompt's pairs from the largest
 *                margin down;
 *   per-aspect   best-random by each aspect named by the rule (names only),
 *                or by every aspect, each pair labelled with its aspect.
 * Adding one is a select function and a table entry in pairs.c.
 *
 * Randomness (reproducible from the seed alone): each prompt gets its own
 * generator, rng_seed(seed XOR P), where P is the first 16 hex digits of
 * the prompt's SHA-256 read as a big-endian 64-bit number.  best-random
 * draws one rng_below(k) over its k eligible candidates listed in
 * completion order, only when k >= 1; per-aspect does the same once per
 * aspect, aspects in rubric order.  No other call touches the generator, so
 * a prompt's pair does not depend on which other prompts are exported.
 *
 * Input digest: for every prompt seen, a canonical text of what was read
 * (prompt hash and source; per completion its idx, response hash and
 * model; every loaded score as rater, field, value; rater and field names
 * sorted; the flag when --exclude-flagged asked) is hashed with SHA-256:
 * that is the pair's input_sha256.  The run's digest chains them:
 * D = sha256(D + prompt digest), hex strings, from 64 zeros.
 *
 * Ownership: struct pairs owns everything it holds and is freed with
 * pairs_free; options are copied.  What the callback receives is borrowed
 * and valid only during the call.  Failure: -1 with err, nothing emitted
 * after the failure.
 */
#ifndef FB_PAIRS_H
#define FB_PAIRS_H

#include <stdint.h>

#include "db.h"
#include "sel.h"

struct pairs;

/* A strategy: how pairs are picked among one prompt's scored completions. */
struct pairs_strategy {
	const char *name;
	const char *about;
	int per_aspect; /* run once per aspect, labelling the pairs with it */
	int chosen_best; /* the chosen completion is always the prompt's best */
	void (*select)(struct pairs *ps, const double *score, const char *aspect);
};
extern const struct pairs_strategy pairs_strategies[];
const struct pairs_strategy *pairs_strategy_find(const char *name);

/*
 * A score rule: one per-rater score for a completion from its grid row
 * (struct pairs_cell below, indexed by field).  The last entry (name
 * "ASPECT") stands for one aspect by name or a weighted mix "a=2,b=1".
 * Returns 1 with *out set, 0 when the completion has no score.
 */
struct pairs_cell;
struct pairs_score_kind {
	const char *name;
	const char *about;
	int ratings; /* reads aspect ratings (else critique scores) */
	int (*value)(const struct pairs *ps, const struct pairs_cell *row, double *out);
};
extern const struct pairs_score_kind pairs_score_kinds[];

/* A published recipe. */
struct pairs_preset {
	const char *name;
	const char *about;
	const char *format; /* the export format it implies */
	const char *strategy;
	const char *score;
	int ties_keep;
	uint64_t seed;
	const char *const *exclude_sources; /* NULL-terminated */
};
extern const struct pairs_preset pairs_presets[];
const struct pairs_preset *pairs_preset_find(const char *name);

struct pairs_opts {
	const char *strategy;  /* NULL: no pairs; the callback sees every kept prompt */
	const char *score;     /* rule text; NULL: "overall" */
	const char *const *raters; /* names; none: the only rater with scores (pairs) or all */
	size_t nraters;
	int only_agreed;       /* needs two raters or more */
	int ties_keep;
	int has_min_margin;
	double min_margin;
	const char *const *exclude_sources;
	size_t nexclude_sources;
	const char *exclude_prompts; /* file: one prompt a line, or JSONL with "prompt" */
	int exclude_flagged;
	uint64_t seed;
	struct sel sel;
	int load_all;          /* load critiques and ratings whatever the rule (ratings dumps) */
	int progress;          /* -1 auto, 0 off, 1 on */
};

enum pairs_state { PAIRS_NONE, PAIRS_VALUE, PAIRS_NA, PAIRS_EMPTY };

/* Fields of the score grid: the two critique scores, then the aspects in rubric order. */
#define PAIRS_F_OVERALL 0
#define PAIRS_F_FINE 1
#define PAIRS_F_ASPECT0 2

struct pairs_cell {
	double v;
	unsigned char state; /* enum pairs_state; PAIRS_EMPTY: a rating row with no value */
};

struct pairs_completion {
	int64_t id;
	int idx;
	const char *hash, *model, *response; /* model may be NULL */
	int scored; /* score holds the rule's (consensus) score */
	double score;
};

struct pairs_prompt {
	int64_t id;
	const char *hash, *instruction, *source; /* source may be NULL */
	struct pairs_completion *c;
	size_t n;
	const struct pairs_cell *grid; /* [completion][rater][field] */
	char input_sha256[65];
};

struct pairs_pair {
	size_t chosen, rejected; /* indices into the prompt's completions */
	double chosen_score, rejected_score, margin;
	const char *aspect;      /* per-aspect: the aspect's name; else NULL */
};

/* Why a prompt gave no pair (each prompt counted once) or a candidate was refused. */
enum pairs_reason {
	PAIRS_R_SOURCE,
	PAIRS_R_PROMPT,
	PAIRS_R_FLAGGED,
	PAIRS_R_MISSING,
	PAIRS_R_TIE,
	PAIRS_R_MARGIN,
	PAIRS_R_DISAGREE,
	PAIRS_NREASONS
};
extern const char *const pairs_reason_names[PAIRS_NREASONS];

struct pairs_counts {
	long prompts_seen;
	long prompts_paired;     /* prompts that gave at least one pair */
	long pairs;
	long completions_unscored;
	long dropped[PAIRS_NREASONS];    /* prompts, by the first reason that applied */
	long candidates[PAIRS_NREASONS]; /* refused candidate pairs (tie, margin, disagree) */
};

/* Called once per prompt that is not excluded (with npairs possibly 0). */
typedef int (*pairs_emit_fn)(void *ctx, const struct pairs_prompt *p,
			     const struct pairs_pair *pairs, size_t npairs, struct fb_err *err);

/*
 * Check the options against the database (rule, strategy, raters, the
 * exclusion file) and prepare a run.  Caller frees with pairs_free.
 * NULL with err on a bad option, naming what is wrong and what is valid.
 */
struct pairs *pairs_new(struct db *db, const struct pairs_opts *o, struct fb_err *err);
void pairs_free(struct pairs *ps);

/* Stream the prompts, calling emit for each kept one, inside one read transaction. */
int pairs_run(struct pairs *ps, pairs_emit_fn emit, void *ctx, struct fb_err *err);

/* After pairs_new (borrowed, live as long as ps): */
size_t pairs_nraters(const struct pairs *ps);
const char *pairs_rater_name(const struct pairs *ps, size_t i);
size_t pairs_nfields(const struct pairs *ps);
const char *pairs_field_name(const struct pairs *ps, size_t f); /* overall_score, ... */
const char *pairs_score_text(const struct pairs *ps);    /* canonical rule text */
const char *pairs_strategy_name(const struct pairs *ps); /* NULL without a strategy */
/* The exclusion file's SHA-256 and entry count (NULL and 0 without one). */
const char *pairs_exclude_sha256(const struct pairs *ps, long *entries);
/* After pairs_run: */
const struct pairs_counts *pairs_get_counts(const struct pairs *ps);
const char *pairs_input_sha256(const struct pairs *ps);

/* Compare two scores: -1, 0, 1 with the tolerance described above. */
int pairs_cmp(double a, double b);

/* Collapse runs of white space to one space and trim (caller frees). */
char *pairs_normalise(const char *s);

#endif
