/*
 * agree.h - agreement between raters on one aspect (statistics.md, part 1).
 *
 * Pure computation: the caller hands in a units x raters matrix of ratings
 * for one aspect; no database here.  A unit is one (completion, aspect);
 * units of the same prompt share a group, the unit the bootstrap resamples.
 *
 * Figures (all exact arithmetic over the ratings present):
 *   - per pair of raters, over units rated by both: exact, within1,
 *     mean_diff (rater 1 minus rater 2), mean_abs_diff, Cohen's kappa
 *     unweighted / linear / quadratic (categories = every integer of the
 *     scale, disagreement weights |i-j| and (i-j)^2), Spearman (Pearson of
 *     mid-ranks), Kendall's tau-b, and the scale x scale confusion matrix
 *     (row = rater 1's value, column = rater 2's, both from scale_min up);
 *   - Krippendorff's alpha at the nominal, ordinal, interval and ratio
 *     levels, coincidence-matrix form: units with fewer than two ratings are
 *     unpairable and left out; a unit's pairs weigh 1/(m_u - 1); ordinal
 *     distance from the coincidence marginals; ratio ((c-k)/(c+k))^2;
 *   - Fleiss' kappa over the units rated by one common number m >= 2 of
 *     raters.  When units carry different numbers of ratings, m is the most
 *     common count (ties go to the larger m); the others are left out and a
 *     note says how many.  fleiss_units / fleiss_raters report what was used.
 *
 * A figure that cannot be computed is null with a reason (struct figure),
 * never NaN, and the result's notes list says which and why.
 *
 * Bootstrap (opts.bootstrap = B > 0): percentile 95% intervals for the four
 * alphas, Fleiss' kappa and the three Cohen kappas of every pair, from B
 * resamples of the groups that hold a pairable unit (see boot.h;
 * deterministic given opts.seed, whatever opts.threads).  Cost: O(B x
 * nonzero cells of the per-group tables), about a second per aspect for
 * 64k prompts x 4 completions x 2 raters and B = 1000 on two cores.
 *
 * Ownership: agree_compute returns a result the caller frees with
 * agree_result_free; it copies every name it keeps, so the input can go
 * away.  agree_json returns a cJSON tree the caller frees with cJSON_Delete.
 * The renderers append to a caller-owned sbuf.  Allocation failure is fatal
 * (util.h); bad input is the only recoverable error.
 */
#ifndef FB_AGREE_H
#define FB_AGREE_H

#include <math.h>

#include <cjson/cJSON.h>

#include "figure.h"
#include "util.h"

/* The marker for a missing or N/A rating in agree_input.x (test with isnan). */
#define AGREE_MISSING NAN

/* Largest scale accepted (max - min + 1 values). */
#define AGREE_MAX_CATEGORIES 100

enum agree_level { AGREE_NOMINAL, AGREE_ORDINAL, AGREE_INTERVAL, AGREE_RATIO, AGREE_NLEVELS };

/* "nominal", "ordinal", "interval", "ratio" */
extern const char *const agree_level_names[AGREE_NLEVELS];

struct agree_input {
	const char *aspect;         /* name, for the output */
	size_t nraters;
	const char *const *raters;  /* nraters names */
	size_t nunits;
	/*
	 * nunits * nraters ratings, row-major: x[u * nraters + r].  Each is
	 * AGREE_MISSING or a whole number in [scale_min, scale_max].
	 */
	const double *x;
	/* per unit, a group (prompt) index < ngroups; NULL: every unit alone */
	const size_t *group;
	size_t ngroups;
	int scale_min, scale_max;
};

struct agree_opts {
	size_t bootstrap; /* B resamples; 0 = no intervals */
	uint64_t seed;    /* S */
	int threads;      /* <= 0: online processors; never changes results */
};

struct agree_pair {
	size_t r1, r2;   /* rater indexes, r1 < r2 */
	size_t units;    /* units rated by both */
	struct figure exact, within1, mean_diff, mean_abs_diff;
	struct figure kappa, kappa_linear, kappa_quadratic; /* intervals with B */
	struct figure spearman, kendall_tau_b;
	size_t *confusion; /* k * k counts, [i * k + j]; owned by the result */
};

struct agree_result {
	char *aspect;        /* owned; NULL when the input had none */
	char **raters;       /* nraters owned names */
	size_t nraters;
	int scale_min, scale_max;
	size_t k;            /* scale_max - scale_min + 1 */
	size_t rated_units;  /* units with at least one rating */
	size_t units;        /* pairable units (two or more ratings) */
	double values;       /* pairable ratings: n of the coincidence matrix */
	struct figure alpha[AGREE_NLEVELS];
	struct figure fleiss;
	size_t fleiss_units, fleiss_raters;
	struct agree_pair *pairs; /* every r1 < r2, in order (0,1), (0,2), ... */
	size_t npairs;
	size_t bootstrap;
	uint64_t seed;
	struct figure_notes notes; /* nulls, intervals, units left out */
};

/*
 * Compute every figure.  Returns 0 and sets *out, or -1 with err saying
 * which unit and rater hold a rating off the scale, or what else is wrong
 * with the input (scale, group index); *out is then NULL.
 */
int agree_compute(const struct agree_input *in, const struct agree_opts *opts,
		  struct agree_result **out, struct fb_err *err);
void agree_result_free(struct agree_result *res);

/*
 * {"aspect", "raters", "units", "krippendorff_alpha": {"nominal", ...},
 *  "fleiss_kappa", "pairs": [{"raters": [r1, r2], "units", "exact",
 *  "within1", "mean_diff", "mean_abs_diff", "cohen_kappa",
 *  "cohen_kappa_linear", "cohen_kappa_quadratic", "spearman",
 *  "kendall_tau_b", "confusion": [[...]]}], "notes": [...]}
 * "units" is the number of pairable units.  With a bootstrap, each
 * interval-bearing figure x is followed by "x_ci": [lo, hi] (or null).
 * Caller frees with cJSON_Delete.
 */
cJSON *agree_json(const struct agree_result *res);

/* The `--format table` text: figures, pair table, confusion matrices, notes. */
void agree_table(struct sbuf *sb, const struct agree_result *res);

/*
 * CSV, one figure per row:
 *   aspect,figure,rater1,rater2,units,value,ci_lo,ci_hi
 * figure is krippendorff_alpha_<level>, fleiss_kappa, or a pair figure
 * name; null values and missing intervals are empty fields.  header != 0
 * writes the header line first (so several aspects can share one file).
 */
void agree_csv(struct sbuf *sb, const struct agree_result *res, int header);

#endif
